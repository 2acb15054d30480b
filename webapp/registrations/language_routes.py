"""The chooser on a person's registration page: the language of their pages and emails."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _

from webapp.extensions import db
from webapp.i18n import LANGUAGE_NAMES, use_language
from webapp.registrations import public_bp as bp
from webapp.registrations.language import choose_language, language_form
from webapp.registrations.public import _registration_or_error


@bp.app_template_global()
def registration_language_form(registration):
    """The chooser's form for templates/i18n/_language_form.html."""
    return language_form(registration)


@bp.post("/registration/<token>/language")
def set_language(token: str):
    """The person chooses the language of their pages and emails."""
    registration, error = _registration_or_error(token)
    if error:
        return error
    form = language_form(registration)
    if form.validate():
        if choose_language(registration, form.language.data):
            db.session.commit()
            use_language(registration.language)  # the message in the language just chosen
            flash(_("Saved: %(language)s is now the language of your pages and emails.",
                    language=LANGUAGE_NAMES[registration.language]), "success")
    else:
        flash(_("Choose one of the languages offered."), "error")
    return redirect(url_for("public_registration.manage", token=token))
