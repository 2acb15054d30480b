"""Invitations (RFC 5546): what is queued in the outbox on confirmation, change, withdrawal
and cancellation, parsed back with both parsers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.ical_check import parse_calendar, property_count, rfc6868_decode
from tests.mail_check import last_written, written
from webapp.calendars.event_news import cancel_event, send_update
from webapp.calendars.invites import send_cancellation, send_invitation
from webapp.extensions import db
from webapp.models import (
    DatePrecision,
    EventStatus,
    OutboxMessage,
    Registration,
    RegistrationStatus,
    utcnow,
)

INJECTED_NAME = 'Ulla "Ulle" Diderichsen;\r\nATTENDEE:mailto:evil@example.org\r\nBcc: x@y.org'


@pytest.fixture
def confirmed(app, make_event, make_person, make_region):
    """Factory: a confirmed registration (person with email) for an event hosted by a region."""

    def make(event=None, person=None, status=RegistrationStatus.CONFIRMED):
        """A registration; a new event and person unless given."""
        event = event or make_event("Creativity World Forum 2030",
                                    host_region=make_region("Region Midtjylland"))
        registration = Registration(event=event, person=person or make_person(),
                                    audience="international", status=status)
        db.session.add(registration)
        db.session.flush()
        return registration

    return make


def invite_of(message: OutboxMessage):
    """The message's inline text/calendar part, its METHOD and its single VEVENT, parsed."""
    [part] = message.attachments
    assert part.inline and part.filename == "invite.ics"
    parsed = parse_calendar(part.data)
    method = str(parsed.calendar["METHOD"])
    assert part.content_type == f"text/calendar; method={method}; charset=UTF-8"
    assert parsed.vcalendar.method.value == method
    [(uid, vevent)] = parsed.events.items()
    return method, uid, vevent, parsed


def test_confirmation_queues_a_request(app, confirmed):
    """METHOD:REQUEST, ORGANIZER the host region, ATTENDEE the person (ACCEPTED, no RSVP),
    the feeds' UID and SEQUENCE, and a mail that says what and when."""
    app.config["MAIL_FROM"] = "Districts of Creativity <events@example.org>"
    registration = confirmed()
    assert send_invitation(registration)
    message = last_written()
    method, uid, vevent, parsed = invite_of(message)
    assert method == "REQUEST"
    assert uid == f"event-{registration.event.id}@localhost"
    assert vevent["SEQUENCE"] == registration.event.sequence == 0
    organizer = vevent["ORGANIZER"]
    assert str(organizer) == "mailto:events@example.org"
    assert organizer.params["CN"] == "Region Midtjylland"
    attendee = vevent["ATTENDEE"]
    assert str(attendee) == f"mailto:{registration.person.email}"
    assert attendee.params["PARTSTAT"] == "ACCEPTED" and attendee.params["RSVP"] == "FALSE"
    assert parsed.vevents[uid].attendee.params["PARTSTAT"] == ["ACCEPTED"]
    assert message.to_address == registration.person.email
    assert message.subject == "Invitation: Creativity World Forum 2030"
    assert "Your place is confirmed" in message.body_text
    assert "webcal://localhost/calendar/p/" in message.body_text
    assert "Creativity World Forum 2030" in message.body_html


def test_no_invitation_when_it_cannot_reach_or_mean_anything(app, confirmed, make_event,
                                                             make_person):
    """Waiting list, no email address, or no exact dates: nothing is queued."""
    assert send_invitation(confirmed(status=RegistrationStatus.WAITLISTED)) is False
    assert send_invitation(confirmed(person=make_person(email=None))) is False
    year_only = make_event(date_precision=DatePrecision.YEAR)
    assert send_invitation(confirmed(event=year_only)) is False
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0


def test_update_goes_to_confirmed_registrants_with_a_higher_sequence(app, confirmed,
                                                                     make_person):
    """After a move every confirmed registrant gets a REQUEST with SEQUENCE 1; the waiting
    list and cancelled registrations get nothing."""
    first = confirmed()
    event = first.event
    second = confirmed(event=event)
    confirmed(event=event, status=RegistrationStatus.WAITLISTED)
    gone = confirmed(event=event)
    gone.status, gone.cancelled_at = RegistrationStatus.CANCELLED, utcnow()
    gone.cancel_reason = "Cannot travel"
    assert all(send_invitation(r) for r in (first, second))
    original = {str(invite_of(m)[2]["SEQUENCE"]) for m in written()}
    event.starts_at += timedelta(days=1)
    event.ends_at += timedelta(days=1)
    assert send_update(event) == 2
    messages = written(OutboxMessage.subject.startswith("Updated: "))
    assert sorted(m.to_address for m in messages) == sorted(
        [first.person.email, second.person.email])
    for message in messages:
        method, uid, vevent, _ = invite_of(message)
        assert method == "REQUEST" and uid == f"event-{event.id}@localhost"
        assert vevent["SEQUENCE"] == 1 and original == {"0"}
        assert vevent["DTSTART"].dt.astimezone(UTC) == datetime(2030, 5, 8, 7, tzinfo=UTC)
        assert message.subject.startswith("Updated: ")


def test_withdrawal_sends_cancel_with_same_uid_and_higher_sequence(app, confirmed):
    """A person withdrawn (or cancelling) gets METHOD:CANCEL for the same UID, SEQUENCE
    above their invitation's; the event itself stays confirmed."""
    registration = confirmed()
    send_invitation(registration)
    _, uid, request, _ = invite_of(last_written())
    with pytest.raises(ValueError):
        send_cancellation(registration)  # still active: nothing to announce
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = utcnow()
    registration.cancel_reason = "Withdrawn by the secretariat, at the region's request."
    assert send_cancellation(registration)
    method, cancel_uid, cancel, parsed = invite_of(last_written())
    assert method == "CANCEL" and cancel_uid == uid
    assert cancel["SEQUENCE"] > request["SEQUENCE"]
    assert str(cancel["STATUS"]) == "CANCELLED"
    assert str(cancel["ATTENDEE"]) == f"mailto:{registration.person.email}"
    assert "at the region's request" in parsed.text(uid, "DESCRIPTION")
    assert registration.event.status is EventStatus.CONFIRMED


def test_cancel_event_tells_every_invitee(app, confirmed):
    """cancel_event: kept with a date and a reason, STATUS:CANCELLED, one CANCEL each."""
    registrations = [confirmed()]
    event = registrations[0].event
    registrations.append(confirmed(event=event))
    with pytest.raises(ValueError):
        cancel_event(event, "  ")
    assert cancel_event(event, "The venue is not available.") == 2
    assert event.status is EventStatus.CANCELLED and event.cancelled_at is not None
    assert event.sequence == 1
    messages = written()
    assert len(messages) == 2
    for message in messages:
        method, uid, vevent, parsed = invite_of(message)
        assert method == "CANCEL" and vevent["SEQUENCE"] == 1
        assert parsed.text(uid, "SUMMARY") == f"Cancelled: {event.title}"
        assert "has been cancelled" in message.body_text
        assert "The venue is not available." in message.body_text
    assert cancel_event(event, "again") == 0
    with pytest.raises(ValueError):
        send_update(event)


def test_hostile_names_stay_intact_and_add_nothing(app, confirmed, make_person, make_region,
                                                   make_event):
    """A name carrying CR LF, quotes and a property injection: one ATTENDEE whose CN is the
    name on one line, a single-line subject and recipient name, bodies escaped in HTML."""
    region = make_region('Baden-Württemberg "BW"; <b>')
    event = make_event('Forum; "Århus" <b>x</b> \\ 上海\r\nSubject: injected',
                       host_region=region)
    person = make_person(INJECTED_NAME)
    assert send_invitation(confirmed(event=event, person=person))
    message = last_written()
    method, uid, vevent, parsed = invite_of(message)
    assert property_count(vevent, "ATTENDEE") == 1
    one_line_name = " ".join(INJECTED_NAME.split())
    assert vevent["ATTENDEE"].params["CN"] == one_line_name
    assert rfc6868_decode(parsed.vevents[uid].attendee.params["CN"][0]) == one_line_name
    assert vevent["ORGANIZER"].params["CN"] == 'Baden-Württemberg "BW"; <b>'
    assert parsed.text(uid, "SUMMARY") == 'Forum; "Århus" <b>x</b> \\ 上海\nSubject: injected'
    assert "\n" not in message.subject and "\r" not in message.subject
    assert message.to_name == one_line_name
    assert "&lt;b&gt;x&lt;/b&gt;" in message.body_html and "<b>x</b>" not in message.body_html
    assert "&#34;Ulle&#34;" in message.body_html or "&quot;Ulle&quot;" in message.body_html


def test_network_organizer_and_default_address(app, confirmed, make_event):
    """No host region: the network organises; no MAIL_FROM: calendar@<site host>."""
    app.config.pop("MAIL_FROM", None)
    assert send_invitation(confirmed(event=make_event(host_region=None)))
    organizer = invite_of(last_written())[2]["ORGANIZER"]
    assert str(organizer) == "mailto:calendar@localhost"
    assert organizer.params["CN"] == "Districts of Creativity"


def test_bulk_update_costs_the_same_queries_whatever_the_number_of_registrants(
        app, confirmed, make_person, count_queries):
    """send_update queues one row per registrant with one select and one insert, so a forum
    with 13,000 registrants is updated inside the request; each is written at delivery."""

    def queries_for(registrants: int) -> int:
        first = confirmed()
        for _ in range(registrants - 1):
            confirmed(event=first.event)
        first.event.starts_at += timedelta(hours=1)
        db.session.flush()
        with count_queries() as counted:
            assert send_update(first.event) == registrants
        return counted.count

    assert queries_for(2) == queries_for(40)
    assert len(written(OutboxMessage.subject.startswith("Updated: "))) == 42


def test_an_update_for_someone_no_longer_confirmed_is_refused_with_the_reason(
        app, confirmed):
    """Written at delivery: a REQUEST is never sent to a person whose place ended meanwhile
    (their CANCEL is queued); the message fails with the reason, visibly."""
    from webapp.mail.recipes import render_pending

    registration = confirmed()
    registration.event.starts_at += timedelta(hours=1)
    assert send_update(registration.event) == 1
    registration.status, registration.cancelled_at = RegistrationStatus.CANCELLED, utcnow()
    registration.cancel_reason = "Cannot travel"
    db.session.flush()
    [message] = db.session.scalars(sa.select(OutboxMessage)).all()
    assert render_pending([message]) == {
        message.id: f"registration {registration.id} is no longer confirmed: "
                    "no invitation to send"}
    assert message.body_text is None
