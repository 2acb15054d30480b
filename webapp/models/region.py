"""Regions, their membership history, representatives and annual fees."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from webapp.extensions import db
from webapp.models.types import DatePrecision, UTCDateTime, format_date, str_enum, utcnow

if TYPE_CHECKING:
    from webapp.models.event import Event
    from webapp.models.people import Person

DEFAULT_ANNUAL_FEE_CENTS = 250_000  # the network's fixed annual fee: 2,500 EUR
# The sources give no due date; the network's policy pages say it is 31 March of the fee year.
FEE_DUE_MONTH, FEE_DUE_DAY = 3, 31


class MembershipKind(enum.StrEnum):
    """What can happen in a region's relation with the network."""

    DECIDED_TO_APPLY = "decided_to_apply"
    APPLIED = "applied"
    ADMITTED = "admitted"
    REPRESENTATIVES_APPOINTED = "representatives_appointed"
    WARNED = "warned"
    EXCLUDED = "excluded"
    READMITTED = "readmitted"
    LEFT = "left"

    @property
    def label(self) -> str:
        """Human wording for timelines (in the page's language)."""
        return str(_LABELS[self])


class RegionStatus(enum.StrEnum):
    """A region's standing on a given day, derived from its membership history."""

    NONE = "not a member"
    APPLICANT = "applicant"
    MEMBER = "member"
    EXCLUDED = "excluded"
    FORMER = "former member"

    @property
    def label(self) -> str:
        """Human wording: 'Former member' (in the page's language)."""
        return str(_LABELS[self])


# Lazy: translated when a page asks for a label, in that page's language.
_LABELS = {
    MembershipKind.DECIDED_TO_APPLY: _l("Decided to apply"), MembershipKind.APPLIED: _l("Applied"),
    MembershipKind.ADMITTED: _l("Admitted"),
    MembershipKind.REPRESENTATIVES_APPOINTED: _l("Representatives appointed"),
    MembershipKind.WARNED: _l("Warned"), MembershipKind.EXCLUDED: _l("Excluded"),
    MembershipKind.READMITTED: _l("Readmitted"), MembershipKind.LEFT: _l("Left"),
    RegionStatus.NONE: _l("Not a member"), RegionStatus.APPLICANT: _l("Applicant"),
    RegionStatus.MEMBER: _l("Member"), RegionStatus.EXCLUDED: _l("Excluded"),
    RegionStatus.FORMER: _l("Former member"),
}

# Entries that change the status; the others (appointments, warnings) are recorded but keep it.
_STATUS_AFTER = {
    MembershipKind.DECIDED_TO_APPLY: RegionStatus.APPLICANT,
    MembershipKind.APPLIED: RegionStatus.APPLICANT,
    MembershipKind.ADMITTED: RegionStatus.MEMBER,
    MembershipKind.READMITTED: RegionStatus.MEMBER,
    MembershipKind.EXCLUDED: RegionStatus.EXCLUDED,
    MembershipKind.LEFT: RegionStatus.FORMER,
}


def status_from_entries(entries: Iterable[tuple[MembershipKind, date]], day: date) -> RegionStatus:
    """The status at the end of `day`, replayed from (kind, date) steps sorted by date."""
    status = RegionStatus.NONE
    for kind, on in entries:
        if on > day:
            break
        status = _STATUS_AFTER.get(kind, status)
    return status


def valid_timezone(name: str) -> str:
    """Return an IANA timezone name unchanged, or raise ValueError for an unknown one."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown IANA timezone: {name!r}") from None
    return name


class Region(db.Model):
    """A creative region: a member, an applicant, or one the network excluded."""

    __tablename__ = "region"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    local_name: Mapped[str | None] = mapped_column(sa.String(120))
    country: Mapped[str] = mapped_column(sa.String(80))
    country_code: Mapped[str] = mapped_column(sa.String(2))
    continent: Mapped[str] = mapped_column(sa.String(40))
    timezone: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    membership_entries: Mapped[list[MembershipEntry]] = relationship(
        back_populates="region",
        order_by="(MembershipEntry.on, MembershipEntry.id)",
        cascade="all, delete-orphan",
    )
    representatives: Mapped[list[Representative]] = relationship(
        back_populates="region", order_by="Representative.appointed_on"
    )
    fees: Mapped[list[AnnualFee]] = relationship(
        back_populates="region", order_by="AnnualFee.year.desc()"
    )
    people: Mapped[list[Person]] = relationship(back_populates="region")
    hosted_events: Mapped[list[Event]] = relationship(back_populates="host_region")

    __table_args__ = (
        sa.CheckConstraint("slug <> ''", name="slug_not_empty"),
        sa.CheckConstraint("length(country_code) = 2", name="country_code_len"),
    )

    @validates("timezone")
    def _check_timezone(self, _key: str, value: str) -> str:
        """Only real IANA zones are accepted, so local times can always be computed."""
        return valid_timezone(value)

    def status_on(self, day: date) -> RegionStatus:
        """The region's status at the end of `day`, replayed from its membership history."""
        return status_from_entries(((e.kind, e.on) for e in self.membership_entries), day)

    def is_member_on(self, day: date) -> bool:
        """Whether the region was a member of the network on `day`."""
        return self.status_on(day) is RegionStatus.MEMBER

    def last_entry(self, kind: MembershipKind) -> MembershipEntry | None:
        """The most recent history entry of one kind (the exclusion and its reason, say)."""
        matches = [e for e in self.membership_entries if e.kind is kind]
        return matches[-1] if matches else None

    def __repr__(self) -> str:
        return f"<Region {self.slug}>"


class MembershipEntry(db.Model):
    """One dated step in a region's membership history, with its note or reason."""

    __tablename__ = "membership_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("region.id"), index=True)
    kind: Mapped[MembershipKind] = mapped_column(str_enum(MembershipKind, "membership_kind"))
    on: Mapped[date] = mapped_column(sa.Date)
    precision: Mapped[DatePrecision] = mapped_column(
        str_enum(DatePrecision, "date_precision"), default=DatePrecision.DAY
    )
    note: Mapped[str | None] = mapped_column(sa.Text)
    event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("event.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    region: Mapped[Region] = relationship(back_populates="membership_entries")
    event: Mapped[Event | None] = relationship()

    __table_args__ = (sa.UniqueConstraint("region_id", "kind", "on"),)

    @property
    def is_approximate(self) -> bool:
        """True when the sources give less than the exact day."""
        return self.precision is not DatePrecision.DAY

    @property
    def date_label(self) -> str:
        """The date as precisely as it is known."""
        return format_date(self.on, self.precision)


class Representative(db.Model):
    """A person a region appointed to represent it in the network, for a period."""

    __tablename__ = "representative"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("region.id"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    appointed_on: Mapped[date] = mapped_column(sa.Date)
    until: Mapped[date | None] = mapped_column(sa.Date)
    note: Mapped[str | None] = mapped_column(sa.Text)

    region: Mapped[Region] = relationship(back_populates="representatives")
    person: Mapped[Person] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("region_id", "person_id", "appointed_on"),
        sa.CheckConstraint("until IS NULL OR until >= appointed_on", name="until_after_appointed"),
    )

    def is_active_on(self, day: date) -> bool:
        """Whether the appointment covers `day`."""
        return self.appointed_on <= day and (self.until is None or day <= self.until)


class AnnualFee(db.Model):
    """The network's annual fee for one region and year, paid or not."""

    __tablename__ = "annual_fee"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("region.id"), index=True)
    year: Mapped[int] = mapped_column(sa.Integer)
    amount_cents: Mapped[int] = mapped_column(sa.Integer, default=DEFAULT_ANNUAL_FEE_CENTS)
    currency: Mapped[str] = mapped_column(sa.String(3), default="EUR")
    paid_on: Mapped[date | None] = mapped_column(sa.Date)
    # Set on payments made up for the demonstration history; the sources record none.
    is_illustrative: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    region: Mapped[Region] = relationship(back_populates="fees")

    __table_args__ = (
        sa.UniqueConstraint("region_id", "year"),
        sa.CheckConstraint("amount_cents >= 0", name="amount_not_negative"),
        sa.CheckConstraint("year BETWEEN 2000 AND 2200", name="year_plausible"),
    )

    @property
    def amount(self) -> str:
        """The amount for people: '2,500.00 EUR'."""
        return format_amount(self.amount_cents, self.currency)

    @property
    def due_on(self) -> date:
        """The day the fee falls due: 31 March of its year."""
        return fee_due_on(self.year)


def fee_due_on(year: int) -> date:
    """The network's annual fee falls due on 31 March of the fee year."""
    return date(year, FEE_DUE_MONTH, FEE_DUE_DAY)


def format_amount(cents: int, currency: str = "EUR") -> str:
    """'2,500.00 EUR'."""
    return f"{cents / 100:,.2f} {currency}"
