"""Districts of Creativity: the event and delegation manager (Flask application factory)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event

from webapp.config import Config, engine_options, normalise_database_url
from webapp.extensions import csrf, db, migrate
from webapp.sessions import AppSessionInterface
from webapp.urls import IdConverter

MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: settings from the environment, or from `config` (tests) on top of them."""
    app = Flask(
        __name__,
        template_folder="../templates",
        static_folder="../static",
        instance_relative_config=True,
    )
    if config is None:
        app.config.from_object(Config(Path(app.instance_path)))
    else:
        app.config.from_mapping(config)
        uri = normalise_database_url(app.config["SQLALCHEMY_DATABASE_URI"])
        app.config["SQLALCHEMY_DATABASE_URI"] = uri
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(uri))
    app.config.setdefault("BASE_URL", "http://127.0.0.1:5000")
    # No page takes more: the largest is a delegate CSV (refused past 2 MB by its form).
    if app.config["MAX_CONTENT_LENGTH"] is None:  # Flask's default: no limit at all
        app.config["MAX_CONTENT_LENGTH"] = 4 * 2**20
    app.url_map.converters["int"] = IdConverter  # before any route is added
    # Cookie safety does not depend on where the settings came from.
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    # Calendar files (*.ics) are polled without cookies: they neither read nor set a session.
    app.session_interface = AppSessionInterface()

    configure_db(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True)
    csrf.init_app(app)

    from webapp import cli, filters, mail
    from webapp.auth import setup as auth_setup
    from webapp.auth.admin import bp as users_admin_bp
    from webapp.auth.routes import bp as auth_bp
    from webapp.calendars.routes import bp as calendars_bp
    from webapp.core.routes import bp as core_bp
    from webapp.core.routes import register_error_pages
    from webapp.events.routes import bp as events_bp
    from webapp.missions import item_routes  # noqa: F401 - adds the item routes to missions
    from webapp.missions.routes import bp as missions_bp
    from webapp.participation.routes import bp as participation_bp
    from webapp.regions.routes import bp as regions_bp
    from webapp.registrations import admin as forum_admin
    from webapp.registrations import checkin, delegations, public

    app.register_blueprint(core_bp)
    app.register_blueprint(regions_bp)
    app.register_blueprint(events_bp)
    app.register_blueprint(missions_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(users_admin_bp)
    app.register_blueprint(participation_bp)
    for blueprint in (public.bp, delegations.bp, checkin.bp, forum_admin.bp):
        app.register_blueprint(blueprint)
    auth_setup.register(app)
    app.register_blueprint(calendars_bp)
    mail.init_app(app)
    register_error_pages(app)
    filters.register(app)
    cli.register(app)
    return app


def configure_db(app: Flask) -> None:
    """Bind the database to the app; on SQLite, set each new connection's pragmas."""
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _sqlite_pragmas)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """SQLite enforces foreign keys only when asked, per connection; WAL lets readers and a
    writer work at once."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL: readers never wait for the writer; with synchronous=NORMAL a commit does not
    # fsync (the WAL is synced at checkpoints). A power cut may lose the last commits, never
    # corrupt the file. In-memory databases ignore it.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
