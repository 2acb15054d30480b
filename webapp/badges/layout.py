"""Name badges as PDF: a pure builder from badge facts to bytes.

A badge is A6 (105 × 148 mm): the forum on top, the name large (shrunk to fit, on two lines
when it must), organisation, region, the ticket's QR code, and the audience in a band at
the foot. Printed either one A6 per page, or four to an A4 sheet with cut marks (A4 is two
A6 wide and two high, so cutting twice gives four full badges)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from fpdf import FPDF

from webapp.pdf import BASE_FAMILY, new_pdf, pdf_text, shape_for

A6 = (105.0, 148.0)
A4 = (210.0, 297.0)
LAYOUTS = {"a6": _l("Badges (A6)"), "a4": _l("Badges (A4 sheet)")}
MARGIN = 8.0  # mm: inside what most printers reach, and clear of a cutting error
INNER = A6[0] - 2 * MARGIN
NAME_LARGEST, NAME_SMALLEST = 28, 12  # pt
TWO_LINE_MAX = 22  # a name goes on two lines only once one line would need less than this
QR_SIZE = 38.0
BAND = (0, 83, 143)  # the audience band: white on a dark blue prints on any printer
PT = 25.4 / 72  # mm per point


@dataclass(frozen=True)
class Badge:
    """What one badge shows; `code` is the text of the ticket's QR, `qr` its PNG (b"" for
    none)."""

    name: str
    organisation: str
    region: str
    audience: str
    code: str
    qr: bytes


@dataclass(frozen=True)
class BadgeHeader:
    """What every badge of the document shows on top: the forum and its dates and place."""

    title: str
    when_where: str


def _width(pdf: FPDF, text: str, style: str = "B") -> float:
    """The text's width in mm at 1 pt (widths grow with the size), shaped if it must be."""
    shape_for(pdf, text)
    pdf.set_font(BASE_FAMILY, style, 1)
    return pdf.get_string_width(text) or 0.001


def _cut(pdf: FPDF, text: str, size: float, style: str = "B", *, ellipsis: bool = True) -> str:
    """The longest start of `text` that fits the badge's width at `size` (with "…" when cut)."""
    if _width(pdf, text, style) * size <= INNER:
        return text
    mark = "…" if ellipsis else ""
    low, high = 0, len(text)  # binary search: a few measurements, not one per letter
    while low < high:
        middle = (low + high + 1) // 2
        if _width(pdf, text[:middle].rstrip() + mark, style) * size <= INNER:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + mark


def fit_name(pdf: FPDF, name: str) -> tuple[float, list[str]]:
    """The name's size and lines: one line as large as fits (up to the largest size); two
    lines, split at the space that balances them, once one line would be smaller than
    TWO_LINE_MAX and two lines are larger; at the smallest size still too long, the second
    line is cut with an ellipsis. Measured once per candidate, never drawn."""
    largest, smallest = NAME_LARGEST, NAME_SMALLEST
    size = min(largest, INNER / _width(pdf, name))
    if size >= TWO_LINE_MAX:
        return size, [name]
    words, best = name.split(" "), (size, [name])
    for split in range(1, len(words)):
        lines = [" ".join(words[:split]), " ".join(words[split:])]
        two = min(largest, INNER / max(_width(pdf, line) for line in lines))
        if two > best[0]:
            best = (two, lines)
    size, lines = best
    if size >= smallest:
        return size, lines
    first = _cut(pdf, name, smallest, ellipsis=False)
    if name[len(first):len(first) + 1] not in ("", " ") and " " in first:
        first = first.rpartition(" ")[0]  # break at the last space that fits, not in a word
    return smallest, [first.strip(), _cut(pdf, name[len(first):].strip(), smallest)]


def _one_line(pdf: FPDF, text: str, size: float, style: str = "") -> str:
    """A line of text cut with an ellipsis where it would leave the badge; the font set."""
    text = _cut(pdf, text, size, style)
    shape_for(pdf, text)
    pdf.set_font(BASE_FAMILY, style, size)
    return text


def draw_badge(pdf: FPDF, header: BadgeHeader, badge: Badge, x: float, y: float) -> None:
    """One badge with its top-left corner at (x, y)."""
    pdf.set_text_color(90, 90, 90)
    pdf.set_xy(x + MARGIN, y + MARGIN)
    pdf.cell(INNER, 5, _one_line(pdf, header.title, 10, "B"), align="C")
    pdf.set_xy(x + MARGIN, y + MARGIN + 5)
    pdf.cell(INNER, 4.5, _one_line(pdf, header.when_where, 8), align="C")
    pdf.set_draw_color(*BAND)
    pdf.set_line_width(0.6)
    pdf.line(x + MARGIN, y + 20, x + A6[0] - MARGIN, y + 20)

    size, lines = fit_name(pdf, badge.name)
    pdf.set_text_color(0, 0, 0)
    shape_for(pdf, badge.name)
    pdf.set_font(BASE_FAMILY, "B", size)
    height = size * PT * 1.15
    top = y + 26 + (2 * NAME_LARGEST * PT * 1.15 - height * len(lines)) / 2  # centred
    for number, line in enumerate(lines):
        pdf.set_xy(x + MARGIN, top + number * height)
        pdf.cell(INNER, height, line, align="C")
    facts_top = y + 53
    for text, font_size, style in ((badge.organisation, 13, "B"), (badge.region, 11, "")):
        if text:
            pdf.set_xy(x + MARGIN, facts_top)
            pdf.cell(INNER, 6, _one_line(pdf, text, font_size, style), align="C")
            facts_top += 7
    if badge.qr:  # none only for a registration without a ticket reference
        pdf.image(io.BytesIO(badge.qr), x=x + (A6[0] - QR_SIZE) / 2, y=y + 70, w=QR_SIZE,
                  h=QR_SIZE)
    pdf.set_fill_color(*BAND)
    pdf.rect(x + MARGIN, y + 116, INNER, 20, style="F")
    pdf.set_text_color(255, 255, 255)
    pdf.set_xy(x + MARGIN, y + 116)
    pdf.cell(INNER, 20, _one_line(pdf, badge.audience, 14, "B"), align="C")


def _cut_marks(pdf: FPDF) -> None:
    """Short marks where the sheet is cut (the middle of each side) and a cross at its
    centre; thin grey, inside the printable area."""
    pdf.set_draw_color(120, 120, 120)
    pdf.set_line_width(0.2)
    middle_x, middle_y = A4[0] / 2, A6[1]
    for y0, y1 in ((0, 6), (A4[1] - 7, A4[1] - 1)):
        pdf.line(middle_x, y0, middle_x, y1)
    for x0, x1 in ((0, 6), (A4[0] - 6, A4[0])):
        pdf.line(x0, middle_y, x1, middle_y)
    pdf.line(middle_x - 4, middle_y, middle_x + 4, middle_y)
    pdf.line(middle_x, middle_y - 4, middle_x, middle_y + 4)


def badges_pdf(header: BadgeHeader, badges: list[Badge], layout: str = "a6") -> bytes:
    """The badges as one PDF: one A6 page each ("a6"), or four to an A4 sheet ("a4")."""
    texts = [header.title, header.when_where]
    for badge in badges:
        texts += [badge.name, badge.organisation, badge.region, badge.audience]
    sheet = layout == "a4"
    pdf = new_pdf(texts, title=_("Badges · %(title)s", title=header.title),
                  page_format=A4 if sheet else A6)
    for number, badge in enumerate(badges):
        if not sheet:
            pdf.add_page()
            draw_badge(pdf, header, badge, 0, 0)
            continue
        if number % 4 == 0:
            pdf.add_page()
            _cut_marks(pdf)
        draw_badge(pdf, header, badge, (number % 2) * A6[0], (number % 4 // 2) * A6[1])
    return bytes(pdf.output())


def clean_badge(name, organisation, region, audience, code: str, qr: bytes) -> Badge:
    """A badge of cleaned text (see webapp.pdf.pdf_text); a blank name shows as a dash."""
    return Badge(pdf_text(name) or "—", pdf_text(organisation), pdf_text(region),
                 pdf_text(audience), code, qr)
