"""Read the outbox in tests as delivery would send it: recipe rows get their text first."""

from __future__ import annotations

import sqlalchemy as sa

from webapp.extensions import db
from webapp.mail.recipes import render_pending
from webapp.models import OutboxMessage


def written(*criteria) -> list[OutboxMessage]:
    """Outbox messages matching `criteria`, oldest first, each written as delivery writes it
    (from the data as it is now); fails if one cannot be written."""
    rows = db.session.scalars(
        sa.select(OutboxMessage).where(*criteria).order_by(OutboxMessage.id)
    ).all()
    assert render_pending(rows) == {}
    db.session.flush()
    return list(rows)


def last_written(*criteria) -> OutboxMessage:
    """The newest message matching `criteria`, written."""
    return written(*criteria)[-1]
