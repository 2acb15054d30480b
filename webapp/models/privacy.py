"""Personal data: the privacy notice, optional consents and erasure requests."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.types import UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from webapp.models.people import Person
    from webapp.models.registration import Registration
    from webapp.models.user import User


class PrivacyNotice(db.Model):
    """One version of the privacy notice; the newest is the one shown (older ones say what
    people were told when)."""

    __tablename__ = "privacy_notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(sa.Text)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    saved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))


class Consent(db.Model):
    """An optional consent a person gave for one registration, and when they withdrew it.
    Giving it again after a withdrawal is a new row, so the history stays."""

    __tablename__ = "consent"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    registration_id: Mapped[int | None] = mapped_column(sa.ForeignKey("registration.id"))
    kind: Mapped[str] = mapped_column(sa.String(40))
    given_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    person: Mapped[Person] = relationship()
    registration: Mapped[Registration | None] = relationship()

    __table_args__ = (
        # At most one standing consent of a kind per registration.
        sa.Index("uq_consent_standing", "registration_id", "kind", unique=True,
                 sqlite_where=sa.text("withdrawn_at IS NULL"),
                 postgresql_where=sa.text("withdrawn_at IS NULL")),
        sa.CheckConstraint("withdrawn_at IS NULL OR withdrawn_at >= given_at",
                           name="withdrawn_after_given"),
    )


class ErasureStatus(enum.StrEnum):
    """Where a request to erase one's personal data stands."""

    PENDING = "pending"
    ERASED = "erased"
    REFUSED = "refused"

    @property
    def label(self) -> str:
        """Human wording."""
        return {"pending": _("Waiting for the secretariat"), "erased": _("Erased"),
                "refused": _("Refused")}[self.value]


class ErasureRequest(db.Model):
    """A person's request to erase their personal data, and the secretariat's answer."""

    __tablename__ = "erasure_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    # 'link' (their signed registration link) or 'account' (their account page).
    asked_via: Mapped[str] = mapped_column(sa.String(20))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[ErasureStatus] = mapped_column(
        str_enum(ErasureStatus, "erasure_status"), default=ErasureStatus.PENDING, index=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    # Why the secretariat refused (shown to the person).
    reason: Mapped[str | None] = mapped_column(sa.Text)

    person: Mapped[Person] = relationship()
    decided_by: Mapped[User | None] = relationship()

    __table_args__ = (
        # One open request per person: asking twice does not queue twice.
        sa.Index("uq_erasure_request_pending", "person_id", unique=True,
                 sqlite_where=sa.text("status = 'pending'"),
                 postgresql_where=sa.text("status = 'pending'")),
        sa.CheckConstraint("status <> 'refused' OR reason IS NOT NULL",
                           name="refusal_has_reason"),
    )
