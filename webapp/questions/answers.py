"""Answers in the database: saved for a registration, read for many registrations at once,
selected by value, and summed up per question.

Every read here is one query whatever the number of registrations; every write adds and
flushes in the caller's transaction, never commits."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import Answer, Question, QuestionKind, Registration, RegistrationStatus
from webapp.questions.values import answer_parts, shown_answer
from webapp.search import escape_like

# question id → the answer to store (None or "": no answer, an earlier one is removed)
AnswerValues = Mapping[int, str | None]
TEXT_KINDS = (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT)


def save_answers(registration_id: int, values: AnswerValues) -> list[int]:
    """Store these answers for the registration (each replaces the earlier one; a blank
    removes it); questions not named keep their answers. Returns the ids of the questions
    whose answer changed."""
    if not values:
        return []
    existing = {answer.question_id: answer for answer in db.session.scalars(
        sa.select(Answer).where(Answer.registration_id == registration_id,
                                Answer.question_id.in_(list(values))))}
    changed = []
    for question_id, value in values.items():
        answer = existing.get(question_id)
        if not value:
            if answer is not None:
                db.session.delete(answer)
                changed.append(question_id)
        elif answer is None:
            db.session.add(Answer(registration_id=registration_id, question_id=question_id,
                                  value=value))
            changed.append(question_id)
        elif answer.value != value:
            answer.value = value
            changed.append(question_id)
    db.session.flush()
    return changed


def answers_by_registration(registration_ids: Iterable[int] | sa.Select
                            ) -> dict[int, dict[int, str]]:
    """registration id → {question id → stored answer}, in one query; `registration_ids`
    may be a list or a SELECT of ids (an export of thousands of rows)."""
    # Asked even for no ids (an empty IN), so that a page's query count never varies.
    ids = registration_ids if isinstance(registration_ids, sa.Select) else list(registration_ids)
    rows = db.session.execute(
        sa.select(Answer.registration_id, Answer.question_id, Answer.value)
        .where(Answer.registration_id.in_(ids)))
    found: dict[int, dict[int, str]] = defaultdict(dict)
    for registration_id, question_id, value in rows:
        found[registration_id][question_id] = value
    return dict(found)


def registration_answers(registration_id: int) -> dict[Question, str | list[str]]:
    """A registration's answers as {question: value}, in the questions' order, retired
    questions included (one query). The value is the text given, the choice, "yes"/"no",
    the number as digits; several choices: the list of those ticked."""
    rows = db.session.execute(
        sa.select(Question, Answer.value).join(Answer, Answer.question_id == Question.id)
        .where(Answer.registration_id == registration_id)
        .order_by(Question.position, Question.id)).all()
    return {question: (answer_parts(question.kind, value)
                       if question.kind is QuestionKind.SEVERAL_CHOICES else value)
            for question, value in rows}


def shown_answers(registration_id: int) -> list[tuple[str, str]]:
    """A registration's answers in words, (question, answer) in the questions' order."""
    rows = db.session.execute(
        sa.select(Question.label, Question.kind, Answer.value)
        .join(Answer, Answer.question_id == Question.id)
        .where(Answer.registration_id == registration_id)
        .order_by(Question.position, Question.id)).all()
    return [(label, shown_answer(kind, value)) for label, kind, value in rows]


def answer_matches(value: str) -> sa.ColumnElement[bool]:
    """SQL: the answer (joined with its question) is `value`, or holds it among several
    choices (stored one per line; a choice holds no line break)."""
    pattern = escape_like(value)
    several = Question.kind == QuestionKind.SEVERAL_CHOICES
    return sa.or_(Answer.value == value, sa.and_(several, sa.or_(
        Answer.value.like(f"{pattern}\n%", escape="\\"),
        Answer.value.like(f"%\n{pattern}", escape="\\"),
        Answer.value.like(f"%\n{pattern}\n%", escape="\\"))))


def registrations_answering(question_id: int, value: str | None = None) -> sa.Select:
    """SELECT of the ids of the registrations whose answer to the question is `value`
    (any answer when None): `Registration.id.in_(registrations_answering(q.id, "yes"))`."""
    query = (sa.select(Answer.registration_id)
             .join(Question, Question.id == Answer.question_id)
             .where(Answer.question_id == question_id))
    return query if value is None else query.where(answer_matches(value))


@dataclass
class Summary:
    """What the answers to one question add up to, over the active registrations."""

    question: Question
    answered: int = 0
    counts: list[tuple[str, int]] = field(default_factory=list)  # choice → how many
    minimum: Decimal | None = None
    average: Decimal | None = None
    maximum: Decimal | None = None


def summarise(event_id: int, questions: list[Question]) -> list[Summary]:
    """Per question: how many answered; per choice (yes/no too) how many chose it, choices no
    longer offered last; for numbers the smallest, the average and the largest. Counts the
    confirmed and waitlisted registrations, in one query (answers grouped by value)."""
    # Texts are only counted: grouping them by value would carry every long text here.
    value = sa.case((Question.kind.in_(TEXT_KINDS), sa.null()), else_=Answer.value)
    rows = db.session.execute(
        sa.select(Answer.question_id, value, sa.func.count())
        .join(Question, Question.id == Answer.question_id)
        .join(Registration, Registration.id == Answer.registration_id)
        .where(Registration.event_id == event_id,
               Registration.status != RegistrationStatus.CANCELLED)
        .group_by(Answer.question_id, value)).all()
    by_question: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for question_id, value, n in rows:
        by_question[question_id].append((value, n))
    return [_summary(question, by_question.get(question.id, [])) for question in questions]


def _summary(question: Question, values: list[tuple[str, int]]) -> Summary:
    """One question's summary from its (answer, how many) pairs."""
    summary = Summary(question, answered=sum(n for _value, n in values))
    kind = question.kind
    if kind.has_choices or kind is QuestionKind.YES_NO:
        chosen: Counter[str] = Counter()
        for value, n in values:
            for part in answer_parts(kind, value):
                chosen[part] += n
        offered = ["yes", "no"] if kind is QuestionKind.YES_NO else question.choice_list
        summary.counts = [(choice, chosen.pop(choice, 0)) for choice in offered]
        summary.counts += sorted(chosen.items(), key=lambda pair: (-pair[1], pair[0]))
    elif kind is QuestionKind.NUMBER and values:
        numbers = [(Decimal(value), n) for value, n in values]
        summary.minimum = min(number for number, _n in numbers)
        summary.maximum = max(number for number, _n in numbers)
        total = sum((number * n for number, n in numbers), Decimal(0))
        summary.average = (total / summary.answered).quantize(Decimal("0.01"))
    return summary


def answer_counts(question_ids: list[int]) -> dict[int, int]:
    """question id → how many answers it has (any registration, cancelled ones too)."""
    if not question_ids:
        return {}
    return dict(db.session.execute(
        sa.select(Answer.question_id, sa.func.count()).where(Answer.question_id.in_(question_ids))
        .group_by(Answer.question_id)).all())
