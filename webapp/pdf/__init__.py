"""PDF documents (badges, visa invitation letters): fpdf2 with Debian's Noto fonts, every
script shaped by HarfBuzz.

Fonts are looked up in the folders of the PDF_FONT_DIRS setting; a missing one stops the
document with FontsMissing (a message for the page), never a traceback. Each document
embeds each font once, subset to the glyphs it uses; the fonts for Kannada, Arabic and
Chinese/Japanese/Korean join only when the document's text needs them (the CJK collection
alone takes most of a second to open)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from flask import Response, abort, current_app
from fpdf import FPDF

from webapp.clock import now
from webapp.config import DEFAULT_PDF_FONT_DIRS
from webapp.text import one_line

BASE_FAMILY = "NotoSans"
# family → ((style, file, face in a collection), ...); the base family first.
FONTS = {
    BASE_FAMILY: (("", "NotoSans-Regular.ttf", 0), ("B", "NotoSans-Bold.ttf", 0)),
    "NotoKannada": (("", "NotoSansKannada-Regular.ttf", 0),
                    ("B", "NotoSansKannada-Bold.ttf", 0)),
    "NotoArabic": (("", "NotoNaskhArabic-Regular.ttf", 0), ("B", "NotoNaskhArabic-Bold.ttf", 0)),
    # Face 2 of the collections is "Noto Sans CJK SC"; every face holds Han, kana and Hangul.
    "NotoCJK": (("", "NotoSansCJK-Regular.ttc", 2), ("B", "NotoSansCJK-Bold.ttc", 2)),
}
# Which fallback family a character calls for (HarfBuzz shapes each run in its font).
SCRIPTS = {
    "NotoKannada": re.compile(r"[\u0c80-\u0cff]"),
    "NotoArabic": re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff"
                             r"\ufe70-\ufeff]"),
    "NotoCJK": re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef"
                          r"\U00020000-\U0003134f]"),
}
# Bidirectional controls: an RLO (U+202E) in a name would show the rest of the badge
# backwards. Shaping still orders Arabic right to left by itself, so they can all go.
BIDI_CONTROLS = re.compile(r"[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
INSTALL_HINT = ("Install the Debian packages fonts-noto-core and fonts-noto-cjk, or point "
                "PDF_FONT_DIRS at the folders that hold these files.")


class FontsMissing(Exception):
    """The fonts a PDF needs are not on this machine; the message says which and what to do."""


def pdf_text(value: object) -> str:
    """Text as a PDF shows it, literally: on one line, without control or bidi-override
    characters (fpdf2 writes glyph ids, so no text can break out into PDF syntax)."""
    return BIDI_CONTROLS.sub("", one_line(None if value is None else str(value)))


def pdf_lines(value: str | None, limit: int = 12) -> list[str]:
    """A multi-line text (an address block) as at most `limit` cleaned lines, blanks kept
    between paragraphs but not at either end."""
    lines = [pdf_text(line) for line in (value or "").splitlines()][:limit]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return lines


def font_dirs() -> list[Path]:
    """The folders PDF_FONT_DIRS names (colon-separated), or Debian's Noto folders."""
    raw = current_app.config.get("PDF_FONT_DIRS") or DEFAULT_PDF_FONT_DIRS
    return [Path(part) for part in str(raw).split(":") if part.strip()]


def find_font(filename: str, dirs: list[Path]) -> Path | None:
    """The first folder's copy of a font file."""
    return next((folder / filename for folder in dirs if (folder / filename).is_file()), None)


def families_for(texts: Iterable[str]) -> list[str]:
    """The fallback families a document's texts call for, in FONTS' order."""
    needed: set[str] = set()
    for text in texts:
        for family, pattern in SCRIPTS.items():
            if family not in needed and pattern.search(text):
                needed.add(family)
        if len(needed) == len(SCRIPTS):
            break
    return [family for family in SCRIPTS if family in needed]


def check_fonts(families: Iterable[str] = FONTS) -> dict[str, list[tuple[str, Path, int]]]:
    """Each family's (style, path, face) on this machine, or FontsMissing naming the files."""
    dirs, found, missing = font_dirs(), {}, []
    for family in families:
        found[family] = []
        for style, filename, face in FONTS[family]:
            path = find_font(filename, dirs)
            if path is None:
                missing.append(filename)
            else:
                found[family].append((style, path, face))
    if missing:
        raise FontsMissing(
            "PDFs cannot be made on this server: the font files "
            f"{', '.join(missing)} are not in {':'.join(str(d) for d in dirs)}. {INSTALL_HINT}")
    return found


def new_pdf(texts: Iterable[str], *, title: str, page_format, unit: str = "mm") -> FPDF:
    """An fpdf2 document with the base font and the fallbacks `texts` need (text shaping is
    switched per text by shape_for), dated by the app's clock, without automatic page
    breaks (layouts place everything)."""
    fallbacks = families_for(texts)
    fonts = check_fonts([BASE_FAMILY, *fallbacks])
    pdf = FPDF(unit=unit, format=page_format)
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.creation_date = now()
    pdf.set_title(pdf_text(title))
    pdf.set_creator("Districts of Creativity")
    for family, files in fonts.items():
        for style, path, face in files:
            pdf.add_font(family, style, str(path), collection_font_number=face)
    if fallbacks:
        pdf.set_fallback_fonts(fallbacks)
    return pdf


# Scripts whose letters change shape or order in context (HarfBuzz needed); Latin, Greek,
# Cyrillic and Han are drawn letter by letter from the font's own widths, many times faster.
COMPLEX = re.compile(r"[\u0300-\u036f\u0590-\u08ff\u0900-\u0dff\u0e00-\u0fff\u1000-\u109f"
                     r"\u1780-\u17ff\u200c\u200d\ufb1d-\ufdff\ufe70-\ufeff]")


def shape_for(pdf: FPDF, text: str) -> None:
    """Text shaping on for a text in a complex script, off otherwise (before drawing or
    measuring it)."""
    if COMPLEX.search(text):
        if pdf.text_shaping is None:
            pdf.set_text_shaping(True)
    elif pdf.text_shaping is not None:
        pdf.set_text_shaping(False)


def pdf_response(build, filename: str) -> Response:
    """The PDF `build()` makes, shown in the browser under `filename`; missing fonts give
    the error page (503) with what to install, not a traceback."""
    try:
        body = build()
    except FontsMissing as exc:
        current_app.logger.error("%s", exc)
        abort(503, description=str(exc))
    return Response(body, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "no-store"})
