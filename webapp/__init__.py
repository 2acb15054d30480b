"""Districts of Creativity: the event and delegation manager (Flask application factory)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event

from webapp.config import Config, engine_options, normalise_database_url
from webapp.extensions import csrf, db, migrate
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
    load_settings(app, config)
    configure_db(app)
    register_extensions(app)
    register_blueprints(app)
    register_shared_pages(app)
    register_cli(app)
    return app


def load_settings(app: Flask, config: Mapping[str, Any] | None) -> None:
    """Config from the environment, or the given mapping; then what no setting may change."""
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


def register_extensions(app: Flask) -> None:
    """Migrations, CSRF, sign-in (with the security headers), the mail outbox's delivery
    after commit."""
    from webapp import i18n, mail, privacy
    from webapp.auth import setup as auth_setup

    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True)
    csrf.init_app(app)
    auth_setup.register(app)
    mail.init_app(app)
    i18n.init_app(app)
    privacy.init_app(app)


def register_blueprints(app: Flask) -> None:
    """Every area's pages, one blueprint each (declared in the area's package)."""
    from webapp import (
        auth,
        badges,
        calendars,
        core,
        events,
        mail_admin,
        messages,
        missions,
        participation,
        privacy_pages,
        questions,
        regions,
        registrations,
        visas,
    )

    for blueprint in (
        core.bp, regions.bp, events.bp, missions.bp, auth.bp, auth.admin_bp,
        participation.bp, registrations.public_bp, registrations.delegations_bp,
        registrations.checkin_bp, registrations.admin_bp, calendars.bp, mail_admin.bp,
        questions.bp,
        messages.bp,
        privacy_pages.bp, privacy_pages.admin_bp,
        badges.bp, visas.bp,
    ):
        app.register_blueprint(blueprint)


def register_shared_pages(app: Flask) -> None:
    """What every blueprint's pages share: the template filters and the error pages."""
    from webapp import filters
    from webapp.core.routes import register_error_pages

    filters.register(app)
    register_error_pages(app)


def register_cli(app: Flask) -> None:
    """`flask --app webapp ...`: the app's own commands, then each package's group."""
    from webapp import cli
    from webapp.auth.cli import users_cli
    from webapp.backup import cli as backup_cli
    from webapp.mail.cli import mail_cli
    from webapp.privacy.cli import privacy_cli

    for command in (*cli.COMMANDS, *backup_cli.COMMANDS, users_cli, mail_cli, privacy_cli):
        app.cli.add_command(command)


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
