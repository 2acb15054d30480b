"""Districts of Creativity: the event and delegation manager (Flask application factory)."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from webapp.config import Config, engine_options, normalise_database_url
from webapp.extensions import csrf, db, migrate

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

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True)
    csrf.init_app(app)

    from webapp import cli, filters, mail
    from webapp.core.routes import bp as core_bp
    from webapp.core.routes import register_error_pages
    from webapp.events.routes import bp as events_bp
    from webapp.regions.routes import bp as regions_bp

    app.register_blueprint(core_bp)
    app.register_blueprint(regions_bp)
    app.register_blueprint(events_bp)
    mail.init_app(app)
    register_error_pages(app)
    filters.register(app)
    cli.register(app)
    return app


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """SQLite enforces foreign keys only when asked, per connection; WAL lets readers and a
    writer work at once."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()
