"""Delegations and registrations: who takes part in which event."""

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
    from webapp.models.people import Person
    from webapp.models.region import Region


class RegistrationStatus(enum.StrEnum):
    """A registration's state; cancelled ones are kept for the history."""

    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class Delegation(db.Model):
    """A region's delegation to one event; its delegates are registrations pointing here."""

    __tablename__ = "delegation"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id"), index=True)
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("region.id"), index=True)
    note: Mapped[str | None] = mapped_column(sa.Text)
    # Sizes reported for an event whose registrations are not in the system (the forums held
    # before it existed); when set they take the place of counting registrations.
    reported_registered: Mapped[int | None] = mapped_column(sa.Integer)
    reported_attended: Mapped[int | None] = mapped_column(sa.Integer)
    # Set on delegations made up for the demonstration history; the sources record only
    # Region Midtjylland's delegations of 2009-2011.
    is_illustrative: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship(back_populates="delegations")
    region: Mapped[Region] = relationship()
    registrations: Mapped[list[Registration]] = relationship(back_populates="delegation")

    __table_args__ = (
        sa.UniqueConstraint("event_id", "region_id"),
        sa.CheckConstraint(
            "reported_registered IS NULL OR reported_registered >= 0",
            name="reported_registered_not_negative",
        ),
        sa.CheckConstraint(
            "reported_attended IS NULL OR (reported_attended >= 0 AND reported_registered IS NOT"
            " NULL AND reported_attended <= reported_registered)",
            name="reported_attended_within_registered",
        ),
    )


class Registration(db.Model):
    """One person's place (or waitlist spot) at one event, for one audience."""

    __tablename__ = "registration"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    delegation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("delegation.id"), index=True)
    audience: Mapped[str] = mapped_column(sa.String(40))
    status: Mapped[RegistrationStatus] = mapped_column(
        str_enum(RegistrationStatus, "registration_status"), default=RegistrationStatus.CONFIRMED
    )
    is_head_of_delegation: Mapped[bool] = mapped_column(default=False)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(sa.Text)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Rows generated for a demonstration, never real people.
    is_demo: Mapped[bool] = mapped_column(default=False)

    event: Mapped[Event] = relationship()
    person: Mapped[Person] = relationship()
    delegation: Mapped[Delegation | None] = relationship(back_populates="registrations")

    __table_args__ = (
        # One active (not cancelled) registration per person and event.
        sa.Index(
            "uq_registration_active_person_event",
            "event_id",
            "person_id",
            unique=True,
            sqlite_where=sa.text("status <> 'cancelled'"),
            postgresql_where=sa.text("status <> 'cancelled'"),
        ),
        sa.CheckConstraint(
            "status <> 'cancelled' OR cancelled_at IS NOT NULL", name="cancelled_has_date"
        ),
    )
