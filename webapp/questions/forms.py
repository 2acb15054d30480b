"""The secretariat's question form."""

from __future__ import annotations

from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from webapp.forms import AppForm, stripped
from webapp.models import QuestionAudience, QuestionKind
from webapp.questions.services import QuestionData
from webapp.questions.values import CELL_SEPARATOR

MOST_CHOICES = 50


class QuestionForm(AppForm):
    """A registration question: what is asked, of whom, and how it is answered."""

    label = StringField("Question", filters=[stripped], validators=[
        DataRequired(message="Write the question."), Length(max=200)])
    kind = SelectField("Kind of answer", choices=[(k.value, k.label) for k in QuestionKind],
                       default=QuestionKind.SHORT_TEXT.value)
    choices = TextAreaField("Choices (one per line)", validators=[Optional()])
    help_text = TextAreaField("Help text", filters=[stripped],
                              validators=[Optional(), Length(max=1000)])
    required = BooleanField("An answer is required")
    shown_at_door = BooleanField("Show the answer to the door staff at check-in")
    audience = SelectField("Asked on", choices=[(a.value, a.label) for a in QuestionAudience],
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
            raise ValidationError("Give at least two choices, one per line.")
        if len(choices) > MOST_CHOICES:
            raise ValidationError(f"Give at most {MOST_CHOICES} choices.")
        long = next((c for c in choices if len(c) > 200), None)
        if long:
            raise ValidationError(f"“{long[:30]}…” is too long: a choice has at most 200 "
                                  "characters.")
        if self.kind.data == QuestionKind.SEVERAL_CHOICES:
            bad = next((c for c in choices if CELL_SEPARATOR in c), None)
            if bad:
                raise ValidationError(f"“{bad[:40]}” holds “{CELL_SEPARATOR}”, which separates "
                                      "choices in spreadsheets: reword it.")

    def question_data(self) -> QuestionData:
        """The form as the service takes it."""
        return QuestionData(kind=QuestionKind(self.kind.data), label=self.label.data,
                            help_text=self.help_text.data, choices=self.choice_list(),
                            required=self.required.data,
                            audience=QuestionAudience(self.audience.data),
                            shown_at_door=self.shown_at_door.data)
