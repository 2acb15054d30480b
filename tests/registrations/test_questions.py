"""Registration questions' service: answers checked and stored in one shape, saved with the
registration, read in one query, selected by value, summed up; questions ordered, retired,
deleted only when unanswered."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.registrations.helpers import person
from webapp.extensions import db
from webapp.models import Answer, Question, QuestionAudience, QuestionKind, Registration
from webapp.questions.answers import (
    answers_by_registration,
    registration_answers,
    registrations_answering,
    save_answers,
    summarise,
)
from webapp.questions.services import (
    QuestionData,
    QuestionError,
    add_question,
    delete_question,
    event_questions,
    move_question,
    retire_question,
    update_question,
)
from webapp.questions.values import AnswerError, parse_answer, shown_answer
from webapp.registrations.services import cancel_registration, register_person

K = QuestionKind


def ask(event, label: str, kind: QuestionKind = K.SHORT_TEXT, *, choices=(), required=False,
        audience=QuestionAudience.BOTH, help_text=None) -> Question:
    """Add a question to the forum (committed)."""
    question = add_question(event, QuestionData(kind, label, help_text, list(choices), required,
                                                audience))
    db.session.commit()
    return question


def q(kind: QuestionKind, *, choices=(), required=False) -> Question:
    """A question not in the database, for the pure checks."""
    return Question(kind=kind, label="Q", choices="\n".join(choices), required=required)


@pytest.mark.parametrize(("kind", "given", "stored"), [
    (K.SHORT_TEXT, "  Vegan  ", "Vegan"),
    (K.LONG_TEXT, "Wheelchair\naccess", "Wheelchair\naccess"),
    (K.YES_NO, "Ja", "yes"), (K.YES_NO, "no", "no"), (K.YES_NO, "X", "yes"),
    (K.NUMBER, "3,5", "3.5"), (K.NUMBER, " 42 ", "42"), (K.NUMBER, "-0.50", "-0.5"),
    (K.ONE_CHOICE, "vegetarian", "Vegetarian"),
    (K.SEVERAL_CHOICES, "music; design", "Design\nMusic"),
    (K.SEVERAL_CHOICES, ["Music", "Design"], "Design\nMusic"),
    (K.SHORT_TEXT, "", None), (K.SEVERAL_CHOICES, [], None),
])
def test_answers_are_stored_in_one_shape(kind, given, stored):
    """Choices as offered (in the order offered), yes/no words, numbers in plain digits."""
    question = q(kind, choices=["Vegetarian", "Design", "Music"])
    assert parse_answer(question, given) == stored


@pytest.mark.parametrize(("kind", "given", "message"), [
    (K.NUMBER, "about ten", "“about ten” is not a number"),
    (K.NUMBER, "1e9", "is not a number"),
    (K.NUMBER, "NaN", "is not a number"),
    (K.NUMBER, "99999999999", "below 1,000,000,000"),
    (K.ONE_CHOICE, "Fish", "“Fish” is not one of the choices offered."),
    (K.SEVERAL_CHOICES, ["Music", "Opera"], "“Opera” is not one of the choices offered."),
    (K.YES_NO, "maybe", "answer yes or no"),
    (K.SHORT_TEXT, "two\nlines", "single line"),
    (K.SHORT_TEXT, "x" * 201, "201 characters long"),
    (K.SHORT_TEXT, "nul\x00", "control character (U+0000)"),
])
def test_wrong_answers_say_why(kind, given, message):
    """Each refusal says what is wrong, in words a person can act on."""
    with pytest.raises(AnswerError, match=re.escape(message)):
        parse_answer(q(kind, choices=["Music", "Design"]), given)


def test_a_required_question_left_blank_is_refused():
    """Spaces alone are no answer."""
    with pytest.raises(AnswerError, match="needs an answer"):
        parse_answer(q(K.SHORT_TEXT, required=True), "   ")


def test_answers_in_words():
    """Yes/no capitalised, several choices joined for a cell."""
    assert shown_answer(K.YES_NO, "yes") == "Yes"
    assert shown_answer(K.SEVERAL_CHOICES, "Design\nMusic") == "Design; Music"
    assert shown_answer(K.NUMBER, None) == ""


def test_register_person_saves_answers_in_the_same_transaction(make_forum):
    """The one registration path takes the answers; rolled back, neither is kept."""
    forum = make_forum()
    diet = ask(forum, "Dietary needs", K.ONE_CHOICE, choices=["Vegetarian", "None"])
    registration = register_person(forum, person(1), "guest", answers={diet.id: "Vegetarian"})
    db.session.commit()
    assert {q.label: v for q, v in registration_answers(registration.id).items()} == {
        "Dietary needs": "Vegetarian"}
    register_person(forum, person(2), "guest", answers={diet.id: "None"})
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Answer.id))) == 1


def test_saving_replaces_and_blank_removes(make_forum):
    """A later answer replaces the earlier; a blank one removes it; others are kept."""
    forum = make_forum()
    diet, visa = ask(forum, "Diet"), ask(forum, "Visa", K.YES_NO)
    registration = register_person(forum, person(1), "guest",
                                   answers={diet.id: "Vegan", visa.id: "yes"})
    assert save_answers(registration.id, {diet.id: "Vegan"}) == []
    assert save_answers(registration.id, {diet.id: None}) == [diet.id]
    db.session.commit()
    assert answers_by_registration([registration.id]) == {registration.id: {visa.id: "yes"}}


def test_answers_of_many_registrations_in_one_query(make_forum, count_queries):
    """answers_by_registration reads 40 registrations' answers in one statement."""
    forum = make_forum({"guest": 50})
    diet, visa = ask(forum, "Diet"), ask(forum, "Visa", K.YES_NO)
    ids = [register_person(forum, person(n), "guest",
                           answers={diet.id: f"Meal {n}", visa.id: "yes"}).id for n in range(40)]
    db.session.commit()
    with count_queries() as counter:
        found = answers_by_registration(ids)
    assert counter.count == 1
    assert len(found) == 40 and found[ids[3]] == {diet.id: "Meal 3", visa.id: "yes"}


def test_registrations_answering_a_value(make_forum):
    """Exact answers; one of several choices (never a choice that only contains the text)."""
    forum = make_forum({"guest": 10})
    workshops = ask(forum, "Workshops", K.SEVERAL_CHOICES,
                    choices=["Design", "Design thinking", "Music"])
    visa = ask(forum, "Visa letter", K.YES_NO)
    given = {1: ("Design\nMusic", "yes"), 2: ("Design thinking", "no"), 3: ("Music", "yes"),
             4: ("Design", None)}
    regs = {n: register_person(forum, person(n), "guest",
                               answers={workshops.id: w, visa.id: v}).id
            for n, (w, v) in given.items()}
    db.session.commit()

    def who(question, value=None):
        return {n for n, rid in regs.items() if rid in set(db.session.scalars(
            registrations_answering(question.id, value)))}

    assert who(workshops, "Design") == {1, 4}
    assert who(workshops, "Music") == {1, 3}
    assert who(workshops, "Design thinking") == {2}
    assert who(visa, "yes") == {1, 3}
    assert who(visa) == {1, 2, 3}
    in_sql = db.session.scalars(sa.select(Registration.id).where(
        Registration.id.in_(registrations_answering(visa.id, "no")))).all()
    assert in_sql == [regs[2]]


def test_summary_per_question(make_forum):
    """Counts per choice (choices no longer offered last), yes/no, number min/avg/max, texts
    answered; cancelled registrations are not counted."""
    forum = make_forum({"guest": 20})
    diet = ask(forum, "Diet", K.ONE_CHOICE, choices=["Vegetarian", "Gluten-free", "None"])
    visa = ask(forum, "Visa", K.YES_NO)
    nights = ask(forum, "Nights", K.NUMBER)
    note = ask(forum, "Note", K.LONG_TEXT)
    rows = [("Vegetarian", "yes", "2", "Hi"), ("Vegetarian", "no", "3", None),
            ("Gluten-free", "no", None, "A\nlong note"), ("Vegetarian", None, "4", None)]
    for n, (d, v, k, t) in enumerate(rows):
        register_person(forum, person(n), "guest",
                        answers={diet.id: d, visa.id: v, nights.id: k, note.id: t})
    gone = register_person(forum, person(9), "guest", answers={diet.id: "None", nights.id: "99"})
    cancel_registration(gone, None, "Ill")
    diet.choices = "Vegetarian\nNone"  # gluten-free no longer offered
    db.session.commit()
    by_label = {s.question.label: s for s in summarise(forum.id, event_questions(forum.id))}
    assert by_label["Diet"].counts == [("Vegetarian", 3), ("None", 0), ("Gluten-free", 1)]
    assert by_label["Diet"].answered == 4
    assert by_label["Visa"].counts == [("yes", 1), ("no", 2)]
    nights_summary = by_label["Nights"]
    assert (nights_summary.minimum, nights_summary.average, nights_summary.maximum) == (
        Decimal(2), Decimal("3.00"), Decimal(4))
    assert by_label["Note"].answered == 2 and by_label["Note"].counts == []


def test_order_retire_and_delete(make_forum):
    """Moved up and down; retired questions leave the forms, not the lists; a question with
    answers cannot be deleted nor change its kind."""
    forum = make_forum()
    first, second, third = ask(forum, "One"), ask(forum, "Two"), ask(forum, "Three")
    assert move_question(third, -1) and not move_question(first, -1)
    assert [x.label for x in event_questions(forum.id)] == ["One", "Three", "Two"]
    register_person(forum, person(1), "guest", answers={second.id: "x"})
    retire_question(second)
    assert [x.label for x in event_questions(forum.id)] == ["One", "Three"]
    assert len(event_questions(forum.id, include_retired=True)) == 3
    with pytest.raises(QuestionError, match="has answers"):
        delete_question(second)
    with pytest.raises(QuestionError, match="keeps its kind"):
        update_question(second, QuestionData(K.NUMBER, "Two", None, [], False,
                                             QuestionAudience.BOTH))
    delete_question(first)
    db.session.commit()
    assert [x.label for x in event_questions(forum.id, include_retired=True)] == ["Three", "Two"]


def test_questions_per_audience(make_forum):
    """The public form asks public and both; delegates delegates and both."""
    forum = make_forum()
    ask(forum, "Public only", audience=QuestionAudience.PUBLIC)
    ask(forum, "Delegates only", audience=QuestionAudience.DELEGATES)
    ask(forum, "Everyone")
    public = event_questions(forum.id, audience=QuestionAudience.PUBLIC)
    delegates = event_questions(forum.id, audience=QuestionAudience.DELEGATES)
    assert [x.label for x in public] == ["Public only", "Everyone"]
    assert [x.label for x in delegates] == ["Delegates only", "Everyone"]
