"""The secretariat's question form."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from webapp.forms import AppForm, stripped
from webapp.models import QuestionAudience, QuestionKind
from webapp.questions.services import AUDIENCE_WORDS, KIND_WORDS, QuestionData
from webapp.questions.values import CELL_SEPARATOR

MOST_CHOICES = 50


class QuestionForm(AppForm):
    """A registration question: what is asked, of whom, and how it is answered."""

    label = StringField(_l("Question"), filters=[stripped], validators=[
        DataRequired(message=_l("Write the question.")), Length(max=200)])
    kind = SelectField(_l("Kind of answer"),
                       choices=[(k.value, KIND_WORDS[k]) for k in QuestionKind],
                       default=QuestionKind.SHORT_TEXT.value)
    choices = TextAreaField(_l("Choices (one per line)"), validators=[Optional()])
    help_text = TextAreaField(_l("Help text"), filters=[stripped],
                              validators=[Optional(), Length(max=1000)])
    required = BooleanField(_l("An answer is required"))
    shown_at_door = BooleanField(_l("Show the answer to the door staff at check-in"))
    audience = SelectField(_l("Asked on"),
                           choices=[(a.value, AUDIENCE_WORDS[a]) for a in QuestionAudience],
                           default=QuestionAudience.BOTH.value)

    def choice_list(self) -> list[str]:
        """The choices typed, one per line, blanks and repeats left out."""
        seen: list[str] = []
        for line in (self.choices.data or "").splitlines():
            choice = " ".join(line.split())
            if choice and choice.casefold() not in {s.casefold() for s in seen}:
                seen.append(choice)
        return seen

    def validate_choices(self, field) -> None:
        """Choice questions list two choices or more, each a short line."""
        if self.kind.data not in (QuestionKind.ONE_CHOICE, QuestionKind.SEVERAL_CHOICES):
            return
        choices = self.choice_list()
        if len(choices) < 2:
            raise ValidationError(_("Give at least two choices, one per line."))
        if len(choices) > MOST_CHOICES:
            raise ValidationError(_("Give at most %(n)s choices.", n=MOST_CHOICES))
        long = next((c for c in choices if len(c) > 200), None)
        if long:
            raise ValidationError(_("“%(choice)s…” is too long: a choice has at most 200 "
                                    "characters.", choice=long[:30]))
        if self.kind.data == QuestionKind.SEVERAL_CHOICES:
            bad = next((c for c in choices if CELL_SEPARATOR in c), None)
            if bad:
                raise ValidationError(_("“%(choice)s” holds “%(separator)s”, which separates "
                                        "choices in spreadsheets: reword it.",
                                        choice=bad[:40], separator=CELL_SEPARATOR))

    def question_data(self) -> QuestionData:
        """The form as the service takes it."""
        return QuestionData(kind=QuestionKind(self.kind.data), label=self.label.data,
                            help_text=self.help_text.data, choices=self.choice_list(),
                            required=self.required.data,
                            audience=QuestionAudience(self.audience.data),
                            shown_at_door=self.shown_at_door.data)
