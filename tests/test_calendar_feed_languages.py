"""Feeds in their reader's language: a person's feed in the language of their registration,
the public feeds in the request's; the pieces shared between feeds are kept per language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.ical_check import parse_calendar
from webapp.extensions import db
from webapp.models import (
    AgendaItem,
    AgendaKind,
    EventKind,
    EventStatus,
    MissionGuest,
    Registration,
    RegistrationStatus,
)


def _register(person, event, language=None, status=RegistrationStatus.CONFIRMED):
    """A registration of `person` for `event`, in `language`."""
    registration = Registration(person=person, event=event, audience="guest", status=status,
                                language=language)
    db.session.add(registration)
    db.session.flush()
    return registration


def _cancelled_forum(make_event):
    """A cancelled forum with a theme and one workshop: every text the app adds to a feed."""
    forum = make_event("CWF 2017", status=EventStatus.CANCELLED, theme="Creativity")
    forum.cancel_reason = "Venue flooded"
    db.session.add(AgendaItem(event=forum, kind=AgendaKind.WORKSHOP, title="Design sprint",
                              starts_at=forum.starts_at,
                              ends_at=forum.starts_at + timedelta(hours=1)))
    db.session.flush()
    return forum


def test_a_personal_feed_follows_the_registrations_language(client, make_event, make_person):
    """A German registrant's feed says 'Abgesagt', an English one's 'Cancelled', though the
    two are built from the same rows one after the other (the shared pieces are per language)."""
    forum = _cancelled_forum(make_event)
    german, english = make_person("Jörg"), make_person("Jane")
    _register(german, forum, "de")
    _register(english, forum, "en")
    db.session.commit()
    item_uid = f"agenda-{forum.agenda_items[0].id}@localhost"
    event_uid = f"event-{forum.id}@localhost"

    in_german = client.get(f"/calendar/p/{german.calendar_token}.ics",
                           headers={"Accept-Language": "en"})
    parsed = parse_calendar(in_german.data)
    assert in_german.headers["Content-Language"] == "de"
    assert parsed.text(event_uid, "SUMMARY") == "Abgesagt: CWF 2017"
    assert "Thema: Creativity" in parsed.text(event_uid, "DESCRIPTION")
    assert parsed.text(item_uid, "SUMMARY") == "Abgesagt: Design sprint"
    assert str(parsed.calendar["X-WR-CALNAME"]) == "Districts of Creativity: meine Veranstaltungen"

    in_english = client.get(f"/calendar/p/{english.calendar_token}.ics",
                            headers={"Accept-Language": "de"})
    parsed = parse_calendar(in_english.data)
    assert in_english.headers["Content-Language"] == "en"
    assert parsed.text(event_uid, "SUMMARY") == "Cancelled: CWF 2017"
    assert parsed.text(item_uid, "SUMMARY") == "Cancelled: Design sprint"
    assert "Abgesagt" not in in_english.get_data(as_text=True)


def test_changing_the_language_changes_the_feeds_etag(client, make_event, make_person):
    """A calendar that polls with the old ETag gets the feed in the newly chosen language."""
    forum = _cancelled_forum(make_event)
    person = make_person()
    registration = _register(person, forum, "da")
    db.session.commit()
    url = f"/calendar/p/{person.calendar_token}.ics"
    danish = client.get(url)
    assert danish.headers["Content-Language"] == "da"
    assert "Aflyst: CWF 2017" in danish.get_data(as_text=True)
    registration.language = "fr"
    db.session.commit()
    french = client.get(url, headers={"If-None-Match": danish.headers["ETag"]})
    assert french.status_code == 200
    assert french.headers["Content-Language"] == "fr"
    assert "Annulé : CWF 2017" in parse_calendar(french.data).text(
        f"event-{forum.id}@localhost", "SUMMARY")


def test_without_a_saved_language_the_request_then_the_forum_decide(
    client, make_event, make_person
):
    """A delegate registered by their coordinator (no language saved): the calendar app's
    Accept-Language, else the forum's default language."""
    forum = _cancelled_forum(make_event)
    forum.default_language = "da"
    person = make_person()
    _register(person, forum, None)
    db.session.commit()
    url = f"/calendar/p/{person.calendar_token}.ics"
    assert client.get(url, headers={"Accept-Language": "fi"}).headers["Content-Language"] == "fi"
    assert client.get(url).headers["Content-Language"] == "da"


def test_a_mission_guest_reads_the_missions_language(client, make_event, make_person):
    """A reverse-mission guest has no registration: the mission's default language."""
    start = datetime(2030, 5, 7, 7, tzinfo=UTC)
    mission = make_event("Mission", kind=EventKind.REVERSE_MISSION, starts_at=start, hours=56)
    mission.default_language = "da"
    guest = make_person()
    db.session.add(MissionGuest(event_id=mission.id, person_id=guest.id))
    db.session.add(AgendaItem(event_id=mission.id, kind=AgendaKind.VISIT, title="Dokk1",
                              starts_at=start, ends_at=start + timedelta(hours=1)))
    db.session.commit()
    response = client.get(f"/calendar/p/{guest.calendar_token}.ics")
    assert response.headers["Content-Language"] == "da"
    assert "Besøg" in str(next(
        event["CATEGORIES"].cats[0] for event in parse_calendar(response.data).events.values()
        if str(event["UID"]).startswith("agenda-")))


def test_public_feeds_follow_the_request_and_keep_one_etag_per_language(client, make_event):
    """The network's feed in Danish for a Danish calendar app, in English otherwise; each
    language its own ETag, so neither is answered with the other's 304."""
    make_event("Called off", status=EventStatus.CANCELLED)
    db.session.commit()
    danish = client.get("/calendar/network.ics", headers={"Accept-Language": "da"})
    english = client.get("/calendar/network.ics", headers={"Accept-Language": "en"})
    assert "Aflyst: Called off" in danish.get_data(as_text=True)
    assert parse_calendar(danish.data).vcalendar.x_wr_caldesc.value.startswith(
        "Fora, reverse missions og møder")
    assert "Cancelled: Called off" in english.get_data(as_text=True)
    assert danish.headers["ETag"] != english.headers["ETag"]
    assert "Accept-Language" in danish.headers["Vary"]
    again = client.get("/calendar/network.ics", headers={
        "Accept-Language": "en", "If-None-Match": danish.headers["ETag"]})
    assert again.status_code == 200 and "Cancelled: Called off" in again.get_data(as_text=True)
