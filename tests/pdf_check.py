"""Reading generated PDFs back: text (pypdf), page sizes, rendered pages (pdfium) and the
QR codes on them (zxing-cpp).

pypdf's text needs normalising before it is compared with what was printed:
- NFKC folds Arabic presentation forms (what shaping draws: ﻣﺤﻤﺪ) back to letters (محمد);
- pypdf reads fpdf2's CID-keyed CJK font (an embedded CMap) with a NUL before each
  character ("\\x00王\\x00小…"), so NULs are dropped; pdfium reads the same file cleanly;
- right-to-left words come out in visual order (the last word first), so a name counts as
  found when its words are found in either order."""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path

import pypdfium2
import zxingcpp
from pypdf import PdfReader

SCREENSHOTS = Path(__file__).resolve().parents[1] / "test-output" / "screenshots"
MM = 72 / 25.4  # points per mm


def normalised(text: str) -> str:
    """Text as compared: NFKC, no NULs or bidi controls, single spaces."""
    text = unicodedata.normalize("NFKC", text).replace("\x00", "")
    text = re.sub(r"[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]", "", text)
    return " ".join(text.split())


def pdf_texts(body: bytes) -> list[str]:
    """Each page's extracted text, normalised."""
    return [normalised(page.extract_text() or "") for page in PdfReader(io.BytesIO(body)).pages]


def shows(text: str, name: str) -> bool:
    """The page text shows the name: as written, or (right-to-left) its words reversed."""
    name = normalised(name)
    words = name.split()
    return name in text or " ".join(reversed(words)) in text


def page_sizes_mm(body: bytes) -> list[tuple[float, float]]:
    """Each page's width and height in mm, rounded to 0.5."""
    return [(round(float(page.mediabox.width) / MM * 2) / 2,
             round(float(page.mediabox.height) / MM * 2) / 2)
            for page in PdfReader(io.BytesIO(body)).pages]


def render(body: bytes, page: int = 0, scale: float = 3.0):
    """A page rendered by pdfium, as a PIL image."""
    document = pypdfium2.PdfDocument(body)
    try:
        return document[page].render(scale=scale).to_pil()
    finally:
        document.close()


def qr_codes(image) -> list[str]:
    """The texts of the QR codes zxing-cpp finds in an image."""
    return [result.text for result in zxingcpp.read_barcodes(image)]


def save_screenshot(image, name: str) -> Path:
    """Keep a rendered page under test-output/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    image.save(path)
    return path
