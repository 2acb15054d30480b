"""Messages the secretariat (or a mission's host) writes to a selection of people, and who
each was sent to, linked to the outbox rows that carry them."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.types import UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from webapp.models.event import Event
    from webapp.models.user import User


class MessageScope(enum.StrEnum):
    """Whom a message's selection draws from: an event's registrations or a mission's guests."""

    REGISTRATIONS = "registrations"
    GUESTS = "guests"


class AttendeeMessage(db.Model):
    """One message as written, to whom (the selection, in words), and when it went out."""

    __tablename__ = "attendee_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"),
                                          index=True)
    scope: Mapped[MessageScope] = mapped_column(str_enum(MessageScope, "message_scope"))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    # The selection's name in the registry (messages/selections.py), its argument, and both in
    # words as they were when it was sent (an audience's label may change later).
    selection: Mapped[str] = mapped_column(sa.String(60))
    selection_argument: Mapped[str | None] = mapped_column(sa.String(200))
    selection_words: Mapped[str] = mapped_column(sa.String(300))
    # The compose form's random key: a second submit of the same form (double click, a
    # retried post, two racing requests) finds this row instead of sending again.
    send_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    recipient_count: Mapped[int] = mapped_column(default=0)
    skipped_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()
    author: Mapped[User | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint("recipient_count >= 0 AND skipped_count >= 0",
                           name="counts_not_negative"),
    )


class MessageRecipient(db.Model):
    """One person a message was for: the outbox row that carries it, or why it was skipped."""

    __tablename__ = "message_recipient"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        sa.ForeignKey("attendee_message.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    registration_id: Mapped[int | None] = mapped_column(sa.ForeignKey("registration.id"))
    guest_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("mission_guest.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(sa.String(200))
    # NULL when skipped (no usable address): `skip_reason` says why.
    outbox_message_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("outbox_message.id", ondelete="SET NULL"), index=True)
    skip_reason: Mapped[str | None] = mapped_column(sa.String(200))

    __table_args__ = (
        # Never twice to one person for one message, whatever races the sender.
        sa.UniqueConstraint("message_id", "person_id"),
        sa.Index("ix_message_recipient_registration_id", "registration_id",
                 sqlite_where=sa.text("registration_id IS NOT NULL"),
                 postgresql_where=sa.text("registration_id IS NOT NULL")),
        sa.Index("ix_message_recipient_guest_id", "guest_id",
                 sqlite_where=sa.text("guest_id IS NOT NULL"),
                 postgresql_where=sa.text("guest_id IS NOT NULL")),
    )
