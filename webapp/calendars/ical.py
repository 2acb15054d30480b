"""RFC 5545 calendars as pure functions: model objects in, `bytes` out, through `icalendar`.

Nothing here reads the request, the database or the clock: the routes and services pass in
what was loaded, so the same objects always give the same bytes (which is what lets a feed be
validated by its ETag, and one VEVENT's bytes be reused by every feed that holds it).

A feed is written from `Piece`s: one VEVENT's bytes and the local years of each zone its
times use. `write_calendar` puts the calendar's properties, the VTIMEZONEs the pieces need
and the pieces together, exactly as icalendar writes the whole calendar.

Publishing rules:
- UIDs are `event-<id>@<host>` and `agenda-<id>@<host>`, stable forever.
- Events whose exact days are not recorded (precision "month"/"year") are left out: an early
  forum must not show up as a meeting on 1 January.
- An event lasting a day or more over several local days is an all-day span (VALUE=DATE,
  DTEND exclusive) in its local dates; other events and agenda items carry TZID times with a
  VTIMEZONE generated from zoneinfo.
- In a feed (no METHOD), DTSTAMP is the last revision of the data (RFC 5545 §3.8.7.2).
- A calendar always holds a component (RFC 5545 §3.6): a feed with no event gets a VJOURNAL
  saying so, which calendar views do not show as an appointment.
- Times a calendar cannot carry (years past 9998, where a local time or the VTIMEZONE's
  end would leave datetime's range) are left out rather than fail the whole feed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask_babel import gettext
from icalendar import Calendar, Journal, Timezone, vDuration, vText
from icalendar import Event as VEvent

from webapp.models import AgendaItem, Event, EventStatus
from webapp.text import one_line

PRODID = "-//Districts of Creativity//Events and delegations//EN"
# Bump when the bytes produced for the same data change, so cached feeds get new ETags.
FORMAT_VERSION = "2"
REFRESH = timedelta(minutes=15)
UTC_ZONES = frozenset({"UTC", "Etc/UTC", "Etc/GMT", "GMT"})
# Years a published time may fall in: a local time is up to a day off UTC and a VTIMEZONE
# runs to 1 January after its last year, both within datetime's years 1 to 9999.
FIRST_YEAR, LAST_YEAR = 1900, 9998
END_CALENDAR = b"END:VCALENDAR\r\n"
# What an empty feed holds instead of nothing; DTSTAMP fixed so the bytes stay the same.
EMPTY_UID = "empty-calendar@{host}"
EMPTY_STAMP = datetime(2026, 1, 1, tzinfo=UTC)

STATUS = {
    EventStatus.PLANNED: "TENTATIVE",
    EventStatus.CONFIRMED: "CONFIRMED",
    EventStatus.CANCELLED: "CANCELLED",
}


def N_(message: str) -> str:
    """Mark a text for the catalogs (pybabel extracts N_); it is translated where used."""
    return message


# The app's own words in a calendar (the rest is the event's data), written in the language
# of the moment: an invitation's recipient's, a feed's (responses.py; the pieces a feed is
# made of are kept per language, see pieces.py).
CANCELLED_SUMMARY = N_("Cancelled: %(title)s")
CANCELLED_NOTE = N_("Cancelled. %(reason)s")
THEME_LINE = N_("Theme: %(theme)s")
WAITLIST_NOTE = N_("You are on the waiting list for this event.")
EMPTY_SUMMARY = N_("No events in this calendar for now")
NETWORK_NAME = "Districts of Creativity"  # a name: the same in every language
NETWORK_DESCRIPTION = N_(
    "Forums, reverse missions and meetings of the Districts of Creativity network."
)
REGION_NAME = N_("Districts of Creativity: %(region)s")
REGION_DESCRIPTION = N_("Events %(region)s hosts or sends a delegation to.")
PERSONAL_NAME = N_("Districts of Creativity: my events")
PERSONAL_DESCRIPTION = N_("The events you registered for, with their agenda.")

# C0 controls other than TAB and LF, and DEL: RFC 5545 TEXT may not contain them.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85]")


def clean_text(value: str | None) -> str:
    """Text as a calendar can carry it: line breaks as LF, other control characters dropped.

    Escaping (commas, semicolons, backslashes, newlines) is icalendar's job; this only removes
    what RFC 5545 cannot represent at all."""
    if not value:
        return ""
    return _CONTROL.sub("", _LINE_BREAKS.sub("\n", value))


def site_host(base_url: str) -> str:
    """The host part of BASE_URL, used in every UID."""
    return urlsplit(base_url).hostname or "localhost"


def event_uid(event_id: int, base_url: str) -> str:
    """The event's UID, the same in every feed and invitation, forever."""
    return f"event-{event_id}@{site_host(base_url)}"


def agenda_uid(item_id: int, base_url: str) -> str:
    """An agenda item's UID."""
    return f"agenda-{item_id}@{site_host(base_url)}"


def event_page_url(event_id: int, base_url: str) -> str:
    """The public page of an event (the `events.detail` route)."""
    return f"{base_url.rstrip('/')}/events/{event_id}"


def within_calendar_years(start: datetime, end: datetime) -> bool:
    """Whether a span's times can be written, with their zone, in a calendar."""
    return start.year >= FIRST_YEAR and end.year <= LAST_YEAR


def in_calendars(event: Event) -> bool:
    """Only events whose exact days are recorded are published."""
    return not event.dates_approximate


def writable(event: Event) -> bool:
    """In calendars, and within the years a calendar can carry (stored dates the forms
    refuse, such as 9999-12-31, must not make a whole feed fail)."""
    return in_calendars(event) and within_calendar_years(event.starts_at, event.ends_at)


def is_all_day_span(event: Event) -> bool:
    """A day or more across several local dates: shown as whole days, not one long block."""
    last_day = (event.local_end - timedelta(microseconds=1)).date()
    lasts_a_day = event.ends_at - event.starts_at >= timedelta(days=1)
    return lasts_a_day and last_day > event.local_first_day


def all_day_dates(event: Event) -> tuple[date, date]:
    """First local day and the day after the last one (DTEND is exclusive for dates)."""
    last_day = (event.local_end - timedelta(microseconds=1)).date()
    return event.local_first_day, last_day + timedelta(days=1)


@lru_cache(maxsize=256)
def vtimezone(zone: str, first_year: int, last_year: int) -> bytes:
    """The VTIMEZONE of `zone` from 1 January `first_year` to the end of `last_year`.

    Generating it walks the zone's transitions, so it is kept: the same arguments always
    give the same bytes."""
    return Timezone.from_tzid(
        zone, first_date=date(first_year, 1, 1), last_date=date(last_year + 1, 1, 1)
    ).to_ical()


@dataclass(frozen=True)
class Piece:
    """One VEVENT as bytes, and the local years of each zone its times use."""

    data: bytes
    zone_years: tuple[tuple[str, int, int], ...] = ()


NOTHING = Piece(b"")  # an event or item that is not published


def calendar_header(name: str, description: str = "", method: str | None = None) -> Calendar:
    """The VCALENDAR's own properties: an invitation's METHOD, or a feed's name and refresh."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
        return calendar
    # NAME (RFC 7986) and the X- properties are TEXT: wrapped in vText so they are escaped.
    name = one_line(name)
    calendar.add("name", vText(name))
    calendar.add("x-wr-calname", vText(name))
    if description:
        calendar.add("x-wr-caldesc", vText(clean_text(description)))
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    return calendar


def empty_placeholder(base_url: str) -> bytes:
    """The component of a calendar with no event: a VJOURNAL (no time, so no appointment)."""
    journal = Journal()
    journal.add("uid", EMPTY_UID.format(host=site_host(base_url)))
    journal.add("dtstamp", EMPTY_STAMP)
    journal.add("summary", gettext(EMPTY_SUMMARY))
    return journal.to_ical()


def joined(pieces: Sequence[Piece]) -> Piece:
    """Several pieces as one (an event's whole agenda): their bytes in order, and for each
    zone the years any of them needs."""
    years: dict[str, tuple[int, int]] = {}
    for zone, first, last in {span for piece in pieces for span in piece.zone_years}:
        low, high = years.get(zone, (first, last))
        years[zone] = (min(low, first), max(high, last))
    spans = tuple((zone, *years[zone]) for zone in sorted(years))
    return Piece(b"".join(piece.data for piece in pieces), spans)


def write_calendar(header: Calendar, pieces: Sequence[Piece], base_url: str) -> bytes:
    """The calendar: its properties, the VTIMEZONEs its pieces need, then the pieces (or the
    placeholder when there are none)."""
    body = joined(pieces)
    zones = [vtimezone(*span) for span in body.zone_years]
    head = header.to_ical()
    return b"".join([head[: -len(END_CALENDAR)], *zones,
                     body.data or empty_placeholder(base_url), END_CALENDAR])


@dataclass
class CalendarBuilder:
    """Collects VEVENTs and the zones they use, then writes one VCALENDAR."""

    base_url: str
    name: str
    description: str = ""
    method: str | None = None
    components: list[VEvent] = field(default_factory=list)
    zone_years: dict[str, tuple[int, int]] = field(default_factory=dict)

    def set_times(self, component: VEvent, start: datetime, end: datetime, zone: str) -> None:
        """DTSTART/DTEND in local time with TZID (UTC stays UTC), noting the zone's years."""
        if zone in UTC_ZONES:
            component.add("dtstart", start.astimezone(UTC))
            component.add("dtend", end.astimezone(UTC))
            return
        local_start, local_end = start.astimezone(ZoneInfo(zone)), end.astimezone(ZoneInfo(zone))
        component.add("dtstart", local_start)
        component.add("dtend", local_end)
        first, last = self.zone_years.get(zone, (local_start.year, local_end.year))
        self.zone_years[zone] = (min(first, local_start.year), max(last, local_end.year))

    def add(self, component: VEvent) -> None:
        """Queue one VEVENT."""
        self.components.append(component)

    def piece(self, component: VEvent) -> Piece:
        """One component written out, with the zone years noted so far (a builder per piece)."""
        years = tuple((zone, *span) for zone, span in sorted(self.zone_years.items()))
        return Piece(component.to_ical(), years)

    def to_ical(self) -> bytes:
        """The calendar: properties, then the VTIMEZONEs, then the events."""
        years = tuple((zone, *span) for zone, span in sorted(self.zone_years.items()))
        pieces = [Piece(component.to_ical()) for component in self.components]
        header = calendar_header(self.name, self.description, self.method)
        return write_calendar(header, [Piece(b"", years), *pieces], self.base_url)


def event_component(
    builder: CalendarBuilder,
    event: Event,
    *,
    dtstamp: datetime | None = None,
    tentative: bool = False,
    note: str = "",
) -> VEvent:
    """The VEVENT of an event. `dtstamp` defaults to the last revision (feeds); invitations
    pass the time the message is created. `tentative` marks a waiting-list place."""
    component = VEvent()
    component.add("uid", event_uid(event.id, builder.base_url))
    component.add("dtstamp", dtstamp or event.updated_at)
    component.add("created", event.created_at)
    component.add("last-modified", event.updated_at)
    component.add("sequence", event.sequence)
    if is_all_day_span(event):
        first_day, day_after = all_day_dates(event)
        component.add("dtstart", first_day)
        component.add("dtend", day_after)
    else:
        builder.set_times(component, event.starts_at, event.ends_at, event.timezone)
    cancelled = event.status is EventStatus.CANCELLED
    status = "TENTATIVE" if tentative and not cancelled else STATUS[event.status]
    component.add("status", status)
    title = clean_text(event.title)
    component.add("summary", gettext(CANCELLED_SUMMARY, title=title) if cancelled
                  else title)
    location = ", ".join(clean_text(part) for part in (event.venue, event.place) if part)
    component.add("location", location)
    component.add("description", _event_description(event, builder.base_url, note))
    component.add("url", event_page_url(event.id, builder.base_url))
    component.add("categories", [event.kind.label])
    return component


def _event_description(event: Event, base_url: str, note: str) -> str:
    """Free text for DESCRIPTION: notes first, then what the event is, then its page."""
    parts = []
    if event.status is EventStatus.CANCELLED:
        reason = clean_text(event.cancel_reason)
        parts.append(gettext(CANCELLED_NOTE, reason=reason).strip())
    if note:
        parts.append(note)
    if event.theme:
        parts.append(gettext(THEME_LINE, theme=clean_text(event.theme)))
    if event.description:
        parts.append(clean_text(event.description))
    parts.append(event_page_url(event.id, base_url))
    return "\n\n".join(parts)


def agenda_component(builder: CalendarBuilder, item: AgendaItem, event: Event) -> VEvent:
    """The VEVENT of one agenda item, related to its event and published with its status."""
    component = VEvent()
    component.add("uid", agenda_uid(item.id, builder.base_url))
    component.add("dtstamp", item.updated_at)
    component.add("last-modified", item.updated_at)
    component.add("sequence", item.sequence)
    builder.set_times(component, item.starts_at, item.ends_at, event.timezone)
    # An item is cancelled on its own (reverse-mission plans) or with its event.
    cancelled = event.status is EventStatus.CANCELLED or item.cancelled_at is not None
    component.add("status", "CANCELLED" if cancelled else STATUS[event.status])
    title = clean_text(item.title)
    component.add("summary", gettext(CANCELLED_SUMMARY, title=title) if cancelled
                  else title)
    location = ", ".join(clean_text(p) for p in (item.host_organisation, item.address) if p)
    if location:
        component.add("location", location)
    lines = [f"{item.kind.label} · {clean_text(event.title)}"]
    if item.description:
        lines.append(clean_text(item.description))
    lines.append(event_page_url(event.id, builder.base_url))
    component.add("description", "\n\n".join(lines))
    component.add("url", event_page_url(event.id, builder.base_url))
    component.add("categories", [item.kind.label])
    component.add("related-to", event_uid(event.id, builder.base_url))
    return component


def event_piece(event: Event, base_url: str, *, waitlisted: bool = False) -> Piece:
    """An event's VEVENT in a feed (nothing when it is not in calendars); a waiting-list
    place is TENTATIVE, with a note saying so."""
    if not writable(event):
        return NOTHING
    builder = CalendarBuilder(base_url, name="")
    note = gettext(WAITLIST_NOTE) if waitlisted else ""
    return builder.piece(event_component(builder, event, tentative=waitlisted, note=note))


def agenda_piece(item: AgendaItem, event: Event, base_url: str) -> Piece:
    """An agenda item's VEVENT in a feed (nothing when it or its event is not published)."""
    if not writable(event) or not within_calendar_years(item.starts_at, item.ends_at):
        return NOTHING
    builder = CalendarBuilder(base_url, name="")
    return builder.piece(agenda_component(builder, item, event))


def feed_calendar(pieces: Sequence[Piece], base_url: str, *, name: str,
                  description: str = "") -> bytes:
    """A feed (no METHOD) made of its pieces, in order."""
    return write_calendar(calendar_header(name, description), pieces, base_url)


def event_calendar(event: Event, items: Iterable[AgendaItem], base_url: str) -> bytes:
    """One event with its agenda items (each its own VEVENT, RELATED-TO the event)."""
    pieces = [event_piece(event, base_url)]
    pieces += [agenda_piece(item, event, base_url) for item in items]
    return feed_calendar(pieces, base_url, name=event.title)


def events_calendar(
    events: Iterable[Event], base_url: str, *, name: str, description: str = ""
) -> bytes:
    """A feed of events (the network's, a region's), without their agenda items."""
    pieces = [event_piece(event, base_url) for event in events]
    return feed_calendar(pieces, base_url, name=name, description=description)


def personal_calendar(
    events: Sequence[Event],
    items: Iterable[AgendaItem],
    base_url: str,
    *,
    waitlisted_event_ids: frozenset[int] = frozenset(),
) -> bytes:
    """A person's feed: the events they registered for and those events' agenda items."""
    by_id = {event.id: event for event in events}
    pieces = [
        event_piece(event, base_url, waitlisted=event.id in waitlisted_event_ids)
        for event in events
    ]
    pieces += [
        agenda_piece(item, by_id[item.event_id], base_url)
        for item in items if item.event_id in by_id
    ]
    return feed_calendar(pieces, base_url, name=gettext(PERSONAL_NAME),
                         description=gettext(PERSONAL_DESCRIPTION))
