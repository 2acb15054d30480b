"""The outbox: messages written in the same transaction as the change that causes them."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.types import UTCDateTime, str_enum, utcnow


class OutboxStatus(enum.StrEnum):
    """A message's delivery state."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(db.Model):
    """One email waiting for delivery, delivered, or given up on (kept, never deleted)."""

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    # RFC 5322 Message-ID, fixed when queued, so a retried send is the same message.
    message_id: Mapped[str] = mapped_column(sa.String(200), unique=True)
    to_address: Mapped[str] = mapped_column(sa.String(254))
    to_name: Mapped[str | None] = mapped_column(sa.String(200))
    subject: Mapped[str] = mapped_column(sa.String(300))
    # NULL until delivery renders the recipe (webapp/mail/recipes.py); then what was sent.
    body_text: Mapped[str | None] = mapped_column(sa.Text)
    body_html: Mapped[str | None] = mapped_column(sa.Text)
    recipe: Mapped[str | None] = mapped_column(sa.String(60))
    recipe_args: Mapped[dict | None] = mapped_column(sa.JSON(none_as_null=True))
    # The language the message is written in (its recipe too, at delivery); NULL: English.
    language: Mapped[str | None] = mapped_column(sa.String(10))
    status: Mapped[OutboxStatus] = mapped_column(
        str_enum(OutboxStatus, "outbox_status"), default=OutboxStatus.QUEUED, index=True
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    claimed_by: Mapped[str | None] = mapped_column(sa.String(100))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    attachments: Mapped[list[OutboxAttachment]] = relationship(
        back_populates="message", cascade="all, delete-orphan", order_by="OutboxAttachment.id"
    )

    __table_args__ = (
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        sa.CheckConstraint("status <> 'sent' OR sent_at IS NOT NULL", name="sent_has_date"),
        sa.CheckConstraint("body_text IS NOT NULL OR recipe IS NOT NULL",
                           name="has_text_or_recipe"),
    )


class OutboxAttachment(db.Model):
    """A file sent with a message: a calendar invitation, a CSV export..."""

    __tablename__ = "outbox_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        sa.ForeignKey("outbox_message.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(sa.String(200))
    # Full MIME type with parameters, e.g. 'text/calendar; method=REQUEST; charset=UTF-8'.
    content_type: Mapped[str] = mapped_column(sa.String(200))
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)
    # True for parts that belong inline in the message (an iTIP invitation), not as a download.
    inline: Mapped[bool] = mapped_column(default=False)
    # An image the HTML part shows (<img src="cid:...">): sent in a multipart/related beside
    # that part under this Content-ID (without the angle brackets). None for the rest.
    content_id: Mapped[str | None] = mapped_column(sa.String(200))

    message: Mapped[OutboxMessage] = relationship(back_populates="attachments")
