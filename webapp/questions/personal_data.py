"""A person's answers in their personal-data export, and gone when they are erased."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import Answer, Event, Person, Question, Registration
from webapp.privacy import erasure_step, export_section

if TYPE_CHECKING:
    from webapp.privacy.anonymise import Erased


def _answers_of(person: Person) -> sa.Select:
    """The person's answers with their question and forum (one query)."""
    return (sa.select(Event.title, Question.label, Answer.value)
            .join(Question, Question.id == Answer.question_id)
            .join(Registration, Registration.id == Answer.registration_id)
            .join(Event, Event.id == Registration.event_id)
            .where(Registration.person_id == person.id)
            .order_by(Event.starts_at, Question.position, Question.id))


@export_section("answers", "Answers to registration questions")
def answers_section(person: Person) -> list[dict[str, str]]:
    """Each answer the person gave, with the forum and the question."""
    return [{"forum": forum, "question": question, "answer": value.replace("\n", "; ")}
            for forum, question, value in db.session.execute(_answers_of(person))]


@erasure_step
def erase_answers(person: Person, erased: Erased) -> None:
    """Answers may say anything about the person (needs, health): they go; the summaries
    then count the registrations that remain answered."""
    db.session.execute(sa.delete(Answer).where(Answer.registration_id.in_(
        sa.select(Registration.id).where(Registration.person_id == person.id))))
