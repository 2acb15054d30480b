"""Registration questions on the pages: the secretariat sets them up; the public form, the
delegates' form and the signed registration page ask them; the attendee list shows, filters
and sums up the answers. Hostile text is escaped everywhere."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.registrations.helpers import person
from tests.registrations.test_questions import ask
from webapp.extensions import db
from webapp.models import (
    Answer,
    AuditEntry,
    Question,
    QuestionAudience,
    QuestionKind,
    Registration,
    Role,
    utcnow,
)
from webapp.questions.answers import answers_by_registration
from webapp.registrations.services import register_person
from webapp.registrations.tokens import make_registration_token

HOSTILE = '<script>alert(1)</script>=HYPERLINK("x")'
K = QuestionKind


@pytest.fixture
def secretariat(make_user, client, auth):
    """The test client signed in as the secretariat."""
    auth.login(make_user(Role.SECRETARIAT))
    return client


def test_secretariat_adds_edits_orders_retires_and_deletes(make_forum, secretariat):
    """The whole set-up through the pages, each step audited in words."""
    forum = make_forum()
    base = f"/events/{forum.id}/questions"
    assert "No questions yet." in secretariat.get(base).get_data(as_text=True)
    response = secretariat.post(base + "/new", data={
        "label": "Dietary needs", "kind": "one_choice", "choices": "Vegetarian\n\nVegan\nvegan",
        "help_text": "We tell the caterer.", "required": "y", "audience": "both"})
    assert response.status_code == 302
    secretariat.post(base + "/new", data={"label": "I need a visa invitation letter",
                                          "kind": "yes_no", "audience": "public"})
    diet, visa = db.session.scalars(sa.select(Question).order_by(Question.id)).all()
    assert diet.choice_list == ["Vegetarian", "Vegan"] and diet.required
    assert visa.audience is QuestionAudience.PUBLIC
    secretariat.post(f"/questions/{visa.id}/move", data={"direction": "up"})
    page = secretariat.get(base).get_data(as_text=True)
    page = page[page.index('id="questions"'):]  # past the flashed messages
    assert page.index("I need a visa") < page.index("Dietary needs")
    edit = secretariat.post(f"/questions/{diet.id}/edit", data={
        "label": "Diet", "kind": "one_choice", "choices": "Vegetarian\nVegan\nNone",
        "audience": "both"})
    assert edit.status_code == 302
    db.session.refresh(diet)
    assert diet.label == "Diet" and not diet.required and diet.choice_list[-1] == "None"
    register_person(forum, person(1), "guest", answers={diet.id: "Vegan"})
    db.session.commit()
    page = secretariat.get(base).get_data(as_text=True)
    assert f'href="/questions/{diet.id}/delete"' not in page  # answered: no delete link
    refused = secretariat.post(f"/questions/{diet.id}/delete", follow_redirects=True)
    assert "cannot be deleted" in refused.get_data(as_text=True)
    secretariat.post(f"/questions/{diet.id}/retire")
    db.session.refresh(diet)
    assert diet.is_retired and db.session.scalar(sa.select(sa.func.count(Answer.id))) == 1
    asked = secretariat.get(f"/questions/{visa.id}/delete").get_data(as_text=True)
    assert "Yes, delete the question" in asked
    visa_id = visa.id
    secretariat.post(f"/questions/{visa_id}/delete")
    assert db.session.scalar(sa.select(Question.id).where(Question.id == visa_id)) is None
    actions = db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["question.added", "question.added", "question.moved", "question.changed",
                       "question.retired", "question.deleted"]
    log = secretariat.get("/admin/audit").get_data(as_text=True)
    assert "Registration question retired" in log


def test_question_form_errors_keep_the_input(make_forum, secretariat):
    """A choice question with one choice, no label: messages, the typed text kept; a kind
    change of an answered question is refused."""
    forum = make_forum()
    response = secretariat.post(f"/events/{forum.id}/questions/new", data={
        "label": "", "kind": "several_choices", "choices": "Only; one", "audience": "both"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Write the question." in html and "Give at least two choices" in html
    assert "Only; one</textarea>" in html
    bad = secretariat.post(f"/events/{forum.id}/questions/new", data={
        "label": "Workshops", "kind": "several_choices", "choices": "A; B\nC", "audience": "both"})
    assert "separates choices in spreadsheets" in bad.get_data(as_text=True)
    visa = ask(forum, "Visa", K.YES_NO)
    register_person(forum, person(1), "guest", answers={visa.id: "yes"})
    db.session.commit()
    kind = secretariat.post(f"/questions/{visa.id}/edit", data={
        "label": "Visa", "kind": "number", "audience": "both"})
    assert kind.status_code == 400 and "keeps its kind" in kind.get_data(as_text=True)


def test_question_pages_are_the_secretariats(make_forum, make_user, client, auth):
    """A coordinator gets 403 on the question pages."""
    forum = make_forum()
    auth.login(make_user(Role.PARTICIPANT))
    assert client.get(f"/events/{forum.id}/questions").status_code == 403


def _public_post(forum, **answers):
    """A public registration form's data."""
    return {"full_name": "Ada Guest", "email": "ada@example.org", "audience": "guest", **answers}


def test_public_form_asks_checks_and_saves(make_forum, client):
    """Only public/both questions, not retired ones; a blank required answer and a forged
    choice are refused with the input kept; a good post saves the answers."""
    forum = make_forum()
    diet = ask(forum, "Dietary needs", K.ONE_CHOICE, choices=["Vegetarian", "None"],
               required=True, help_text="For the caterer")
    visa = ask(forum, "Visa letter", K.YES_NO, audience=QuestionAudience.PUBLIC)
    nights = ask(forum, "Nights", K.NUMBER)
    ask(forum, "Delegates' hotel", audience=QuestionAudience.DELEGATES)
    retired = ask(forum, "Old question")
    retired.retired_at = utcnow()
    db.session.commit()
    form = client.get(f"/events/{forum.id}/register").get_data(as_text=True)
    assert "Dietary needs" in form and "For the caterer" in form and "Visa letter" in form
    assert "Delegates&#39; hotel" not in form and "Old question" not in form
    refused = client.post(f"/events/{forum.id}/register", data=_public_post(
        forum, **{f"question_{visa.id}": "yes", f"question_{nights.id}": "many"}))
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "This question needs an answer." in html and "“many” is not a number" in html
    assert 'value="many"' in html and 'value="Ada Guest"' in html
    forged = client.post(f"/events/{forum.id}/register", data=_public_post(
        forum, **{f"question_{diet.id}": "Fish"}))
    assert "“Fish” is not one of the choices offered." in forged.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 0
    ok = client.post(f"/events/{forum.id}/register", data=_public_post(
        forum, **{f"question_{diet.id}": "Vegetarian", f"question_{visa.id}": "yes",
                  f"question_{nights.id}": "2,5"}))
    assert ok.status_code == 302
    registration = db.session.scalars(sa.select(Registration)).one()
    assert answers_by_registration([registration.id])[registration.id] == {
        diet.id: "Vegetarian", visa.id: "yes", nights.id: "2.5"}


def _link(app, registration) -> str:
    """The signed registration page's path."""
    with app.test_request_context():
        return f"/registration/{make_registration_token(registration)}"


def test_the_person_sees_and_changes_answers_until_registration_closes(app, make_forum, client):
    """The signed page lists the answers and links to a form; after the close it is shut."""
    forum = make_forum(starts_at=utcnow() + timedelta(days=30))  # not begun, whatever today
    diet = ask(forum, "Dietary needs", K.SEVERAL_CHOICES, choices=["Vegan", "No nuts"])
    registration = register_person(forum, person(1), "guest", answers={diet.id: "Vegan"})
    db.session.commit()
    link = _link(app, registration)
    page = client.get(link).get_data(as_text=True)
    assert "Your answers" in page and "Vegan" in page and f'href="{link}/answers"' in page
    form = client.get(link + "/answers").get_data(as_text=True)
    assert f'<input checked id="question_{diet.id}-0"' in form
    saved = client.post(link + "/answers", data={f"question_{diet.id}": ["Vegan", "No nuts"]})
    assert saved.status_code == 302
    assert answers_by_registration([registration.id])[registration.id] == {
        diet.id: "Vegan\nNo nuts"}
    entry = db.session.scalars(sa.select(AuditEntry).filter_by(
        action="registration.answers_changed")).one()
    assert "“Dietary needs”" in entry.summary
    forum.registration_closes_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    assert f'href="{link}/answers"' not in client.get(link).get_data(as_text=True)
    late = client.post(link + "/answers", data={f"question_{diet.id}": []},
                       follow_redirects=True)
    assert "can no longer be changed" in late.get_data(as_text=True)
    assert answers_by_registration([registration.id])[registration.id] == {
        diet.id: "Vegan\nNo nuts"}


def test_delegate_form_asks_the_delegates_questions(make_forum, make_region, make_user,
                                                    client, auth):
    """The coordinator's form asks delegates/both questions and saves the answers."""
    forum = make_forum({"international": 5})
    flanders = make_region("Flanders", slug="flanders")
    hotel = ask(forum, "Hotel nights", K.NUMBER, audience=QuestionAudience.DELEGATES,
                required=True)
    ask(forum, "Public only", audience=QuestionAudience.PUBLIC)
    auth.login(make_user(Role.COORDINATOR, region=flanders))
    url = f"/events/{forum.id}/delegations/flanders"
    page = client.get(url).get_data(as_text=True)
    assert "Hotel nights" in page and "Public only" not in page
    data = {"full_name": "Jan Peeters", "email": "jan@example.be"}
    missing = client.post(url, data=data)
    assert missing.status_code == 400 and "needs an answer" in missing.get_data(as_text=True)
    assert client.post(url, data={**data, f"question_{hotel.id}": "3"}).status_code == 302
    registration = db.session.scalars(sa.select(Registration)).one()
    assert answers_by_registration([registration.id])[registration.id] == {hotel.id: "3"}


def test_attendee_list_shows_filters_and_sums_up_answers(make_forum, secretariat):
    """An answers column, a filter by an answer, the summary page; hostile text escaped."""
    forum = make_forum({"guest": 10})
    diet = ask(forum, HOSTILE, K.ONE_CHOICE, choices=["Vegetarian", HOSTILE],
               help_text=HOSTILE)
    visa = ask(forum, "Visa letter", K.YES_NO)
    for n, (d, v) in enumerate([("Vegetarian", "yes"), (HOSTILE, "no"), ("Vegetarian", None)]):
        register_person(forum, person(n, full_name=f"Guest {n}"), "guest",
                        answers={diet.id: d, visa.id: v})
    db.session.commit()
    base = f"/events/{forum.id}/attendees"
    html = secretariat.get(base).get_data(as_text=True)
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Visa letter:</span> Yes" in html
    filtered = secretariat.get(base, query_string={"answer": f"{visa.id}:yes"})
    names = filtered.get_data(as_text=True)
    assert "Guest 0" in names and "Guest 1" not in names and "Guest 2" not in names
    assert "Guest 1" in secretariat.get(base, query_string={
        "answer": f"{diet.id}:{HOSTILE}"}).get_data(as_text=True)
    odd = secretariat.get(base, query_string={"answer": "99999999999999:x"})
    assert odd.status_code == 200 and "Guest 2" in odd.get_data(as_text=True)  # ignored
    summary = secretariat.get(f"/events/{forum.id}/questions/summary").get_data(as_text=True)
    assert "<script>alert(1)" not in summary
    assert "<strong>2</strong> Vegetarian" in summary and "<strong>1</strong> Yes" in summary
    index = secretariat.get(f"/events/{forum.id}/questions").get_data(as_text=True)
    assert "<script>alert(1)" not in index
