"""Confirming and cancelling an event from its status page: asked first, audited, and what
calendars and people then receive, parsed back field by field."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.ical_check import parse_calendar
from tests.mail_check import written
from webapp.extensions import db
from webapp.models import (
    AuditEntry,
    DatePrecision,
    Event,
    EventKind,
    EventStatus,
    GuestStatus,
    MissionGuest,
    OutboxMessage,
    Registration,
    RegistrationStatus,
    Role,
    utcnow,
)


@pytest.fixture
def planned(make_event, make_person, make_region):
    """A planned forum hosted by a region, with two confirmed registrants, one waiting and
    one cancelled."""
    host = make_region("Region Midtjylland")
    event = make_event("Creativity World Forum 2030", status=EventStatus.PLANNED,
                       host_region=host)
    statuses = [RegistrationStatus.CONFIRMED, RegistrationStatus.CONFIRMED,
                RegistrationStatus.WAITLISTED]
    for n, status in enumerate(statuses):
        db.session.add(Registration(event=event, audience="guest", status=status,
                                    person=make_person(email=f"r{n}@example.org")))
    db.session.add(Registration(event=event, audience="guest", person=make_person(
        email="gone@example.org"), status=RegistrationStatus.CANCELLED,
        cancelled_at=utcnow(), cancel_reason="Cannot travel"))
    db.session.commit()
    return event


def calendar_parts(*criteria) -> list[tuple[OutboxMessage, object]]:
    """Messages written as delivery writes them, each with its parsed calendar part."""
    messages = written(*criteria)
    db.session.commit()
    return [(m, parse_calendar(m.attachments[0].data) if m.attachments else None)
            for m in messages]


def test_confirming_asks_first_then_shows_confirmed_everywhere(planned, make_user, client,
                                                               auth):
    """Confirm: a question page first (nothing changed), then STATUS:CONFIRMED in the feed
    and an updated REQUEST (PARTSTAT=ACCEPTED, STATUS:CONFIRMED) for each confirmed
    registrant, audited with the note."""
    auth.login(make_user(Role.SECRETARIAT))
    event_id, uid = planned.id, f"event-{planned.id}@localhost"
    page = client.get(f"/events/{event_id}").get_data(as_text=True)
    assert f'href="/events/{event_id}/status"' in page
    assert str(parse_calendar(client.get(f"/events/{event_id}.ics").data)
               .events[uid]["STATUS"]) == "TENTATIVE"
    asked = client.post(f"/events/{event_id}/status",
                        data={"action": "confirm", "reason": "Venue contract signed"})
    assert asked.status_code == 200
    assert "Confirm Creativity World Forum 2030?" in asked.get_data(as_text=True)
    assert db.session.get(Event, event_id).status is EventStatus.PLANNED
    done = client.post(f"/events/{event_id}/status", follow_redirects=True, data={
        "action": "confirm", "reason": "Venue contract signed", "confirmed": "1"})
    assert "is confirmed; calendar updates queued for 2 people" in done.get_data(as_text=True)
    event = db.session.get(Event, event_id)
    assert event.status is EventStatus.CONFIRMED and event.sequence == 1
    vevent = parse_calendar(client.get(f"/events/{event_id}.ics").data).events[uid]
    assert str(vevent["STATUS"]) == "CONFIRMED" and vevent["SEQUENCE"] == 1
    updates = calendar_parts(OutboxMessage.subject.startswith("Updated: "))
    assert sorted(m.to_address for m, _ in updates) == ["r0@example.org", "r1@example.org"]
    for _message, invite in updates:
        assert str(invite.calendar["METHOD"]) == "REQUEST"
        vevent = invite.events[uid]
        assert str(vevent["STATUS"]) == "CONFIRMED" and vevent["SEQUENCE"] == 1
        assert vevent["ATTENDEE"].params["PARTSTAT"] == "ACCEPTED"
    entry = db.session.scalars(sa.select(AuditEntry).filter_by(action="event.confirmed")).one()
    assert entry.target_id == event_id and "Venue contract signed" in entry.summary


def test_cancelling_needs_a_reason_asks_first_and_tells_every_registrant(
        planned, make_user, client, auth):
    """No reason: refused, explained. With one: asked (how many are told), then the event is
    kept as STATUS:CANCELLED in the feeds and every registrant, confirmed or waiting, gets
    a METHOD:CANCEL with the reason; the cancelled registration gets nothing; audited."""
    auth.login(make_user(Role.SECRETARIAT))
    event_id, uid = planned.id, f"event-{planned.id}@localhost"
    refused = client.post(f"/events/{event_id}/status", data={"action": "cancel",
                                                               "reason": "  "})
    assert refused.status_code == 400
    assert "Give a reason: it is sent to everyone registered." in refused.get_data(as_text=True)
    asked = client.post(f"/events/{event_id}/status",
                        data={"action": "cancel", "reason": "The venue burnt down."})
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Cancel Creativity World Forum 2030?" in html
    assert "its 2 confirmed registrants and 1 on the waiting list." in html
    assert db.session.get(Event, event_id).status is EventStatus.PLANNED
    done = client.post(f"/events/{event_id}/status", follow_redirects=True, data={
        "action": "cancel", "reason": "The venue burnt down.", "confirmed": "1"})
    html = done.get_data(as_text=True)
    assert "is cancelled; 3 cancellations queued" in html
    assert "This event is cancelled" in html and "The venue burnt down." in html
    event = db.session.get(Event, event_id)
    assert event.status is EventStatus.CANCELLED and event.cancelled_at is not None
    assert event.cancel_reason == "The venue burnt down."
    for url in (f"/events/{event_id}.ics", "/calendar/network.ics"):
        vevent = parse_calendar(client.get(url).data).events[uid]
        assert str(vevent["STATUS"]) == "CANCELLED" and vevent["SEQUENCE"] == event.sequence
    cancellations = calendar_parts(OutboxMessage.subject.startswith("Cancelled: "))
    assert sorted(m.to_address for m, _ in cancellations) == [
        "r0@example.org", "r1@example.org", "r2@example.org"]
    for message, invite in cancellations:
        assert str(invite.calendar["METHOD"]) == "CANCEL"
        vevent = invite.events[uid]
        assert str(vevent["STATUS"]) == "CANCELLED" and vevent["SEQUENCE"] == event.sequence
        assert str(vevent["ATTENDEE"]) == f"mailto:{message.to_address}"
        assert "The venue burnt down." in message.body_text
    entry = db.session.scalars(sa.select(AuditEntry).filter_by(action="event.cancelled")).one()
    assert entry.summary == "Cancelled Creativity World Forum 2030: The venue burnt down."
    again = client.post(f"/events/{event_id}/status", follow_redirects=True, data={
        "action": "cancel", "reason": "again", "confirmed": "1"})
    assert "already cancelled" in again.get_data(as_text=True)
    assert len(written(OutboxMessage.subject.startswith("Cancelled: "))) == 3


def test_a_forum_is_the_secretariats_a_mission_also_its_hosts(planned, make_user, client,
                                                             auth, make_event, make_person):
    """The forum's host coordinator may not change its status; a mission's host coordinator
    cancels it, and its guests who had not declined get a METHOD:CANCEL."""
    host = planned.host_region
    auth.login(make_user(Role.COORDINATOR, region=host))
    assert client.get(f"/events/{planned.id}/status").status_code == 403
    assert "Confirm or cancel" not in client.get(f"/events/{planned.id}").get_data(as_text=True)
    mission = make_event("Reverse mission 2030", kind=EventKind.REVERSE_MISSION,
                         host_region=host, hours=50)
    for n, status in enumerate([GuestStatus.INVITED, GuestStatus.ACCEPTED,
                                GuestStatus.DECLINED]):
        db.session.add(MissionGuest(event=mission, status=status,
                                    person=make_person(email=f"g{n}@example.org")))
    db.session.commit()
    assert "Cancel the event" in client.get(f"/events/{mission.id}").get_data(as_text=True)
    client.post(f"/events/{mission.id}/status", data={
        "action": "cancel", "reason": "Flights grounded.", "confirmed": "1"})
    assert db.session.get(Event, mission.id).status is EventStatus.CANCELLED
    parts = calendar_parts(OutboxMessage.subject == "Cancelled: Reverse mission 2030")
    assert sorted(m.to_address for m, _ in parts) == ["g0@example.org", "g1@example.org"]
    for message, invite in parts:
        vevent = invite.events[f"event-{mission.id}@localhost"]
        assert str(invite.calendar["METHOD"]) == "CANCEL"
        assert str(vevent["STATUS"]) == "CANCELLED"
        assert str(vevent["ATTENDEE"]) == f"mailto:{message.to_address}"
        assert "Flights grounded." in message.body_text


def test_an_event_without_exact_days_is_cancelled_by_email_only(planned, make_user, client,
                                                                auth):
    """Not in calendars: registrants still hear of the cancellation, without a calendar
    part and without a sentence about one."""
    planned.date_precision = DatePrecision.YEAR
    db.session.commit()
    auth.login(make_user(Role.SECRETARIAT))
    client.post(f"/events/{planned.id}/status", data={
        "action": "cancel", "reason": "Postponed sine die.", "confirmed": "1"})
    parts = calendar_parts(OutboxMessage.subject.startswith("Cancelled: "))
    assert len(parts) == 3
    for message, invite in parts:
        assert invite is None and "Postponed sine die." in message.body_text
        assert "removes it from your calendar" not in message.body_text


def test_posting_a_status_change_takes_the_same_rights(planned, make_user, make_region,
                                                      client, auth):
    """Posts are refused as the page is: anonymous → sign-in, a participant or another
    region's coordinator → 403, and the event is left as it was."""
    cancel = {"action": "cancel", "reason": "No.", "confirmed": "1"}
    url = f"/events/{planned.id}/status"
    answer = client.post(url, data=cancel)
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
    for user in (make_user(Role.PARTICIPANT),
                 make_user(Role.COORDINATOR, region=make_region("Elsewhere")),
                 make_user(Role.COORDINATOR, region=planned.host_region)):  # a forum's host
        auth.login(user)
        assert client.post(url, data=cancel).status_code == 403
        auth.logout()
    assert db.session.get(Event, planned.id).status is EventStatus.PLANNED
    assert written() == []


def test_cancelling_a_mission_withdraws_each_agenda_item_its_guests_had(
        make_user, client, auth, make_event, make_person, make_region):
    """Each agenda item reached a guest's calendar as its own invitation: the mission's
    cancellation carries a METHOD:CANCEL per item that guest was to attend (a parallel
    visit only to its listed guests; an item already cancelled not again)."""
    from datetime import timedelta

    from webapp.models import AgendaItem, AgendaKind

    host = make_region("Catalonia")
    mission = make_event("Reverse mission 2031", kind=EventKind.REVERSE_MISSION,
                         host_region=host, hours=50)
    people = [make_person(email=f"{n}@example.org") for n in ("ann", "bo")]
    ann, bo = (MissionGuest(event=mission, person=person) for person in people)
    db.session.add_all([ann, bo])
    start = mission.starts_at + timedelta(hours=2)

    def item(title, hours, **extra):
        return AgendaItem(event=mission, kind=AgendaKind.VISIT, title=title,
                          starts_at=start + timedelta(hours=hours),
                          ends_at=start + timedelta(hours=hours + 1), **extra)

    everyone, split = item("Port visit", 0), item("Design studio", 3, all_guests=False)
    split.selected_guests.append(bo)
    called_off = item("Dinner", 6, cancelled_at=utcnow())
    db.session.add_all([ann, bo, everyone, split, called_off])
    db.session.commit()
    auth.login(make_user(Role.COORDINATOR, region=host))
    client.post(f"/events/{mission.id}/status", data={
        "action": "cancel", "reason": "Flights grounded.", "confirmed": "1"})
    messages = {m.to_address: m for m in written(
        OutboxMessage.subject == "Cancelled: Reverse mission 2031")}
    withdrawn = {}
    for address, message in messages.items():
        files = [a for a in message.attachments if a.filename.startswith("cancelled-item-")]
        withdrawn[address] = set()
        for part in files:
            invite = parse_calendar(part.data)
            assert str(invite.calendar["METHOD"]) == "CANCEL"
            [vevent] = invite.events.values()
            assert str(vevent["STATUS"]) == "CANCELLED"
            withdrawn[address].add(str(vevent["SUMMARY"]).removeprefix("Cancelled: "))
    assert withdrawn == {"ann@example.org": {"Port visit"},
                         "bo@example.org": {"Port visit", "Design studio"}}
