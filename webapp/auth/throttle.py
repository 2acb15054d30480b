"""Sign-in throttling: tries per email and per address, counted by the database.

Counting failures and then checking the password let parallel tries all read a count below
the limit. Here every try is counted *before* the password is checked, by one upsert that
increments the key's row and returns the new count (INSERT ... ON CONFLICT DO UPDATE ...
RETURNING, on SQLite and PostgreSQL alike): the database hands out 1, 2, 3 ... to
concurrent tries one at a time, so exactly the first MAX tries of a window are checked. A
window is THROTTLE_WINDOW from its first try. Tries refused for being over the limit, and
successful sign-ins, are taken back, so that the counts are the tries that failed.

The caller commits the count before checking the password (a slow scrypt): the row lock is
then held for one statement, not for the check."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from webapp.extensions import db
from webapp.models import LoginThrottle, utcnow
from webapp.models.types import UTCDateTime

THROTTLE_WINDOW = timedelta(minutes=15)
throttles = LoginThrottle.__table__


def email_key(email: str) -> str:
    """The counter of one account (known or not: unknown emails are throttled alike)."""
    return f"email:{email}"


def address_key(address: str) -> str:
    """The counter of one client address."""
    return f"address:{address}"


def count_try(key: str, now: datetime | None = None) -> int:
    """Add one try to the key's window (a new window once the last has run out) and return
    the window's tries, this one included; atomic under concurrency."""
    now = now or utcnow()
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(throttles)
    expired = throttles.c.window_started_at < now - THROTTLE_WINDOW
    statement = insert.values(key=key, window_started_at=now, attempts=1).on_conflict_do_update(
        index_elements=[throttles.c.key],
        set_={
            "attempts": sa.case((expired, 1), else_=throttles.c.attempts + 1),
            "window_started_at": sa.case((expired, sa.literal(now, UTCDateTime())),
                                         else_=throttles.c.window_started_at),
        },
    ).returning(throttles.c.attempts)
    return db.session.execute(statement).scalar_one()


def take_back(keys: Iterable[str]) -> None:
    """Uncount one try of each key (a try refused unchecked, or one that succeeded)."""
    db.session.execute(
        sa.update(throttles)
        .where(throttles.c.key.in_(list(keys)), throttles.c.attempts > 0)
        .values(attempts=throttles.c.attempts - 1)
    )


def forget(key: str) -> None:
    """Start the key afresh (an account whose owner just signed in)."""
    db.session.execute(sa.delete(throttles).where(throttles.c.key == key))
