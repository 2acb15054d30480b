"""Visa invitation letters: the passport details a registrant gives, and each letter issued."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from webapp.models.registration import Registration
    from webapp.models.user import User


class PassportDetails(db.Model):
    """What a registrant who needs a visa gives, as printed in their passport; giving them
    is the request for an invitation letter."""

    __tablename__ = "passport_details"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(200))
    nationality: Mapped[str] = mapped_column(sa.String(100))
    passport_number: Mapped[str] = mapped_column(sa.String(40))
    birth_date: Mapped[date] = mapped_column(sa.Date)
    expiry_date: Mapped[date] = mapped_column(sa.Date)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    registration: Mapped[Registration] = relationship()


class VisaLetter(db.Model):
    """One issued letter. What it says is kept as issued (content_json), so downloading it
    again gives the same letter after the details or the forum change."""

    __tablename__ = "visa_letter"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), index=True)
    # Printed on the letter with its signature; the verify page looks it up.
    reference: Mapped[str] = mapped_column(sa.String(40), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    content_json: Mapped[str] = mapped_column(sa.Text)

    registration: Mapped[Registration] = relationship()
    issued_by: Mapped[User | None] = relationship()
