"""Door staff: accounts the secretariat lets check people in at one forum, and nothing else."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from webapp.models.event import Event
    from webapp.models.user import User


class DoorStaff(db.Model):
    """One account's check-in rights at one forum (a row per forum: rights never spread)."""

    __tablename__ = "door_staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    event: Mapped[Event] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    # The access check reads (event, user) on every check-in request.
    __table_args__ = (sa.UniqueConstraint("event_id", "user_id"),)
