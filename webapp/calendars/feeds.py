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

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, selectinload

from webapp.calendars import ical
from webapp.extensions import db
from webapp.models import (
    AgendaItem,
    DatePrecision,
    Delegation,
    Event,
    Person,
    Region,
    Registration,
    RegistrationStatus,
)

TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,64}")
IN_FEEDS = sa.and_(Event.is_public, Event.date_precision == DatePrecision.DAY)


@dataclass(frozen=True)
class FeedState:
    """A feed's identity and fingerprint: enough to answer a conditional request."""

    key: tuple
    fingerprint: tuple
    last_modified: datetime | None
    title: str = ""
    # False for an event whose exact dates are not recorded: it has no calendar.
    publishable: bool = True

    def etag(self, base_url: str) -> str:
        """A strong ETag: the same data and code give the same bytes, hence the same tag."""
        material = repr((ical.FORMAT_VERSION, base_url, self.key, self.title, self.fingerprint))
        return hashlib.sha256(material.encode()).hexdigest()[:32]


def _newest(*stamps: datetime | None) -> datetime | None:
    """The latest of some optional timestamps."""
    present = [s for s in stamps if s is not None]
    return max(present) if present else None


def _scalar(aggregate, *where) -> sa.ScalarSelect:
    """A (correlated) scalar subquery: one aggregate over rows matching `where`."""
    return sa.select(aggregate).where(*where).scalar_subquery()


def _total(column) -> sa.ColumnElement:
    """SUM that gives 0, not NULL, over no rows."""
    return sa.func.coalesce(sa.func.sum(column), 0)


def _newest_event_change() -> sa.ScalarSelect:
    """Newest update of any event, published or not."""
    return sa.select(sa.func.max(Event.updated_at)).scalar_subquery()


# --- the network's feed -------------------------------------------------------------------


def network_state() -> FeedState:
    """Fingerprint of the public events with exact dates."""
    row = db.session.execute(
        sa.select(
            sa.func.count(sa.case((IN_FEEDS, 1))),
            _total(sa.case((IN_FEEDS, Event.id), else_=0)),
            _total(sa.case((IN_FEEDS, Event.sequence), else_=0)),
            sa.func.max(Event.updated_at),
        )
    ).one()
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
    """Public events the region hosts or sends a delegation to. `region_id` may be the
    column of an enclosing query: the delegation subquery then correlates to it explicitly
    (auto-correlation only reaches the next enclosing SELECT)."""
    delegated = (
        sa.select(Delegation.event_id)
        .where(Delegation.region_id == region_id)
        .correlate(Region)
    )
    return sa.and_(
        IN_FEEDS, sa.or_(Event.host_region_id == region_id, Event.id.in_(delegated))
    )


def region_state(slug: str) -> FeedState | None:
    """Fingerprint of a region's feed, or None when there is no such region."""
    mine = _region_events(Region.id)
    row = db.session.execute(
        sa.select(
            Region.id,
            Region.name,
            _scalar(sa.func.count(Event.id), mine),
            _scalar(_total(Event.id), mine),
            _scalar(_total(Event.sequence), mine),
            _scalar(sa.func.count(Delegation.id), Delegation.region_id == Region.id),
            _scalar(sa.func.max(Delegation.created_at), Delegation.region_id == Region.id),
            _newest_event_change(),
        ).where(Region.slug == slug)
    ).one_or_none()
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


def event_state(event_id: int) -> FeedState | None:
    """Fingerprint of one event and its agenda, or None when there is no such event."""
    of_event = AgendaItem.event_id == Event.id
    row = db.session.execute(
        sa.select(
            Event.id,
            Event.date_precision,
            Event.updated_at,
            Event.sequence,
            _scalar(sa.func.count(AgendaItem.id), of_event),
            _scalar(_total(AgendaItem.id), of_event),
            _scalar(_total(AgendaItem.sequence), of_event),
            _scalar(sa.func.max(AgendaItem.updated_at), of_event),
        ).where(Event.id == event_id)
    ).one_or_none()
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


def _active(person_id) -> sa.ColumnElement[bool]:
    """The person's registrations that are not cancelled."""
    return sa.and_(
        Registration.person_id == person_id,
        Registration.status != RegistrationStatus.CANCELLED,
    )


def valid_token(token: str) -> bool:
    """Shaped like a token we issue (URL-safe base64), so nonsense never reaches the SQL."""
    return TOKEN_SHAPE.fullmatch(token) is not None


def personal_state(token: str) -> FeedState | None:
    """Fingerprint of a person's feed, or None when no person holds this token."""
    if not valid_token(token):
        return None
    active = _active(Person.id)
    # Nested two levels down, so correlated to the outer person explicitly.
    mine = sa.select(Registration.event_id).where(active).correlate(Person)
    waitlisted = sa.and_(active, Registration.status == RegistrationStatus.WAITLISTED)
    of_mine = AgendaItem.event_id.in_(mine)
    row = db.session.execute(
        sa.select(
            Person.id,
            _scalar(sa.func.count(Registration.id), active),
            _scalar(_total(Registration.id), active),
            _scalar(sa.func.count(Registration.id), waitlisted),
            _scalar(sa.func.max(Registration.registered_at), Registration.person_id == Person.id),
            _scalar(sa.func.max(Registration.cancelled_at), Registration.person_id == Person.id),
            _scalar(_total(Event.sequence), Event.id.in_(mine)),
            _scalar(sa.func.count(AgendaItem.id), of_mine),
            _scalar(_total(AgendaItem.id), of_mine),
            _scalar(_total(AgendaItem.sequence), of_mine),
            _scalar(sa.func.max(AgendaItem.updated_at), of_mine),
            _newest_event_change(),
        ).where(Person.calendar_token == token)
    ).one_or_none()
    if row is None:
        return None
    return FeedState(("person", row[0]), tuple(row[1:]), _newest(*row[4:6], *row[10:12]))


def personal_body(state: FeedState, base_url: str) -> bytes:
    """A person's events and their agenda items, in two queries."""
    registrations = db.session.scalars(
        sa.select(Registration)
        .join(Registration.event)
        .where(_active(state.key[1]))
        .options(contains_eager(Registration.event))
        .order_by(Event.starts_at, Event.id)
    ).all()
    events = [r.event for r in registrations]
    items: list[AgendaItem] = []
    if events:
        items = db.session.scalars(
            sa.select(AgendaItem)
            .where(AgendaItem.event_id.in_([e.id for e in events]))
            .order_by(AgendaItem.starts_at, AgendaItem.id)
        ).all()
    waitlisted = frozenset(
        r.event_id for r in registrations if r.status is RegistrationStatus.WAITLISTED
    )
    return ical.personal_calendar(events, items, base_url, waitlisted_event_ids=waitlisted)

