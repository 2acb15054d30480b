"""Tickets: the signed, unguessable code each registration's QR holds, and its images.

A code names a registration's random ticket reference (never its id or email) and carries a
signature, so a code that was not issued here is refused before the database is asked. The
registration's status, event and check-in decide whether the code admits anyone.
"""

from __future__ import annotations

import functools
import io
import secrets

import segno
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

PURPOSE = "doc-ticket"
# The prefix tells a person reading the code (or a scanner log) what it is.
PREFIX = "DOC1."


class TicketCodeError(Exception):
    """A scanned or typed code that is not one of ours; the message is safe to show."""


def new_ticket_ref() -> str:
    """A fresh random reference for a registration's ticket (stored, never derived)."""
    return secrets.token_urlsafe(12)


@functools.lru_cache(maxsize=4)
def _serializer(secret_key: str | bytes) -> URLSafeSerializer:
    """One serializer per key, with the tickets' own salt (no other signed value passes)."""
    return URLSafeSerializer(secret_key, salt=PURPOSE)


def ticket_code(ticket_ref: str) -> str:
    """The text the ticket's QR holds for a registration's reference."""
    return PREFIX + _serializer(current_app.config["SECRET_KEY"]).dumps(ticket_ref)


def read_ticket_code(code: str) -> str:
    """The ticket reference a code names, or TicketCodeError when the code is not ours."""
    code = (code or "").strip()
    if not code.startswith(PREFIX):
        raise TicketCodeError("Unknown code: this is not a ticket of ours.")
    try:
        ref = _serializer(current_app.config["SECRET_KEY"]).loads(code.removeprefix(PREFIX))
    except BadSignature:
        raise TicketCodeError("Unknown code: this ticket was not issued here.") from None
    if not isinstance(ref, str) or not ref:
        raise TicketCodeError("Unknown code: this ticket was not issued here.")
    return ref


def _qr(code: str, mask: int | None = None) -> segno.QRCode:
    """The QR symbol for a code: medium error correction survives a scuffed badge. Any mask
    reads the same; choosing the best one (None) takes most of the time of a symbol."""
    return segno.make_qr(code, error="m", mask=mask)


def qr_svg(code: str, scale: int = 4) -> str:
    """The QR as an inline SVG document (pages, printable ticket)."""
    buffer = io.BytesIO()
    _qr(code).save(buffer, kind="svg", scale=scale, border=2, xmldecl=False, svgns=True,
                   title="Ticket QR code")
    return buffer.getvalue().decode("utf-8")


def qr_png(code: str, scale: int = 6, *, mask: int | None = None) -> bytes:
    """The QR as a PNG image (emails, where mail clients show attached images; PDFs). A
    fixed `mask` makes it about three times faster (thousands of badges in one PDF)."""
    buffer = io.BytesIO()
    _qr(code, mask).save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()
