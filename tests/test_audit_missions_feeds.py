"""Missions, guests, agenda items and personal feed resets are in the audit log."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import AuditEntry, EventKind, GuestStatus, MissionGuest, Role

START = datetime(2030, 5, 7, 7, 0, tzinfo=UTC)  # 09:00 in Copenhagen (CEST)


def entries() -> dict[str, AuditEntry]:
    """The latest entry per action."""
    return {e.action: e for e in db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id))}


@pytest.fixture
def mission(make_region, make_event, make_person, make_user, auth):
    """A mission hosted by 'Host' with one invited guest, Ann; signed in as its planner."""
    host, abroad = make_region("Host"), make_region("Abroad")
    event = make_event("Mission to Host", kind=EventKind.REVERSE_MISSION, starts_at=START,
                       hours=58, host_region_id=host.id)
    ann = make_person("Ann", region_id=abroad.id, email="ann@example.org")
    guest = MissionGuest(event_id=event.id, person_id=ann.id)
    db.session.add(guest)
    db.session.commit()
    auth.login(make_user(Role.COORDINATOR, region=host))
    return event, host, guest


def test_mission_and_its_guests_are_audited(mission, client):
    """Created, edited (before → after), a guest invited, a guest's answer recorded."""
    event, host, guest = mission
    data = {"title": "Smart regions week", "place": "Aarhus", "timezone": "Europe/Copenhagen",
            "starts_at": "2031-05-05T09:00", "ends_at": "2031-05-07T17:00",
            "travel_buffer_minutes": "45", "host_region_id": str(host.id)}
    assert client.post("/missions/new", data=data).status_code == 302
    assert "Smart regions week, hosted by Host" in entries()["mission.created"].summary
    old_place = event.place
    edit = {"title": event.title, "place": "Herning", "timezone": "Europe/Copenhagen",
            "starts_at": "2030-05-07T09:00", "ends_at": "2030-05-09T18:00",
            "travel_buffer_minutes": "30", "host_region_id": str(host.id)}
    assert client.post(f"/missions/{event.id}/edit", data=edit).status_code == 302
    summary = entries()["mission.updated"].summary
    assert f"place “{old_place}” → “Herning”" in summary
    assert "ends at “2030-05-09 17:00 UTC” → “2030-05-09 16:00 UTC”" in summary
    client.post(f"/missions/{event.id}/guests", data={
        "email": "eve@example.org", "full_name": "Eve", "person_id": "", "region_id": ""})
    assert "Eve <eve@example.org> invited to Mission to Host" in entries()["guest.invited"].summary
    client.post(f"/missions/{event.id}/guests/{guest.id}", data={"status": "accepted"})
    assert "answer invited → accepted" in entries()["mission.guest_recorded"].summary
    assert guest.status is GuestStatus.ACCEPTED


def test_agenda_items_are_audited(mission, client):
    """Added with its times, changed with before → after, cancelled."""
    event, _host, _guest = mission
    form = {"kind": "visit", "title": "Visit the harbour", "starts_at": "2030-05-07T10:00",
            "ends_at": "2030-05-07T11:00", "attendance": "all", "address": "Harbour 1"}
    assert client.post(f"/missions/{event.id}/items/new", data=form).status_code == 302
    added = entries()["agenda.item_added"]
    assert "“Visit the harbour” “2030-05-07 08:00 UTC” to “2030-05-07 09:00 UTC”" in added.summary
    client.post(f"/missions/{event.id}/items/{added.target_id}",
                data={**form, "address": "Pier 2"})
    assert "address “Harbour 1” → “Pier 2”" in entries()["agenda.item_changed"].summary
    client.post(f"/missions/{event.id}/items/{added.target_id}/cancel")
    assert "“Visit the harbour” cancelled" in entries()["agenda.item_cancelled"].summary


def test_a_personal_feed_reset_is_audited(client, make_person):
    """The person (no account) reset their calendar address."""
    person = make_person(email="ann@example.org")
    db.session.commit()
    assert client.post(f"/calendar/p/{person.calendar_token}/reset",
                       data={"confirmed": "yes"}).status_code == 303
    entry = entries()["calendar.feed_reset"]
    assert entry.actor_id is None and entry.target_type == "person"
    assert "ann@example.org: personal calendar address reset" in entry.summary
