"""Self-cancellation through the emailed link asks first, and is recorded."""

from __future__ import annotations

import sqlalchemy as sa

from tests.registrations.helpers import person
from webapp.extensions import db
from webapp.models import AuditEntry, RegistrationStatus
from webapp.registrations.services import register_person
from webapp.registrations.tokens import make_registration_token

CANCELLED, CONFIRMED = RegistrationStatus.CANCELLED, RegistrationStatus.CONFIRMED


def _link(app, registration) -> str:
    """The signed link's path for a registration."""
    with app.test_request_context():
        return f"/registration/{make_registration_token(registration)}"


def test_cancel_asks_for_confirmation_before_anything_happens(app, make_forum, client):
    """The manage page links to a question; opening it, or a post without the confirmation
    (before: that post cancelled at once), keeps the seat."""
    registration = register_person(make_forum({"guest": 1}), person(1), "guest")
    db.session.commit()
    link = _link(app, registration)
    manage = client.get(link).get_data(as_text=True)
    assert f'href="{link}/cancel">Cancel my registration…' in manage
    question = client.get(link + "/cancel")
    html = question.get_data(as_text=True)
    assert question.status_code == 200
    assert "Cancel your registration?" in html and "Yes, cancel my registration" in html
    assert f'href="{link}">No, keep my registration' in html
    unconfirmed = client.post(link + "/cancel", data={"reason": "Ill"})
    assert unconfirmed.status_code == 200
    assert "Ill</textarea>" in unconfirmed.get_data(as_text=True)  # the reason is kept
    db.session.refresh(registration)
    assert registration.status is CONFIRMED


def test_confirmed_cancel_frees_the_seat_and_is_audited(app, make_forum, client):
    """Yes → cancelled with the reason, the waitlisted person promoted; both in the log."""
    forum = make_forum({"guest": 1})
    first = register_person(forum, person(1), "guest")
    second = register_person(forum, person(2), "guest")
    db.session.commit()
    page = client.post(_link(app, first) + "/cancel",
                       data={"reason": "Travel plans changed", "confirmed": "yes"},
                       follow_redirects=True)
    assert "Your registration is cancelled" in page.get_data(as_text=True)
    assert first.status is CANCELLED and first.cancel_reason == "Travel plans changed"
    assert second.status is CONFIRMED
    entries = {e.action: e for e in db.session.scalars(sa.select(AuditEntry))}
    assert "p1@example.org" in entries["registration.self_cancelled"].summary
    assert "Travel plans changed" in entries["registration.self_cancelled"].summary
    assert entries["registration.self_cancelled"].actor_id is None
    assert "waitlisted → confirmed" in entries["registration.promoted"].summary
    assert entries["registration.promoted"].target_id == second.id


def test_a_too_long_reason_is_shown_again_with_its_message(app, make_forum, client):
    """501 characters: 400, the text kept, nothing cancelled."""
    registration = register_person(make_forum(), person(1), "guest")
    db.session.commit()
    page = client.post(_link(app, registration) + "/cancel",
                       data={"reason": "x" * 501, "confirmed": "yes"})
    assert page.status_code == 400
    assert "500 characters at most" in page.get_data(as_text=True)
    assert "x" * 501 in page.get_data(as_text=True)
    assert registration.status is CONFIRMED


def test_the_question_of_a_cancelled_registration_goes_back_to_it(app, make_forum, client):
    """Nothing left to cancel: the link's page, which says it is cancelled."""
    registration = register_person(make_forum(), person(1), "guest")
    db.session.commit()
    link = _link(app, registration)
    client.post(link + "/cancel", data={"confirmed": "yes"})
    answer = client.get(link + "/cancel")
    assert answer.status_code == 302 and answer.headers["Location"] == link
