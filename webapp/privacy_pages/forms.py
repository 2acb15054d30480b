"""The forms of the personal data pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length

from webapp.forms import AppForm, stripped

LONGEST_NOTICE = 20_000


class NoticeForm(AppForm):
    """The privacy notice's text, as the secretariat writes it."""

    text = TextAreaField(
        _l("Text of the notice"), filters=[stripped],
        validators=[DataRequired(_l("Write the notice: people must be told what is kept and "
                                    "why.")),
                    Length(max=LONGEST_NOTICE, message=_l(
                        "The notice is too long: shorten it to %(longest)s characters.",
                        longest=f"{LONGEST_NOTICE:,}"))])


class AskErasureForm(AppForm):
    """The person's confirmation that they want their data erased."""

    # "yes" from the confirmation page's button: a post without it only asks the question.
    confirmed = HiddenField()


class RefuseForm(AppForm):
    """The secretariat refuses a request and says why."""

    reason = TextAreaField(
        _l("Reason (the person is shown it)"), filters=[stripped],
        validators=[DataRequired(_l("Give the reason for refusing: the person is shown it.")),
                    Length(max=1000, message=_l("Shorten the reason to 1,000 characters."))])


class EmptyForm(AppForm):
    """A button that posts (CSRF only)."""
