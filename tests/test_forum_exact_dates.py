"""Giving a forum known only to the year its exact days (the forum set-up form): it becomes
exact, goes into every feed, and its confirmed registrants get the invitation they never had."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests.ical_check import parse_calendar
from tests.mail_check import written
from tests.registrations.helpers import person
from webapp.extensions import db
from webapp.models import DatePrecision, Event, OutboxMessage, Role
from webapp.registrations.services import register_person


@pytest.fixture
def cwf_2017(seeded):
    """The seeded CWF 2017 (dates known only to the year) with two confirmed registrants
    whose confirmations were already written and sent without an invitation."""
    event = db.session.scalars(sa.select(Event).filter_by(slug="cwf-2017")).one()
    assert event.date_precision is DatePrecision.YEAR
    for n in (1, 2):
        register_person(event, person(n), "international")
    db.session.commit()
    # No calendar part (no exact days); the ticket's QR image is there.
    assert all(not calendar_parts(m) for m in written())
    db.session.commit()
    return event


def setup_data(event: Event, starts: str, ends: str) -> dict[str, str]:
    """The set-up form as the page fills it in, with the dates given."""
    data = {"title": event.title, "theme": event.theme or "", "place": event.place,
            "host_region_id": str(event.host_region_id or ""), "timezone": event.timezone,
            "starts_local": starts, "ends_local": ends}
    for i, capacity in enumerate(event.capacities):
        data |= {f"capacities-{i}-audience": capacity.audience,
                 f"capacities-{i}-label": capacity.label,
                 f"capacities-{i}-capacity": str(capacity.capacity)}
    return data


def calendar_messages(email: str, subject_start: str) -> list:
    """(message, parsed invitation) of the messages to `email` whose subject starts so,
    written as delivery writes them (and committed, so that the next request may write)."""
    messages = written(OutboxMessage.to_address == email,
                       OutboxMessage.subject.startswith(subject_start))
    db.session.commit()
    return [(m, parse_calendar(calendar_parts(m)[0].data)) for m in messages]


def calendar_parts(message) -> list:
    """The message's iCalendar attachments (a confirmation also carries its ticket image)."""
    return [a for a in message.attachments if a.content_type.startswith("text/calendar")]


def test_exact_dates_put_the_forum_in_calendars_and_invite_every_registrant(
        cwf_2017, make_user, client, auth):
    """4–6 Oct 2017 09:00–18:00: precision day, no ≈, the .ics and every feed carry it, and
    each confirmed registrant gets a METHOD:REQUEST for it (before: precision stayed 'year',
    the .ics answered 404 and 'updates queued for 0 registered people')."""
    event_id = cwf_2017.id
    auth.login(make_user(Role.SECRETARIAT))
    assert client.get(f"/events/{event_id}.ics").status_code == 404
    response = client.post(f"/events/{event_id}/setup", follow_redirects=True,
                           data=setup_data(cwf_2017, "2017-10-04T09:00", "2017-10-06T18:00"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "now in calendars: invitations queued for 2 registered people" in html
    event = db.session.get(Event, event_id)
    assert event.date_precision is DatePrecision.DAY and event.date_note is None
    assert "≈" not in html.split("<dt>Dates</dt>")[1].split("</dd>")[0]
    assert "Not in calendars" not in html

    uid = f"event-{event_id}@localhost"
    feeds = [f"/events/{event_id}.ics", "/calendar/network.ics",
             "/regions/region-midtjylland/calendar.ics"]
    for url in feeds:
        answer = client.get(url)
        assert answer.status_code == 200, url
        vevent = parse_calendar(answer.data).events[uid]
        assert vevent["DTSTART"].dt == date(2017, 10, 4)  # whole local days
        assert vevent["DTEND"].dt == date(2017, 10, 7)  # exclusive
        assert vevent["SEQUENCE"] == event.sequence

    for n in (1, 2):
        [(message, invite)] = calendar_messages(f"p{n}@example.org", "Invitation: ")
        assert message.subject == "Invitation: Creativity World Forum 2017"
        assert str(invite.calendar["METHOD"]) == "REQUEST"
        vevent = invite.events[uid]
        assert str(vevent["ATTENDEE"]) == f"mailto:p{n}@example.org"
        assert vevent["ATTENDEE"].params["PARTSTAT"] == "ACCEPTED"
        assert vevent["DTSTART"].dt == date(2017, 10, 4)
        assert vevent["SEQUENCE"] == event.sequence
        assert "Your place is confirmed" in message.body_text
        token = db.session.scalar(sa.text("SELECT calendar_token FROM person WHERE email = :e"),
                                  {"e": f"p{n}@example.org"})
        personal = parse_calendar(client.get(f"/calendar/p/{token}.ics").data)
        assert uid in personal.events


def test_a_later_change_updates_those_invited(cwf_2017, make_user, client, auth):
    """Once exact, moving the forum sends an 'Updated' REQUEST with a higher SEQUENCE, and
    no second invitation."""
    auth.login(make_user(Role.SECRETARIAT))
    client.post(f"/events/{cwf_2017.id}/setup",
                data=setup_data(cwf_2017, "2017-10-04T09:00", "2017-10-06T18:00"))
    [(_, first)] = calendar_messages("p1@example.org", "Invitation: ")
    uid = f"event-{cwf_2017.id}@localhost"
    response = client.post(f"/events/{cwf_2017.id}/setup", follow_redirects=True,
                           data=setup_data(cwf_2017, "2017-10-05T09:00", "2017-10-07T18:00"))
    assert "Calendar updates queued for 2 registered people" in response.get_data(as_text=True)
    [(_, update)] = calendar_messages("p1@example.org", "Updated: ")
    assert str(update.calendar["METHOD"]) == "REQUEST"
    assert update.events[uid]["SEQUENCE"] > first.events[uid]["SEQUENCE"]
    assert update.events[uid]["DTSTART"].dt == date(2017, 10, 5)
    assert len(calendar_messages("p1@example.org", "Invitation: ")) == 1


def test_an_approximate_forum_shows_empty_dates_with_a_hint(cwf_2017, make_user, client,
                                                             auth):
    """The form shows no made-up 1 January; saved with empty dates the forum stays ≈ 2017
    (nothing queued); one date without the other is refused with the input kept."""
    auth.login(make_user(Role.SECRETARIAT))
    page = client.get(f"/events/{cwf_2017.id}/setup").get_data(as_text=True)
    assert "2017-01-01" not in page
    assert 'name="starts_local" type="datetime-local" value=""' in page
    assert "The exact days are not recorded yet" in page
    assert client.post(f"/events/{cwf_2017.id}/setup",
                       data=setup_data(cwf_2017, "", "")).status_code == 302
    assert db.session.get(Event, cwf_2017.id).date_precision is DatePrecision.YEAR
    assert written(OutboxMessage.subject.startswith("Invitation: ")) == []
    db.session.commit()
    half = client.post(f"/events/{cwf_2017.id}/setup",
                       data=setup_data(cwf_2017, "2017-10-04T09:00", ""))
    assert half.status_code == 400
    html = half.get_data(as_text=True)
    assert "Give the last day and time." in html and 'value="2017-10-04T09:00"' in html


def test_a_new_forum_needs_its_dates(seeded, make_user, client, auth):
    """A new forum cannot be created without its days (it would have none to show)."""
    auth.login(make_user(Role.SECRETARIAT))
    response = client.post("/forums/new", data={"title": "CWF 2032", "place": "Aarhus",
                                                "timezone": "Europe/Copenhagen"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Give the first day and time." in html and "Give the last day and time." in html
