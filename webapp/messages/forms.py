"""The compose form: to whom (one of the registry's selections), subject and text."""

from __future__ import annotations

import re
import secrets

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from webapp.forms import AppForm, stripped
from webapp.messages.placeholders import allowed, unknown_message, unknown_placeholders
from webapp.models import MessageScope

KEY_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,64}")


def new_send_key() -> str:
    """A fresh random key for one compose form (sent back with every submit of it)."""
    return secrets.token_urlsafe(24)


class MessageForm(AppForm):
    """Subject and text with placeholders; the selection's choices are set per event. A
    subject is one line: a line break in it is refused (AppForm), never sent as a header."""

    to = SelectField(_l("To"), choices=[], validate_choice=True)
    subject = StringField(_l("Subject"), filters=[stripped], validators=[
        InputRequired(message=_l("Give the message a subject.")), Length(max=200)])
    body = TextAreaField(_l("Message"), validators=[
        InputRequired(message=_l("Write the message.")), Length(max=20_000)],
        render_kw={"rows": 12})
    send_key = HiddenField()
    shown_count = HiddenField()

    def __init__(self, *args, scope: MessageScope, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.scope = scope
        if not KEY_SHAPE.fullmatch(self.send_key.data or ""):
            self.send_key.data = new_send_key()

    def validate_subject(self, field) -> None:
        """Only {name}, {forum} (and {mission}) in a subject: links belong in the text."""
        known = allowed(self.scope, in_subject=True)
        if unknown := unknown_placeholders(field.data or "", known):
            raise ValidationError(unknown_message(unknown, known))

    def validate_body(self, field) -> None:
        """Every {…} must be a placeholder of the scope (a typo would reach everyone)."""
        known = allowed(self.scope)
        if unknown := unknown_placeholders(field.data or "", known):
            raise ValidationError(unknown_message(unknown, known))
