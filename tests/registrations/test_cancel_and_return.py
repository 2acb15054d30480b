"""A person cancels their own registration and registers again: one email carries the
METHOD:CANCEL, and the new METHOD:REQUEST outgrows its SEQUENCE (else calendars ignore it)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.ical_check import parse_calendar
from tests.mail_check import written
from tests.registrations.helpers import person
from webapp.extensions import db
from webapp.models import OutboxMessage, Registration, RegistrationStatus
from webapp.registrations.services import cancel_registration, register_person
from webapp.registrations.tokens import make_registration_token

EMAIL = "p1@example.org"


def mails_to(email: str) -> list[tuple[OutboxMessage, object]]:
    """Messages to `email`, written as delivery writes them (committed), each with its
    parsed calendar part or None."""
    messages = written(OutboxMessage.to_address == email)
    db.session.commit()
    return [(m, parse_calendar(m.attachments[0].data) if m.attachments else None)
            for m in messages]


def itip(parsed, event_id: int) -> tuple[str, int]:
    """METHOD and SEQUENCE of the event's VEVENT in an iTIP message."""
    return (str(parsed.calendar["METHOD"]),
            int(parsed.events[f"event-{event_id}@localhost"]["SEQUENCE"]))


def register_by_form(client, forum, audience: str = "guest"):
    """Post the public form as Person 1."""
    return client.post(f"/events/{forum.id}/register", data={
        "full_name": "Person 1", "email": EMAIL, "audience": audience})


def test_one_self_cancellation_sends_one_email_with_the_cancel(make_forum, client):
    """The signed page's Cancel: one message (not two), 'Registration cancelled', holding the
    METHOD:CANCEL of the event with a SEQUENCE above the invitation's, and saying so."""
    forum = make_forum()
    registration = register_person(forum, person(1), "guest")
    db.session.commit()
    [(_, request)] = mails_to(EMAIL)
    token = make_registration_token(registration)
    client.post(f"/registration/{token}/cancel", data={"reason": "", "confirmed": "yes"})
    mails = mails_to(EMAIL)
    assert len(mails) == 2  # the confirmation, then one cancellation
    message, cancel = mails[1]
    assert message.subject == "Registration cancelled: Creativity World Forum 2030"
    [part] = message.attachments
    assert part.content_type == "text/calendar; method=CANCEL; charset=UTF-8" and part.inline
    assert itip(cancel, forum.id)[0] == "CANCEL"
    assert itip(cancel, forum.id)[1] > itip(request, forum.id)[1]
    vevent = cancel.events[f"event-{forum.id}@localhost"]
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert str(vevent["ATTENDEE"]) == f"mailto:{EMAIL}"
    assert "removes the event from your calendar" in message.body_text
    assert "removes the event from your calendar" in message.body_html


def test_a_waitlisted_cancellation_carries_no_calendar(make_forum):
    """Nobody waiting held an invitation: their cancellation email has no calendar part."""
    forum = make_forum({"guest": 1})
    register_person(forum, person(0), "guest")
    waiting = register_person(forum, person(1), "guest")
    cancel_registration(waiting, None, "Changed plans")
    message, calendar = mails_to(EMAIL)[-1]
    assert message.subject.startswith("Registration cancelled") and calendar is None
    assert "removes the event from your calendar" not in message.body_text


@pytest.mark.parametrize("written_between", [True, False], ids=["sent-at-once", "sent-late"])
def test_registering_again_after_cancelling_sends_a_higher_sequence(make_forum, client,
                                                                    written_between):
    """Public form, cancel, public form again: the new REQUEST's SEQUENCE is above the
    CANCEL's, whether each message was written at once or all by a late worker (the CANCEL
    keeps the SEQUENCE it was queued with)."""
    forum = make_forum()
    assert register_by_form(client, forum).status_code == 302
    if written_between:
        mails_to(EMAIL)
    registration = db.session.scalars(sa.select(Registration)).one()
    client.post(f"/registration/{make_registration_token(registration)}/cancel",
                data={"confirmed": "yes"})
    if written_between:
        mails_to(EMAIL)
    assert register_by_form(client, forum).status_code == 302
    calendars = [itip(parsed, forum.id) for _, parsed in mails_to(EMAIL) if parsed]
    # Written late, the first confirmation comes after the cancellation: no REQUEST in it.
    expected = ["REQUEST", "CANCEL", "REQUEST"] if written_between else ["CANCEL", "REQUEST"]
    assert [method for method, _ in calendars] == expected
    sequences = [sequence for _, sequence in calendars]
    assert sequences == sorted(set(sequences))  # each higher than the one before


def test_a_delegate_added_again_gets_a_higher_sequence(make_forum, make_user):
    """The same rule through register_person (delegations, imports)."""
    forum = make_forum()
    first = register_person(forum, person(1), "international")
    mails_to(EMAIL)  # the worker wrote the confirmation at once
    cancel_registration(first, make_user(), "Wrong person")
    again = register_person(forum, person(1), "international")
    assert again.status is RegistrationStatus.CONFIRMED
    calendars = [itip(parsed, forum.id) for _, parsed in mails_to(EMAIL) if parsed]
    assert [method for method, _ in calendars] == ["REQUEST", "CANCEL", "REQUEST"]
    assert calendars[2][1] > calendars[1][1] > calendars[0][1]
