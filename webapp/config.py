"""Configuration read from the environment, with an embedded SQLite default under instance/."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

SUPPORTED_BACKENDS = ("sqlite", "postgresql")
DEFAULT_PDF_FONT_DIRS = "/usr/share/fonts/truetype/noto:/usr/share/fonts/opentype/noto"


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
        # Calendars: memory per worker for built VEVENTs, shared by every feed (0: none kept;
        # MAIL_FROM is the ORGANIZER, below).
        self.CALENDAR_CACHE_BYTES = _env_number(
            env, "CALENDAR_CACHE_BYTES", 32 * 2**20, minimum=0
        )
        # /healthz answers 503 when a folder the site writes to has less free space.
        self.HEALTH_MIN_FREE_MB = _env_number(env, "HEALTH_MIN_FREE_MB", 100, minimum=0)
        # Personal data: months after the last event before the retention sweep anonymises.
        self.PRIVACY_PUBLIC_RETENTION_MONTHS = _env_number(
            env, "PRIVACY_PUBLIC_RETENTION_MONTHS", 24, minimum=1)
        self.PRIVACY_NETWORK_RETENTION_MONTHS = _env_number(
            env, "PRIVACY_NETWORK_RETENTION_MONTHS", 60, minimum=1)
        # Badges and visa letters: the folders (colon-separated) holding the Noto fonts of
        # Debian's fonts-noto-core and fonts-noto-cjk.
        self.PDF_FONT_DIRS = env.get("PDF_FONT_DIRS") or DEFAULT_PDF_FONT_DIRS
        for key, value in mail_settings(env, instance_path, self.BASE_URL).items():
            setattr(self, key, value)


TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off", "")


def _env_bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    """A yes/no variable; anything else is a mistake worth stopping for."""
    raw = env.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ConfigError(f"{name} must be true or false, not '{raw}'.")


def _env_number(env: Mapping[str, str], name: str, default: float, *, minimum: float,
                kind: type = int) -> float:
    """A numeric variable of at least `minimum`."""
    raw = env.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = kind(raw.strip())
    except ValueError:
        raise ConfigError(f"{name} must be a number, not '{raw}'.") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, not {value}.")
    return value


def mail_settings(env: Mapping[str, str], instance_path: Path, base_url: str) -> dict[str, Any]:
    """The MAIL_* settings from the environment (defaults when `env` is empty).

    Without MAIL_SERVER, mail is written as .eml files under instance/outbox/."""
    host = urlsplit(base_url).hostname or "localhost"
    use_tls = _env_bool(env, "MAIL_USE_TLS", False)
    use_ssl = _env_bool(env, "MAIL_USE_SSL", False)
    if use_tls and use_ssl:
        raise ConfigError("set MAIL_USE_TLS (STARTTLS) or MAIL_USE_SSL (implicit TLS), not both.")
    sender = (env.get("MAIL_FROM") or f"Districts of Creativity <noreply@{host}>").strip()
    if "\r" in sender or "\n" in sender or "@" not in sender:
        raise ConfigError(f"MAIL_FROM must be one address like 'Name <noreply@{host}>'.")
    return {
        "MAIL_SERVER": (env.get("MAIL_SERVER") or "").strip() or None,
        "MAIL_PORT": _env_number(env, "MAIL_PORT", 465 if use_ssl else 25, minimum=1),
        "MAIL_USE_TLS": use_tls,
        "MAIL_USE_SSL": use_ssl,
        "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
        "MAIL_FROM": sender,
        "MAIL_TIMEOUT": _env_number(env, "MAIL_TIMEOUT", 10.0, minimum=0.1, kind=float),
        "MAIL_MAX_ATTEMPTS": _env_number(env, "MAIL_MAX_ATTEMPTS", 5, minimum=1),
        "MAIL_RETRY_SECONDS": _env_number(env, "MAIL_RETRY_SECONDS", 300.0, minimum=0, kind=float),
        "MAIL_LEASE_SECONDS": _env_number(env, "MAIL_LEASE_SECONDS", 600.0, minimum=1, kind=float),
        "MAIL_BATCH_SIZE": _env_number(env, "MAIL_BATCH_SIZE", 100, minimum=1),
        "MAIL_DELIVER_ON_COMMIT": _env_bool(env, "MAIL_DELIVER_ON_COMMIT", True),
        "MAIL_OUTBOX_DIR": env.get("MAIL_OUTBOX_DIR") or str(instance_path / "outbox"),
    }


def engine_options(uri: str) -> dict:
    """Engine settings per backend: a SQLite writer waits up to 30 s for another's commit
    instead of failing at once; a server database's pooled connection is pinged before use,
    so one the server dropped is replaced instead of failing the request."""
    if uri.startswith("sqlite"):
        return {"connect_args": {"timeout": 30}}
    return {"pool_pre_ping": True}

