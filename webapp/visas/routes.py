"""Staff pages: a forum's visa letter requests and issued letters; issuing; downloading."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.auth.access import require_role
from webapp.extensions import db
from webapp.loaders import get_forum_event, get_registration
from webapp.models import Registration, Role, VisaLetter
from webapp.visas import bp
from webapp.visas.common import letter_response, require_issuer
from webapp.visas.services import LetterError, forum_requests, issue_letter

staff_only = require_role(Role.SECRETARIAT, Role.COORDINATOR)


@bp.get("/events/<int:event_id>/visa-letters")
@staff_only
def letters(event_id: int):
    """Who asked for a letter (gave passport details), and every letter issued: to whom,
    when, by whom, its reference, to download again."""
    event = get_forum_event(event_id)
    require_issuer(event)
    return render_template("visas/letters.html", event=event, requests=forum_requests(event))


@bp.post("/registrations/<int:registration_id>/visa-letter")
@staff_only
def issue(registration_id: int):
    """Issue a letter from the registration's current passport details."""
    registration = get_registration(registration_id)
    require_issuer(registration.event)
    try:
        letter = issue_letter(registration, current_user._get_current_object())
        db.session.commit()
        flash(_("Letter %(reference)s issued to %(name)s.", reference=letter.reference,
                name=registration.name), "success")
    except LetterError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    return redirect(url_for("visas.letters", event_id=registration.event_id))


@bp.get("/visa-letters/<int:letter_id>.pdf")
@staff_only
def download(letter_id: int):
    """An issued letter again, as it was issued."""
    letter = db.one_or_404(
        sa.select(VisaLetter).where(VisaLetter.id == letter_id),
        description=_("There is no visa letter number %(n)s.", n=letter_id))
    registration = db.session.get(Registration, letter.registration_id)
    require_issuer(registration.event)
    return letter_response(letter)
