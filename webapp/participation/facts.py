"""Plain data the participation review works on, and what one matrix cell says.

Nothing here touches the database: services.py loads these facts in a fixed number of
queries, policy.py and matrix.py compute on them, tests build them by hand."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webapp.models.event import EventKind
from webapp.models.region import MembershipKind, RegionStatus, status_from_entries
from webapp.models.types import DatePrecision, format_date

ENTRY_STARTS_MEMBERSHIP = (MembershipKind.ADMITTED, MembershipKind.READMITTED)
DECISION_KINDS = (MembershipKind.WARNED, MembershipKind.EXCLUDED, MembershipKind.READMITTED)


def dated_label(day: date, precision: DatePrecision) -> str:
    """A date as precisely as it is known, with ≈ when it is approximate."""
    text = format_date(day, precision)
    return text if precision is DatePrecision.DAY else f"≈{text}"


@dataclass(frozen=True)
class EventFacts:
    """A held event: forum, reverse mission or meeting, on its local first day."""

    id: int
    kind: EventKind
    title: str
    day: date
    precision: DatePrecision = DatePrecision.DAY
    host_region_id: int | None = None
    place: str = ""
    ordinal: int | None = None

    @property
    def year(self) -> int:
        """The year it was held."""
        return self.day.year

    @property
    def date_label(self) -> str:
        """'≈2011' or '7 May 2012'."""
        return dated_label(self.day, self.precision)

    @property
    def short_label(self) -> str:
        """A column heading: 'CWF 2011', 'RM 2012', 'Meeting 2013'."""
        prefix = {EventKind.FORUM: "CWF", EventKind.REVERSE_MISSION: "RM"}.get(
            self.kind, self.kind.label
        )
        return f"{prefix} {self.year}"

    @property
    def long_label(self) -> str:
        """'8th Creativity World Forum (≈2011, Flanders, Belgium)'."""
        where = f", {self.place}" if self.place else ""
        return f"{self.title} ({self.date_label}{where})"


@dataclass(frozen=True)
class Attendance:
    """A region's delegation to one event: registered and checked-in counts.

    None for both means a delegation is on record but its size is not (the sources report
    Region Midtjylland's 2009-2011 delegations that way)."""

    registered: int | None
    attended: int | None
    illustrative: bool = False

    @property
    def came(self) -> bool:
        """Whether anybody of the delegation turned up (an unknown size counts as yes)."""
        return self.attended is None or self.attended > 0


@dataclass(frozen=True)
class FeeFacts:
    """One annual fee of a region."""

    year: int
    amount_cents: int
    paid_on: date | None
    currency: str = "EUR"
    illustrative: bool = False

    def unpaid_on(self, day: date) -> bool:
        """Whether the fee was still unpaid at the end of `day`."""
        return self.paid_on is None or self.paid_on > day


@dataclass(frozen=True)
class RepresentativeFacts:
    """One appointment of a representative."""

    appointed_on: date
    until: date | None = None

    def active_on(self, day: date) -> bool:
        """Whether the appointment covers `day`."""
        return self.appointed_on <= day and (self.until is None or day <= self.until)


@dataclass(frozen=True)
class EntryFacts:
    """One step of the membership history."""

    kind: MembershipKind
    on: date
    precision: DatePrecision = DatePrecision.DAY
    note: str | None = None

    @property
    def date_label(self) -> str:
        """'≈2012' or '3 October 2012'."""
        return dated_label(self.on, self.precision)


@dataclass
class RegionFacts:
    """A region with its membership history, fees and representatives."""

    id: int
    slug: str
    name: str
    entries: list[EntryFacts] = field(default_factory=list)
    fees: list[FeeFacts] = field(default_factory=list)
    representatives: list[RepresentativeFacts] = field(default_factory=list)

    def status_on(self, day: date) -> RegionStatus:
        """Status at the end of `day` (the same replay as Region.status_on)."""
        return status_from_entries(((e.kind, e.on) for e in self.entries), day)

    def is_member_on(self, day: date) -> bool:
        """Whether the region was a member on `day`."""
        return self.status_on(day) is RegionStatus.MEMBER

    def membership_start(self, day: date) -> EntryFacts | None:
        """The admission or readmission that began the membership current on `day`."""
        starts = [e for e in self.entries if e.kind in ENTRY_STARTS_MEMBERSHIP and e.on <= day]
        return starts[-1] if starts else None

    def decisions(self, until: date | None = None) -> list[EntryFacts]:
        """Warnings, exclusions and readmissions recorded up to `until` (all when None)."""
        return [e for e in self.entries
                if e.kind in DECISION_KINDS and (until is None or e.on <= until)]


@dataclass
class ParticipationFacts:
    """Everything the review needs: regions, held events and who came to what."""

    regions: list[RegionFacts]
    events: list[EventFacts]
    attendance: dict[tuple[int, int], Attendance] = field(default_factory=dict)

    def attendance_of(self, event: EventFacts, region: RegionFacts) -> Attendance | None:
        """The region's delegation to the event, if any."""
        return self.attendance.get((event.id, region.id))

    def took_part(self, event: EventFacts, region: RegionFacts) -> bool:
        """Hosted it, or sent a delegation of which somebody came."""
        if event.host_region_id == region.id:
            return True
        attendance = self.attendance_of(event, region)
        return attendance is not None and attendance.came


class CellState(enum.StrEnum):
    """What happened between one region and one event."""

    HOSTED = "hosted"
    ATTENDED = "attended"
    NO_SHOW = "no_show"
    MISSED = "missed"
    NOT_MEMBER = "not_member"


# symbol, legend text: the symbol carries the meaning, colour only repeats it
CELL_LEGEND = {
    CellState.HOSTED: ("★", _l("Hosted (counts as attending)")),
    CellState.ATTENDED: ("✓", _l("Attended: delegates checked in / registered")),
    CellState.NO_SHOW: ("○", _l("Registered, but nobody came (counts as missed)")),
    CellState.MISSED: ("✗", _l("Missed while a member")),
    CellState.NOT_MEMBER: ("–", _l("Not a member then")),
}


@dataclass(frozen=True)
class Cell:
    """One matrix cell: the state, whether the region was a member then, the counts."""

    state: CellState
    member: bool
    attendance: Attendance | None = None

    @property
    def symbol(self) -> str:
        """The symbol shown with the colour."""
        return CELL_LEGEND[self.state][0]

    @property
    def illustrative(self) -> bool:
        """Whether the cell shows made-up demonstration data."""
        return self.attendance is not None and self.attendance.illustrative

    @property
    def short_text(self) -> str:
        """What the cell shows next to its symbol: '5/6', 'missed', 'host'."""
        a = self.attendance
        if self.state is CellState.HOSTED:
            return _("host")
        if self.state in (CellState.ATTENDED, CellState.NO_SHOW):
            return _("on record") if a.registered is None else f"{a.attended}/{a.registered}"
        return _("missed") if self.state is CellState.MISSED else ""

    @property
    def text(self) -> str:
        """The full wording, for screen readers, tooltips and the CSV."""
        a = self.attendance
        if self.state is CellState.HOSTED:
            text = _("hosted")
        elif self.state is CellState.ATTENDED:
            text = (_("attended (size not recorded)") if a.registered is None
                    else _("attended: %(attended)s checked in of %(registered)s registered",
                           attended=a.attended, registered=a.registered))
        elif self.state is CellState.NO_SHOW:
            text = _("registered %(num)s, nobody came", num=a.registered)
        elif self.state is CellState.MISSED:
            text = _("missed")
        else:
            text = _("not a member then")
        if not self.member and self.state in (CellState.HOSTED, CellState.ATTENDED,
                                              CellState.NO_SHOW):
            text = _("%(text)s (not a member then)", text=text)
        if self.illustrative:
            text = _("%(text)s (illustrative)", text=text)
        return text


def classify(facts: ParticipationFacts, region: RegionFacts, event: EventFacts) -> Cell:
    """What happened between `region` and `event`."""
    member = region.is_member_on(event.day)
    attendance = facts.attendance_of(event, region)
    if event.host_region_id == region.id:
        return Cell(CellState.HOSTED, member)
    if attendance is not None and attendance.came:
        return Cell(CellState.ATTENDED, member, attendance)
    if attendance is not None and attendance.registered:
        return Cell(CellState.NO_SHOW, member, attendance)
    return Cell(CellState.MISSED if member else CellState.NOT_MEMBER, member, attendance)
