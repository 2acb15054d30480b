"""The foundation's pages: content, empty states, friendly 404s, escaping, query counts."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import AgendaItem, AgendaKind, Delegation, Event, EventCapacity, Region


def event_id(slug: str) -> int:
    """The id of a seeded event."""
    return db.session.scalar(sa.select(Event.id).filter_by(slug=slug))


def test_home_shows_the_network_at_a_glance(seeded, client):
    """Twelve members on four continents, the excluded two, the latest events."""
    html = client.get("/").get_data(as_text=True)
    assert '<span class="stat-number">12</span> member regions' in html
    assert '<span class="stat-number">4</span> continents' in html
    assert "Nord-Pas de Calais" in html and "Qingdao" in html
    assert "Reverse mission to Region Midtjylland" in html


def test_empty_database_pages_say_what_to_do(client):
    """Without data every page answers 200 and tells the newcomer how to load the history."""
    for url in ("/", "/regions/", "/events/"):
        response = client.get(url)
        assert response.status_code == 200
        assert "flask --app webapp seed" in response.get_data(as_text=True)


def test_regions_list_status_on_a_date(seeded, client):
    """Status follows the chosen day: Qingdao a member in 2008, excluded in 2013."""
    html = client.get("/regions/?on=2008-06-01&q=qing").get_data(as_text=True)
    assert "Qingdao" in html and "Member" in html and "Flanders" not in html
    html = client.get("/regions/?on=2013-06-01&q=qing").get_data(as_text=True)
    assert "Excluded" in html


def test_regions_list_bad_date_is_explained(seeded, client):
    """A malformed date keeps the page working and says what went wrong."""
    response = client.get("/regions/?on=31/12/2012")
    assert response.status_code == 200
    assert "is not a date (use YYYY-MM-DD)" in response.get_data(as_text=True)


def test_regions_search_treats_wildcards_literally(seeded, client):
    """A % in the search does not match everything."""
    html = client.get("/regions/?q=%25").get_data(as_text=True)
    assert "No region matches" in html


def test_regions_sorted_by_status(seeded, client):
    """Sorting by status lists members before the excluded."""
    html = client.get("/regions/?sort=status").get_data(as_text=True)
    assert html.index("Tampere") < html.index("Nord-Pas de Calais")


def test_region_page_timeline(seeded, client):
    """Region Midtjylland's page shows its dated steps, representatives and delegations."""
    html = client.get("/regions/region-midtjylland").get_data(as_text=True)
    for text in ("21 October 2009", "29 September 2010", "15 November 2010",
                 "Ulla Diderichsen", "Conny Jensen", "6th Creativity World Forum"):
        assert text in html


def test_excluded_region_page_gives_reason(seeded, client):
    """An excluded region's page says so, with the reason and the approximate year."""
    html = client.get("/regions/qingdao").get_data(as_text=True)
    assert "Excluded" in html and "lack of engagement" in html
    assert "4th Creativity World Forum" in html  # its history stays visible


def test_event_page_local_time_with_zone(seeded, client):
    """Dates are shown in the event's local time with the zone named."""
    html = client.get(f"/events/{event_id('reverse-mission-2012')}").get_data(as_text=True)
    assert "Mon 7 May 2012, 09:00 CEST" in html
    assert "Europe/Copenhagen" in html
    assert "Workshop: smart cities" in html and "Example" in html


def test_event_page_approximate_dates(seeded, client):
    """A forum known only by its year says so instead of inventing days."""
    html = client.get(f"/events/{event_id('cwf-2005')}").get_data(as_text=True)
    assert "exact dates not recorded" in html
    assert "not a member region" in html  # Maryland


def test_events_list_filters(seeded, client):
    """Filter by kind and search by place."""
    html = client.get("/events/?kind=reverse_mission").get_data(as_text=True)
    assert "Reverse mission to Region Midtjylland" in html and "Tampere" not in html
    html = client.get("/events/?q=flanders").get_data(as_text=True)
    assert html.count("Flanders, Belgium") == 4  # 2004, 2006, 2011 and Antwerp 2008
    assert client.get("/events/?kind=bogus").status_code == 200


@pytest.mark.parametrize("url", ["/regions/atlantis", "/events/99999", "/nowhere"])
def test_unknown_things_give_friendly_404(seeded, client, url):
    """Unknown slugs and ids answer a 404 page with a way back."""
    response = client.get(url)
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Go to the home page" in html and "Traceback" not in html


def test_hostile_names_are_escaped(make_region, make_event, client):
    """Names are text, never markup, on every page."""
    hostile = '<script>alert("x")</script> & Co'
    region = make_region(hostile, slug="hostile")
    event = make_event(hostile, host_region=region, place=hostile)
    db.session.commit()
    for url in ("/", "/regions/", "/regions/hostile", "/events/", f"/events/{event.id}"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html, url
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co" in html, url


def grow(times: int) -> None:
    """Add `times` × a batch of regions, events, agenda items and delegations."""
    regions = db.session.scalars(sa.select(Region).order_by(Region.id)).all()
    base = datetime(2031, 1, 1, 9, tzinfo=UTC)
    for n in range(len(regions), len(regions) + times):
        region = Region(slug=f"extra-{n}", name=f"Extra {n}", country="X", country_code="XX",
                        continent="Europe", timezone="Europe/Oslo")
        db.session.add(region)
        event = Event(slug=f"extra-event-{n}", kind="meeting", title=f"Meeting {n}", place="Oslo",
                      host_region=region, timezone="Europe/Oslo",
                      starts_at=base + timedelta(days=n), ends_at=base + timedelta(days=n, hours=5))
        db.session.add(event)
        db.session.add(EventCapacity(event=event, audience="guest", label="Guests", capacity=5))
        for r in regions[:3]:
            db.session.add(Delegation(event=event, region=r))
        for k in range(3):
            db.session.add(AgendaItem(event=event, kind=AgendaKind.VISIT, title=f"Visit {k}",
                                      starts_at=base + timedelta(days=n, hours=k),
                                      ends_at=base + timedelta(days=n, hours=k + 1)))
    db.session.commit()


PAGES = ["/", "/regions/", "/regions/?sort=status&q=e", "/regions/region-midtjylland",
         "/events/", "/events/?kind=meeting", "EVENT"]


@pytest.mark.parametrize("url", PAGES)
def test_pages_keep_a_constant_number_of_queries(seeded, client, count_queries, url):
    """Ten times the data, the same number of SQL statements per page."""
    def measure() -> int:
        target = url
        if url == "EVENT":
            target = f"/events/{db.session.scalar(sa.select(sa.func.max(Event.id)))}"
        db.session.remove()
        with count_queries() as counter:
            assert client.get(target).status_code == 200
        return counter.count

    grow(2)
    small = measure()
    grow(20)
    assert measure() == small


def test_healthz_reports_schema_revision(app, client):
    """Without Alembic's table the revision is unknown; after an upgrade it is the head."""
    from flask_migrate import stamp

    body = client.get("/healthz").get_json()
    assert body["status"] == "ok" and body["schema_revision"] is None
    assert body["up_to_date"] is False
    stamp(directory=app.extensions["migrate"].directory)
    body = client.get("/healthz").get_json()
    assert body["schema_revision"] == body["code_revision"] is not None
    assert body["up_to_date"] is True


def test_home_upcoming_events(make_event, client):
    """An event in the future appears under 'Upcoming events'."""
    make_event("Future Forum", starts_at=datetime.now(UTC) + timedelta(days=30))
    db.session.commit()
    html = client.get("/").get_data(as_text=True)
    assert "Future Forum" in html
    assert "No upcoming events" not in html
