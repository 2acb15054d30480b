"""Configuration from the environment, and clear errors when it is wrong."""

import os
import subprocess
import sys

import pytest
import sqlalchemy as sa

from webapp import create_app
from webapp.config import ConfigError, engine_options, normalise_database_url


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("postgres://u:p@db:5432/doc", "postgresql+psycopg://u:p@db:5432/doc"),
        ("postgresql://u@localhost/doc", "postgresql+psycopg://u@localhost/doc"),
        ("postgresql+psycopg://u@localhost/doc", "postgresql+psycopg://u@localhost/doc"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_database_urls_are_normalised(raw, expected):
    """PostgreSQL URLs use the psycopg 3 driver whatever their spelling."""
    assert normalise_database_url(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("not a url", "not a valid database URL"),
        ("postgresql://u@localhost:port/doc", "not a valid database URL"),
        ("mysql://u@localhost/doc", "only SQLite and PostgreSQL"),
    ],
)
def test_malformed_database_url_is_one_clear_line(monkeypatch, raw, message):
    """A bad DATABASE_URL stops start-up with a message, not a traceback."""
    monkeypatch.setenv("DATABASE_URL", raw)
    with pytest.raises(ConfigError) as excinfo:
        create_app()
    text = str(excinfo.value)
    assert message in text and "\n" not in text


def test_malformed_database_url_from_the_command_line(tmp_path):
    """The flask command prints one line and exits non-zero."""
    env = {**os.environ, "DATABASE_URL": "postgresql://u@localhost:port/doc"}
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "webapp", "routes"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60, check=False,
    )
    assert result.returncode != 0
    assert "Configuration error: DATABASE_URL is not a valid database URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_default_is_sqlite_under_instance(monkeypatch):
    """Without DATABASE_URL the app uses SQLite in its instance folder, with a kept secret."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{app.instance_path}/doc.sqlite3"
    assert len(app.config["SECRET_KEY"]) == 64
    assert create_app().config["SECRET_KEY"] == app.config["SECRET_KEY"]
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True


def test_secure_cookies_behind_https(monkeypatch):
    """A site served over https gets Secure session cookies."""
    monkeypatch.setenv("BASE_URL", "https://events.districtsofcreativity.org/")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["BASE_URL"] == "https://events.districtsofcreativity.org"


def test_sqlite_pragmas_are_set_on_the_apps_engine_only(tmp_path):
    """The app's SQLite connections enforce foreign keys, in WAL with synchronous=NORMAL;
    an engine the app did not make is left as SQLite makes it."""
    from webapp.extensions import db

    url = f"sqlite:///{tmp_path / 'pragmas.sqlite3'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x"})
    with app.app_context(), db.engine.connect() as connection:
        pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert (pragma("foreign_keys"), pragma("journal_mode"), pragma("synchronous")) == (
            1, "wal", 1)
    other = sa.create_engine(url)
    with other.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 0
    other.dispose()


def test_server_databases_ping_pooled_connections_before_use():
    """PostgreSQL connections go through SQLAlchemy's own pre-ping; SQLite has no server."""
    assert engine_options("postgresql+psycopg://u@h/db") == {"pool_pre_ping": True}
    assert "pool_pre_ping" not in engine_options("sqlite:///x.db")
