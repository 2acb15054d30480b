"""Delegations and registrations: who takes part in which event."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.people import Person
from webapp.models.types import UTCDateTime, str_enum, utcnow
from webapp.tickets import new_ticket_ref

if TYPE_CHECKING:
    from webapp.models.event import Event
    from webapp.models.region import Region
    from webapp.models.user import User


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
    # Indexed as the first column of ix_registration_event_audience_status (below).
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id"))
    # Indexed as the first column of ix_registration_calendar_state (models/calendar.py).
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    delegation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("delegation.id"))
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
    # A substitute keeps the seat of the delegate they replace; the chain is the history.
    replaces_registration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("registration.id")
    )
    # Who cancelled: an account (secretariat, coordinator) or None when the person did it.
    cancelled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    # When a waitlisted registration got a freed seat.
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A delegate's name, organisation and title as their region entered them. People are one
    # record per email and several regions may send the same person: each region sees and
    # corrects its own entry here, never another region's. NULL name: no entry of its own
    # (public registrations, rows from before), the person's record applies.
    delegate_name: Mapped[str | None] = mapped_column(sa.String(200))
    delegate_organisation: Mapped[str | None] = mapped_column(sa.String(200))
    delegate_job_title: Mapped[str | None] = mapped_column(sa.String(200))
    # The random reference the ticket's signed QR code names (webapp.tickets): unguessable,
    # unlike the id, and not personal data, unlike the email. Filled on every insert; NULL
    # only in the schema (t001 could not tighten the column in place on SQLite).
    ticket_ref: Mapped[str | None] = mapped_column(sa.String(32), default=new_ticket_ref)
    # The language the person registered in or chose since (a code of webapp.i18n): their
    # pages and every later email to them are written in it. NULL: the forum's default.
    language: Mapped[str | None] = mapped_column(sa.String(10))

    event: Mapped[Event] = relationship()
    person: Mapped[Person] = relationship()
    delegation: Mapped[Delegation | None] = relationship(back_populates="registrations")
    replaces: Mapped[Registration | None] = relationship(remote_side=[id])
    cancelled_by: Mapped[User | None] = relationship()

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
        sa.CheckConstraint(
            "status <> 'cancelled' OR cancel_reason IS NOT NULL", name="cancelled_has_reason"
        ),
        sa.Index("uq_registration_ticket_ref", "ticket_ref", unique=True),
        # Seat counts and the waitlist read (event, audience, status) on every registration.
        sa.Index("ix_registration_event_audience_status", "event_id", "audience", "status"),
        # Most registrations come from the public form, with neither a delegation nor a
        # predecessor: partial indexes leave them out, one index write fewer each.
        *(sa.Index(f"ix_registration_{column}", column,
                   sqlite_where=sa.text(f"{column} IS NOT NULL"),
                   postgresql_where=sa.text(f"{column} IS NOT NULL"))
          for column in ("delegation_id", "replaces_registration_id")),
    )

    @property
    def is_active(self) -> bool:
        """Confirmed or waitlisted: holds a seat or a place in the queue."""
        return self.status is not RegistrationStatus.CANCELLED

    @property
    def status_label(self) -> str:
        """The status in words: 'Confirmed', 'Waitlisted', 'Cancelled'; a delegate taken out
        of their delegation (withdrawn, replaced) is 'Withdrawn'."""
        if self.status is RegistrationStatus.CANCELLED and self.delegation_id is not None:
            return "Withdrawn"
        return self.status.value.capitalize()

    # The details shown for this registration: its own entry, else the person's record. In
    # SQL (lists, search, sorting) the query must join Person.
    @hybrid_property
    def name(self) -> str:
        """The name shown for this registration."""
        return self.delegate_name or self.person.full_name

    @name.inplace.expression
    @classmethod
    def _name_expression(cls) -> sa.ColumnElement[str]:
        """SQL: the registration's own name, else the person's."""
        return sa.func.coalesce(cls.delegate_name, Person.full_name)

    @hybrid_property
    def organisation(self) -> str | None:
        """The organisation shown (a blank one entered by the region stays blank)."""
        return self.delegate_organisation if self.delegate_name else self.person.organisation

    @organisation.inplace.expression
    @classmethod
    def _organisation_expression(cls) -> sa.ColumnElement[str | None]:
        """SQL: as the Python side."""
        return sa.case((cls.delegate_name.is_(None), Person.organisation),
                       else_=cls.delegate_organisation)

    @hybrid_property
    def job_title(self) -> str | None:
        """The title shown (a blank one entered by the region stays blank)."""
        return self.delegate_job_title if self.delegate_name else self.person.job_title

    @job_title.inplace.expression
    @classmethod
    def _job_title_expression(cls) -> sa.ColumnElement[str | None]:
        """SQL: as the Python side."""
        return sa.case((cls.delegate_name.is_(None), Person.job_title),
                       else_=cls.delegate_job_title)


class DelegationQuota(db.Model):
    """A region's delegate quota for one event, overriding the event's default."""

    __tablename__ = "delegation_quota"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("region.id"), index=True)
    quota: Mapped[int] = mapped_column(sa.Integer)

    region: Mapped[Region] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("event_id", "region_id"),
        sa.CheckConstraint("quota >= 0", name="quota_not_negative"),
    )


class CheckInAction(enum.StrEnum):
    """What happened at the door."""

    CHECKED_IN = "checked_in"
    UNDONE = "undone"


class CheckInEntry(db.Model):
    """One click at the door, kept so that an undo leaves a trail."""

    __tablename__ = "check_in_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(sa.ForeignKey("registration.id"), index=True)
    action: Mapped[CheckInAction] = mapped_column(str_enum(CheckInAction, "check_in_action"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    by: Mapped[User | None] = relationship()


class DelegateImport(db.Model):
    """An uploaded delegate CSV, parsed and waiting for the coordinator's confirmation."""

    __tablename__ = "delegate_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("region.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    filename: Mapped[str] = mapped_column(sa.String(200))
    # The preview rows as JSON: line, fields, and the reasons a row cannot be imported.
    rows_json: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()
    region: Mapped[Region] = relationship()
