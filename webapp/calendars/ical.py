"""RFC 5545 calendars as pure functions: model objects in, `bytes` out, through `icalendar`.

Nothing here reads the request, the database or the clock: the routes and services pass in
what was loaded, so the same objects always give the same bytes (which is what lets a feed be
cached and validated by its ETag).

Publishing rules:
- UIDs are `event-<id>@<host>` and `agenda-<id>@<host>`, stable forever.
- Events whose exact days are not recorded (precision "month"/"year") are left out: an early
  forum must not show up as a meeting on 1 January.
- An event lasting a day or more over several local days is an all-day span (VALUE=DATE,
  DTEND exclusive) in its local dates; other events and agenda items carry TZID times with a
  VTIMEZONE generated from zoneinfo.
- In a feed (no METHOD), DTSTAMP is the last revision of the data (RFC 5545 §3.8.7.2).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from icalendar import Calendar, Timezone, vDuration, vText
from icalendar import Event as VEvent

from webapp.models import AgendaItem, Event, EventStatus

PRODID = "-//Districts of Creativity//Events and delegations//EN"
# Bump when the bytes produced for the same data change, so cached feeds get new ETags.
FORMAT_VERSION = "1"
REFRESH = timedelta(minutes=15)
UTC_ZONES = frozenset({"UTC", "Etc/UTC", "Etc/GMT", "GMT"})

STATUS = {
    EventStatus.PLANNED: "TENTATIVE",
    EventStatus.CONFIRMED: "CONFIRMED",
    EventStatus.CANCELLED: "CANCELLED",
}

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


def one_line(value: str | None) -> str:
    """Text for a single-line slot (a display name, a mail subject): whitespace runs collapsed."""
    return " ".join(clean_text(value).split())


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


def in_calendars(event: Event) -> bool:
    """Only events whose exact days are recorded are published."""
    return not event.dates_approximate


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
def vtimezone(zone: str, first_year: int, last_year: int) -> Timezone:
    """A VTIMEZONE for `zone` valid from 1 January `first_year` to the end of `last_year`.

    Generating it walks the zone's transitions, so it is cached; the component is only ever
    serialised, never changed, so sharing it between calendars is safe."""
    return Timezone.from_tzid(
        zone, first_date=date(first_year, 1, 1), last_date=date(last_year + 1, 1, 1)
    )


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

    def to_ical(self) -> bytes:
        """The calendar: properties, then the VTIMEZONEs, then the events."""
        calendar = Calendar()
        calendar.add("prodid", PRODID)
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        if self.method:
            calendar.add("method", self.method)
        else:
            # X- properties have no known type: wrapped in vText so they are escaped as TEXT.
            name = one_line(self.name)
            calendar.add("name", name)
            calendar.add("x-wr-calname", vText(name))
            if self.description:
                calendar.add("x-wr-caldesc", vText(clean_text(self.description)))
            calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
            calendar.add("x-published-ttl", vDuration(REFRESH))
        for zone, (first, last) in sorted(self.zone_years.items()):
            calendar.add_component(vtimezone(zone, first, last))
        for component in self.components:
            calendar.add_component(component)
        return calendar.to_ical()


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
    component.add("summary", f"Cancelled: {title}" if cancelled else title)
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
        parts.append(f"Cancelled. {reason}".strip())
    if note:
        parts.append(note)
    if event.theme:
        parts.append(f"Theme: {clean_text(event.theme)}")
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
    component.add("summary", f"Cancelled: {title}" if cancelled else title)
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


def event_calendar(event: Event, items: Iterable[AgendaItem], base_url: str) -> bytes:
    """One event with its agenda items (each its own VEVENT, RELATED-TO the event)."""
    builder = CalendarBuilder(base_url, name=event.title)
    if in_calendars(event):
        builder.add(event_component(builder, event))
        for item in items:
            builder.add(agenda_component(builder, item, event))
    return builder.to_ical()


def events_calendar(
    events: Iterable[Event], base_url: str, *, name: str, description: str = ""
) -> bytes:
    """A feed of events (the network's, a region's), without their agenda items."""
    builder = CalendarBuilder(base_url, name=name, description=description)
    for event in events:
        if in_calendars(event):
            builder.add(event_component(builder, event))
    return builder.to_ical()


WAITLIST_NOTE = "You are on the waiting list for this event."


def personal_calendar(
    events: Iterable[Event],
    items: Iterable[AgendaItem],
    base_url: str,
    *,
    waitlisted_event_ids: frozenset[int] = frozenset(),
) -> bytes:
    """A person's feed: the events they registered for and those events' agenda items.
    A waiting-list place is published as TENTATIVE, with a note saying so."""
    builder = CalendarBuilder(
        base_url,
        name="Districts of Creativity: my events",
        description="The events you registered for, with their agenda.",
    )
    published: dict[int, Event] = {}
    for event in events:
        if in_calendars(event):
            published[event.id] = event
            waitlisted = event.id in waitlisted_event_ids
            builder.add(
                event_component(
                    builder, event, tentative=waitlisted, note=WAITLIST_NOTE if waitlisted else ""
                )
            )
    for item in items:
        if item.event_id in published:
            builder.add(agenda_component(builder, item, published[item.event_id]))
    return builder.to_ical()
