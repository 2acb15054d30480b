"""What each feed contains: its state (validators) and its bytes.

For every feed there are two functions:
- `*_state(...)`: ONE aggregate query over everything the feed's bytes depend on (counts,
  sums of ids and sequences, newest timestamps), read by column name. Its hash is the ETag,
  its newest timestamp the Last-Modified; a 304 needs nothing else.
- `*_body(state, base_url)`: the versions of its events (and of their agendas) in feed
  order, then the feed from their pieces (pieces.py: built once per version, shared by
  every feed), in a constant number of queries whatever its size.

The public feeds' states take the newest `updated_at` over ALL events, not only the feed's:
an event made private or given an approximate date leaves the feed, and its own timestamp
says so. A person's events leave their feed only through their own rows.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext

from webapp.calendars import ical
from webapp.calendars.pieces import (
    AGENDA_VERSION,
    event_versions,
    item_versions,
    row_pieces,
    with_agendas,
)
from webapp.extensions import db
from webapp.loaders import valid_token
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

IN_FEEDS = sa.and_(Event.is_public, Event.date_precision == DatePrecision.DAY)


@dataclass(frozen=True)
class FeedState:
    """A feed's identity and the version of everything in it: what a conditional request
    is answered from, and what the body is built for."""

    feed: tuple  # ("region", 3), ("person", 12)...
    version: tuple  # the state query's (column name, value) pairs
    last_modified: datetime | None
    title: str = ""
    # False for an event whose exact dates are not recorded: it has no calendar.
    publishable: bool = True
    # The languages the feed is written in before the request's own choice (the person's
    # saved one), and after it (the forum's default); see webapp.i18n.
    own_language: str | None = None
    forum_language: str | None = None

    def etag(self, base_url: str, language: str) -> str:
        """A strong ETag: the same data, language and code give the same bytes, hence the
        same tag."""
        material = (ical.FORMAT_VERSION, base_url, language, self.feed, self.title,
                    self.version)
        return hashlib.sha256(repr(material).encode()).hexdigest()[:32]


def _state(feed: tuple, row: sa.Row, *stamps: str, **fields) -> FeedState:
    """A FeedState from a state query's row; Last-Modified is the newest of `stamps`."""
    values = row._asdict()
    present = [values[name] for name in stamps if values[name] is not None]
    return FeedState(feed, tuple(values.items()), max(present, default=None), **fields)


def _total(column) -> sa.ColumnElement:
    """SUM that gives 0, not NULL, over no rows."""
    return sa.func.coalesce(sa.func.sum(column), 0)


def _one_row(*columns, where, name: str) -> sa.Subquery:
    """Aggregates over one table in a single scan, as a one-row derived table (joined ON
    TRUE to the feed's subject row, so an unknown subject gives no row at all)."""
    return sa.select(*columns).where(where).subquery(name)


# The newest change to any event: the last entry of ix_event_updated_at.
_ALL_EVENTS_NEWEST = (
    sa.select(sa.func.max(Event.updated_at)).scalar_subquery().label("all_events_newest")
)


# --- the network's feed -------------------------------------------------------------------

# Both parts are index reads (models/calendar.py): a range of ix_event_calendar_state and
# the last entry of ix_event_updated_at.
_NETWORK_STATE = sa.select(
    sa.func.count(Event.id).label("events"),
    _total(Event.id).label("event_ids"),
    _total(Event.sequence).label("event_sequences"),
    _ALL_EVENTS_NEWEST,
).where(IN_FEEDS)


def network_state() -> FeedState:
    """The version of the public events with exact dates."""
    row = db.session.execute(_NETWORK_STATE).one()
    return _state(("network",), row, "all_events_newest")


def network_body(state: FeedState, base_url: str) -> bytes:
    """All public events with exact dates."""
    events = db.session.execute(event_versions(IN_FEEDS)).all()
    return ical.feed_calendar(row_pieces(base_url, events), base_url, name=ical.NETWORK_NAME,
                              description=gettext(ical.NETWORK_DESCRIPTION))


# --- a region's feed ----------------------------------------------------------------------


def _region_events(region_id) -> sa.ColumnElement[bool]:
    """Public events the region hosts or sends a delegation to."""
    delegated = sa.select(Delegation.event_id).where(Delegation.region_id == region_id)
    return sa.and_(
        IN_FEEDS, sa.or_(Event.host_region_id == region_id, Event.id.in_(delegated))
    )


_REGION_ID = sa.select(Region.id).where(Region.slug == sa.bindparam("slug")).scalar_subquery()
_REGION_EVENTS = _one_row(
    sa.func.count(Event.id).label("events"),
    _total(Event.id).label("event_ids"),
    _total(Event.sequence).label("event_sequences"),
    where=_region_events(_REGION_ID),
    name="region_events",
)
_REGION_DELEGATIONS = _one_row(
    sa.func.count(Delegation.id).label("delegations"),
    sa.func.max(Delegation.created_at).label("delegations_newest"),
    where=Delegation.region_id == _REGION_ID,
    name="region_delegations",
)
_REGION_STATE = (
    sa.select(Region.id, Region.name, *_REGION_EVENTS.c, *_REGION_DELEGATIONS.c,
              _ALL_EVENTS_NEWEST)
    .select_from(Region)
    .join(_REGION_EVENTS, sa.true())
    .join(_REGION_DELEGATIONS, sa.true())
    .where(Region.slug == sa.bindparam("slug"))
)


def region_state(slug: str) -> FeedState | None:
    """The version of a region's feed, or None when there is no such region."""
    row = db.session.execute(_REGION_STATE, {"slug": slug}).one_or_none()
    if row is None:
        return None
    return _state(("region", row.id), row, "delegations_newest", "all_events_newest",
                  title=row.name)


def region_body(state: FeedState, base_url: str) -> bytes:
    """A region's events."""
    region_id = state.feed[1]
    events = db.session.execute(event_versions(_region_events(region_id))).all()
    return ical.feed_calendar(
        row_pieces(base_url, events), base_url,
        name=gettext(ical.REGION_NAME, region=state.title),
        description=gettext(ical.REGION_DESCRIPTION, region=state.title),
    )


# --- one event ----------------------------------------------------------------------------

_EVENT_AGENDA = _one_row(
    sa.func.count(AgendaItem.id).label("items"),
    _total(AgendaItem.sequence).label("item_sequences"),
    where=AgendaItem.event_id == sa.bindparam("event_id"),
    name="event_agenda",
)
# Its own scalar subquery: the last entry of the agenda's range in
# ix_agenda_item_calendar_state (event_id, updated_at, ...).
_EVENT_AGENDA_NEWEST = (
    sa.select(sa.func.max(AgendaItem.updated_at))
    .where(AgendaItem.event_id == sa.bindparam("event_id"))
    .scalar_subquery()
    .label("items_newest")
)
_EVENT_STATE = (
    sa.select(Event.id, Event.title, Event.date_precision, Event.updated_at, Event.sequence,
              Event.default_language, *_EVENT_AGENDA.c, _EVENT_AGENDA_NEWEST)
    .select_from(Event)
    .join(_EVENT_AGENDA, sa.true())
    .where(Event.id == sa.bindparam("event_id"))
)


def event_state(event_id: int) -> FeedState | None:
    """The version of one event and its agenda, or None when there is no such event."""
    row = db.session.execute(_EVENT_STATE, {"event_id": event_id}).one_or_none()
    if row is None:
        return None
    return _state(("event", row.id), row, "updated_at", "items_newest", title=row.title,
                  publishable=row.date_precision is DatePrecision.DAY,
                  forum_language=row.default_language)


def event_body(state: FeedState, base_url: str) -> bytes:
    """The event and its agenda items."""
    event_id = state.feed[1]
    events = db.session.execute(event_versions(Event.id == event_id, *AGENDA_VERSION)).all()
    return ical.feed_calendar(with_agendas(base_url, events), base_url, name=state.title)


# --- a person's feed ----------------------------------------------------------------------


def _guest_of(person_id) -> sa.ColumnElement[bool]:
    """A reverse mission's guests (not declined) have the mission in their feed."""
    return sa.and_(MissionGuest.person_id == person_id,
                   MissionGuest.status != GuestStatus.DECLINED)


def _my_events(person_id) -> sa.CompoundSelect:
    """Events in a person's feed: active registrations and guest places not declined."""
    return sa.union(
        sa.select(Registration.event_id).where(Registration.person_id == person_id, _ACTIVE),
        sa.select(MissionGuest.event_id).where(_guest_of(person_id)),
    )


def _my_guest_places(person_id) -> sa.Select:
    """The person's places as a guest of reverse missions (not declined)."""
    return sa.select(MissionGuest.id).where(_guest_of(person_id))


# Written into the SQL rather than bound: uq_registration_active_person_event is partial
# (status <> 'cancelled'), and SQLite prepares a statement again on every execution whose
# bound values such an index's condition depends on.
_ACTIVE = Registration.status != sa.literal(
    RegistrationStatus.CANCELLED, Registration.status.type, literal_execute=True)
_WAITLISTED = Registration.status == RegistrationStatus.WAITLISTED
# Common table expressions, each written once in the SQL: the person, and their events.
_ME = sa.select(Person.id).where(Person.calendar_token == sa.bindparam("token")).cte("me")
_MINE = _my_events(_ME.c.id).cte("mine")
_MINE_IDS = sa.select(_MINE.c.event_id)
_MY_REGISTRATIONS = _one_row(
    sa.func.count(sa.case((_ACTIVE, 1))).label("registrations"),
    _total(sa.case((_ACTIVE, Registration.id), else_=0)).label("registration_ids"),
    sa.func.count(sa.case((_WAITLISTED, 1))).label("waitlisted"),
    sa.func.max(Registration.registered_at).label("registered_newest"),
    sa.func.max(Registration.cancelled_at).label("cancelled_newest"),
    where=Registration.person_id == _ME.c.id,
    name="my_registrations",
)
# The person's events and their agenda: any insert or update gives a newer updated_at, a
# deletion a smaller count (and an event that leaves the feed does so through a change
# above, or through its own row).
_MY_EVENTS = _one_row(
    sa.func.count(Event.id).label("events"),
    _total(Event.sequence).label("event_sequences"),
    sa.func.max(Event.updated_at).label("events_newest"),
    where=Event.id.in_(_MINE_IDS),
    name="my_events",
)
_MY_AGENDA = _one_row(
    sa.func.count(AgendaItem.id).label("items"),
    _total(AgendaItem.sequence).label("item_sequences"),
    sa.func.max(AgendaItem.updated_at).label("items_newest"),
    where=AgendaItem.event_id.in_(_MINE_IDS),
    name="my_agenda",
)
_MY_GUEST_PLACES = _one_row(
    sa.func.count(MissionGuest.id).label("guest_places"),
    _total(MissionGuest.id).label("guest_place_ids"),
    sa.func.max(MissionGuest.updated_at).label("guest_places_newest"),
    where=_guest_of(_ME.c.id),
    name="my_guest_places",
)
# Which parallel items the person attends: two guests of one mission differ only here.
_MY_ATTENDANCE = _one_row(
    sa.func.count(agenda_attendance.c.agenda_item_id).label("attended"),
    _total(agenda_attendance.c.agenda_item_id).label("attended_ids"),
    # Squares too: moving from items 3 and 6 to 4 and 5 keeps the count and the sum.
    _total(sa.cast(agenda_attendance.c.agenda_item_id, sa.BigInteger)
           * agenda_attendance.c.agenda_item_id).label("attended_ids_squared"),
    where=agenda_attendance.c.mission_guest_id.in_(_my_guest_places(_ME.c.id)),
    name="my_attendance",
)
# The language of the person's newest registration and the default of its forum (else of
# the latest mission they are a guest of): their feed is written in it.
_MY_NEWEST_REGISTRATION = (
    sa.select(Registration.language.label("own_language"),
              Event.default_language.label("forum_language"))
    .join(Event, Event.id == Registration.event_id)
    .where(Registration.person_id == _ME.c.id, _ACTIVE)
    .order_by(Registration.registered_at.desc(), Registration.id.desc()).limit(1)
    .subquery("my_newest_registration")
)
_MY_MISSION_LANGUAGE = (
    sa.select(Event.default_language).where(Event.id.in_(_MINE_IDS))
    .order_by(Event.starts_at.desc(), Event.id.desc()).limit(1)
    .scalar_subquery().label("mission_language")
)
_PERSONAL_STATE = (
    sa.select(_ME.c.id, *_MY_REGISTRATIONS.c, *_MY_EVENTS.c, *_MY_AGENDA.c,
              *_MY_GUEST_PLACES.c, *_MY_ATTENDANCE.c, *_MY_NEWEST_REGISTRATION.c,
              _MY_MISSION_LANGUAGE)
    .select_from(_ME)
    .join(_MY_REGISTRATIONS, sa.true())
    .join(_MY_EVENTS, sa.true())
    .join(_MY_AGENDA, sa.true())
    .join(_MY_GUEST_PLACES, sa.true())
    .join(_MY_ATTENDANCE, sa.true())
    .outerjoin(_MY_NEWEST_REGISTRATION, sa.true())
)


def personal_state(token: str) -> FeedState | None:
    """The version of a person's feed, or None when no person holds this token."""
    if not valid_token(token):
        return None
    row = db.session.execute(_PERSONAL_STATE, {"token": token}).one_or_none()
    if row is None:
        return None
    return _state(("person", row.id), row, "registered_newest", "cancelled_newest",
                  "events_newest", "items_newest", "guest_places_newest",
                  own_language=row.own_language,
                  forum_language=row.forum_language or row.mission_language)


def personal_body(state: FeedState, base_url: str) -> bytes:
    """A person's events (a waiting-list place as TENTATIVE) and their agenda; as a mission
    guest, the items for all guests and the parallel items they attend, not the others."""
    person_id = state.feed[1]
    waitlisted = sa.select(Registration.event_id).where(
        Registration.person_id == person_id, _WAITLISTED)
    missions = sa.select(MissionGuest.event_id).where(_guest_of(person_id))
    events = db.session.execute(event_versions(
        Event.id.in_(_my_events(person_id)), *AGENDA_VERSION,
        Event.id.in_(waitlisted).label("waitlisted"), Event.id.in_(missions).label("as_guest"),
    )).all()
    selections: dict[int, list[sa.Row]] = {e.id: [] for e in events if e.as_guest}
    if selections:
        attended = sa.select(agenda_attendance.c.agenda_item_id).where(
            agenda_attendance.c.mission_guest_id.in_(_my_guest_places(person_id)))
        for item in db.session.execute(item_versions(sa.and_(
            AgendaItem.event_id.in_(missions),
            sa.or_(AgendaItem.all_guests, AgendaItem.id.in_(attended)),
        ))):
            selections[item.event_id].append(item)
    return ical.feed_calendar(with_agendas(base_url, events, selections), base_url,
                              name=gettext(ical.PERSONAL_NAME),
                              description=gettext(ical.PERSONAL_DESCRIPTION))
