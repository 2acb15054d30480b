"""Shared fixtures: a fresh app and database per test, factories, and a query counter."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from itertools import count

import pytest
import sqlalchemy as sa
import time_machine
from flask.testing import FlaskClient

from tests.smtp import SmtpServer
from webapp import create_app
from webapp.extensions import db
from webapp.models import (
    Event,
    EventKind,
    EventStatus,
    MembershipEntry,
    MembershipKind,
    Person,
    Region,
    Role,
    User,
)

_serial = count(1)


def pytest_addoption(parser):
    """`--clock=DATE`: run the whole suite as if today were DATE (the clock keeps ticking)."""
    parser.addoption("--clock", metavar="DATE", default=None,
                     help="move the clock to DATE (YYYY-MM-DD) for the whole run")


def pytest_configure(config):
    """Start the suite-wide time travel asked for with --clock, before any test is collected."""
    start = config.getoption("--clock")
    if start:
        moved = datetime.combine(date.fromisoformat(start), datetime.min.time(), UTC)
        config.clock_travel = time_machine.travel(moved + timedelta(hours=9), tick=True)
        config.clock_travel.start()


def pytest_report_header(config):
    """Say which day the suite believes it is."""
    return f"clock: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"


@pytest.fixture
def clock():
    """The app's clock, movable: `clock.move_to(datetime(...))`; it keeps ticking from there."""
    with time_machine.travel(datetime.now(UTC), tick=True) as traveller:
        yield traveller


def test_database_url(tmp_path) -> str:
    """PostgreSQL when DATABASE_URL names one (CI runs both), else a file SQLite per test.

    A file rather than sqlite:// so that threads (live servers, concurrency tests) share it."""
    return os.environ.get("DATABASE_URL") or f"sqlite:///{tmp_path / 'test.sqlite3'}"


def reset_schema() -> None:
    """Drop everything (including Alembic's table) and create the models' schema afresh."""
    with db.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    db.drop_all()
    db.create_all()


class RequestIsolatingClient(FlaskClient):
    """Runs each request in its own app context, as in production: its own `g` (so the
    signed-in user is loaded afresh) and its own database session. Afterwards the test's
    session is expired so that it reads what the request committed."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()
        return response


@pytest.fixture
def app(tmp_path):
    """A fresh app with an empty schema built from the models."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "WTF_CSRF_ENABLED": False,
            "SQLALCHEMY_DATABASE_URI": test_database_url(tmp_path),
            "BASE_URL": "http://localhost",
            # Tests deliver explicitly, so no background thread races their assertions, and
            # .eml files land in the test's own folder, not in instance/.
            "MAIL_DELIVER_ON_COMMIT": False,
            "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
        }
    )
    app.test_client_class = RequestIsolatingClient
    with app.app_context():
        reset_schema()
        yield app
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def client(app):
    """A test client for the app."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A runner for the app's Click commands."""
    return app.test_cli_runner()


@pytest.fixture
def seeded(app):
    """The app with the network's history loaded."""
    from webapp.seed import load_network_history

    load_network_history()
    db.session.commit()
    return app


@pytest.fixture
def seeded_participation(seeded):
    """The history plus the illustrative participation history (delegations, fees)."""
    from webapp.participation.demo import load_illustrative_participation

    load_illustrative_participation()
    db.session.commit()
    return seeded


@pytest.fixture
def make_region(app) -> Callable[..., Region]:
    """Factory: a region, admitted on `admitted` unless None."""

    def make(name: str | None = None, *, admitted: date | None = date(2004, 1, 1), **fields):
        n = next(_serial)
        name = name or f"Region {n}"
        region = Region(
            slug=fields.pop("slug", f"region-{n}"),
            name=name,
            country=fields.pop("country", "Testland"),
            country_code=fields.pop("country_code", "TL"),
            continent=fields.pop("continent", "Europe"),
            timezone=fields.pop("timezone", "Europe/Copenhagen"),
            **fields,
        )
        db.session.add(region)
        if admitted:
            region.membership_entries.append(
                MembershipEntry(kind=MembershipKind.ADMITTED, on=admitted)
            )
        db.session.flush()
        return region

    return make


@pytest.fixture
def make_event(app) -> Callable[..., Event]:
    """Factory: an event starting at `starts_at` (aware) and lasting `hours`."""

    def make(title: str | None = None, *, starts_at: datetime | None = None, hours: float = 8,
             **fields):
        n = next(_serial)
        starts_at = starts_at or datetime(2030, 5, 7, 7, 0, tzinfo=UTC)
        event = Event(
            slug=fields.pop("slug", f"event-{n}"),
            kind=fields.pop("kind", EventKind.FORUM),
            title=title or f"Event {n}",
            place=fields.pop("place", "Aarhus, Denmark"),
            starts_at=starts_at,
            ends_at=fields.pop("ends_at", starts_at + timedelta(hours=hours)),
            timezone=fields.pop("timezone", "Europe/Copenhagen"),
            status=fields.pop("status", EventStatus.CONFIRMED),
            **fields,
        )
        db.session.add(event)
        db.session.flush()
        return event

    return make


@pytest.fixture
def make_person(app) -> Callable[..., Person]:
    """Factory: a person with a unique email."""

    def make(full_name: str | None = None, **fields):
        n = next(_serial)
        person = Person(
            full_name=full_name or f"Person {n}",
            email=fields.pop("email", f"person{n}@example.org"),
            **fields,
        )
        db.session.add(person)
        db.session.flush()
        return person

    return make


class QueryCounter:
    """Counts the SQL statements executed while it is active."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, _conn, _cursor, statement, *_args) -> None:
        self.statements.append(statement)

    @property
    def count(self) -> int:
        """How many statements ran."""
        return len(self.statements)


@pytest.fixture
def count_queries(app) -> Callable[[], contextmanager]:
    """Context manager factory: `with count_queries() as counter:` then `counter.count`."""

    @contextmanager
    def counting() -> Iterator[QueryCounter]:
        counter = QueryCounter()
        sa.event.listen(db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", counter)

    return counting


PASSWORD = "correct horse battery staple"


@pytest.fixture
def make_user(app) -> Callable[..., User]:
    """Factory: an active account with PASSWORD, of a role (and region for coordinators)."""

    def make(role: str | Role = Role.SECRETARIAT, region: Region | None = None, **fields):
        n = next(_serial)
        user = User(
            email=fields.pop("email", f"user{n}@example.org"),
            full_name=fields.pop("full_name", f"User {n}"),
            role=Role(role),
            region_id=region.id if region else None,
            **fields,
        )
        user.set_password(fields.pop("password", PASSWORD))
        db.session.add(user)
        db.session.commit()
        return user

    return make


class AuthActions:
    """Sign a test client in and out (flaskr's `auth` fixture)."""

    def __init__(self, client) -> None:
        self._client = client

    def login(self, user_or_email, password: str = PASSWORD, **extra):
        """Post the sign-in form."""
        email = getattr(user_or_email, "email", user_or_email)
        return self._client.post("/login", data={"email": email, "password": password, **extra})

    def logout(self):
        """Post the sign-out form."""
        return self._client.post("/logout")


@pytest.fixture
def auth(client) -> AuthActions:
    """Sign-in helper bound to the test client."""
    return AuthActions(client)
@pytest.fixture
def smtp_server(app) -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd) on a free loopback port, with the app sending to it."""
    server = SmtpServer().start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_TIMEOUT=5)
    try:
        yield server
    finally:
        server.stop()
