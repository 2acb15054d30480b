"""The pure calendar builders: fields, timezones, all-day spans, hostile text, both parsers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import vobject

from tests.ical_check import parse_calendar, property_count, unescape_text
from webapp.calendars import ical
from webapp.extensions import db
from webapp.models import AgendaItem, AgendaKind, DatePrecision, EventStatus
from webapp.text import one_line

BASE = "https://events.example.org"
INJECTION = "\r\nATTENDEE:mailto:evil@example.org\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:x"
HOSTILE = f'Århus, Württemberg; 上海 \\ back\\slash C:\\new "quoted" {INJECTION}'
LONG_CJK = "上海创意" * 40  # 480 octets: folded many times, never inside a character


def as_published(text: str) -> str:
    """What a calendar can carry of some text: CR LF becomes LF, nothing else changes."""
    return text.replace("\r\n", "\n")


def local(zone: str, *args: int) -> datetime:
    """An aware wall-clock time in an IANA zone."""
    return datetime(*args, tzinfo=ZoneInfo(zone))


def agenda(event, title="Keynote", hours=(9, 10), **fields) -> AgendaItem:
    """An agenda item on the event's first local day, in its zone."""
    day = event.local_first_day
    zone = event.timezone
    item = AgendaItem(
        event=event,
        kind=fields.pop("kind", AgendaKind.KEYNOTE),
        title=title,
        starts_at=local(zone, day.year, day.month, day.day, hours[0]),
        ends_at=local(zone, day.year, day.month, day.day, hours[1]),
        **fields,
    )
    db.session.add(item)
    db.session.flush()
    return item


def test_kolkata_morning_is_0330_utc_with_a_matching_vtimezone(make_event):
    """09:00 in Asia/Kolkata carries TZID and a VTIMEZONE; both parsers read 03:30Z."""
    event = make_event("Karnataka day", starts_at=local("Asia/Kolkata", 2030, 5, 7, 9),
                       hours=8, timezone="Asia/Kolkata", place="Bengaluru")
    parsed = parse_calendar(ical.event_calendar(event, [], BASE))
    uid = ical.event_uid(event.id, BASE)
    start = parsed.events[uid]["DTSTART"]
    assert start.params["TZID"] == "Asia/Kolkata"
    assert start.dt.astimezone(UTC) == datetime(2030, 5, 7, 3, 30, tzinfo=UTC)
    assert parsed.vevents[uid].dtstart.value.astimezone(UTC) == datetime(2030, 5, 7, 3, 30,
                                                                          tzinfo=UTC)
    assert [str(tz["TZID"]) for tz in parsed.calendar.walk("VTIMEZONE")] == ["Asia/Kolkata"]


@pytest.mark.parametrize(
    ("when", "utc_hour"),
    [((2030, 7, 1, 9), 7), ((2030, 12, 1, 9), 8)],  # CEST in summer, CET in winter
)
def test_generated_vtimezone_alone_gives_the_right_offsets(make_event, when, utc_hour):
    """vobject reads a renamed TZID, so it can only use our VTIMEZONE, and gets DST right."""
    event = make_event(starts_at=local("Europe/Copenhagen", *when), hours=2)
    data = ical.event_calendar(event, [], BASE).replace(b"Europe/Copenhagen", b"Test/Ours")
    parsed = vobject.readOne(data.decode())
    assert parsed.vevent.dtstart.value.astimezone(UTC).hour == utc_hour


def test_event_fields_and_uid(make_event, make_region):
    """UID with the site's host, DTSTAMP/LAST-MODIFIED = last revision, SEQUENCE, URL..."""
    region = make_region("Tampere")
    event = make_event("Creativity World Forum", place="Tampere, Finland", venue="Tampere Hall",
                       theme="Smart regions", description="Two days.", host_region=region,
                       timezone="Europe/Helsinki",
                       starts_at=local("Europe/Helsinki", 2030, 10, 1, 9), hours=9)
    parsed = parse_calendar(ical.events_calendar([event], BASE, name="Feed"))
    uid = f"event-{event.id}@events.example.org"
    component = parsed.events[uid]
    assert parsed.text(uid, "SUMMARY") == "Creativity World Forum"
    assert parsed.text(uid, "LOCATION") == "Tampere Hall, Tampere, Finland"
    description = parsed.text(uid, "DESCRIPTION")
    assert "Theme: Smart regions" in description and "Two days." in description
    assert str(component["URL"]) == f"{BASE}/events/{event.id}"
    revised = event.updated_at.replace(microsecond=0)
    assert component["DTSTAMP"].dt == revised == component["LAST-MODIFIED"].dt
    assert component["SEQUENCE"] == 0
    assert str(component["STATUS"]) == "CONFIRMED"
    assert str(parsed.calendar["X-WR-CALNAME"]) == "Feed"
    assert "METHOD" not in parsed.calendar  # a feed, not an iTIP message


def test_multi_day_event_is_an_all_day_span_in_local_dates(make_event):
    """Shanghai, 07:00 local on 7 May (still 6 May in UTC) to 17:00 on 9 May: three whole
    local days, DTEND exclusive, no 58-hour block."""
    event = make_event(timezone="Asia/Shanghai", place="上海",
                       starts_at=local("Asia/Shanghai", 2030, 5, 7, 7),
                       ends_at=local("Asia/Shanghai", 2030, 5, 9, 17))
    item = agenda(event, "Opening", hours=(9, 10))
    parsed = parse_calendar(ical.event_calendar(event, [item], BASE))
    span = parsed.events[ical.event_uid(event.id, BASE)]
    assert span["DTSTART"].dt == date(2030, 5, 7) and span["DTEND"].dt == date(2030, 5, 10)
    assert span["DTSTART"].params.get("VALUE") == "DATE"
    vspan = parsed.vevents[ical.event_uid(event.id, BASE)]
    assert vspan.dtstart.value == date(2030, 5, 7) and vspan.dtend.value == date(2030, 5, 10)
    opening = parsed.events[ical.agenda_uid(item.id, BASE)]
    assert opening["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert opening["DTSTART"].dt.astimezone(UTC) == datetime(2030, 5, 7, 1, tzinfo=UTC)


def test_short_overnight_event_keeps_its_times(make_event):
    """A four-hour evening that ends after midnight is not turned into whole days."""
    event = make_event(starts_at=local("Europe/Copenhagen", 2030, 5, 7, 22), hours=4)
    parsed = parse_calendar(ical.event_calendar(event, [], BASE))
    assert isinstance(parsed.events[ical.event_uid(event.id, BASE)]["DTSTART"].dt, datetime)


def test_agenda_items_are_related_to_their_event(make_event):
    """Each agenda item is its own VEVENT with RELATED-TO the event's UID."""
    event = make_event(starts_at=local("Europe/Copenhagen", 2030, 5, 7, 8), hours=10)
    items = [agenda(event, "Keynote", (9, 10), host_organisation="Aarhus University",
                    address="Nordre Ringgade 1"),
             agenda(event, "Visit", (11, 12), kind=AgendaKind.VISIT)]
    parsed = parse_calendar(ical.event_calendar(event, items, BASE))
    assert len(parsed.events) == 3
    keynote = parsed.events[f"agenda-{items[0].id}@events.example.org"]
    assert str(keynote["RELATED-TO"]) == ical.event_uid(event.id, BASE)
    assert parsed.text(str(keynote["UID"]), "LOCATION") == "Aarhus University, Nordre Ringgade 1"
    visit = parsed.vevents[f"agenda-{items[1].id}@events.example.org"]
    assert visit.related_to.value == ical.event_uid(event.id, BASE)


def test_events_without_exact_dates_are_left_out(make_event):
    """An early forum known only by its year never appears as a 1 January event."""
    year_only = make_event("2nd Creativity World Forum", date_precision=DatePrecision.YEAR,
                           starts_at=datetime(2005, 1, 1, tzinfo=UTC), hours=24)
    exact = make_event("Exact")
    parsed = parse_calendar(ical.events_calendar([year_only, exact], BASE, name="Feed"))
    assert list(parsed.events) == [ical.event_uid(exact.id, BASE)]
    assert parse_calendar(ical.event_calendar(year_only, [], BASE)).events == {}


def test_cancelled_event_stays_with_status_cancelled(make_event):
    """Cancelled: STATUS:CANCELLED, 'Cancelled:' in the summary, the reason in the text."""
    event = make_event("Forum", status=EventStatus.CANCELLED, cancel_reason="Venue flooded.")
    item = agenda(event, "Keynote")
    parsed = parse_calendar(ical.event_calendar(event, [item], BASE))
    for uid in (ical.event_uid(event.id, BASE), ical.agenda_uid(item.id, BASE)):
        assert str(parsed.events[uid]["STATUS"]) == "CANCELLED"
        assert parsed.vevents[uid].status.value == "CANCELLED"
    uid = ical.event_uid(event.id, BASE)
    assert parsed.text(uid, "SUMMARY") == "Cancelled: Forum"
    assert parsed.text(uid, "DESCRIPTION").startswith("Cancelled. Venue flooded.")


def test_planned_event_is_tentative_and_utc_zone_needs_no_vtimezone(make_event):
    """A planned event is TENTATIVE; an event kept in UTC is written with Z times."""
    event = make_event(status=EventStatus.PLANNED, timezone="UTC")
    parsed = parse_calendar(ical.event_calendar(event, [], BASE))
    component = parsed.events[ical.event_uid(event.id, BASE)]
    assert str(component["STATUS"]) == "TENTATIVE"
    assert b"DTSTART:20300507T070000Z" in ical.event_calendar(event, [], BASE)
    assert parsed.calendar.walk("VTIMEZONE") == []


def test_hostile_text_in_every_field_round_trips_and_injects_nothing(make_event, make_region):
    """Commas, semicolons, backslashes, quotes, newlines, CR LF property injections and
    non-ASCII in titles, places, venues, themes, descriptions and agenda fields come back
    exactly (CR LF as LF), through both parsers, and add no property or component."""
    region = make_region(HOSTILE[:120])
    event = make_event(HOSTILE[:200], place=HOSTILE[:200], venue=LONG_CJK[:200],
                       theme=HOSTILE[:200], description=HOSTILE + LONG_CJK, host_region=region,
                       timezone="Asia/Shanghai", starts_at=local("Asia/Shanghai", 2030, 5, 7, 9))
    item = agenda(event, HOSTILE[:200], host_organisation=HOSTILE[:200], address=LONG_CJK,
                  description=HOSTILE)
    for data in (
        ical.event_calendar(event, [item], BASE),
        ical.events_calendar([event], BASE, name=HOSTILE, description=HOSTILE),
        ical.personal_calendar([event], [item], BASE),
    ):
        parsed = parse_calendar(data)
        assert len(parsed.calendar.walk("VEVENT")) == len(parsed.events)
        uid = ical.event_uid(event.id, BASE)
        assert parsed.text(uid, "SUMMARY") == as_published(HOSTILE[:200])
        assert parsed.text(uid, "LOCATION") == f"{LONG_CJK[:200]}, {as_published(HOSTILE[:200])}"
        description = parsed.text(uid, "DESCRIPTION")
        assert as_published(HOSTILE + LONG_CJK) in description
        assert f"Theme: {as_published(HOSTILE[:200])}" in description
        for component in parsed.calendar.walk("VEVENT"):
            assert property_count(component, "ATTENDEE") == 0
        if ical.agenda_uid(item.id, BASE) in parsed.events:
            item_uid = ical.agenda_uid(item.id, BASE)
            assert parsed.text(item_uid, "SUMMARY") == as_published(HOSTILE[:200])
            assert parsed.text(item_uid, "LOCATION") == (
                f"{as_published(HOSTILE[:200])}, {LONG_CJK}")
    # X- properties are untyped for parsers: read them as the TEXT they were written as.
    feed = parse_calendar(ical.events_calendar([], BASE, name=HOSTILE, description=HOSTILE))
    assert unescape_text(str(feed.calendar["X-WR-CALNAME"])) == " ".join(HOSTILE.split())
    assert unescape_text(str(feed.calendar["X-WR-CALDESC"])) == as_published(HOSTILE)
    # NAME (RFC 7986) is TEXT too: escaped (libical read the unescaped one's "\\n" as a
    # line break); vobject unescapes it, icalendar leaves it as written.
    name = " ".join(HOSTILE.split())
    assert feed.vcalendar.contents["name"][0].value == name
    assert unescape_text(str(feed.calendar["NAME"])) == name
    data = ical.events_calendar([], BASE, name="Hostile, title; with \\ backslash")
    assert b"\r\nNAME:Hostile\\, title\\; with \\\\ backslash\r\n" in data


def test_control_characters_are_dropped_and_line_breaks_normalised():
    """RFC 5545 TEXT cannot hold C0 controls; CR, CR LF and U+2028 become LF."""
    assert ical.clean_text("a\x00b\x1bc\x7fd\te") == "abcd\te"
    assert ical.clean_text("1\r\n2\r3\u20284") == "1\n2\n3\n4"
    assert one_line("  Ulla\r\n Diderichsen\t ") == "Ulla Diderichsen"


def test_waitlisted_place_is_tentative_in_the_personal_feed(make_event):
    """A waiting-list place shows as TENTATIVE and says so; a confirmed one as CONFIRMED."""
    waiting, confirmed = make_event("Waiting"), make_event("Confirmed")
    parsed = parse_calendar(ical.personal_calendar(
        [waiting, confirmed], [], BASE, waitlisted_event_ids=frozenset({waiting.id})))
    assert str(parsed.events[ical.event_uid(waiting.id, BASE)]["STATUS"]) == "TENTATIVE"
    assert ical.WAITLIST_NOTE in parsed.text(ical.event_uid(waiting.id, BASE), "DESCRIPTION")
    assert str(parsed.events[ical.event_uid(confirmed.id, BASE)]["STATUS"]) == "CONFIRMED"


def test_same_objects_give_the_same_bytes(make_event):
    """Feeds are deterministic (DTSTAMP is the last revision), so an ETag can stand for them."""
    event = make_event(starts_at=local("America/Chicago", 2030, 11, 15, 9),
                       timezone="America/Chicago")
    first = ical.events_calendar([event], BASE, name="Feed")
    assert first == ical.events_calendar([event], BASE, name="Feed")
    event.updated_at += timedelta(seconds=1)
    assert first != ical.events_calendar([event], BASE, name="Feed")


def test_an_empty_feed_is_still_a_calendar(make_event):
    """No event at all: the calendar holds one VJOURNAL saying so (RFC 5545 §3.6 wants a
    component), which both parsers accept and which no calendar shows as an appointment."""
    year_only = make_event("2004 forum", date_precision=DatePrecision.YEAR)
    for data in (ical.events_calendar([], BASE, name="Nord-Pas de Calais"),
                 ical.event_calendar(year_only, [], BASE),
                 ical.personal_calendar([], [], BASE)):
        parsed = parse_calendar(data)
        assert parsed.events == {}
        (journal,) = parsed.calendar.walk("VJOURNAL")
        assert str(journal["UID"]) == "empty-calendar@events.example.org"
        assert "DTSTART" not in journal
        assert parsed.vcalendar.vjournal.summary.value == ical.EMPTY_SUMMARY
    assert b"VJOURNAL" not in ical.events_calendar([make_event()], BASE, name="Feed")


@pytest.mark.parametrize("bounds", [
    (datetime(9999, 12, 30, tzinfo=UTC), datetime(9999, 12, 31, 23, tzinfo=UTC)),
    (datetime(1, 1, 1, tzinfo=UTC), datetime(1, 1, 1, 8, tzinfo=UTC)),
])
def test_times_a_calendar_cannot_carry_are_left_out_not_raised(make_event, bounds):
    """An event or item stored at the ends of datetime's range (local time or VTIMEZONE
    would overflow): left out of every feed; the rest of the feed is unchanged."""
    start, end = bounds
    zone = "America/Chicago" if start.year == 1 else "Asia/Shanghai"
    extreme = make_event("Far", starts_at=start, ends_at=end, timezone=zone)
    normal = make_event("Normal", timezone=zone)
    far_item = agenda(normal, "Far item")
    far_item.starts_at, far_item.ends_at = start, end
    kept = agenda(normal, "Kept")
    assert ical.in_calendars(extreme) and not ical.writable(extreme)
    for data in (ical.events_calendar([extreme, normal], BASE, name="Feed"),
                 ical.personal_calendar([extreme, normal], [far_item, kept], BASE)):
        assert set(parse_calendar(data).events) <= {
            ical.event_uid(normal.id, BASE), ical.agenda_uid(kept.id, BASE)}
        assert ical.event_uid(normal.id, BASE) in parse_calendar(data).events
    assert set(parse_calendar(ical.event_calendar(normal, [far_item, kept], BASE)).events) == {
        ical.event_uid(normal.id, BASE), ical.agenda_uid(kept.id, BASE)}
    assert parse_calendar(ical.event_calendar(extreme, [], BASE)).events == {}


def test_a_calendar_written_from_pieces_is_what_icalendar_writes_whole(make_event):
    """Pieces (one VEVENT's bytes each) put together give the very bytes icalendar writes
    for the calendar with those components, VTIMEZONEs first."""
    import icalendar

    paris = make_event("Paris", timezone="Europe/Paris")
    chicago = make_event("Chicago", timezone="America/Chicago")
    item = agenda(paris, "Keynote")
    ours = ical.event_calendar(paris, [item], BASE)
    whole = ical.calendar_header(paris.title)
    builder = ical.CalendarBuilder(BASE, name="")
    components = [ical.event_component(builder, paris), ical.agenda_component(builder, item, paris)]
    for zone, (first, last) in builder.zone_years.items():
        whole.add_component(icalendar.Timezone.from_tzid(
            zone, first_date=date(first, 1, 1), last_date=date(last + 1, 1, 1)))
    for component in components:
        whole.add_component(component)
    assert ours == whole.to_ical()
    both = parse_calendar(ical.events_calendar([paris, chicago], BASE, name="Feed"))
    assert [str(tz["TZID"]) for tz in both.calendar.walk("VTIMEZONE")] == [
        "America/Chicago", "Europe/Paris"]
