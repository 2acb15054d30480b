"""The visa invitation letter as PDF (A4): a pure builder from what the letter says (as
kept when it was issued) to bytes.

The forum's letterhead text gives the issuer: its first paragraph (organisation, address)
heads the letter, its last paragraph (after an empty line: the signatory's name and title)
stands under the signature line. The foot carries the signed verification reference and a
QR code of the public page that checks it."""

from __future__ import annotations

import io
from datetime import date

from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from fpdf import FPDF

from webapp.pdf import BASE_FAMILY, new_pdf, pdf_lines, pdf_text, shape_for

A4 = (210.0, 297.0)
MARGIN = 22.0
WIDTH = A4[0] - 2 * MARGIN
LABEL_WIDTH = 52.0
FACTS = (("holder", _l("Full name (as in passport)")), ("nationality", _l("Nationality")),
         ("passport_number", _l("Passport number")), ("birth_date", _l("Date of birth")),
         ("expiry_date", _l("Passport valid until")))


def paragraphs(text: str | None) -> list[list[str]]:
    """A multi-line text as paragraphs of cleaned lines (split at empty lines)."""
    groups: list[list[str]] = [[]]
    for line in pdf_lines(text, limit=20):
        if line:
            groups[-1].append(line)
        elif groups[-1]:
            groups.append([])
    return [group for group in groups if group]


def _write(pdf: FPDF, text: str, size: float = 11, style: str = "", *, height: float = 5.6,
           width: float = 0, align: str = "L") -> None:
    """A paragraph from the current position, wrapped, shaped when its script needs it."""
    shape_for(pdf, text)
    pdf.set_font(BASE_FAMILY, style, size)
    pdf.multi_cell(width or WIDTH, height, text, align=align, new_x="LMARGIN", new_y="NEXT")


def _day(day: date) -> str:
    """'4 March 1990' in English; in another language its own long form ('4. marts 1990')."""
    locale = get_locale()
    if locale is None or locale.language == "en":
        return f"{day.day} {day:%B %Y}"
    return format_date(day, "long")


def _long_date(iso: str) -> str:
    """'1990-03-04' → '4 March 1990'."""
    return _day(date.fromisoformat(iso))


def letter_texts(content: dict) -> list[str]:
    """Every text the letter prints (to choose its fonts)."""
    return [str(value) for value in content.values()]


def letter_pdf(content: dict, *, reference: str, issued_on: date, code: str,
               verify_url: str, qr: bytes) -> bytes:
    """The letter: letterhead, reference and date, the invitation, the passport details,
    the signature block, and the verification foot."""
    text = {key: pdf_text(value) for key, value in content.items() if key != "letterhead"}
    head = paragraphs(content.get("letterhead"))
    issuer = head[0][0] if head else text.get("host", "")
    signatory = head[-1] if len(head) > 1 else [issuer]
    who = text["holder"]
    if text.get("job_title"):
        who += f", {text['job_title']}"
    if text.get("organisation"):
        who += f", {text['organisation']}"
    where = text["place"] + (f" ({text['venue']})" if text.get("venue") else "")
    # The letter's own words, in the language of the request (their script picks the fonts).
    words = {
        "reference": _("Reference: %(reference)s", reference=reference),
        "date": _("Date: %(date)s", date=_day(issued_on)),
        "heading": _("Invitation letter for a visa application"),
        "greeting": _("To whom it may concern,"),
        "invitation": _("%(issuer)s invites %(who)s, to attend %(forum)s, held in %(where)s on "
                        "%(dates)s. The registration of %(holder)s for the forum is confirmed.",
                        issuer=issuer, who=who, forum=text["forum"], where=where,
                        dates=text["dates"], holder=text["holder"]),
        "request": _("We kindly ask you to grant %(holder)s a visa for the duration of the "
                     "forum. This letter is issued for the visa application only; it does not "
                     "commit %(issuer)s to pay for travel, accommodation or other costs.",
                     holder=text["holder"], issuer=issuer),
        "closing": _("Yours faithfully,"),
        "verification": _("Verification reference"),
        "check": _("Anyone can check that this letter is genuine at %(url)s "
                   "(or by scanning the code).", url=verify_url),
    }
    labels = {key: str(label) for key, label in FACTS}
    pdf = new_pdf([*letter_texts(content), code, verify_url, *words.values(), *labels.values()],
                  title=_("Visa invitation letter %(reference)s", reference=reference),
                  page_format=A4)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=MARGIN)
    pdf.add_page()

    if head:
        _write(pdf, head[0][0], 15, "B", height=7)
        for line in head[0][1:]:
            _write(pdf, line, 10, height=4.8)
    pdf.set_draw_color(0, 83, 143)
    pdf.set_line_width(0.5)
    pdf.line(MARGIN, pdf.get_y() + 3, A4[0] - MARGIN, pdf.get_y() + 3)
    pdf.ln(9)
    _write(pdf, words["reference"], 10, align="R")
    _write(pdf, words["date"], 10, align="R")
    pdf.ln(6)
    _write(pdf, words["heading"], 14, "B", height=7)
    pdf.ln(3)
    _write(pdf, words["greeting"])
    pdf.ln(2)
    _write(pdf, words["invitation"])
    pdf.ln(3)
    for key, label in labels.items():
        value = _long_date(text[key]) if key.endswith("_date") else text[key]
        top = pdf.get_y()
        pdf.set_font(BASE_FAMILY, "B", 10.5)
        pdf.set_text_shaping(False)
        pdf.cell(LABEL_WIDTH, 6, label)
        pdf.set_xy(MARGIN + LABEL_WIDTH, top)
        _write(pdf, value, 10.5, height=6, width=WIDTH - LABEL_WIDTH)
    pdf.ln(3)
    _write(pdf, words["request"])
    pdf.ln(4)
    _write(pdf, words["closing"])
    pdf.ln(16)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_line_width(0.3)
    pdf.line(MARGIN, pdf.get_y(), MARGIN + 70, pdf.get_y())
    pdf.ln(2)
    for number, line in enumerate(signatory):
        _write(pdf, line, 10.5, "B" if number == 0 else "", height=5)

    if pdf.get_y() > A4[1] - MARGIN - 34:
        pdf.add_page()
    foot = A4[1] - MARGIN - 28
    pdf.image(io.BytesIO(qr), x=A4[0] - MARGIN - 26, y=foot, w=26, h=26)
    pdf.set_xy(MARGIN, foot + 2)
    pdf.set_text_color(70, 70, 70)
    _write(pdf, words["verification"], 9, "B", height=4.5, width=WIDTH - 32)
    _write(pdf, code, 9, height=4.5, width=WIDTH - 32)
    _write(pdf, words["check"], 8.5, height=4.2, width=WIDTH - 32)
    return bytes(pdf.output())
