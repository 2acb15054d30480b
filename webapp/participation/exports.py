"""The matrix as CSV and the delegates-per-year chart's geometry (drawn by a Jinja SVG)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from webapp.participation.matrix import Matrix, YearFigure, delegates_per_year

# Spreadsheets run a cell starting with these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    """A CSV cell that a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def matrix_csv(matrix: Matrix, as_of: date) -> bytes:
    """The matrix as UTF-8 CSV with a byte-order mark (so Excel reads the accents)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [neutralise(h) for h in (
            "Region", f"Status on {as_of.isoformat()}", "Engagement", "Flags",
            *[f"{e.short_label} ({e.date_label})" for e in matrix.events],
        )]
    )
    for row in matrix.rows:
        writer.writerow([neutralise(v) for v in (
            row.region.name, row.status.value, row.engagement_label,
            "; ".join(f"{f.title} (since {f.since_label})" for f in row.flags),
            *[cell.text for cell in row.cells],
        )])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


@dataclass(frozen=True)
class Bar:
    """One region-year of the chart."""

    x: float
    y: float
    width: float
    height: float
    label_x: float
    label_y: float
    figure: YearFigure
    region: str
    year: int

    @property
    def label(self) -> str:
        """The number under the bar, with ★ for a host and * for illustrative data."""
        text = str(self.figure.delegates) if self.figure.delegates else ""
        if self.figure.size_unknown:
            text += "?"
        if self.figure.hosted:
            text += "★"
        return text + ("*" if self.figure.illustrative and text else "")


@dataclass(frozen=True)
class Chart:
    """Everything the SVG template draws."""

    width: int
    height: int
    years: list[tuple[int, float]]
    regions: list[tuple[str, float]]
    bars: list[Bar]
    biggest: int
    legend_y: float
    summary: str


NAME_WIDTH, COLUMN, ROW, BAR_MAX, TOP = 170, 58, 36, 24, 40


def chart(matrix: Matrix) -> Chart:
    """Lay out delegates per region (rows) and year (columns) as small bars with numbers."""
    years, table = delegates_per_year(matrix)
    biggest = max((f.delegates for _, figs in table for f in figs.values()), default=0)
    bars, regions = [], []
    for r, (region, figures) in enumerate(table):
        base = TOP + r * ROW + BAR_MAX
        regions.append((region.name, base - 6))
        for c, year in enumerate(years):
            figure = figures.get(year, YearFigure())
            height = (figure.delegates / biggest * BAR_MAX) if biggest else 0
            x = NAME_WIDTH + c * COLUMN + 8
            bars.append(Bar(x, base - height, COLUMN - 16, height, x + (COLUMN - 16) / 2,
                            base + 10, figure, region.name, year))
    width = max(NAME_WIDTH + max(len(years), 1) * COLUMN + 20, 600)  # room for the legend
    legend_y = TOP + len(table) * ROW + 16
    total = sum(f.delegates for _, figs in table for f in figs.values())
    summary = (_("Delegates checked in per region and year, %(first)s–%(last)s: %(total)s in "
                 "all; the most in one year was %(biggest)s.", first=years[0], last=years[-1],
                 total=total, biggest=biggest) if years
               else _("No event in the chosen period."))
    return Chart(width, int(legend_y + 40), [(y, NAME_WIDTH + c * COLUMN + COLUMN / 2)
                                             for c, y in enumerate(years)],
                 regions, bars, biggest, legend_y, summary)
