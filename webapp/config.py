"""Configuration read from the environment, with an embedded SQLite default under instance/."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

SUPPORTED_BACKENDS = ("sqlite", "postgresql")


class ConfigError(SystemExit):
    """A configuration mistake: stops start-up with one readable line, not a traceback."""

    def __init__(self, message: str) -> None:
        super().__init__(f"Configuration error: {message}")


def normalise_database_url(raw: str) -> str:
    """Check a DATABASE_URL and point PostgreSQL URLs at the psycopg 3 driver."""
    raw = raw.strip()
    try:
        url = make_url(raw)
        url.port  # noqa: B018 - parsing the port raises on a malformed one
    except (ArgumentError, ValueError) as exc:
        raise ConfigError(
            f"DATABASE_URL is not a valid database URL ({exc}). "
            "Expected e.g. postgresql://user:password@localhost:5432/doc or sqlite:///path.db"
        ) from None
    backend = url.get_backend_name()
    if backend == "postgres":
        backend = "postgresql"
        url = url.set(drivername="postgresql")
    if backend not in SUPPORTED_BACKENDS:
        raise ConfigError(
            f"DATABASE_URL uses '{backend}', but only SQLite and PostgreSQL are supported."
        )
    if backend == "postgresql" and "+" not in url.drivername:
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


def _instance_secret_key(instance_path: Path) -> str:
    """A random key kept in instance/ so that a local install keeps its sessions across runs."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


class Config:
    """Settings for a running site, taken from environment variables."""

    def __init__(self, instance_path: Path) -> None:
        env = os.environ
        self.SECRET_KEY = env.get("SECRET_KEY") or _instance_secret_key(instance_path)
        default_db = f"sqlite:///{instance_path / 'doc.sqlite3'}"
        self.SQLALCHEMY_DATABASE_URI = normalise_database_url(env.get("DATABASE_URL") or default_db)
        self.SQLALCHEMY_ENGINE_OPTIONS = engine_options(self.SQLALCHEMY_DATABASE_URI)
        self.BASE_URL = (env.get("BASE_URL") or "http://127.0.0.1:5000").rstrip("/")
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = self.BASE_URL.startswith("https://")
        self.WTF_CSRF_TIME_LIMIT = None
        # Calendars: the invitations' ORGANIZER address, and memory for built feeds per worker.
        self.MAIL_FROM = env.get("MAIL_FROM") or None
        self.CALENDAR_CACHE_BYTES = _non_negative_int(env, "CALENDAR_CACHE_BYTES", 32 * 2**20)


def _non_negative_int(env, name: str, default: int) -> int:
    """An optional whole-number setting; a malformed one stops start-up with one line."""
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if value < 0:
        raise ConfigError(f"{name} must not be negative, got {raw!r}")
    return value


def engine_options(uri: str) -> dict:
    """Engine settings per backend: SQLite waits for a lock instead of failing at once."""
    if uri.startswith("sqlite"):
        return {"connect_args": {"timeout": 30}}
    return {"pool_pre_ping": True}


class TestConfig:
    """Settings for the test suite: a throw-away database and no CSRF tokens in form posts."""

    TESTING = True
    SECRET_KEY = "test-secret-key"  # noqa: S105 - only ever used by the tests
    BASE_URL = "http://localhost"
    WTF_CSRF_ENABLED = False
    SQLALCHEMY_DATABASE_URI = "sqlite://"
