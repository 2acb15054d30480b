"""A form's question fields: one WTForms field per question, added to a form class.

Each field checks its answer with values.parse_answer (the CSV import's check too), so the
messages are the same everywhere; choices come from the question, a forged post's unknown
choice gets "not one of the choices offered"."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import Field, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import StopValidation
from wtforms.widgets import CheckboxInput, ListWidget

from webapp.models import Question, QuestionKind
from webapp.questions.answers import AnswerValues
from webapp.questions.values import AnswerError, parse_answer

PREFIX = "question_"
YES_NO = [("yes", _l("Yes")), ("no", _l("No"))]


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _checked_by(question: Question):
    """A validator: parse_answer's verdict on the field's data, as the field's error."""

    def check(_form, field: Field) -> None:
        try:
            field.parsed_answer = parse_answer(question, field.data)
        except AnswerError as exc:
            field.errors[:] = []
            raise StopValidation(str(exc)) from None

    # A flag of our own: WTForms' "required" would put the attribute on every checkbox.
    check.field_flags = {"question_required": True} if question.required else {}
    return check


def question_field(question: Question) -> Field:
    """The field asking this question (its label, help text and choices)."""
    options = {"label": question.label, "description": question.help_text or "",
               "validators": [_checked_by(question)]}
    kind = question.kind
    if kind is QuestionKind.LONG_TEXT:
        return TextAreaField(**options)
    if kind is QuestionKind.ONE_CHOICE:
        return RadioField(choices=[(c, c) for c in question.choice_list], validate_choice=False,
                          **options)
    if kind is QuestionKind.SEVERAL_CHOICES:
        return CheckboxesField(choices=[(c, c) for c in question.choice_list],
                               validate_choice=False, **options)
    if kind is QuestionKind.YES_NO:
        return RadioField(choices=YES_NO, validate_choice=False, **options)
    extra = {"render_kw": {"inputmode": "decimal"}} if kind is QuestionKind.NUMBER else {}
    return StringField(**options, **extra)


def with_questions(form_class: type, questions: list[Question]) -> type:
    """A subclass of `form_class` with a field per question (named question_<id>), after
    the form's own fields; `form.question_fields` lists them in the questions' order."""
    fields = {f"{PREFIX}{question.id}": question_field(question) for question in questions}
    subclass = type(form_class.__name__, (form_class,), fields)
    subclass.question_names = list(fields)
    return subclass


def question_fields(form) -> list[Field]:
    """The form's question fields, in order (none on a form without questions)."""
    return [form[name] for name in getattr(form, "question_names", [])]


def form_answers(form) -> AnswerValues:
    """question id → answer to store (None: left blank), from a validated form."""
    return {int(field.name.removeprefix(PREFIX)): getattr(field, "parsed_answer", None)
            for field in question_fields(form)}


def answers_as_data(questions: list[Question], stored: dict[int, str]) -> dict[str, object]:
    """Stored answers as a form's `data=` (several choices: the list), to pre-fill it."""
    data: dict[str, object] = {}
    for question in questions:
        value = stored.get(question.id)
        if value is not None:
            several = question.kind is QuestionKind.SEVERAL_CHOICES
            data[f"{PREFIX}{question.id}"] = value.split("\n") if several else value
    return data
