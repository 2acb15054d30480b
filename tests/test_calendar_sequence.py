"""SEQUENCE is a mechanism: visible changes bump it at flush time, whoever makes them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.ical_check import parse_calendar
from webapp.calendars.event_news import cancel_event
from webapp.extensions import db
from webapp.models import AgendaItem, AgendaKind, EventStatus


def published(client, event_id: int, uid: str):
    """Fetch /events/<id>.ics, parse it with both parsers and return (icalendar, vobject)."""
    response = client.get(f"/events/{event_id}.ics")
    assert response.status_code == 200
    parsed = parse_calendar(response.data)
    return parsed.events[uid], parsed.vevents[uid]


def test_created_moved_cancelled_gives_sequence_0_1_2_with_one_uid(app, client, make_event):
    """The lifecycle a calendar client sees: same UID, SEQUENCE 0 → 1 → 2, then CANCELLED."""
    event = make_event("Forum", starts_at=datetime(2030, 5, 7, 7, tzinfo=UTC))
    db.session.commit()
    uid = f"event-{event.id}@localhost"

    created, v_created = published(client, event.id, uid)
    assert created["SEQUENCE"] == 0 and v_created.sequence.value == "0"

    event.starts_at += timedelta(days=1)
    event.ends_at += timedelta(days=1)
    db.session.commit()
    moved, v_moved = published(client, event.id, uid)
    assert moved["SEQUENCE"] == 1 and v_moved.sequence.value == "1"
    assert moved["DTSTART"].dt.astimezone(UTC) == datetime(2030, 5, 8, 7, tzinfo=UTC)

    cancel_event(event, "The host region withdrew.")
    db.session.commit()
    cancelled, v_cancelled = published(client, event.id, uid)
    assert cancelled["SEQUENCE"] == 2 and v_cancelled.sequence.value == "2"
    assert str(cancelled["STATUS"]) == "CANCELLED" == v_cancelled.status.value
    assert str(cancelled["UID"]) == str(moved["UID"]) == str(created["UID"]) == uid


def test_only_visible_changes_bump_the_sequence(app, make_event):
    """Same value again, or a new description: no bump (LAST-MODIFIED still moves)."""
    event = make_event(place="Aarhus")
    db.session.commit()
    first_update = event.updated_at
    event.place = "Aarhus"
    event.starts_at = event.starts_at.astimezone(UTC)  # the same instant
    db.session.commit()
    assert event.sequence == 0
    event.description = "Programme published."
    db.session.commit()
    assert event.sequence == 0 and event.updated_at > first_update
    event.venue = "Musikhuset"
    event.place = "Aarhus C"
    db.session.commit()
    assert event.sequence == 1  # one bump per flush, however many columns changed


def test_status_change_bumps_the_agenda_items_too(app, make_event):
    """Agenda items are published with their event's status, so they get a new SEQUENCE."""
    event = make_event(status=EventStatus.PLANNED)
    items = [
        AgendaItem(event=event, kind=AgendaKind.KEYNOTE, title=f"Talk {n}",
                   starts_at=event.starts_at + timedelta(hours=n),
                   ends_at=event.starts_at + timedelta(hours=n + 1))
        for n in range(3)
    ]
    db.session.add_all(items)
    db.session.commit()
    event.status = EventStatus.CONFIRMED
    db.session.commit()
    assert event.sequence == 1 and [i.sequence for i in items] == [1, 1, 1]
    items[0].address = "Nordre Ringgade 1"
    items[1].description = "Not something calendars must redraw"
    db.session.commit()
    assert [i.sequence for i in items] == [2, 1, 1] and event.sequence == 1


def test_a_sequence_set_by_the_caller_is_not_bumped_again(app, make_event):
    """Callers that manage SEQUENCE themselves (a withdrawal CANCEL) are not double-counted."""
    event = make_event()
    db.session.commit()
    event.sequence += 1
    event.place = "Elsewhere"
    db.session.commit()
    assert event.sequence == 1
