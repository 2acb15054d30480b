"""A registrant's language: kept with the registration, chosen on their signed pages (the
chooser's form, language_routes.py, or the switcher's ?lang= links), and used for those
pages and every later email to them (webapp.registrations.notifications)."""

from __future__ import annotations

from flask import has_request_context, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import SelectField

from webapp.auth.services import record_audit
from webapp.extensions import db
from webapp.forms import AppForm
from webapp.i18n import (
    LANGUAGE_NAMES,
    SESSION_KEY,
    available_languages,
    supported,
    use_forum_language,
    use_language,
)
from webapp.models import Registration


class LanguageForm(AppForm):
    """The language a person's pages and emails are written in."""

    language = SelectField(_l("Language"), choices=[])


def language_form(registration: Registration) -> LanguageForm:
    """The chooser, offering the page's languages, with the person's current one chosen."""
    form = LanguageForm(formdata=None if request.method == "GET" else request.form,
                        data={"language": registration.language or str(get_locale())})
    form.language.choices = [(code, LANGUAGE_NAMES[code]) for code in available_languages()]
    return form


def _named(code: str | None) -> str:
    """'Deutsch', or 'none' for a registration that never chose."""
    return LANGUAGE_NAMES.get(code or "", "none")


def choose_language(registration: Registration, code: str) -> bool:
    """Keep `code` as the person's language (audited); False when it was theirs already.
    Adds, never commits."""
    if registration.language == code:
        return False
    record_audit(None, "registration.language_changed", registration,
                 f"{registration.person.email} ({registration.event.title}) chose "
                 f"{_named(code)} for their pages and emails (was {_named(registration.language)})")
    registration.language = code
    return True


def follow_registration_language(registration: Registration) -> None:
    """A page of the person's signed link: a ?lang= choice on it (the switcher's links) is
    kept as theirs; then the page is written in their language, else their forum's."""
    if not has_request_context():
        return
    chosen = supported(request.args.get(SESSION_KEY))
    if chosen and choose_language(registration, chosen):
        # A link, not a form: the choice is a preference with no effect on anything else,
        # and the switcher must work on every page of the link (their saved choice would
        # otherwise beat the ?lang= the switcher adds).
        db.session.commit()
    use_forum_language(registration.event.default_language)
    use_language(registration.language)
