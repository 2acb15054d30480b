"""A feed's bytes and ETag are its data's, whoever asks, on whichever worker: mission guests
in parallel items, two apps on one database, kept pieces against none, empty feeds and
stored dates a calendar cannot carry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests import test_calendar_feeds
from tests.conftest import RequestIsolatingClient
from tests.ical_check import parse_calendar
from webapp import create_app
from webapp.extensions import db
from webapp.models import (
    AgendaItem,
    AgendaKind,
    Delegation,
    Event,
    EventKind,
    MissionGuest,
    Registration,
    RegistrationStatus,
    utcnow,
)

register = test_calendar_feeds.register  # the fixture, shared with the feed tests
START = datetime(2030, 5, 7, 7, tzinfo=UTC)


@dataclass
class Mission:
    """A reverse mission with two guests, each in one of two parallel visits."""

    id: int
    urls: tuple[str, str]
    common: int
    group_a: int
    group_b: int


def visit(mission_id: int, title: str, hours: int, guests=None) -> AgendaItem:
    """An agenda item of the mission; `guests` given: only they attend it."""
    item = AgendaItem(event_id=mission_id, kind=AgendaKind.VISIT, title=title,
                      starts_at=START + timedelta(hours=hours),
                      ends_at=START + timedelta(hours=hours + 1), all_guests=guests is None)
    if guests is not None:
        item.selected_guests = guests
    return item


@pytest.fixture
def mission(make_event, make_person) -> Mission:
    """Guest 1 visits 'group A', Guest 2 'group B', at the same hour; both have 'Welcome'."""
    event = make_event("Mission", kind=EventKind.REVERSE_MISSION, starts_at=START, hours=56)
    first, second = make_person("Guest 1"), make_person("Guest 2")
    guests = [MissionGuest(event_id=event.id, person_id=p.id) for p in (first, second)]
    common = visit(event.id, "Welcome", 1)
    group_a = visit(event.id, "Design school (group A)", 3, [guests[0]])
    group_b = visit(event.id, "Games studio (group B)", 3, [guests[1]])
    db.session.add_all([*guests, common, group_a, group_b])
    db.session.commit()
    return Mission(event.id, tuple(f"/calendar/p/{p.calendar_token}.ics" for p in (first, second)),
                   common.id, group_a.id, group_b.id)


def agenda_uids(response) -> set[str]:
    """The agenda items of a calendar response (parsed by both parsers)."""
    assert response.status_code == 200, response.status_code
    return {uid for uid in parse_calendar(response.data).events if uid.startswith("agenda-")}


def expected(mission: Mission, group: int) -> set[str]:
    """The items one guest must see: the common one and their own group's."""
    return {f"agenda-{mission.common}@localhost", f"agenda-{group}@localhost"}


def test_two_guests_of_one_mission_get_their_own_items_and_etags(client, mission):
    """Guest 1's feed first, then Guest 2's: each has only their parallel visit, under its
    own ETag, and a poll with the other's ETag is not a 304."""
    first = client.get(mission.urls[0])
    second = client.get(mission.urls[1])
    assert agenda_uids(first) == expected(mission, mission.group_a)
    assert agenda_uids(second) == expected(mission, mission.group_b)
    assert first.headers["ETag"] != second.headers["ETag"]
    crossed = client.get(mission.urls[1], headers={"If-None-Match": first.headers["ETag"]})
    assert crossed.status_code == 200
    assert agenda_uids(crossed) == expected(mission, mission.group_b)


def test_moving_a_guest_to_the_other_group_changes_their_feed(client, mission):
    """A change of attendance alone (no item row changes) is a new version of the feed."""
    before = client.get(mission.urls[0])
    group_a, group_b = db.session.get(AgendaItem, mission.group_a), db.session.get(
        AgendaItem, mission.group_b)
    guest = group_a.selected_guests[0]
    group_a.selected_guests = []
    group_b.selected_guests = [*group_b.selected_guests, guest]
    db.session.commit()
    after = client.get(mission.urls[0], headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    assert agenda_uids(after) == expected(mission, mission.group_b)


@pytest.fixture
def second_app(app):
    """Another app (another worker) on the same database, with its own caches."""
    other = create_app({**app.config, "TESTING": True})
    other.test_client_class = RequestIsolatingClient
    yield other
    with other.app_context():
        db.engine.dispose()


def test_two_apps_on_one_database_serve_the_same_feeds(client, second_app, mission,
                                                       make_event):
    """Two workers (two apps on one database), asked in opposite orders: each guest gets
    their own parallel visit under their own ETag, the same bytes and ETag on both apps,
    and still after changes."""
    other = second_app.test_client()
    one = [client.get(url) for url in mission.urls]
    two = [other.get(url) for url in reversed(mission.urls)][::-1]
    for here, there in zip(one, two, strict=True):
        assert here.data == there.data and here.headers["ETag"] == there.headers["ETag"]
    assert agenda_uids(two[0]) == expected(mission, mission.group_a)
    assert agenda_uids(two[1]) == expected(mission, mission.group_b)
    assert two[0].headers["ETag"] != two[1].headers["ETag"]
    make_event("Another public event")
    db.session.commit()
    network = [c.get("/calendar/network.ics") for c in (client, other)]
    item = db.session.get(AgendaItem, mission.common)
    item.title = "Welcome, moved"
    db.session.commit()
    for url in ("/calendar/network.ics", *mission.urls):
        here, there = client.get(url), other.get(url)
        assert here.data == there.data and here.headers["ETag"] == there.headers["ETag"], url
    assert network[0].data == network[1].data
    assert len(parse_calendar(network[1].data).events) == 2


@pytest.fixture
def every_feed(make_event, make_region, make_person, register, mission) -> list[str]:
    """One feed of each kind with something in it, the mission guests' included."""
    region, person = make_region(), make_person()
    event = make_event(host_region=region, timezone="America/Chicago")
    test_calendar_feeds.add_agenda(event, 3)
    register(person, event)
    register(person, make_event(), RegistrationStatus.WAITLISTED)
    db.session.add(Delegation(event=make_event(timezone="Asia/Kolkata"), region=region))
    db.session.commit()
    return ["/calendar/network.ics", f"/regions/{region.slug}/calendar.ics",
            f"/events/{event.id}.ics", f"/calendar/p/{person.calendar_token}.ics",
            *mission.urls]


def _change_things() -> None:
    """Several kinds of change at once: an event moved, an item retitled, a place
    cancelled (ORM), every item's sequence bumped (a Core UPDATE, no ORM event)."""
    first = db.session.scalars(sa.select(Event).order_by(Event.id)).first()
    first.starts_at += timedelta(hours=1)
    first.ends_at += timedelta(hours=1)
    item = db.session.scalars(sa.select(AgendaItem).order_by(AgendaItem.id.desc())).first()
    item.title = "Retitled"
    registration = db.session.scalars(
        sa.select(Registration).where(Registration.status == RegistrationStatus.WAITLISTED)
    ).one()
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at, registration.cancel_reason = utcnow(), "Cannot travel"
    db.session.commit()
    with db.engine.begin() as conn:
        conn.execute(sa.update(AgendaItem).values(sequence=AgendaItem.sequence + 1))


def test_kept_pieces_give_the_bytes_of_a_build_from_scratch(app, client, every_feed):
    """Every feed, before and after changes of every kind: with pieces kept, the same bytes
    as with nothing kept (CALENDAR_CACHE_BYTES=0), and a change shows at once."""

    def fetch_all(cache_bytes: int) -> dict[str, tuple[bytes, str]]:
        """Each feed's bytes and ETag with that cache budget."""
        app.config["CALENDAR_CACHE_BYTES"] = cache_bytes
        app.extensions.pop("calendar_pieces", None)
        return {url: (r.data, r.headers["ETag"]) for url in every_feed
                for r in [client.get(url)]}

    kept = fetch_all(32 * 2**20)
    assert kept == fetch_all(0)
    fetch_all(32 * 2**20)  # pieces of the old versions now in the cache
    _change_things()
    changed = {url: client.get(url) for url in every_feed}
    for url, response in changed.items():
        assert response.headers["ETag"] != kept[url][1], url
        parse_calendar(response.data)
    assert {url: (r.data, r.headers["ETag"]) for url, r in changed.items()} == fetch_all(0)


def test_empty_feeds_are_still_calendars(client, make_region, make_event, make_person,
                                         register):
    """A region with no events and a personal feed after its only registration was
    cancelled: valid calendars for both parsers, with no event in them."""
    make_region("Nord-Pas de Calais", slug="nord-pas-de-calais")
    person = make_person()
    registration = register(person, make_event())
    db.session.commit()
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at, registration.cancel_reason = utcnow(), "Cannot travel"
    db.session.commit()
    for url in ("/regions/nord-pas-de-calais/calendar.ics",
                f"/calendar/p/{person.calendar_token}.ics"):
        response = client.get(url)
        assert response.status_code == 200
        parsed = parse_calendar(response.data)
        assert parsed.events == {} and len(parsed.calendar.walk("VJOURNAL")) == 1


def test_stored_dates_a_calendar_cannot_carry_never_make_a_feed_fail(
    client, make_event, make_person, register
):
    """An event and an agenda item ending 9999-12-31 (refused by the forms, but stored):
    every feed still answers 200 with the rest, leaving those out."""
    far = make_event("Far", starts_at=datetime(9999, 12, 30, tzinfo=UTC),
                     ends_at=datetime(9999, 12, 31, 23, tzinfo=UTC), timezone="Asia/Shanghai")
    normal = make_event("Normal")
    long_item = AgendaItem(event=normal, kind=AgendaKind.WORKSHOP, title="Forever",
                           starts_at=normal.starts_at,
                           ends_at=datetime(9999, 12, 31, 23, 59, tzinfo=UTC))
    db.session.add(long_item)
    person = make_person()
    register(person, far)
    register(person, normal)
    db.session.commit()
    for url in ("/calendar/network.ics", f"/events/{normal.id}.ics", f"/events/{far.id}.ics",
                f"/calendar/p/{person.calendar_token}.ics"):
        response = client.get(url)
        assert response.status_code == 200, url
        uids = set(parse_calendar(response.data).events)
        assert f"event-{far.id}@localhost" not in uids
        assert f"agenda-{long_item.id}@localhost" not in uids
        if url != f"/events/{far.id}.ics":
            assert f"event-{normal.id}@localhost" in uids, url
