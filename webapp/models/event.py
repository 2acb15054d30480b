"""Events (forums, reverse missions, meetings), their capacities and agenda items."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from webapp.extensions import db
from webapp.models.region import valid_timezone
from webapp.models.types import DatePrecision, UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from webapp.models.mission import MissionGuest
    from webapp.models.region import Region
    from webapp.models.registration import Delegation

DEFAULT_TRAVEL_BUFFER_MINUTES = 30


class EventKind(enum.StrEnum):
    """The kinds of gathering the network organises."""

    FORUM = "forum"
    REVERSE_MISSION = "reverse_mission"
    MEETING = "meeting"

    @property
    def label(self) -> str:
        """Human wording: 'Reverse mission' (in the page's language)."""
        return str(_LABELS[self])


class EventStatus(enum.StrEnum):
    """Where an event stands; a cancelled one is kept, never deleted."""

    PLANNED = "planned"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        """Human wording: 'Cancelled' (in the page's language)."""
        return str(_LABELS[self])


class AgendaKind(enum.StrEnum):
    """What an agenda item is."""

    KEYNOTE = "keynote"
    TRACK = "track"
    WORKSHOP = "workshop"
    VISIT = "visit"
    MEAL = "meal"
    TRANSPORT = "transport"
    FREE_TIME = "free_time"

    @property
    def label(self) -> str:
        """Human wording: 'Free time' (in the page's language)."""
        return str(_LABELS[self])


# Lazy: translated when a page asks for a label, in that page's language.
_LABELS = {
    EventKind.FORUM: _l("Forum"), EventKind.REVERSE_MISSION: _l("Reverse mission"),
    EventKind.MEETING: _l("Meeting"),
    EventStatus.PLANNED: _l("Planned"), EventStatus.CONFIRMED: _l("Confirmed"),
    EventStatus.CANCELLED: _l("Cancelled"),
    AgendaKind.KEYNOTE: _l("Keynote"), AgendaKind.TRACK: _l("Track"),
    AgendaKind.WORKSHOP: _l("Workshop"), AgendaKind.VISIT: _l("Visit"),
    AgendaKind.MEAL: _l("Meal"), AgendaKind.TRANSPORT: _l("Transport"),
    AgendaKind.FREE_TIME: _l("Free time"),
}


class LocalTimesMixin:
    """Start and end stored as aware UTC, shown in the IANA zone of the event."""

    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]

    @property
    def zone(self) -> ZoneInfo:
        """The event's timezone as a ZoneInfo."""
        return ZoneInfo(self.timezone_name)

    @property
    def local_start(self) -> datetime:
        """Start in the event's local time."""
        return self.starts_at.astimezone(self.zone)

    @property
    def local_end(self) -> datetime:
        """End in the event's local time."""
        return self.ends_at.astimezone(self.zone)


def registration_open_clause(now: datetime) -> sa.ColumnElement[bool]:
    """Event.registration_is_open as SQL, to select the events taking registrations at `now`."""
    return sa.and_(
        Event.status != EventStatus.CANCELLED,
        Event.registration_opens_at.is_not(None),
        Event.registration_opens_at <= now,
        sa.or_(Event.registration_closes_at.is_(None), Event.registration_closes_at > now),
    )


class Event(LocalTimesMixin, db.Model):
    """A forum, reverse mission or meeting, hosted by a member region or another place."""

    __tablename__ = "event"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    kind: Mapped[EventKind] = mapped_column(str_enum(EventKind, "event_kind"))
    ordinal: Mapped[int | None] = mapped_column(sa.Integer)
    title: Mapped[str] = mapped_column(sa.String(200))
    theme: Mapped[str | None] = mapped_column(sa.String(200))
    description: Mapped[str | None] = mapped_column(sa.Text)
    host_region_id: Mapped[int | None] = mapped_column(sa.ForeignKey("region.id"), index=True)
    place: Mapped[str] = mapped_column(sa.String(200))
    venue: Mapped[str | None] = mapped_column(sa.String(200))
    website: Mapped[str | None] = mapped_column(sa.String(300))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(sa.String(64))
    date_precision: Mapped[DatePrecision] = mapped_column(
        str_enum(DatePrecision, "date_precision"), default=DatePrecision.DAY
    )
    date_note: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[EventStatus] = mapped_column(
        str_enum(EventStatus, "event_status"), default=EventStatus.PLANNED
    )
    is_public: Mapped[bool] = mapped_column(default=True)
    # Reverse missions: the least time between a guest's consecutive items at different addresses.
    travel_buffer_minutes: Mapped[int] = mapped_column(
        default=DEFAULT_TRAVEL_BUFFER_MINUTES, server_default=str(DEFAULT_TRAVEL_BUFFER_MINUTES)
    )
    # Set when the event is cancelled: it stays in calendars with STATUS:CANCELLED.
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(sa.Text)
    # Registration window and delegation deadline (aware UTC); no opening time = not open.
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delegation_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Delegates per member region unless a DelegationQuota overrides it; None = no delegations.
    default_delegation_quota: Mapped[int | None] = mapped_column(sa.Integer)
    # Forums: the host's letterhead on visa invitation letters (organisation and address,
    # an empty line, then the signatory's name and title); None = no letters yet.
    letterhead_text: Mapped[str | None] = mapped_column(sa.Text)
    # The language its public pages fall back to when the visitor's browser names none the
    # app ships (set at forum set-up); NULL: English.
    default_language: Mapped[str | None] = mapped_column(sa.String(10))
    # Grows with every change attendees must see in their calendars (RFC 5545 SEQUENCE).
    sequence: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    host_region: Mapped[Region | None] = relationship(back_populates="hosted_events")
    capacities: Mapped[list[EventCapacity]] = relationship(
        back_populates="event", order_by="EventCapacity.audience", cascade="all, delete-orphan"
    )
    agenda_items: Mapped[list[AgendaItem]] = relationship(
        back_populates="event",
        order_by="(AgendaItem.starts_at, AgendaItem.id)",
        cascade="all, delete-orphan",
    )
    delegations: Mapped[list[Delegation]] = relationship(back_populates="event")
    guests: Mapped[list[MissionGuest]] = relationship(
        back_populates="event", order_by="MissionGuest.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("ordinal IS NULL OR ordinal > 0", name="ordinal_positive"),
        sa.CheckConstraint(
            "travel_buffer_minutes >= 0 AND travel_buffer_minutes <= 1440",
            name="travel_buffer_in_range",
        ),
        sa.UniqueConstraint("kind", "ordinal"),
        sa.CheckConstraint(
            "registration_closes_at IS NULL OR registration_opens_at IS NULL "
            "OR registration_closes_at > registration_opens_at",
            name="registration_window_ordered",
        ),
        sa.CheckConstraint(
            "default_delegation_quota IS NULL OR default_delegation_quota >= 0",
            name="default_quota_not_negative",
        ),
    )

    @property
    def timezone_name(self) -> str:
        """The IANA zone the event's times are shown in."""
        return self.timezone

    @validates("timezone")
    def _check_timezone(self, _key: str, value: str) -> str:
        """Only real IANA zones are accepted."""
        return valid_timezone(value)

    @property
    def year(self) -> int:
        """The year the event starts in, locally."""
        return self.local_start.year

    @property
    def local_first_day(self) -> date:
        """The first day of the event in its local time."""
        return self.local_start.date()

    @property
    def dates_approximate(self) -> bool:
        """True when the sources do not give the exact days (only those go into calendars)."""
        return self.date_precision is not DatePrecision.DAY

    @property
    def host_label(self) -> str:
        """Who hosts it: the member region, or the place when the host is not a member."""
        return self.host_region.name if self.host_region else self.place

    def registration_is_open(self, now: datetime) -> bool:
        """Open once an opening time is set and passed, until the closing time (if any); never
        for a cancelled event."""
        opens, closes = self.registration_opens_at, self.registration_closes_at
        if self.status is EventStatus.CANCELLED or opens is None or now < opens:
            return False
        return closes is None or now < closes

    def delegations_editable_by_coordinators(self, now: datetime) -> bool:
        """Before the delegation deadline (or when none is set) coordinators may still edit."""
        return self.delegation_deadline is None or now < self.delegation_deadline

    def capacity_for(self, audience: str) -> int | None:
        """Seats for one audience, or None when unlimited."""
        for cap in self.capacities:
            if cap.audience == audience:
                return cap.capacity
        return None

    def __repr__(self) -> str:
        return f"<Event {self.slug}>"


class EventCapacity(db.Model):
    """Seats for one audience of an event (international participants, guests...)."""

    __tablename__ = "event_capacity"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    audience: Mapped[str] = mapped_column(sa.String(40))
    label: Mapped[str] = mapped_column(sa.String(80))
    capacity: Mapped[int] = mapped_column(sa.Integer)
    # Confirmed registrations of this audience, kept by database triggers (models/seats.py)
    # so that taking a seat never counts thousands of rows. Read it under the row's lock
    # (registrations.services.lock_seats); the ORM attribute may be stale.
    seats_taken: Mapped[int] = mapped_column(default=0, server_default="0")

    event: Mapped[Event] = relationship(back_populates="capacities")

    __table_args__ = (
        sa.UniqueConstraint("event_id", "audience"),
        sa.CheckConstraint("capacity >= 0", name="capacity_not_negative"),
        sa.CheckConstraint("seats_taken >= 0", name="seats_taken_not_negative"),
    )


class AgendaItem(LocalTimesMixin, db.Model):
    """One slot of an event's programme: a keynote, a visit, a workshop, a meal..."""

    __tablename__ = "agenda_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        sa.ForeignKey("event.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[AgendaKind] = mapped_column(str_enum(AgendaKind, "agenda_kind"))
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str | None] = mapped_column(sa.Text)
    host_organisation: Mapped[str | None] = mapped_column(sa.String(200))
    contact_name: Mapped[str | None] = mapped_column(sa.String(200))
    contact_email: Mapped[str | None] = mapped_column(sa.String(254))
    contact_phone: Mapped[str | None] = mapped_column(sa.String(40))
    address: Mapped[str | None] = mapped_column(sa.String(300))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int | None] = mapped_column(sa.Integer)
    # Reverse missions: True = every guest who has not declined; False = the guests listed in
    # agenda_attendance (a parallel visit splits the group).
    all_guests: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    # Cancelled items stay on record (and in calendars as cancelled); never deleted.
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set on items made up to illustrate a plan, where the sources give no programme.
    is_illustrative: Mapped[bool] = mapped_column(default=False)
    sequence: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship(back_populates="agenda_items")
    selected_guests: Mapped[list[MissionGuest]] = relationship(
        secondary="agenda_attendance", order_by="MissionGuest.id", back_populates="selected_items"
    )

    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
    )

    @property
    def timezone_name(self) -> str:
        """Agenda items are shown in their event's zone."""
        return self.event.timezone

    @property
    def is_cancelled(self) -> bool:
        """Whether the item was called off (it stays on record)."""
        return self.cancelled_at is not None

    def concerns(self, guest: MissionGuest) -> bool:
        """Whether a mission guest is to attend this item: every guest not declined, or the
        listed ones not declined."""
        return guest.is_attending and (self.all_guests or guest in self.selected_guests)
