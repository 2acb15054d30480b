"""The message pages: compose → preview → send (asks with the count), validation that keeps
the input, a second submit that sends nothing, who may open what, constant queries."""

from __future__ import annotations

import sqlalchemy as sa

from tests.messages.conftest import composition
from webapp.extensions import db
from webapp.messages.services import send_message
from webapp.models import AttendeeMessage, MessageScope, OutboxMessage, Role

KEY = "form-key-0123456789abcdef"


def form(to="audience:guest", subject="News for {name}", body="Dear {name}", **extra):
    """The compose form's fields."""
    return {"to": to, "subject": subject, "body": body, "send_key": KEY, **extra}


def outbox_count() -> int:
    """Messages in the outbox."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))


def test_preview_then_send_asks_with_the_count_and_sends_once(forum, make_user, auth, client):
    """Preview: the count and Dee's filled message; Send: the question with the count; Yes:
    queued, and the same form posted again sends nothing more."""
    auth.login(make_user(Role.SECRETARIAT))
    url = f"/events/{forum.event.id}/messages/new"
    page = client.get(url).get_data(as_text=True)
    assert "Confirmed in the audience: Guests" in page and "{registration_link}" in page
    page = client.post(url, data=form(action="preview")).get_data(as_text=True)
    assert "<strong>1</strong> person will get this message" in page
    assert "News for Dee" in page and "without a usable email address will be skipped" in page
    assert "Yes, send" not in page
    page = client.post(url, data=form(action="send")).get_data(as_text=True)
    assert "Send this message to 1 person?" in page
    assert 'name="shown_count" type="hidden" value="1"' in page
    assert outbox_count() == 0
    response = client.post(url, data=form(action="confirm", shown_count="1"))
    assert response.status_code == 302 and outbox_count() == 1
    again = client.post(url, data=form(action="confirm", shown_count="1"), follow_redirects=True)
    assert "sent already; it was not sent again" in again.get_data(as_text=True)
    assert outbox_count() == 1
    listing = client.get(f"/events/{forum.event.id}/messages").get_data(as_text=True)
    assert "News for {name}" in listing and "waiting 1" in listing and "skipped 1" in listing


def test_a_changed_selection_is_asked_again(forum, make_user, auth, client):
    """Confirming a count that no longer holds (or none at all) asks again; nothing sent."""
    auth.login(make_user(Role.SECRETARIAT))
    page = client.post(f"/events/{forum.event.id}/messages/new",
                       data=form(action="confirm", shown_count="7")).get_data(as_text=True)
    assert "it now holds 1" in page and outbox_count() == 0


def test_bad_input_is_refused_with_its_reason_and_kept(forum, make_user, auth, client):
    """An unknown placeholder named, a link in the subject, a line break in the subject,
    no selection: 400, the typed text still there, nothing queued."""
    auth.login(make_user(Role.SECRETARIAT))
    url = f"/events/{forum.event.id}/messages/new"
    page = client.post(url, data=form(body="Hi {nmae} <script>x</script>", action="send"))
    text = page.get_data(as_text=True)
    assert page.status_code == 400 and "Unknown placeholder {nmae}" in text
    assert "Hi {nmae} &lt;script&gt;x&lt;/script&gt;" in text
    text = client.post(url, data=form(subject="Your {registration_link}")).get_data(as_text=True)
    assert "Unknown placeholder {registration_link}" in text
    response = client.post(url, data=form(subject="Hi\r\nBcc: x@example.org", action="confirm",
                                          shown_count="1"))
    assert response.status_code == 400 and "single line" in response.get_data(as_text=True)
    assert client.post(url, data=form(to="nonsense:x")).status_code == 400
    assert outbox_count() == 0


def test_a_host_coordinator_writes_to_their_missions_guests_only(mission, forum, make_user,
                                                               make_region, auth, client):
    """The host's coordinator composes and opens their mission's messages; another region's
    coordinator gets 403 there, and nobody but the secretariat opens a forum's message."""
    auth.login(mission.coordinator)
    url = f"/missions/{mission.event.id}/messages/new"
    assert "Every guest planned for" in client.get(url).get_data(as_text=True)
    assert client.post(url, data=form(to="guests", body="{itinerary_link}", action="confirm",
                                      shown_count="2")).status_code == 302
    sent = db.session.scalars(sa.select(AttendeeMessage)).one()
    assert client.get(f"/messages/{sent.id}").status_code == 200
    forum_message = send_message(composition(forum.event, MessageScope.REGISTRATIONS,
                                             "confirmed"), None, "f" * 24)
    db.session.commit()
    assert client.get(f"/messages/{forum_message.id}").status_code == 403
    assert client.get(f"/events/{forum.event.id}/messages").status_code == 403
    auth.logout()
    auth.login(make_user(Role.COORDINATOR, region=make_region("Elsewhere")))
    assert client.get(f"/missions/{mission.event.id}/messages").status_code == 403
    assert client.get(f"/messages/{sent.id}").status_code == 403
    assert client.post(url, data=form(to="guests")).status_code == 403


def test_the_list_is_constant_queries_as_messages_grow(forum, make_user, auth, client,
                                                       count_queries):
    """One message or six, with their recipients: the same number of statements."""
    auth.login(make_user(Role.SECRETARIAT))
    url = f"/events/{forum.event.id}/messages"
    assert "No message sent yet" in client.get(url).get_data(as_text=True)

    def sent(n):
        for i in range(n):
            send_message(composition(forum.event, MessageScope.REGISTRATIONS, "confirmed",
                                     f"Note {i}"), None, f"key-{n}-{i}-0123456789abcdef")
        db.session.commit()
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        return counter.count

    assert sent(1) == sent(5)
