"""Messages to attendees, service by service: each selection, placeholders, sent once per
person (a second submit and two racing senders included), delivered through real SMTP."""

from __future__ import annotations

import email
import threading
from email import policy

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from tests.messages.conftest import composition
from webapp.extensions import db
from webapp.mail.delivery import deliver_due
from webapp.messages.placeholders import allowed, fill, unknown_message, unknown_placeholders
from webapp.messages.selections import SELECTIONS, options, recipients
from webapp.messages.services import delivery_counts, preview, send_message
from webapp.models import (
    AttendeeMessage,
    AuditEntry,
    MessageRecipient,
    MessageScope,
    OutboxMessage,
    Person,
)

REG = MessageScope.REGISTRATIONS


def names(event, scope, to) -> list[str]:
    """Who a selection picks, by name."""
    c = composition(event, scope, to)
    return [r.name for r in recipients(event, c.selection, c.argument)]


@pytest.mark.parametrize(("to", "expected"), [
    ("confirmed", ["Ann", "Bo", "Cy", "Dee", "Gus"]),
    ("audience:guest", ["Dee", "Gus"]),
    ("audience:international", ["Ann", "Bo", "Cy"]),
    ("heads", ["Ann", "Cy"]),
    ("waitlisted", ["Eve"]),
    ("checked_in", ["Ann"]),
    ("not_checked_in", ["Bo", "Cy", "Dee", "Gus"]),
])
def test_each_selection_picks_its_people(forum, to, expected):
    """Cancelled Fay is in none; the waitlist only in its own."""
    assert names(forum.event, REG, to) == expected


def test_a_regions_delegation_and_the_forms_options(forum):
    """The delegation selection takes the region's slug; the form lists each choice."""
    assert names(forum.event, REG, f"delegation:{forum.flanders_slug}") == ["Ann", "Bo"]
    labels = dict(options(forum.event, REG))
    assert labels["audience:guest"] == "Confirmed in the audience: Guests"
    assert labels[f"delegation:{forum.flanders_slug}"] == "The delegation of: Flanders"
    assert {"confirmed", "heads", "waitlisted", "checked_in", "not_checked_in"} <= set(labels)
    assert set(SELECTIONS) >= {"audience", "delegation", "guests", "guests_accepted"}


def test_mission_selections(mission):
    """Every guest planned for leaves out who declined; accepted; not answered."""
    assert names(mission.event, MessageScope.GUESTS, "guests") == ["Hal", "Ida"]
    assert names(mission.event, MessageScope.GUESTS, "guests_accepted") == ["Hal"]
    assert names(mission.event, MessageScope.GUESTS, "guests_unanswered") == ["Ida"]


def test_placeholders_fill_and_unknown_ones_are_named():
    """Known ones filled, {{ and }} are braces, an unknown one named in the message."""
    assert fill("Hi {name}, {{forum}} is {forum}", {"name": "Ann", "forum": "CWF"}) == \
        "Hi Ann, {forum} is CWF"
    known = allowed(REG)
    assert unknown_placeholders("Hi {nmae} and {name} {{x}} {0.__class__}", known) == [
        "nmae", "0.__class__"]
    assert unknown_message(["nmae"], known) == (
        "Unknown placeholder {nmae}. Use {name}, {forum} or {registration_link} here "
        "(write {{ and }} for a brace).")
    assert "registration_link" not in allowed(REG, in_subject=True)
    assert "itinerary_link" in allowed(MessageScope.GUESTS)


def test_preview_counts_and_fills_the_first_message(forum, app):
    """Everyone confirmed: 5, Gus (no email) skipped; the first is Ann with her own link."""
    shown = preview(composition(forum.event, REG, "confirmed", "News for {name}",
                                "Dear {name},\n{forum}: {registration_link}"))
    assert (shown.total, shown.skipped, shown.sendable) == (5, 1, 4)
    assert shown.first.subject == "News for Ann"
    assert shown.first.body.startswith("Dear Ann,\nCWF 2030: http://localhost/registration/")


def send(c, key="k" * 24):
    """Send and commit."""
    message = send_message(c, None, key)
    db.session.commit()
    return message


def test_sent_once_per_person_and_audited(forum):
    """Four copies queued (Gus skipped, with the reason), one audit entry in words; the same
    form key again is refused by the database, and the recipients' index holds too."""
    message = send(composition(forum.event, REG, "confirmed", "Programme"))
    rows = db.session.scalars(sa.select(MessageRecipient).order_by(MessageRecipient.name)).all()
    assert [(r.name, r.outbox_message_id is not None, r.skip_reason) for r in rows] == [
        ("Ann", True, None), ("Bo", True, None), ("Cy", True, None), ("Dee", True, None),
        ("Gus", False, "no email address")]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 4
    entry = db.session.scalars(sa.select(AuditEntry).filter_by(action="message.sent")).one()
    assert entry.summary == ("Message sent to 4 attendees (Everyone confirmed) of CWF 2030: "
                             "Programme; 1 without a usable email address skipped")
    with pytest.raises(IntegrityError):
        send(composition(forum.event, REG, "confirmed", "Programme"))
    db.session.rollback()
    db.session.add(MessageRecipient(message_id=message.id, person_id=rows[0].person_id,
                                    name="Ann again"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 4


def test_two_senders_racing_with_one_form_send_once(forum, app):
    """Two threads submit the same form at the same moment: one sends, the other finds the
    key taken; four copies in all, on SQLite and PostgreSQL."""
    event_id = forum.event.id
    barrier, outcomes = threading.Barrier(2), []

    def sender() -> None:
        with app.app_context():
            from webapp.models import Event
            c = composition(db.session.get(Event, event_id), REG, "confirmed", "Race")
            barrier.wait()
            try:
                send(c, key="race-key-0123456789abcdef")
                outcomes.append("sent")
            except IntegrityError:
                db.session.rollback()
                outcomes.append("refused")

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["refused", "sent"]
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AttendeeMessage)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 4


def parsed(data: bytes):
    """A received message parsed back by the stdlib."""
    return email.message_from_bytes(data, policy=policy.default)


def test_delivered_by_the_worker_with_counts_links_and_escaping(forum, smtp_server, client):
    """The worker writes each copy with the person's name and own link (which opens their
    registration), escapes the text in HTML; counts go from waiting to sent, and a refused
    recipient counts as failed. A name with CR/LF adds no header."""
    forum.regs["Dee"].delegate_name = None
    forum.regs["Dee"].person.full_name = "Dee\r\nBcc: victim@example.org"
    db.session.commit()
    message = send(composition(forum.event, REG, "audience:guest", "For {name}",
                               "Dear {name},\n<b>bold</b> & co: {registration_link}"))
    assert delivery_counts([message.id])[message.id].queued == 1
    assert deliver_due().sent == 1
    counts = delivery_counts([message.id])[message.id]
    assert (counts.queued, counts.sent, counts.failed, counts.skipped) == (0, 1, 0, 1)
    [received] = smtp_server.messages
    mail = parsed(received.data)
    assert mail["Subject"] == "For Dee Bcc: victim@example.org" and mail["Bcc"] is None
    assert received.rcpt_tos == [forum.regs["Dee"].person.email]
    text = mail.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = mail.get_body(("html",)).get_content()
    assert "Dear Dee Bcc: victim@example.org,\n<b>bold</b> & co: http://localhost/" in text
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; co" in html and "<b>bold" not in html
    link = text.split("co: ")[1].split()[0]
    assert f'<a href="{link}">' in html
    assert client.get(link.removeprefix("http://localhost")).status_code == 200

    smtp_server.handler.refuse_recipients = "550 5.1.1 No such user"
    refused = send(composition(forum.event, REG, "heads", "Heads"), key="h" * 24)
    deliver_due()
    assert delivery_counts([refused.id])[refused.id].failed == 2


def test_mission_guests_get_their_itinerary_link(mission, smtp_server, client):
    """A host's message to the guests planned for: each copy links to their itinerary."""
    message = send(composition(mission.event, MessageScope.GUESTS, "guests", "Your visit",
                               "Hello {name}, your plan for {mission}: {itinerary_link}"))
    assert message.recipient_count == 2
    assert deliver_due().sent == 2
    bodies = sorted(parsed(m.data).get_body(("plain",)).get_content()
                    for m in smtp_server.messages)
    assert bodies[0].startswith("Hello Hal, your plan for Mission to Host: http://localhost/")
    link = bodies[0].split(": ", 1)[1].split()[0]
    assert "Hal" in client.get(link.removeprefix("http://localhost")).get_data(as_text=True)
    assert db.session.scalar(sa.select(Person.id).filter_by(full_name="Jo")) not in {
        r.person_id for r in db.session.scalars(sa.select(MessageRecipient))}


def test_those_who_answered_a_question(forum):
    """'Those who answered': a choice of a one-choice question, yes/no, or any answer to a
    text question; the form lists each (cancelled Fay never)."""
    from webapp.models import Question, QuestionKind
    from webapp.questions.answers import save_answers

    event = forum.event
    diet = Question(event_id=event.id, position=1, kind=QuestionKind.ONE_CHOICE,
                    label="Dietary needs", choices="Vegetarian\nGluten-free")
    visa = Question(event_id=event.id, position=2, kind=QuestionKind.YES_NO,
                    label="I need a visa invitation letter")
    access = Question(event_id=event.id, position=3, kind=QuestionKind.SHORT_TEXT,
                      label="Accessibility needs")
    db.session.add_all([diet, visa, access])
    db.session.flush()
    for name, answers in {"Ann": {diet.id: "Vegetarian", visa.id: "yes"},
                          "Dee": {diet.id: "Gluten-free", access.id: "Wheelchair"},
                          "Eve": {visa.id: "yes"}, "Fay": {visa.id: "yes"}}.items():
        save_answers(forum.regs[name].id, answers)
    db.session.commit()
    assert names(event, REG, f"answered:{diet.id}=Vegetarian") == ["Ann"]
    assert names(event, REG, f"answered:{visa.id}=yes") == ["Ann", "Eve"]
    assert names(event, REG, f"answered:{access.id}=") == ["Dee"]
    labels = dict(options(event, REG))
    assert labels[f"answered:{diet.id}=Gluten-free"] == (
        "Those who answered: Dietary needs — Gluten-free")
    assert labels[f"answered:{access.id}="] == "Those who answered: Accessibility needs — answered"
