"""What each feed contains, and its validators from one cheap aggregate query.

For every feed there are two functions:
- `*_state(...)`: ONE query returning a fingerprint of everything the feed's bytes depend on
  (counts, sums of ids and sequences, newest timestamps). Its hash is the ETag; its newest
  timestamp the Last-Modified. A 304 needs nothing else.
- `*_body(...)`: the feed's bytes, loaded in a constant number of queries whatever its size.

The fingerprints take the newest `updated_at` over ALL events, not only the feed's: an event
made private or given an approximate date leaves the feed, and its own timestamp says so.
"""

from __future__ import annotations

import re
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from webapp.calendars import ical
from webapp.calendars.fastquery import FastQuery
from webapp.calendars.state import FeedState, Prepared, digest
from webapp.extensions import db
from webapp.models import (
    AgendaItem,
    DatePrecision,
    Delegation,
    Event,
    GuestStatus,
    MissionGuest,
    Person,
    Region,
    Registration,
    RegistrationStatus,
    agenda_attendance,
)

TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,64}")
IN_FEEDS = sa.and_(Event.is_public, Event.date_precision == DatePrecision.DAY)


def _newest(*stamps: datetime | None) -> datetime | None:
    """The latest of some optional timestamps."""
    present = [s for s in stamps if s is not None]
    return max(present) if present else None


def _total(column) -> sa.ColumnElement:
    """SUM that gives 0, not NULL, over no rows."""
    return sa.func.coalesce(sa.func.sum(column), 0)


def _one_row(*columns, where=None, name: str) -> sa.Subquery:
    """Aggregates over one table in a single scan, as a one-row derived table."""
    query = sa.select(*columns)
    return (query.where(where) if where is not None else query).subquery(name)


# The state queries are built once (constructing a statement costs more than running it)
# and run as FastQuery: compiled once per dialect, each a single SQL statement.
# Each table is scanned once, in a one-row derived table cross-joined to the subject row,
# so an unknown subject (region, event, token) gives no row at all.
# The newest change to any event: a scalar subquery, which both databases answer from the
# last entry of ix_event_updated_at (as a joined derived table SQLite scanned the index).
_ALL_EVENTS_NEWEST = (
    sa.select(sa.func.max(Event.updated_at)).scalar_subquery().label("all_events_newest")
)
_CROSS = sa.true()

# --- the network's feed -------------------------------------------------------------------

_NETWORK_EVENTS = _one_row(
    sa.func.count(Event.id).label("count"),
    _total(Event.id).label("ids"),
    _total(Event.sequence).label("sequences"),
    where=IN_FEEDS,
    name="network_events",
)
# Both halves are index reads (models/calendar.py): a range of ix_event_calendar_state and
# the last entry of ix_event_updated_at.
_NETWORK_STATE = FastQuery(
    sa.select(*_NETWORK_EVENTS.c, _ALL_EVENTS_NEWEST).select_from(_NETWORK_EVENTS)
)


def network_state() -> FeedState:
    """Fingerprint of the public events with exact dates."""
    row = _NETWORK_STATE.first()
    return FeedState(("network",), tuple(row), row[3])


def network_body(base_url: str) -> bytes:
    """All public events with exact dates, in one query."""
    events = db.session.scalars(
        sa.select(Event).where(IN_FEEDS).order_by(Event.starts_at, Event.id)
    ).all()
    return ical.events_calendar(
        events,
        base_url,
        name="Districts of Creativity",
        description="Forums, reverse missions and meetings of the Districts of Creativity "
        "network.",
    )


# --- a region's feed ----------------------------------------------------------------------


def _region_events(region_id) -> sa.ColumnElement[bool]:
    """Public events the region hosts or sends a delegation to."""
    delegated = sa.select(Delegation.event_id).where(Delegation.region_id == region_id)
    return sa.and_(
        IN_FEEDS, sa.or_(Event.host_region_id == region_id, Event.id.in_(delegated))
    )


_REGION_ID = sa.select(Region.id).where(Region.slug == sa.bindparam("slug")).scalar_subquery()
_REGION_EVENTS = _one_row(
    sa.func.count(Event.id).label("count"),
    _total(Event.id).label("ids"),
    _total(Event.sequence).label("sequences"),
    where=_region_events(_REGION_ID),
    name="region_events",
)
_REGION_DELEGATIONS = _one_row(
    sa.func.count(Delegation.id).label("count"),
    sa.func.max(Delegation.created_at).label("newest"),
    where=Delegation.region_id == _REGION_ID,
    name="region_delegations",
)
_REGION_STATE = FastQuery(
    sa.select(
        Region.id,
        Region.name,
        *_REGION_EVENTS.c,
        *_REGION_DELEGATIONS.c,
        _ALL_EVENTS_NEWEST,
    )
    .select_from(Region)
    .join(_REGION_EVENTS, _CROSS)
    .join(_REGION_DELEGATIONS, _CROSS)
    .where(Region.slug == sa.bindparam("slug"))
)


def region_state(slug: str) -> FeedState | None:
    """Fingerprint of a region's feed, or None when there is no such region."""
    row = _REGION_STATE.first(slug=slug)
    if row is None:
        return None
    return FeedState(("region", row[0]), tuple(row[2:]), _newest(row[6], row[7]), row[1])


def region_body(state: FeedState, base_url: str) -> bytes:
    """A region's events, in one query."""
    region_id = state.key[1]
    events = db.session.scalars(
        sa.select(Event).where(_region_events(region_id)).order_by(Event.starts_at, Event.id)
    ).all()
    return ical.events_calendar(
        events,
        base_url,
        name=f"Districts of Creativity: {state.title}",
        description=f"Events {state.title} hosts or sends a delegation to.",
    )


# --- one event ----------------------------------------------------------------------------

_EVENT_AGENDA = _one_row(
    sa.func.count().label("count"),
    _total(AgendaItem.id).label("ids"),
    _total(AgendaItem.sequence).label("sequences"),
    where=AgendaItem.event_id == sa.bindparam("event_id"),
    name="event_agenda",
)
# Its own scalar subquery: the last entry of the agenda's range in ix_agenda_item_calendar_state
# (event_id, updated_at, ...), not one more aggregate over all 500 items.
_EVENT_AGENDA_NEWEST = (
    sa.select(sa.func.max(AgendaItem.updated_at))
    .where(AgendaItem.event_id == sa.bindparam("event_id"))
    .scalar_subquery()
    .label("agenda_newest")
)
_EVENT_STATE = FastQuery(
    sa.select(
        Event.id, Event.date_precision, Event.updated_at, Event.sequence, *_EVENT_AGENDA.c,
        _EVENT_AGENDA_NEWEST,
    )
    .select_from(Event)
    .join(_EVENT_AGENDA, _CROSS)
    .where(Event.id == sa.bindparam("event_id"))
)


def event_state(event_id: int) -> FeedState | None:
    """Fingerprint of one event and its agenda, or None when there is no such event."""
    row = _EVENT_STATE.first(event_id=event_id)
    if row is None:
        return None
    return FeedState(
        ("event", row[0]),
        tuple(row[1:]),
        _newest(row[2], row[7]),
        publishable=row[1] is DatePrecision.DAY,
    )


def event_body(state: FeedState, base_url: str) -> bytes:
    """The event and its agenda items, in two queries."""
    event = db.session.scalars(
        sa.select(Event)
        .where(Event.id == state.key[1])
        .options(selectinload(Event.agenda_items))
    ).one()
    return ical.event_calendar(event, event.agenda_items, base_url)


# --- a person's feed ----------------------------------------------------------------------


_PERSON_ID = (
    sa.select(Person.id).where(Person.calendar_token == sa.bindparam("token")).scalar_subquery()
)
_ACTIVE = Registration.status != RegistrationStatus.CANCELLED
_WAITLISTED = Registration.status == RegistrationStatus.WAITLISTED
# A reverse mission's guests (not declined) have the mission in their feed, like registrants.
_GUEST_OF = sa.and_(
    MissionGuest.person_id == _PERSON_ID, MissionGuest.status != GuestStatus.DECLINED
)
_MY_EVENTS = sa.union(
    sa.select(Registration.event_id).where(Registration.person_id == _PERSON_ID, _ACTIVE),
    sa.select(MissionGuest.event_id).where(_GUEST_OF),
)
_MY_REGISTRATIONS = _one_row(
    sa.func.count(sa.case((_ACTIVE, 1))).label("count"),
    _total(sa.case((_ACTIVE, Registration.id), else_=0)).label("ids"),
    sa.func.count(sa.case((_WAITLISTED, 1))).label("waitlisted"),
    sa.func.max(Registration.registered_at).label("newest"),
    sa.func.max(Registration.cancelled_at).label("newest_cancel"),
    where=Registration.person_id == _PERSON_ID,
    name="my_registrations",
)
_MY_EVENT_SEQUENCES = _one_row(
    _total(Event.sequence).label("sequences"),
    where=Event.id.in_(_MY_EVENTS),
    name="my_events",
)
_MY_AGENDA = _one_row(
    sa.func.count(AgendaItem.id).label("count"),
    _total(AgendaItem.id).label("ids"),
    _total(AgendaItem.sequence).label("sequences"),
    sa.func.max(AgendaItem.updated_at).label("newest"),
    where=AgendaItem.event_id.in_(_MY_EVENTS),
    name="my_agenda",
)
_MY_GUEST_PLACES = _one_row(
    sa.func.count(MissionGuest.id).label("count"),
    _total(MissionGuest.id).label("ids"),
    where=_GUEST_OF,
    name="my_guest_places",
)
_PERSONAL_STATE = FastQuery(
    sa.select(
        Person.id,
        *_MY_REGISTRATIONS.c,
        *_MY_EVENT_SEQUENCES.c,
        *_MY_AGENDA.c,
        _ALL_EVENTS_NEWEST,
        *_MY_GUEST_PLACES.c,  # last, so the positions above stay as personal_state reads them
    )
    .select_from(Person)
    .join(_MY_REGISTRATIONS, _CROSS)
    .join(_MY_EVENT_SEQUENCES, _CROSS)
    .join(_MY_AGENDA, _CROSS)
    .join(_MY_GUEST_PLACES, _CROSS)
    .where(Person.calendar_token == sa.bindparam("token"))
)


def valid_token(token: str) -> bool:
    """Shaped like a token we issue (URL-safe base64), so nonsense never reaches the SQL."""
    return TOKEN_SHAPE.fullmatch(token) is not None


def personal_state(token: str) -> FeedState | None:
    """Fingerprint of a person's feed, or None when no person holds this token."""
    if not valid_token(token):
        return None
    row = _PERSONAL_STATE.first(token=token)
    if row is None:
        return None
    return FeedState(
        ("person", row[0]),
        tuple(row[1:]),
        _newest(*row[4:6], *row[10:12]),
        agenda=tuple(row[7:11]),
    )


# One light query for both ways into a person's feed: registrations (with their status) and
# reverse-mission guest places (with the guest id, to pick the split items they attend).
_MY_EVENT_VERSIONS = FastQuery(sa.union_all(
    sa.select(
        Event.id.label("event_id"), Event.updated_at, Event.sequence, Event.starts_at,
        Registration.status.label("status"), sa.null().label("guest_id"),
    )
    .join(Registration, Registration.event_id == Event.id)
    .where(Registration.person_id == sa.bindparam("person_id"), _ACTIVE),
    sa.select(
        Event.id.label("event_id"), Event.updated_at, Event.sequence, Event.starts_at,
        sa.null().label("status"), MissionGuest.id.label("guest_id"),
    )
    .join(MissionGuest, MissionGuest.event_id == Event.id)
    .where(
        MissionGuest.person_id == sa.bindparam("person_id"),
        MissionGuest.status != GuestStatus.DECLINED,
    ),
).order_by(sa.literal_column("starts_at"), sa.literal_column("event_id")))


def personal_prepare(state: FeedState, base_url: str) -> Prepared:
    """What a person's feed shows (one light query); built only if no worker cache has it.

    The cache key is the content, not the person: the 13,000 registrants of a forum share
    one built body, so a change to the forum costs one build per worker, not 13,000."""
    rows = _MY_EVENT_VERSIONS.rows(person_id=state.key[1])
    versions = [row for row in rows if row.guest_id is None]
    missions = [row for row in rows if row.guest_id is not None]
    guest_ids = [row.guest_id for row in missions]
    event_ids = [row.event_id for row in rows]
    waitlisted = frozenset(
        row.event_id for row in versions if row.status == RegistrationStatus.WAITLISTED
    )
    content = (
        ical.FORMAT_VERSION,
        base_url,
        "person",
        tuple(
            (row.event_id, row.updated_at, row.sequence, row.event_id in waitlisted)
            for row in versions
        ),
        tuple((row.event_id, row.updated_at, row.sequence) for row in missions),
        state.agenda,
    )

    def build() -> bytes:
        """Load those events and their agenda items, and write the calendar."""
        events: list[Event] = []
        items: list[AgendaItem] = []
        if event_ids:
            events = db.session.scalars(
                sa.select(Event).where(Event.id.in_(event_ids)).order_by(Event.starts_at, Event.id)
            ).all()
            items = db.session.scalars(
                sa.select(AgendaItem)
                .where(AgendaItem.event_id.in_(event_ids))
                .order_by(AgendaItem.starts_at, AgendaItem.id)
            ).all()
            if guest_ids:
                items = _only_my_mission_items(
                    items, {row.event_id for row in missions}, guest_ids
                )
        return ical.personal_calendar(events, items, base_url, waitlisted_event_ids=waitlisted)

    return Prepared(digest(content), build)


def _only_my_mission_items(
    items: list[AgendaItem], mission_ids: set[int], guest_ids: list[int]
) -> list[AgendaItem]:
    """A mission guest's feed keeps the items for all guests and the split items they attend
    (a parallel visit they are not in stays out of their calendar)."""
    attended = set(
        db.session.scalars(
            sa.select(agenda_attendance.c.agenda_item_id).where(
                agenda_attendance.c.mission_guest_id.in_(guest_ids)
            )
        )
    )
    return [
        item
        for item in items
        if item.event_id not in mission_ids or item.all_guests or item.id in attended
    ]
