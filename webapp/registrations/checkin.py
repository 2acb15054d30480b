"""Check-in at the door (secretariat): search, one click to mark present or undo, live counts.

Works as plain form posts; static/js/checkin.js upgrades the buttons to fetch() calls and
refreshes the counts without reloading the page."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import contains_eager

from webapp.extensions import db
from webapp.loaders import get_forum_event, get_registration
from webapp.models import Delegation, Person, Region, Registration, RegistrationStatus
from webapp.registrations import checkin_bp as bp
from webapp.registrations.audit import record_check_in
from webapp.registrations.common import audience_labels
from webapp.registrations.services import RegistrationError, check_in, undo_check_in
from webapp.search import escape_like, like_pattern, query_text

MAX_RESULTS = 30


def live_counts(event_id: int, labels: dict[str, str]) -> dict:
    """Present / confirmed per audience (with its label) and per region, in two GROUP BY
    queries."""
    confirmed = Registration.status == RegistrationStatus.CONFIRMED
    by_audience = db.session.execute(
        sa.select(Registration.audience, sa.func.count(Registration.checked_in_at),
                  sa.func.count())
        .where(Registration.event_id == event_id, confirmed)
        .group_by(Registration.audience).order_by(Registration.audience)
    ).all()
    region_name = sa.func.coalesce(Region.name, _("No delegation"))
    by_region = db.session.execute(
        sa.select(region_name, sa.func.count(Registration.checked_in_at), sa.func.count())
        .select_from(Registration)
        .outerjoin(Delegation, Registration.delegation_id == Delegation.id)
        .outerjoin(Region, Delegation.region_id == Region.id)
        .where(Registration.event_id == event_id, confirmed)
        .group_by(region_name).order_by(region_name)
    ).all()
    return {
        "audiences": [{"audience": a, "label": labels.get(a, a), "present": p, "confirmed": c}
                      for a, p, c in by_audience],
        "regions": [{"region": r, "present": p, "confirmed": c} for r, p, c in by_region],
    }


def closeness(q: str) -> sa.ColumnElement[int]:
    """0 for the very name or email typed, 1 for a name with a word starting so, 2 for the
    rest: at the door the person in front of you comes first, not the alphabet's first."""
    literal = escape_like(q)
    name = Registration.name
    return sa.case(
        (sa.or_(name.ilike(literal, escape="\\"), Person.email.ilike(literal, escape="\\")), 0),
        (sa.or_(name.ilike(literal + "%", escape="\\"),
                name.ilike("% " + literal + "%", escape="\\")), 1),
        else_=2,
    )


@bp.get("/events/<int:event_id>/checkin")
def checkin_page(event_id: int):
    """Search attendees by name, email or organisation and mark them present."""
    event = get_forum_event(event_id)
    q = query_text(request.args, "q")
    results = []
    if q:
        pattern = like_pattern(q)
        results = db.session.scalars(
            sa.select(Registration)
            .join(Registration.person)
            .outerjoin(Registration.delegation).outerjoin(Delegation.region)
            .options(contains_eager(Registration.person),
                     contains_eager(Registration.delegation).contains_eager(Delegation.region))
            .where(Registration.event_id == event.id,
                   Registration.status != RegistrationStatus.CANCELLED,
                   sa.or_(Registration.name.ilike(pattern, escape="\\"),
                          Person.email.ilike(pattern, escape="\\"),
                          Registration.organisation.ilike(pattern, escape="\\")))
            .order_by(closeness(q), Registration.name, Registration.id)
            .limit(MAX_RESULTS + 1)
        ).all()
    return render_template(
        "registrations/checkin.html", event=event, q=q, results=results[:MAX_RESULTS],
        more=len(results) > MAX_RESULTS, counts=live_counts(event.id, audience_labels(event)),
        labels=audience_labels(event),
    )


@bp.get("/events/<int:event_id>/checkin/counts")
def checkin_counts(event_id: int):
    """The live counts as JSON, polled by the check-in page."""
    event = get_forum_event(event_id)
    return jsonify(live_counts(event.id, audience_labels(event)))


def _wants_json() -> bool:
    """fetch() from checkin.js asks for JSON; a plain form post gets a redirect."""
    return request.accept_mimetypes.best == "application/json"


@bp.post("/checkin/<int:registration_id>")
def toggle(registration_id: int):
    """Mark present (action=in) or undo (action=undo); the trail keeps every click."""
    registration = get_registration(registration_id)
    undo = request.form.get("action") == "undo"
    actor = current_user._get_current_object()
    try:
        changed = undo_check_in(registration, actor) if undo else check_in(registration, actor)
        if changed:
            record_check_in(registration, actor, undo=undo)
        db.session.commit()
        error = None
    except RegistrationError as exc:
        db.session.rollback()
        changed, error = False, str(exc)
    name = registration.name
    message = error or (_("%(name)s: check-in undone.", name=name) if undo
                        else _("%(name)s is checked in.", name=name))
    if not changed and not error:
        message = (_("%(name)s was already not checked in.", name=name) if undo
                   else _("%(name)s was already checked in.", name=name))
    if _wants_json():
        return jsonify({
            "ok": error is None, "message": message,
            "checked_in": registration.checked_in_at is not None,
            "counts": live_counts(registration.event_id, audience_labels(registration.event)),
        }), 409 if error else 200
    flash(message, "error" if error else "success")
    return redirect(url_for("checkin.checkin_page", event_id=registration.event_id,
                            q=request.form.get("q", "")))
