"""What the visa pages share: who may issue a forum's letters, and a letter's PDF."""

from __future__ import annotations

import json

from flask import abort, current_app, url_for
from flask_login import current_user

from webapp.models import Event, VisaLetter
from webapp.pdf import pdf_response
from webapp.tickets import qr_png
from webapp.visas.letter import letter_pdf
from webapp.visas.services import verification_code


def require_issuer(event: Event) -> None:
    """403 unless the secretariat or a coordinator of the forum's host region."""
    if not (current_user.is_secretariat or current_user.coordinates(event.host_region_id)):
        abort(403, description="Visa invitation letters are issued by the secretariat and "
                               "the coordinators of the host region.")


def verify_url(code: str | None = None) -> str:
    """The public verify page, on the site's own address (printed on the letter)."""
    path = url_for("visas.verify", code=code) if code else url_for("visas.verify")
    return current_app.config["BASE_URL"].rstrip("/") + path


def letter_response(letter: VisaLetter):
    """The letter as issued (its kept content), as a PDF."""
    code = verification_code(letter.reference)
    content = json.loads(letter.content_json)
    issued_on = letter.issued_at.date()
    return pdf_response(lambda: letter_pdf(
        content, reference=letter.reference, issued_on=issued_on, code=code,
        verify_url=verify_url(), qr=qr_png(verify_url(code))),
        f"visa-letter-{letter.reference}.pdf")
