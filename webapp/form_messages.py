"""WTForms' own messages ("This field is required.") in the page's language."""

from __future__ import annotations

from flask_babel import get_translations, ngettext
from flask_babel import gettext as _
from flask_wtf.i18n import translations as wtforms_translations


class BuiltinMessages:
    """WTForms' own messages ("This field is required.") in the page's language: the app's
    catalog first (WTForms ships no Danish), else WTForms' catalog (Flask-WTF's i18n)."""

    def gettext(self, string: str) -> str:
        """One message."""
        ours = get_translations().ugettext(string)
        return ours if ours != string else wtforms_translations.gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """One message with a number (not yet put in: WTForms does that)."""
        ours = get_translations().ungettext(singular, plural, n)
        if ours not in (singular, plural):
            return ours
        return wtforms_translations.ngettext(singular, plural, n)


BUILTIN_MESSAGES = BuiltinMessages()


def _builtin_messages_for_the_catalog() -> None:  # pragma: no cover - never called
    """WTForms' messages that the app's forms can show, named here so that extraction puts
    them in the app's catalog (BuiltinMessages looks them up there first)."""
    _("This field is required.")
    _("Not a valid choice.")
    _("Not a valid integer value.")
    _("Number must be between %(min)s and %(max)s.")
    ngettext("Field cannot be longer than %(max)d character.",
             "Field cannot be longer than %(max)d characters.", 2)
