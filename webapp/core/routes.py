"""Home page, health check and the error pages."""

from __future__ import annotations

import contextlib
from functools import cache

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import (
    Flask,
    Response,
    current_app,
    g,
    jsonify,
    make_response,
    render_template,
    request,
)
from flask.globals import request_ctx
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge, ServiceUnavailable

from webapp.core import bp
from webapp.core.health import disk_space
from webapp.extensions import db, login_manager
from webapp.home.coordinator import coordinator_home
from webapp.home.door import door_staff_home
from webapp.home.participant import participant_home
from webapp.home.secretariat import secretariat_home
from webapp.models import Event, Region, RegionStatus, Role, utcnow

# What a database that is down, restarting or out of connections raises.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeout)
RETRY_AFTER_SECONDS = 30
DATABASE_DOWN_TEXT = _l(
    "The site cannot reach its database just now. Nothing you entered was saved halfway; "
    "please try again in a minute.")


@cache
def _head_revision(directory: str) -> str | None:
    """The newest Alembic revision shipped with the code."""
    return ScriptDirectory(directory).get_current_head()


@bp.get("/healthz")
def healthz():
    """Liveness, schema and disk check: 200 with the database's schema revision and the free
    disk space; 503 when the database is unreachable or a folder the site writes to has less
    free space than HEALTH_MIN_FREE_MB."""
    head = _head_revision(current_app.extensions["migrate"].directory)
    disks = disk_space(current_app)
    disk = [{"path": d.path, "free_mb": d.free_mb, "min_free_mb": d.min_free_mb, "low": d.low}
            for d in disks]
    try:
        revision = db.session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError as exc:
        db.session.rollback()
        if "alembic_version" not in str(exc):
            return _retry_later(jsonify(status="error", error="database unreachable",
                                        disk=disk))
        revision = None
    facts = {"schema_revision": revision, "code_revision": head, "up_to_date": revision == head,
             "disk": disk}
    low = [d for d in disks if d.low]
    if low:
        error = "low disk space: " + "; ".join(
            f"{d.free_mb} MB free in {d.path} (at least {d.min_free_mb} MB wanted)" for d in low)
        return _retry_later(jsonify(status="error", error=error, **facts))
    return jsonify(status="ok", **facts)


def _retry_later(response) -> Response:
    """A 503 that tells clients (and load balancers) when to ask again."""
    response = make_response(response)
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@bp.get("/")
def home():
    """The signed-in user's start page (their role's work); visitors see the network."""
    if not current_user.is_authenticated:
        return public_home()
    now = utcnow()
    if current_user.is_secretariat:
        return render_template("home/secretariat.html", home=secretariat_home(now))
    if current_user.role is Role.COORDINATOR:
        return render_template("home/coordinator.html",
                               home=coordinator_home(current_user.region_id, now))
    if current_user.role is Role.DOOR_STAFF:
        return door_staff_home(current_user, now)
    return render_template("home/participant.html",
                           home=participant_home(current_user.email, now))


def public_home():
    """The network at a glance: members by continent, the next events and the latest ones."""
    today = utcnow().date()
    regions = db.session.scalars(
        sa.select(Region).options(selectinload(Region.membership_entries)).order_by(Region.name)
    ).all()
    by_status: dict[RegionStatus, list[Region]] = {}
    for region in regions:
        by_status.setdefault(region.status_on(today), []).append(region)
    members = by_status.get(RegionStatus.MEMBER, [])
    continents = sorted({r.continent for r in members})
    event_query = sa.select(Event).options(selectinload(Event.host_region)).where(Event.is_public)
    upcoming = db.session.scalars(
        event_query.where(Event.ends_at >= utcnow()).order_by(Event.starts_at).limit(5)
    ).all()
    recent = db.session.scalars(
        event_query.where(Event.ends_at < utcnow()).order_by(Event.starts_at.desc()).limit(6)
    ).all()
    return render_template(
        "core/home.html",
        members=members,
        excluded=by_status.get(RegionStatus.EXCLUDED, []),
        continents=continents,
        upcoming=upcoming,
        recent=recent,
        region_count=len(regions),
    )


# What people read instead of Werkzeug's wording ("Forbidden", "You don't have the permission
# to access the requested resource. It is either read-protected or not readable...").
ERROR_HEADINGS = {400: _l("This request could not be read"), 401: _l("Please sign in"),
                  403: _l("You cannot open this page"), 404: _l("This page does not exist"),
                  405: _l("This page does not take that kind of request"),
                  413: _l("What you sent is too large"), 503: _l("The site cannot answer just now")}
ERROR_DESCRIPTIONS = {
    400: _l("Something in what the browser sent was missing or malformed. Go back, reload the "
            "page and try again."),
    401: _l("This page is for people with an account of the network."),
    403: _l("Your account does not give access to this page."),
    404: _l("The address may be mistyped, cut off when copied from an email, or for something "
            "that has since been removed."),
    405: _l("Open the page from a link or its form instead of typing its address."),
}


def error_heading(exc: HTTPException) -> str:
    """The error page's heading in words ('You cannot open this page')."""
    return str(ERROR_HEADINGS.get(exc.code, exc.name))


def error_description(exc: HTTPException) -> str:
    """The route's own explanation, else ours instead of Werkzeug's default one."""
    if exc.description and exc.description != type(exc).description:
        return exc.description
    return str(ERROR_DESCRIPTIONS.get(exc.code, exc.description or ""))


def register_error_pages(app: Flask) -> None:
    """Friendly HTML error pages (JSON for /healthz-style API clients that ask for it)."""
    # Globals, so that every view rendering errors/error.html words it the same way.
    app.jinja_env.globals.update(error_heading=error_heading,
                                 error_description=error_description)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        """Render 4xx/5xx raised by routes with the site's layout."""
        if request.accept_mimetypes.best == "application/json":
            return jsonify(error=exc.name, description=exc.description), exc.code
        if request_ctx.url_adapter is None:
            # The request's host could not even be read (a 300-character Host header): the
            # layout's links cannot be built, so the answer is plain text.
            return Response(f"{exc.code} {exc.name}: {exc.description}\n", exc.code,
                            mimetype="text/plain")
        return render_template("errors/error.html", error=exc), exc.code

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(_exc: RequestEntityTooLarge):
        """A request over MAX_CONTENT_LENGTH (an upload, surely): say the limit."""
        limit = current_app.config["MAX_CONTENT_LENGTH"] / 2**20
        return http_error(RequestEntityTooLarge(_(
            "What you sent is larger than %(limit)s MB, more than any page here takes. "
            "A delegate list, even of thousands of rows, is far smaller: check that you "
            "chose the right file.", limit=f"{limit:g}")))

    def database_unavailable(exc: SQLAlchemyError):
        """The database is down, restarting or out of connections: 503 with Retry-After and
        the usual page, drawn without asking the database anything (the signed-in user, who
        could not be loaded, is shown as signed out)."""
        with contextlib.suppress(SQLAlchemyError):  # the connection may be gone already
            db.session.rollback()
        current_app.logger.error("database unavailable: %s", str(exc).splitlines()[0])
        g._login_user = login_manager.anonymous_user()
        return _retry_later(http_error(ServiceUnavailable(str(DATABASE_DOWN_TEXT))))

    for error_class in DATABASE_UNAVAILABLE:
        app.register_error_handler(error_class, database_unavailable)

    @app.errorhandler(500)
    def server_error(exc):
        """Unexpected failures: roll back and apologise without leaking details."""
        db.session.rollback()
        return render_template("errors/error.html", error=None), 500
