"""Registration mail is queued as a recipe and written by delivery: what the SMTP server
receives, what the outbox keeps, what the outbox page shows before, and what fails."""

from __future__ import annotations

import email
from email import policy

import pytest
import sqlalchemy as sa

from tests.ical_check import parse_calendar
from tests.registrations.helpers import person
from webapp.calendars.event_news import send_update
from webapp.extensions import db
from webapp.mail import Email, queue_emails
from webapp.mail.delivery import deliver_due
from webapp.models import OutboxMessage, OutboxStatus, Registration, Role
from webapp.registrations.services import register_person


def only_message() -> OutboxMessage:
    """The one outbox row, as the database has it now."""
    db.session.expire_all()
    return db.session.scalars(sa.select(OutboxMessage)).one()


def test_delivery_writes_the_confirmation_and_keeps_what_it_sent(make_forum, smtp_server):
    """Queued without text; delivered over real SMTP with text, HTML, the invitation and the
    ticket's QR; afterwards the row holds exactly that text, the invitation and the QR."""
    forum = make_forum()
    register_person(forum, person(1, full_name="Zoë Århus"), "guest")
    db.session.commit()
    queued = only_message()
    assert queued.body_text is None and queued.recipe == "registration"
    assert deliver_due().sent == 1
    [received] = smtp_server.messages
    parsed = email.message_from_bytes(received.data, policy=policy.default)
    text = parsed.get_body(("plain",)).get_content()
    assert "Zoë Århus" in text and "/registration/" in text
    calendar = next(part for part in parsed.walk()
                    if part.get_content_type() == "text/calendar")
    assert str(parse_calendar(calendar.get_payload(decode=True)).calendar["METHOD"]) == "REQUEST"
    kept = only_message()
    assert kept.status is OutboxStatus.SENT
    assert kept.body_text.strip() == text.replace("\r\n", "\n").strip()
    assert [a.filename for a in kept.attachments] == ["invite.ics", "ticket.png"]


def test_a_recipe_that_cannot_be_written_fails_with_its_reason(make_forum, smtp_server):
    """The registration is gone before delivery: the message is kept, failed, and says why;
    nothing reaches the server."""
    forum = make_forum()
    registration = register_person(forum, person(1), "guest")
    db.session.commit()
    db.session.execute(sa.delete(Registration).where(Registration.id == registration.id))
    db.session.commit()
    report = deliver_due()
    assert report.failed == 1 and smtp_server.messages == []
    failed = only_message()
    assert failed.status is OutboxStatus.FAILED
    assert failed.last_error == (f"Refused: cannot write the message: registration "
                                 f"{registration.id} no longer exists")


def test_outbox_page_shows_how_an_unwritten_message_would_read(make_forum, make_user, auth,
                                                               client):
    """Before delivery the secretariat sees the text as it would be written now (marked so)
    and can download the .eml; neither writes the row."""
    forum = make_forum()
    register_person(forum, person(1, full_name="<b>Ann</b>"), "guest")
    db.session.commit()
    message_id = only_message().id
    assert auth.login(make_user(Role.SECRETARIAT)).status_code == 302
    page = client.get(f"/admin/mail/{message_id}").get_data(as_text=True)
    assert "written when it is sent" in page
    assert "&lt;b&gt;Ann&lt;/b&gt;" in page and "<b>Ann</b>" not in page
    assert "invite.ics" in page
    eml = client.get(f"/admin/mail/{message_id}/message.eml")
    assert eml.status_code == 200 and b"text/calendar" in eml.data
    assert only_message().body_text is None


def test_queueing_refuses_unknown_recipes_and_bad_addresses(app):
    """A recipe name nobody renders, or an address that is not one, never reaches the
    outbox; a bulk send can skip the bad address and queue the rest."""
    with pytest.raises(ValueError, match="unknown mail recipe"):
        queue_emails([Email("a@example.org", "Hi", "registration_confirmed",
                            recipe="no-such-recipe")])
    bad = Email("not-an-address@", "Hi", "registration_confirmed", {"registration": 1},
                recipe="registration")
    with pytest.raises(ValueError):
        queue_emails([bad])
    good = Email("a@example.org", "Hi", "registration_confirmed", {"registration": 1},
                 recipe="registration")
    assert queue_emails([bad, good], skip_invalid=True) == 1


def test_a_forum_update_to_many_is_delivered_after_commit(app, make_forum, smtp_server):
    """send_update queues in bulk; after the commit the background sender delivers
    everything due, each message written with the new SEQUENCE."""
    from datetime import timedelta

    forum = make_forum({"guest": 5})
    for n in range(4):
        register_person(forum, person(n), "guest", notify=False)
    db.session.commit()
    app.config["MAIL_DELIVER_ON_COMMIT"] = True
    forum.starts_at += timedelta(hours=2)
    forum.ends_at += timedelta(hours=2)
    assert send_update(forum) == 4
    db.session.commit()
    assert app.extensions["mail.after_commit"].wait_until_idle(30)
    assert len(smtp_server.messages) == 4
    for received in smtp_server.messages:
        parsed = email.message_from_bytes(received.data, policy=policy.default)
        calendar = next(part for part in parsed.walk()
                        if part.get_content_type() == "text/calendar")
        event = parse_calendar(calendar.get_payload(decode=True))
        assert [int(e["SEQUENCE"]) for e in event.events.values()] == [1]
