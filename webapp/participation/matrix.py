"""The participation matrix (regions × events) and the delegates-per-year figures.

Pure functions over webapp.participation.facts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from webapp.models.event import EventKind
from webapp.models.region import RegionStatus
from webapp.participation.facts import (
    Cell,
    CellState,
    EventFacts,
    ParticipationFacts,
    RegionFacts,
    classify,
)
from webapp.participation.policy import Flag

MATRIX_KINDS = (EventKind.FORUM, EventKind.REVERSE_MISSION)
SORTS = {
    "engagement": _l("Least engaged first"),
    "engagement_desc": _l("Most engaged first"),
    "flags": _l("Flagged first"),
    "name": _l("Name"),
}


@dataclass
class MatrixRow:
    """One region's line: a cell per event, its engagement and its flags."""

    region: RegionFacts
    status: RegionStatus
    cells: list[Cell]
    flags: list[Flag] = field(default_factory=list)

    @property
    def expected(self) -> int:
        """Events of the matrix held while the region was a member."""
        return sum(c.member for c in self.cells)

    @property
    def took_part(self) -> int:
        """Of those, how many it hosted or attended."""
        return sum(c.member and c.state in (CellState.HOSTED, CellState.ATTENDED)
                   for c in self.cells)

    @property
    def engagement(self) -> float | None:
        """The share of events it took part in while a member (None: none to count)."""
        return self.took_part / self.expected if self.expected else None

    @property
    def engagement_label(self) -> str:
        """'67% (2 of 3)', or '—' when it was never a member in the period."""
        if self.engagement is None:
            return "—"
        return _("%(percent)s%% (%(took_part)s of %(expected)s)",
                 percent=round(self.engagement * 100), took_part=self.took_part,
                 expected=self.expected)


@dataclass
class Matrix:
    """The whole grid, with the columns grouped by year for the heading."""

    events: list[EventFacts]
    rows: list[MatrixRow]

    @property
    def years(self) -> list[tuple[int, int]]:
        """(year, number of columns) for a grouped heading."""
        spans: dict[int, int] = {}
        for event in self.events:
            spans[event.year] = spans.get(event.year, 0) + 1
        return list(spans.items())

    @property
    def has_illustrative(self) -> bool:
        """Whether any cell shows made-up data (the page then explains the marker)."""
        return any(c.illustrative for row in self.rows for c in row.cells)


def _sort_key(sort: str):
    """Row ordering for a sort name; unknown names sort least engaged first."""
    def engagement(row: MatrixRow, missing: float) -> float:
        return missing if row.engagement is None else row.engagement

    if sort == "name":
        return lambda row: row.region.name.casefold()
    if sort == "engagement_desc":
        return lambda row: (-engagement(row, -1.0), row.region.name.casefold())
    if sort == "flags":
        return lambda row: (-len(row.flags), engagement(row, 2.0), row.region.name.casefold())
    return lambda row: (engagement(row, 2.0), row.region.name.casefold())


def build_matrix(
    facts: ParticipationFacts,
    as_of: date,
    flags: dict[int, list[Flag]],
    *,
    from_year: int | None = None,
    to_year: int | None = None,
    kinds: tuple[EventKind, ...] = MATRIX_KINDS,
    sort: str = "engagement",
) -> Matrix:
    """Regions × the events of `kinds` held by `as_of` within the years, sorted."""
    events = [
        e for e in facts.events
        if e.kind in kinds and e.day <= as_of
        and (from_year is None or e.year >= from_year) and (to_year is None or e.year <= to_year)
    ]
    rows = [
        MatrixRow(region, region.status_on(as_of),
                  [classify(facts, region, event) for event in events],
                  flags.get(region.id, []))
        for region in facts.regions
    ]
    rows.sort(key=_sort_key(sort))
    return Matrix(events, rows)


@dataclass(frozen=True)
class YearFigure:
    """Delegates a region sent in one year (checked in), and how sure that number is."""

    delegates: int = 0
    hosted: bool = False
    size_unknown: bool = False
    illustrative: bool = False

    @property
    def text(self) -> str:
        """'7 delegates', '7 delegates + host', '≥1 delegate (size not recorded)'."""
        parts = []
        if self.delegates or not (self.hosted or self.size_unknown):
            parts.append(ngettext("%(num)d delegate", "%(num)d delegates", self.delegates))
        if self.size_unknown:
            parts.append(_("a delegation of unrecorded size"))
        if self.hosted:
            parts.append(_("host"))
        text = " + ".join(parts)
        return _("%(text)s (illustrative)", text=text) if self.illustrative else text


def delegates_per_year(matrix: Matrix) -> tuple[list[int], list[tuple[RegionFacts,
                                                                      dict[int, YearFigure]]]]:
    """Checked-in delegates per region and year over the matrix's events."""
    years = sorted({e.year for e in matrix.events})
    table = []
    for row in sorted(matrix.rows, key=lambda r: r.region.name.casefold()):
        figures: dict[int, YearFigure] = {}
        for event, cell in zip(matrix.events, row.cells, strict=True):
            before = figures.get(event.year, YearFigure())
            a = cell.attendance if cell.state is CellState.ATTENDED else None
            figures[event.year] = YearFigure(
                delegates=before.delegates + ((a.attended or 0) if a else 0),
                hosted=before.hosted or cell.state is CellState.HOSTED,
                size_unknown=before.size_unknown or (a is not None and a.attended is None),
                illustrative=before.illustrative or cell.illustrative,
            )
        table.append((row.region, figures))
    return years, table
