"""The registrant's side (through their signed registration link): passport details and
their letter; and the public page that says whether a letter is genuine."""

from __future__ import annotations

import json

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from webapp.auth.services import record_audit
from webapp.calendars.services import personal_feed_urls
from webapp.extensions import db
from webapp.models import PassportDetails, Registration, VisaLetter
from webapp.registrations.common import audience_labels
from webapp.registrations.forms import DetailsForm
from webapp.registrations.tokens import RegistrationLinkError, read_registration_token
from webapp.visas import bp
from webapp.visas.common import letter_response
from webapp.visas.forms import PassportForm, VerifyForm
from webapp.visas.services import (
    issuer_name,
    latest_letter,
    read_verification_code,
    save_passport_details,
)

FIELDS = ("full_name", "nationality", "passport_number", "birth_date", "expiry_date")


def _registration(token: str) -> Registration:
    """The registration a signed link names, or the 'link not valid' page (400)."""
    try:
        return read_registration_token(token)
    except RegistrationLinkError as exc:
        abort(400, description=str(exc))


def passport_form(registration: Registration, form: PassportForm | None = None) -> dict:
    """What the registration page's visa section shows: the form (pre-filled from the
    saved details unless a sent one is given back with its errors) and the latest letter."""
    details = db.session.scalar(sa.select(PassportDetails)
                                .where(PassportDetails.registration_id == registration.id))
    if form is None:
        form = PassportForm(formdata=None, obj=details)
    return {"form": form, "details": details, "letter": latest_letter(registration.id)}


@bp.app_template_global("visa_section")
def visa_section(registration: Registration, form: PassportForm | None = None) -> dict:
    """The template global the registration page's visa partial reads."""
    return passport_form(registration, form or None)


@bp.post("/registration/<token>/passport")
def passport(token: str):
    """Save the passport details a letter needs; giving them asks for the letter."""
    registration = _registration(token)
    manage_url = url_for("public_registration.manage", token=token)
    if not registration.is_active:
        return redirect(manage_url)
    form = PassportForm()
    form.last_day = registration.event.local_end.date()
    if form.validate():
        changed = save_passport_details(registration, {name: getattr(form, name).data
                                                       for name in FIELDS})
        if changed:
            record_audit(None, "visa.passport_details", registration,
                         f"{registration.person.email} gave passport details for a visa "
                         f"invitation letter to {registration.event.title} "
                         f"({', '.join(changed)})")
        db.session.commit()
        flash(_("Passport details saved: the organisers will issue your invitation letter.")
              if changed else _("Nothing changed."), "success")
        return redirect(manage_url + "#visa")
    person = registration.person
    return render_template(
        "registrations/manage.html", registration=registration, event=registration.event,
        form=DetailsForm(obj=person, formdata=None), token=token,
        feed=personal_feed_urls(person), passport_form=form,
        labels=audience_labels(registration.event, one_person=True)), 400


@bp.get("/registration/<token>/visa-letter.pdf")
def own_letter(token: str):
    """The registrant's newest letter."""
    registration = _registration(token)
    letter = latest_letter(registration.id)
    if letter is None:
        abort(404, description=_("No invitation letter has been issued to you yet."))
    return letter_response(letter)


@bp.get("/visa-letters/verify")
def verify():
    """Is a letter genuine? Says so, and for whom (names only, never passport details)."""
    form = VerifyForm(request.args)
    code = form.data["code"] if form.validate() else None
    letter = None
    if code:
        reference = read_verification_code(code)
        if reference:
            letter = db.session.scalars(sa.select(VisaLetter)
                                        .where(VisaLetter.reference == reference)).first()
    content = json.loads(letter.content_json) if letter else {}
    return render_template("visas/verify.html", form=form, code=code, letter=letter,
                           content=content, issuer=issuer_name(content) if letter else "")
