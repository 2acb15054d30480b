"""Feeds over HTTP: content, 404s, conditional requests, constant queries, personal tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from werkzeug.http import http_date

from tests.ical_check import parse_calendar
from webapp.calendars.pieces import piece_cache
from webapp.calendars.services import personal_feed_urls
from webapp.extensions import db
from webapp.models import (
    AgendaItem,
    AgendaKind,
    DatePrecision,
    Delegation,
    EventStatus,
    Registration,
    RegistrationStatus,
    utcnow,
)


@pytest.fixture
def register(app):
    """Factory: a registration of a person for an event."""

    def make(person, event, status=RegistrationStatus.CONFIRMED):
        """Register `person` for `event` with `status`."""
        registration = Registration(
            person=person, event=event, audience="guest", status=status,
            cancelled_at=utcnow() if status is RegistrationStatus.CANCELLED else None,
            cancel_reason="Cannot travel" if status is RegistrationStatus.CANCELLED else None,
        )
        db.session.add(registration)
        db.session.flush()
        return registration

    return make


def add_agenda(event, count: int) -> None:
    """`count` half-hour agenda items on the event's first day."""
    db.session.add_all(
        AgendaItem(event=event, kind=AgendaKind.WORKSHOP, title=f"Workshop {n}",
                   starts_at=event.starts_at + timedelta(minutes=30 * n),
                   ends_at=event.starts_at + timedelta(minutes=30 * n + 30))
        for n in range(count)
    )
    db.session.flush()


def uids(response) -> set[str]:
    """The UIDs of a calendar response, parsed with both parsers."""
    assert response.status_code == 200, response.status_code
    assert response.content_type == "text/calendar; charset=utf-8"
    return set(parse_calendar(response.data).events)


def test_network_feed_has_public_exact_events_and_keeps_cancelled_ones(client, make_event):
    """Public events with exact dates, cancelled ones included; private and year-only out."""
    shown = make_event("Shown")
    cancelled = make_event("Called off", status=EventStatus.CANCELLED)
    make_event("Private", is_public=False)
    make_event("Year only", date_precision=DatePrecision.YEAR)
    db.session.commit()
    response = client.get("/calendar/network.ics")
    assert uids(response) == {f"event-{shown.id}@localhost", f"event-{cancelled.id}@localhost"}
    assert response.headers["Cache-Control"] == "public, max-age=900"


def test_region_feed_has_hosted_and_delegation_events(client, make_event, make_region):
    """A region's feed: what it hosts and where it sends a delegation, nothing else."""
    region, other = make_region("Karnataka", slug="karnataka"), make_region("Scotland")
    hosted = make_event("Hosted", host_region=region)
    visited = make_event("Visited", host_region=other)
    make_event("Elsewhere", host_region=other)
    db.session.add(Delegation(event=visited, region=region))
    db.session.commit()
    response = client.get("/regions/karnataka/calendar.ics")
    assert uids(response) == {f"event-{hosted.id}@localhost", f"event-{visited.id}@localhost"}
    calendar = parse_calendar(response.data).calendar
    assert str(calendar["NAME"]) == "Districts of Creativity: Karnataka"
    assert client.get("/regions/nowhere/calendar.ics").status_code == 404


def test_event_calendar_404s_and_the_approximate_event_page(client, make_event):
    """Unknown event: 404. Year-only event: 404 for .ics, and its page says why."""
    event = make_event("2004 forum", date_precision=DatePrecision.YEAR)
    db.session.commit()
    assert client.get("/events/9999.ics").status_code == 404
    response = client.get(f"/events/{event.id}.ics")
    assert response.status_code == 404 and "exact dates" in response.get_data(as_text=True)
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Not in calendars: exact dates not recorded." in page
    assert f"/events/{event.id}.ics" not in page


def test_pages_offer_webcal_https_and_add_to_calendar(client, make_event, make_region):
    """Event page, region page and events list link their calendars both ways."""
    region = make_region("Catalonia", slug="catalonia")
    event = make_event(host_region=region)
    db.session.commit()
    for url, feed in (
        (f"/events/{event.id}", f"/events/{event.id}.ics"),
        ("/regions/catalonia", "/regions/catalonia/calendar.ics"),
        ("/events/", "/calendar/network.ics"),
    ):
        html = client.get(url).get_data(as_text=True)
        assert f'href="webcal://localhost{feed}"' in html
        assert f'href="{feed}" download>Add to calendar' in html
        assert f'href="http://localhost{feed}"' in html
    assert f'href="/events/{event.id}.ics" download' in client.get("/events/").get_data(
        as_text=True)


@pytest.mark.parametrize("url", ["/calendar/network.ics", "/events/{id}.ics",
                                 "/regions/{slug}/calendar.ics", "/calendar/p/{token}.ics"])
def test_conditional_requests(client, make_event, make_region, make_person, register, url):
    """Same ETag → 304 without a body; a visible change → 200 with a new ETag; a client that
    only knows Last-Modified gets 304 too. HEAD answers the same headers."""
    region = make_region()
    event = make_event(host_region=region)
    person = make_person()
    register(person, event)
    db.session.commit()
    url = url.format(id=event.id, slug=region.slug, token=person.calendar_token)

    first = client.get(url)
    assert first.status_code == 200 and first.headers["ETag"] and first.headers["Last-Modified"]
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    assert "max-age=900" in again.headers["Cache-Control"]
    since = client.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304
    assert client.head(url).headers["ETag"] == first.headers["ETag"]

    event.starts_at += timedelta(hours=1)
    event.ends_at += timedelta(hours=1)
    event.updated_at = utcnow() + timedelta(seconds=2)  # a later second than Last-Modified
    db.session.commit()
    changed = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]
    parsed = parse_calendar(changed.data)
    assert parsed.events[f"event-{event.id}@localhost"]["SEQUENCE"] == 1
    stale = client.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert stale.status_code == 200


def test_event_leaving_the_feed_changes_its_etag(client, make_event):
    """Made private, an event leaves the network feed; the feed's validators see it."""
    kept, hidden = make_event("Kept"), make_event("Hidden")
    db.session.commit()
    before = client.get("/calendar/network.ics")
    hidden.is_public = False
    db.session.commit()
    after = client.get("/calendar/network.ics", headers={"If-None-Match": before.headers["ETag"]})
    assert uids(after) == {f"event-{kept.id}@localhost"}


def test_a_weak_or_star_if_none_match_also_gives_304(client, make_event):
    """If-None-Match uses weak comparison (RFC 9110); '*' matches any current feed."""
    make_event()
    db.session.commit()
    etag = client.get("/calendar/network.ics").headers["ETag"]
    assert client.get("/calendar/network.ics", headers={"If-None-Match": f"W/{etag}"}
                      ).status_code == 304
    assert client.get("/calendar/network.ics", headers={"If-None-Match": "*"}).status_code == 304
    old = http_date(datetime(2000, 1, 1, tzinfo=UTC))
    assert client.get("/calendar/network.ics", headers={"If-Modified-Since": old}
                      ).status_code == 200


def test_queries_per_feed_do_not_grow_with_its_size(
    client, count_queries, make_event, make_region, make_person, register
):
    """First build, a build from kept pieces, and a 304: the same number of queries for a
    small and a big feed; a 304 is the state query alone."""
    region, person = make_region(), make_person()

    def measure(url: str) -> tuple[int, int, int]:
        """Queries for a first build, a build from kept pieces and a 304."""
        piece_cache(client.application).clear()
        with count_queries() as first:
            etag = client.get(url).headers["ETag"]
        with count_queries() as kept:
            assert client.get(url).status_code == 200
        with count_queries() as not_modified:
            assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
        return first.count, kept.count, not_modified.count

    def grow(events: int, agenda: int) -> dict[str, tuple[int, int, int]]:
        """Add events (hosted by the region, attended by the person) with agenda items."""
        for _ in range(events):
            event = make_event(host_region=region)
            add_agenda(event, agenda)
            register(person, event)
        db.session.commit()
        first = region.hosted_events[0].id if region.hosted_events else None
        return {url: measure(url) for url in (
            "/calendar/network.ics", f"/regions/{region.slug}/calendar.ics",
            f"/calendar/p/{person.calendar_token}.ics", f"/events/{first}.ics")}

    small = grow(1, 1)
    db.session.expire_all()
    big = grow(25, 20)
    assert small == big
    for url, (first, kept, not_modified) in big.items():
        # Kept: the state, then the events' versions (with their agendas'). First build:
        # also the events to write and, for agendas, their items' versions and the items.
        with_agenda = "/calendar/p/" in url or "/events/" in url
        assert not_modified == 1 and kept == 2, url
        assert first == 3 + 3 * with_agenda, (url, first)


def test_registrants_with_the_same_events_share_the_built_pieces(
    client, count_queries, make_event, make_person, register
):
    """Thousands of delegates of one forum: its pieces (the event's, its whole agenda's)
    are built once, then each feed is two queries. A waiting-list place is another piece."""
    event = make_event()
    add_agenda(event, 3)
    people = [make_person() for _ in range(3)]
    register(people[0], event)
    register(people[1], event)
    register(people[2], event, RegistrationStatus.WAITLISTED)
    db.session.commit()
    tokens = [person.calendar_token for person in people]
    first = client.get(f"/calendar/p/{tokens[0]}.ics")
    with count_queries() as second_person:
        second = client.get(f"/calendar/p/{tokens[1]}.ics")
    # Its state and its events with their agendas' versions: nothing loaded to build.
    assert second_person.count == 2, second_person.statements
    assert second.data == first.data
    assert second.headers["ETag"] != first.headers["ETag"]  # validators stay per person
    waiting = client.get(f"/calendar/p/{tokens[2]}.ics")
    assert waiting.data != first.data and b"STATUS:TENTATIVE" in waiting.data


def test_personal_feed_and_page(client, make_event, make_person, register):
    """Active registrations (waiting list as TENTATIVE) and their agenda; not cancelled ones."""
    person = make_person("Ulla Diderichsen")
    confirmed, waiting, dropped = make_event("A"), make_event("B"), make_event("C")
    add_agenda(confirmed, 2)
    register(person, confirmed)
    register(person, waiting, RegistrationStatus.WAITLISTED)
    register(person, dropped, RegistrationStatus.CANCELLED)
    db.session.commit()
    response = client.get(f"/calendar/p/{person.calendar_token}.ics")
    parsed = parse_calendar(response.data)
    item_uids = {f"agenda-{i.id}@localhost" for i in confirmed.agenda_items}
    assert set(parsed.events) == {f"event-{confirmed.id}@localhost",
                                  f"event-{waiting.id}@localhost"} | item_uids
    assert str(parsed.events[f"event-{waiting.id}@localhost"]["STATUS"]) == "TENTATIVE"
    assert response.headers["Cache-Control"] == "private, max-age=900"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    page = client.get(f"/calendar/p/{person.calendar_token}")
    html = page.get_data(as_text=True)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert f"webcal://localhost/calendar/p/{person.calendar_token}.ics" in html
    assert ">A</a>" in html and ">B</a>" in html and ">C</a>" not in html


def test_reset_token_makes_the_old_address_404(client, make_event, make_person, register):
    """After a reset the old feed and page answer 404; the new ones work."""
    person = make_person()
    register(person, make_event())
    db.session.commit()
    old = person.calendar_token
    response = client.post(f"/calendar/p/{old}/reset", data={"confirmed": "1"})
    assert response.status_code == 303
    db.session.refresh(person)
    new = person.calendar_token
    assert new != old and len(new) >= 43
    assert response.headers["Location"].endswith(f"/calendar/p/{new}")
    followed = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The old one no longer works" in followed
    assert client.get(f"/calendar/p/{old}.ics").status_code == 404
    assert client.get(f"/calendar/p/{old}").status_code == 404
    assert client.post(f"/calendar/p/{old}/reset").status_code == 404
    assert client.get(f"/calendar/p/{new}.ics").status_code == 200


def test_unknown_or_odd_tokens_are_404_not_500(client):
    """Nonsense in the token slot is a plain 404."""
    for token in ("x", "a" * 500, "%00", "..%2F", "'; DROP TABLE person; --"):
        assert client.get(f"/calendar/p/{token}.ics").status_code == 404
        assert client.get(f"/calendar/p/{token}").status_code == 404


def test_personal_feed_urls_helper(app, make_person):
    """Registration pages get both addresses on the public host; a new person gets a token."""
    from webapp.models import Person

    person = make_person()
    urls = personal_feed_urls(person)
    assert urls.https == f"http://localhost/calendar/p/{person.calendar_token}.ics"
    assert urls.webcal == f"webcal://localhost/calendar/p/{person.calendar_token}.ics"
    assert urls.path == f"/calendar/p/{person.calendar_token}.ics"
    fresh = Person(full_name="Not flushed yet")
    assert personal_feed_urls(fresh).https.endswith(f"{fresh.calendar_token}.ics")
    assert fresh.calendar_token


def test_tokens_are_unique_in_the_database(app, make_person):
    """Two people can never share a feed address (unique index)."""
    import sqlalchemy as sa

    first, second = make_person(), make_person()
    second.calendar_token = first.calendar_token
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_other_peoples_changes_leave_a_feed_unchanged(
    client, make_event, make_region, make_person, register
):
    """A person's and a region's validators look only at their own rows: someone else's
    registration or another region's delegation still gets a 304."""
    region, other_region = make_region(), make_region()
    person, other_person = make_person(), make_person()
    event, elsewhere = make_event(host_region=region), make_event()
    add_agenda(elsewhere, 2)
    register(person, event)
    db.session.commit()
    urls = (f"/calendar/p/{person.calendar_token}.ics", f"/regions/{region.slug}/calendar.ics")
    etags = {url: client.get(url).headers["ETag"] for url in urls}
    register(other_person, elsewhere)
    db.session.add(Delegation(event=elsewhere, region=other_region))
    db.session.commit()
    for url, etag in etags.items():
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304, url


@pytest.mark.parametrize(("raw", "expected"), [(None, 32 * 2**20), ("0", 0), ("1048576", 2**20)])
def test_calendar_cache_setting(tmp_path, monkeypatch, raw, expected):
    """CALENDAR_CACHE_BYTES comes from the environment; 0 turns the feed cache off."""
    from webapp.config import Config

    monkeypatch.setenv("SECRET_KEY", "x")
    if raw is None:
        monkeypatch.delenv("CALENDAR_CACHE_BYTES", raising=False)
    else:
        monkeypatch.setenv("CALENDAR_CACHE_BYTES", raw)
    cache_bytes = Config(tmp_path).CALENDAR_CACHE_BYTES
    assert cache_bytes == expected


@pytest.mark.parametrize("raw", ["lots", "-1"])
def test_bad_calendar_cache_setting_stops_start_up(tmp_path, monkeypatch, raw):
    """A malformed value is one clear line, not a traceback."""
    from webapp.config import Config, ConfigError

    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.setenv("CALENDAR_CACHE_BYTES", raw)
    with pytest.raises(ConfigError, match="CALENDAR_CACHE_BYTES"):
        Config(tmp_path)


def test_with_the_cache_off_every_full_response_is_built(app, client, make_event,
                                                         count_queries):
    """CALENDAR_CACHE_BYTES=0: the same bodies, each one built from the rows."""
    make_event()
    db.session.commit()
    first = client.get("/calendar/network.ics")
    app.config["CALENDAR_CACHE_BYTES"] = 0
    app.extensions.pop("calendar_pieces", None)
    with count_queries() as again:
        second = client.get("/calendar/network.ics")
    assert second.data == first.data and again.count == 3  # state, versions, the events


def test_mission_guest_feed_has_the_mission_and_only_their_items(
    client, make_event, make_person
):
    """A reverse-mission guest's personal feed: the mission, the items for all guests and the
    split items they attend — not the parallel visit of the other group; declining empties it."""
    from webapp.models import AgendaItem, AgendaKind, EventKind, GuestStatus, MissionGuest

    start = datetime(2030, 5, 7, 7, tzinfo=UTC)
    mission = make_event("Mission", kind=EventKind.REVERSE_MISSION, starts_at=start, hours=56)
    ann, bo = make_person("Ann"), make_person("Bo")
    ann_guest = MissionGuest(event_id=mission.id, person_id=ann.id)
    bo_guest = MissionGuest(event_id=mission.id, person_id=bo.id)

    def item(title: str, hours: int, *, guests=None) -> AgendaItem:
        made = AgendaItem(event_id=mission.id, kind=AgendaKind.VISIT, title=title,
                          starts_at=start + timedelta(hours=hours),
                          ends_at=start + timedelta(hours=hours + 1),
                          all_guests=guests is None)
        if guests is not None:
            made.selected_guests = guests
        return made

    everyone = item("Welcome", 1)
    ann_visit = item("Design school", 3, guests=[ann_guest])
    bo_visit = item("Games studio", 3, guests=[bo_guest])
    db.session.add_all([ann_guest, bo_guest, everyone, ann_visit, bo_visit])
    db.session.commit()
    url = f"/calendar/p/{ann.calendar_token}.ics"
    response = client.get(url)
    assert response.status_code == 200
    assert uids(response) == {
        f"event-{mission.id}@localhost", f"agenda-{everyone.id}@localhost",
        f"agenda-{ann_visit.id}@localhost",
    }
    etag = response.headers["ETag"]
    ann_guest.status = GuestStatus.DECLINED
    db.session.commit()
    declined = client.get(url, headers={"If-None-Match": etag})
    assert declined.status_code == 200  # the feed changed: no 304
    assert uids(declined) == set()
