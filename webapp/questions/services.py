"""The secretariat's questions of a forum: added, changed, put in order, retired, deleted.

Every function adds and flushes in the caller's transaction and never commits. A question
that has answers is never deleted (they stay on the lists and in exports): it is retired."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webapp.auth.audit import quoted
from webapp.extensions import db
from webapp.models import (
    Answer,
    Event,
    Question,
    QuestionAudience,
    QuestionKind,
    Registration,
    utcnow,
)
from webapp.questions.values import shown_answer

# The kinds and audiences in the page's language (the models' English words stay for the audit
# log and the exports).
KIND_WORDS = {
    QuestionKind.SHORT_TEXT: _l("Short text"), QuestionKind.LONG_TEXT: _l("Long text"),
    QuestionKind.ONE_CHOICE: _l("One choice"), QuestionKind.SEVERAL_CHOICES: _l("Several choices"),
    QuestionKind.YES_NO: _l("Yes or no"), QuestionKind.NUMBER: _l("Number"),
}
AUDIENCE_WORDS = {QuestionAudience.PUBLIC: _l("Public form"),
                  QuestionAudience.DELEGATES: _l("Delegates"),
                  QuestionAudience.BOTH: _l("Public form and delegates")}


def said_answer(kind: QuestionKind, stored: str | None) -> str:
    """A stored answer as a page shows it: yes and no in the page's language."""
    if kind is QuestionKind.YES_NO and stored in ("yes", "no"):
        return _("Yes") if stored == "yes" else _("No")
    return shown_answer(kind, stored)


class QuestionError(Exception):
    """A refused change; the message can be shown as it is."""


@dataclass(frozen=True)
class QuestionData:
    """What the question form says."""

    kind: QuestionKind
    label: str
    help_text: str | None
    choices: list[str]
    required: bool
    audience: QuestionAudience
    shown_at_door: bool = False


def event_questions(event_id: int, *, audience: QuestionAudience | None = None,
                    include_retired: bool = False) -> list[Question]:
    """The forum's questions in order: those asked of `audience` ('public' or 'delegates';
    None: all), retired ones only when asked for (lists and exports show their answers)."""
    query = sa.select(Question).where(Question.event_id == event_id)
    if audience is not None:
        query = query.where(Question.audience.in_([audience, QuestionAudience.BOTH]))
    if not include_retired:
        query = query.where(Question.retired_at.is_(None))
    return list(db.session.scalars(query.order_by(Question.position, Question.id)))


def public_questions(event_id: int) -> list[Question]:
    """The questions the public registration form asks, in order."""
    return event_questions(event_id, audience=QuestionAudience.PUBLIC)


def delegate_questions(event_id: int) -> list[Question]:
    """The questions delegates are asked (their coordinator's form, the CSV import)."""
    return event_questions(event_id, audience=QuestionAudience.DELEGATES)


def has_answers(question: Question) -> bool:
    """Whether anyone has answered it (then it can be retired, not deleted)."""
    return bool(db.session.scalar(sa.select(sa.exists().where(Answer.question_id == question.id))))


def _apply(question: Question, data: QuestionData) -> None:
    """Copy the form's data onto the question."""
    question.kind, question.label = data.kind, data.label.strip()
    question.help_text = (data.help_text or "").strip() or None
    question.choices = "\n".join(data.choices) if data.kind.has_choices else ""
    question.required, question.audience = data.required, data.audience
    question.shown_at_door = data.shown_at_door


def add_question(event: Event, data: QuestionData) -> Question:
    """A new question, asked last."""
    last = db.session.scalar(sa.select(sa.func.max(Question.position))
                             .where(Question.event_id == event.id))
    question = Question(event_id=event.id, position=(last or 0) + 1)
    _apply(question, data)
    db.session.add(question)
    db.session.flush()
    return question


def _facts(question: Question) -> dict[str, str]:
    """The question as its form shows it, for before → after in the audit log."""
    return {"question": question.label, "kind": question.kind.label,
            "help": question.help_text or "", "choices": " | ".join(question.choice_list),
            "required": "yes" if question.required else "no",
            "asked on": question.audience.label,
            "shown at the door": "yes" if question.shown_at_door else "no"}


def update_question(question: Question, data: QuestionData) -> list[str]:
    """Change the question; what changed, in words. A question with answers keeps its kind
    (its answers would no longer read): retire it and add a new one instead."""
    if data.kind is not question.kind and has_answers(question):
        raise QuestionError(_("%(question)s has answers, so it keeps its kind (%(kind)s). "
                              "Retire it and add a new question.",
                              question=quoted(question.label), kind=KIND_WORDS[question.kind]))
    before = _facts(question)
    _apply(question, data)
    db.session.flush()
    after = _facts(question)
    return [f"{key} {quoted(before[key])} → {quoted(after[key])}" for key in before
            if before[key] != after[key]]


def move_question(question: Question, step: int) -> bool:
    """Move the question one place up (-1) or down (+1) among the forum's questions; False
    when it is already first or last. Positions are renumbered 1, 2, 3... on the way."""
    ordered = event_questions(question.event_id, include_retired=True)
    index = ordered.index(question)
    target = index + step
    if step not in (-1, 1) or not 0 <= target < len(ordered):
        return False
    ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, item in enumerate(ordered, start=1):
        item.position = position
    db.session.flush()
    return True


def retire_question(question: Question) -> None:
    """No longer asked; its answers are kept and shown."""
    if question.retired_at is None:
        question.retired_at = utcnow()
        db.session.flush()


def restore_question(question: Question) -> None:
    """Asked again."""
    question.retired_at = None
    db.session.flush()


def delete_question(question: Question) -> None:
    """Delete a question nobody has answered; one with answers is refused (retire it)."""
    if has_answers(question):
        raise QuestionError(_("%(question)s has answers and cannot be deleted; retire it "
                              "instead: its answers stay on the attendee list.",
                              question=quoted(question.label)))
    db.session.delete(question)
    db.session.flush()


def audience_of(registration: Registration) -> QuestionAudience:
    """Which questions a registration is asked: a delegate's, or the public form's."""
    return QuestionAudience.DELEGATES if registration.delegation_id else QuestionAudience.PUBLIC


def answers_close_at(event: Event) -> datetime:
    """Until when people may change their answers: when registration closes, else when the
    forum starts."""
    return event.registration_closes_at or event.starts_at


def answers_editable(registration: Registration, now: datetime) -> bool:
    """An active registration's answers may be changed until registration closes."""
    return registration.is_active and now < answers_close_at(registration.event)
