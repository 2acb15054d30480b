"""Questions in spreadsheets: a column per question in the delegate CSV import (checked line
by line) and in the attendee export (formula-safe); the pages' queries stay constant as the
answers grow."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from tests.registrations.helpers import person
from tests.registrations.test_csv_import import excel_csv
from tests.registrations.test_questions import ask
from webapp.extensions import db
from webapp.models import (
    Answer,
    Person,
    QuestionAudience,
    QuestionKind,
    Registration,
    RegistrationStatus,
    Role,
)
from webapp.questions.answers import answers_by_registration
from webapp.questions.services import retire_question
from webapp.registrations.imports import parse_delegates_csv
from webapp.registrations.services import register_person

K = QuestionKind


@pytest.fixture
def flanders(make_region):
    """A member region."""
    return make_region("Flanders", slug="flanders")


@pytest.fixture
def questions(make_forum):
    """A forum asking delegates a required diet, workshops and a visa letter (and the
    public a question the import must not ask)."""
    forum = make_forum({"international": 10, "guest": 5}, quota=8)
    diet = ask(forum, "Dietary needs", K.ONE_CHOICE, choices=["Vegetarian", "None"],
               required=True)
    workshops = ask(forum, "Workshops", K.SEVERAL_CHOICES, choices=["Design", "Music"])
    visa = ask(forum, "Visa letter", K.YES_NO, audience=QuestionAudience.DELEGATES)
    ask(forum, "Public only", required=True, audience=QuestionAudience.PUBLIC)
    return forum, diet, workshops, visa


def test_import_reads_a_column_per_question_and_checks_each_line(questions, flanders):
    """Columns headed by the label (any case); a wrong or missing answer is the line's
    reason; the public's question is not asked."""
    forum, diet, workshops, visa = questions
    preview = parse_delegates_csv(excel_csv([
        "Name|Email|dietary NEEDS|Workshops|Visa letter",
        "Ann|ann@example.be|vegetarian|music; design|ja",
        "Bob|bob@example.be|Fish||",
        "Cy|cy@example.be||Opera|maybe",
        "Di|di@example.be|None||no",
    ], delimiter=","), event=forum, region=flanders)  # ";" separates the workshops
    ann, bob, cy, di = preview.rows
    assert ann.ok and ann.answers == {str(diet.id): "Vegetarian",
                                      str(workshops.id): "Design\nMusic", str(visa.id): "yes"}
    assert bob.errors == ["“Dietary needs”: “Fish” is not one of the choices offered."]
    assert cy.errors == ["no answer to “Dietary needs”, which is required",
                         "“Workshops”: “Opera” is not one of the choices offered.",
                         "“Visa letter”: “maybe”: answer yes or no."]
    assert di.ok and di.answers == {str(diet.id): "None", str(visa.id): "no"}
    without = parse_delegates_csv(excel_csv(["Name|Email", "Ed|ed@example.be"]),
                                  event=forum, region=flanders)
    assert without.rows[0].errors == ["no answer to “Dietary needs”, which is required"]


def test_confirmed_import_saves_the_answers(questions, flanders, make_user, client, auth):
    """Upload, preview, confirm: each imported delegate has the answers of their line."""
    forum, diet, workshops, visa = questions
    auth.login(make_user(Role.COORDINATOR, region=flanders))
    response = client.post(f"/events/{forum.id}/delegations/flanders/import", data={
        "file": (io.BytesIO(excel_csv(["Name|Email|Dietary needs|Workshops|Visa letter",
                                       "Ann|ann@example.be|Vegetarian|Design|yes",
                                       "Bob|bob@example.be|Fish||"])), "d.csv")})
    assert response.status_code == 302
    preview = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "“Fish” is not one of the choices offered." in preview
    client.post(response.headers["Location"] + "/confirm")
    registration = db.session.scalars(sa.select(Registration)).one()
    assert answers_by_registration([registration.id])[registration.id] == {
        diet.id: "Vegetarian", workshops.id: "Design", visa.id: "yes"}


def test_export_has_a_formula_safe_column_per_question(make_forum, make_user, client, auth):
    """One column per question (retired ones too), headed by the label; cells and headers
    that a spreadsheet would run as formulas start with an apostrophe."""
    forum = make_forum({"guest": 5})
    evil = ask(forum, "=cmd|' /C calc'!A0", K.SHORT_TEXT)
    workshops = ask(forum, "Workshops", K.SEVERAL_CHOICES, choices=["Design", "Music"])
    retired = ask(forum, "Old", K.YES_NO)
    register_person(forum, person(1), "guest", answers={
        evil.id: "=HYPERLINK(\"http://x\")", workshops.id: "Design\nMusic", retired.id: "no"})
    register_person(forum, person(2), "guest")
    retire_question(retired)
    db.session.commit()
    auth.login(make_user(Role.SECRETARIAT))
    body = client.get(f"/events/{forum.id}/attendees.csv").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][-3:] == ["'=cmd|' /C calc'!A0", "Workshops", "Old"]
    by_email = {row[1]: row for row in rows[1:]}
    assert by_email["p1@example.org"][-3:] == ["'=HYPERLINK(\"http://x\")", "Design; Music", "No"]
    assert by_email["p2@example.org"][-3:] == ["", "", ""]
    filtered = client.get(f"/events/{forum.id}/attendees.csv",
                          query_string={"answer": f"{workshops.id}:Music"})
    assert filtered.data.count(b"\r\n") == 2  # the header and the one who chose music


def _bulk(forum, questions, n: int) -> None:
    """n guests, each with an answer to every question."""
    emails = [f"{forum.slug}-{i}@example.org" for i in range(n)]
    db.session.execute(sa.insert(Person), [
        {"full_name": f"Bulk {i:05d}", "email": email} for i, email in enumerate(emails)])
    people = dict(db.session.execute(sa.select(Person.email, Person.id)).all())
    db.session.execute(sa.insert(Registration), [
        {"event_id": forum.id, "person_id": people[email], "audience": "guest",
         "status": RegistrationStatus.CONFIRMED} for email in emails])
    ids = db.session.scalars(sa.select(Registration.id).where(
        Registration.event_id == forum.id)).all()
    diet, visa, nights = questions
    db.session.execute(sa.insert(Answer), [
        {"registration_id": rid, "question_id": question.id, "value": value}
        for i, rid in enumerate(ids)
        for question, value in ((diet, "Vegetarian" if i % 3 else "None"),
                                (visa, "yes" if i % 2 else "no"), (nights, str(i % 5)))])
    db.session.commit()


def test_pages_keep_constant_queries_as_answers_grow(make_forum, make_user, client, auth,
                                                     count_queries):
    """Attendees (plain and filtered by an answer), export, summary and the questions page:
    the same number of queries at 5 and 3,000 answered registrations."""
    auth.login(make_user(Role.SECRETARIAT))

    def forum_with_questions(title):
        forum = make_forum({"guest": 10_000}, title=title, slug=title.lower())
        return forum, (ask(forum, "Diet", K.ONE_CHOICE, choices=["Vegetarian", "None"]),
                       ask(forum, "Visa", K.YES_NO), ask(forum, "Nights", K.NUMBER))

    def measure(forum, questions) -> dict[str, int]:
        visa = questions[1]
        urls = {"attendees": f"/events/{forum.id}/attendees",
                "filtered": f"/events/{forum.id}/attendees?answer={visa.id}:yes",
                "export": f"/events/{forum.id}/attendees.csv",
                "summary": f"/events/{forum.id}/questions/summary",
                "questions": f"/events/{forum.id}/questions"}
        counts = {}
        for name, url in urls.items():
            with count_queries() as counter:
                assert client.get(url).status_code == 200
            counts[name] = counter.count
        return counts

    small, small_questions = forum_with_questions("Small")
    _bulk(small, small_questions, 5)
    few = measure(small, small_questions)
    big, big_questions = forum_with_questions("Big")
    _bulk(big, big_questions, 3000)
    assert measure(big, big_questions) == few
    summary = client.get(f"/events/{big.id}/questions/summary").get_data(as_text=True)
    assert "<strong>2,000</strong> Vegetarian" in summary
    assert "<strong>1,500</strong> Yes" in summary
