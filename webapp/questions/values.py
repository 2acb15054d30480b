"""Answers as text: what a form or a spreadsheet cell gives, checked and stored in one shape.

The public form, the delegates' form, the CSV import and the signed registration page all
read answers through `parse_answer`, so each gives the same messages. Stored shapes: the text
typed, the choice as offered, "yes" or "no", the number in plain digits ("3.5"), several
choices one per line in the order offered."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webapp.filters import number
from webapp.forms import LINE_BREAK, control_character
from webapp.models import Question, QuestionKind

LONGEST = {QuestionKind.SHORT_TEXT: 200, QuestionKind.LONG_TEXT: 2000}
LARGEST_NUMBER = Decimal(10) ** 9
YES = {"yes", "y", "true", "1", "x", "ja", "oui"}
NO = {"no", "n", "false", "0", "nej", "non"}
# Several choices in one spreadsheet cell: "Design; Music". A choice may not hold it.
CELL_SEPARATOR = ";"
ANSWER_NEEDED = _l("This question needs an answer.")


class AnswerError(ValueError):
    """An answer that cannot be taken; the message says why, to the person who gave it."""


def _quoted(text: str) -> str:
    """Typed text to echo in a message, cut short."""
    return f"“{text[:40]}…”" if len(text) > 40 else f"“{text}”"


def _offered(question: Question, given: str) -> str:
    """The choice offered that `given` names (case and spaces aside), as offered."""
    wanted = " ".join(given.split()).casefold()
    for choice in question.choice_list:
        if " ".join(choice.split()).casefold() == wanted:
            return choice
    raise AnswerError(_("%(given)s is not one of the choices offered.", given=_quoted(given)))


def _number(text: str) -> str:
    """A number in digits, a decimal comma taken as a point: "3,5" → "3.5"."""
    plain = text.replace(" ", "").replace("\u00a0", "")
    if "," in plain and "." not in plain:
        plain = plain.replace(",", ".")
    try:
        number = Decimal(plain)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or "e" in plain.lower():
        raise AnswerError(_("%(text)s is not a number: give digits, such as 42 or 3.5.",
                            text=_quoted(text)))
    if abs(number) >= LARGEST_NUMBER:
        raise AnswerError(_("Give a number below 1,000,000,000."))
    if -number.as_tuple().exponent > 6:
        raise AnswerError(_("Give at most 6 digits after the decimal point."))
    shown = f"{number.normalize():f}"
    return "0" if shown in ("-0", "") else shown


def parse_answer(question: Question, given: str | Iterable[str] | None) -> str | None:
    """The answer to store for `given` (a text, or the choices ticked), None when none was
    given; AnswerError when it cannot be taken or a required question is left blank."""
    kind = question.kind
    if given is None or isinstance(given, str):
        text = (given or "").strip()
        if kind is QuestionKind.SEVERAL_CHOICES:
            picked = [part.strip() for part in text.split(CELL_SEPARATOR) if part.strip()]
        else:
            picked = [text] if text else []
    else:
        picked = [str(item).strip() for item in given if str(item).strip()]
        text = "\n".join(picked)
    if not picked:
        if question.required:
            raise AnswerError(str(ANSWER_NEEDED))
        return None
    character = next((c for c in map(control_character, picked) if c), None)
    if character is not None:
        raise AnswerError(_("This answer holds an invisible control character (U+%(code)s); "
                            "retype it without.", code=f"{ord(character):04X}"))
    if kind in LONGEST:
        if kind is QuestionKind.SHORT_TEXT and LINE_BREAK.search(text):
            raise AnswerError(_("This answer takes a single line: remove the line break."))
        if len(text) > LONGEST[kind]:
            raise AnswerError(_("This answer is %(length)s characters long; shorten it to "
                                "%(longest)s at most.", length=number(len(text)),
                                longest=number(LONGEST[kind])))
        return text
    if kind is QuestionKind.YES_NO:
        word = text.casefold()
        if word in YES or word in NO:
            return "yes" if word in YES else "no"
        raise AnswerError(_("%(text)s: answer yes or no.", text=_quoted(text)))
    if kind is QuestionKind.NUMBER:
        return _number(text)
    if kind is QuestionKind.ONE_CHOICE:
        if len(picked) > 1:
            raise AnswerError(_("Choose one answer only."))
        return _offered(question, text)
    chosen = {_offered(question, item) for item in picked}
    return "\n".join(choice for choice in question.choice_list if choice in chosen)


def answer_parts(kind: QuestionKind, stored: str | None) -> list[str]:
    """A stored answer as the list of what was chosen or given (several choices: each)."""
    if not stored:
        return []
    return stored.split("\n") if kind is QuestionKind.SEVERAL_CHOICES else [stored]


def shown_answer(kind: QuestionKind, stored: str | None) -> str:
    """A stored answer in words for a page or a spreadsheet: "Design; Music", "Yes"."""
    if not stored:
        return ""
    if kind is QuestionKind.YES_NO:
        return stored.capitalize()
    return f"{CELL_SEPARATOR} ".join(answer_parts(kind, stored))


def question_columns(header: list[str], questions: list[Question],
                     taken: Iterable[int] = ()) -> dict[int, int]:
    """question id → the spreadsheet column headed by its label (case and spaces aside),
    leaving out the columns already read as something else."""
    free = {}
    for index, title in enumerate(header):
        key = " ".join(title.split()).casefold()
        if index not in set(taken) and key not in free:
            free[key] = index
    return {q.id: free[" ".join(q.label.split()).casefold()] for q in questions
            if " ".join(q.label.split()).casefold() in free}


def row_answers(questions: list[Question], columns: dict[int, int],
                values: list[str]) -> tuple[dict[str, str], list[str]]:
    """One spreadsheet line's answers ({question id as text: answer}, as JSON keeps them)
    and a reason for each it cannot take (a required question without a column or answer
    included)."""
    answers, problems = {}, []
    for question in questions:
        index = columns.get(question.id)
        cell = values[index] if index is not None and index < len(values) else ""
        try:
            answer = parse_answer(question, cell)
        except AnswerError as exc:
            label = _quoted(question.label)
            problems.append(_("no answer to %(label)s, which is required", label=label)
                            if str(exc) == str(ANSWER_NEEDED) else f"{label}: {exc}")
            continue
        if answer is not None:
            answers[str(question.id)] = answer
    return answers, problems
