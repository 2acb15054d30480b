"""What calendars need from the models, kept in one place.

- RFC 5545 SEQUENCE as a mechanism: every flush that changes what people must see bumps it.
  Callers never remember to do it: a `before_flush` listener compares each dirty Event and
  AgendaItem with what was loaded, and increments `sequence` once per flush when a watched
  column really changed (setting a column to its current value changes nothing).
- Covering indexes for the feeds' validator queries (calendars/feeds.py), so that answering
  a 304 reads index entries only, however long the agenda or the list of registrations.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from webapp.models.event import AgendaItem, Event
from webapp.models.registration import Registration

# Changes a calendar must redraw or an invitee must be told about (RFC 5546 §2.1.4).
# date_precision: an event whose exact days become known goes into calendars.
EVENT_VISIBLE_COLUMNS = ("starts_at", "ends_at", "place", "venue", "status", "date_precision")
AGENDA_VISIBLE_COLUMNS = (
    "starts_at", "ends_at", "title", "address", "host_organisation", "cancelled_at",
)


def changed_columns(obj: object, names: tuple[str, ...]) -> set[str]:
    """The watched columns whose value differs from the one loaded from the database."""
    state = sa.inspect(obj)
    if not state.persistent:
        return set()
    return {name for name in names if state.attrs[name].history.has_changes()}


def _bump(obj: Event | AgendaItem) -> None:
    """Increment the sequence, unless the caller already set it in this flush."""
    if not sa.inspect(obj).attrs["sequence"].history.has_changes():
        obj.sequence = (obj.sequence or 0) + 1


@sa.event.listens_for(Session, "before_flush")
def bump_sequences(session: Session, _context, _instances) -> None:
    """Bump Event/AgendaItem.sequence for visible changes; an event's status change also
    bumps its agenda items, which are published with the event's status."""
    for obj in list(session.dirty):
        if isinstance(obj, Event):
            changed = changed_columns(obj, EVENT_VISIBLE_COLUMNS)
            if changed:
                _bump(obj)
            if "status" in changed:
                for item in obj.agenda_items:
                    if item not in session.deleted:
                        _bump(item)
        elif isinstance(obj, AgendaItem) and changed_columns(obj, AGENDA_VISIBLE_COLUMNS):
            _bump(obj)


# Declared here rather than in the models' __table_args__: they serve the calendar feeds only.
# Network feed: the public, exactly dated events are one range of this index (no table rows
# read), and the newest change to any event is the last entry of the second one.
sa.Index(
    "ix_event_calendar_state",
    Event.is_public,
    Event.date_precision,
    Event.id,
    Event.sequence,
)
sa.Index("ix_event_updated_at", Event.updated_at)
# updated_at second: an event's newest agenda change is the last entry of its range.
sa.Index(
    "ix_agenda_item_calendar_state",
    AgendaItem.event_id,
    AgendaItem.updated_at,
    AgendaItem.id,
    AgendaItem.sequence,
)
sa.Index(
    "ix_registration_calendar_state",
    Registration.person_id,
    Registration.status,
    Registration.event_id,
    Registration.id,
    Registration.registered_at,
    Registration.cancelled_at,
)
