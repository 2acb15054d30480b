"""The one way anyone is marked present: a conditional UPDATE that only the first of several
door phones (or a scan and a tap at once) can win, so nobody is checked in twice."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import CheckInAction, CheckInEntry, Registration, RegistrationStatus, utcnow


def claim_presence(condition: sa.ColumnElement[bool], by_id: int | None
                   ) -> tuple[int, datetime] | None:
    """Mark present the confirmed, not yet checked-in registration matching `condition`, and
    keep the click in the trail; (its id, the time) or None when none matched (unknown,
    not confirmed, or present already, perhaps a moment ago by another phone).

    `checked_in_at IS NULL` in the UPDATE itself is the guard: PostgreSQL re-reads the row
    after a concurrent update and finds it set; on SQLite the UPDATE, the transaction's first
    write, takes the database's write lock before it reads the row."""
    at = utcnow()
    registration_id = db.session.execute(
        sa.update(Registration)
        .where(condition, Registration.status == RegistrationStatus.CONFIRMED,
               Registration.checked_in_at.is_(None))
        .values(checked_in_at=at)
        .returning(Registration.id)
        # The session's copy (if loaded) takes the new value without another query.
        .execution_options(synchronize_session="fetch")
    ).scalar_one_or_none()
    if registration_id is None:
        return None
    db.session.add(CheckInEntry(registration_id=registration_id,
                                action=CheckInAction.CHECKED_IN, by_id=by_id, at=at))
    db.session.flush()
    return registration_id, at
