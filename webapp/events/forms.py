"""Forms of the event pages: confirming or cancelling an event."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, TextAreaField
from wtforms.validators import AnyOf, Length, ValidationError

from webapp.forms import AppForm

CONFIRM, CANCEL = "confirm", "cancel"


class EventStatusForm(AppForm):
    """Confirm (a note is optional) or cancel (a reason is required) an event; posted once
    to be asked, then again with `confirmed` to do it."""

    action = HiddenField(validators=[AnyOf((CONFIRM, CANCEL), message=_l("Choose what to do."))])
    reason = TextAreaField(_l("Reason"), validators=[Length(max=500)])
    confirmed = HiddenField()

    def validate_reason(self, field) -> None:
        """A cancellation says why: the reason goes to everyone registered."""
        if self.action.data == CANCEL and not (field.data or "").strip():
            raise ValidationError(_("Give a reason: it is sent to everyone registered."))

    @property
    def reason_text(self) -> str:
        """The reason, trimmed."""
        return (self.reason.data or "").strip()
