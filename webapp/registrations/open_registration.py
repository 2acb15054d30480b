"""The public form's registration in single SQL statements, without the ORM's unit of work.

On a forum's opening day thousands of people post the form within minutes, and every one of
them waits for the capacity lock, so the locked part must be short: here it is plain
statements built once at import (insert or look up the person; then lock and read the seats
taken, insert the registration) and the queued email, which the delivery worker writes
later. The three statements every registration runs (and the outbox row) go straight to
the driver's cursor (`DriverStatement`: compiled and typed once, not per call). The rules
and the lock are those of `services.register_person` (used by delegations, imports and the
demo), whose helpers this module shares; the tests hold both paths to the same
expectations. The event's facts (is registration open? its title for the email) are
read with the seats, under the lock: no statement before the transaction's first write."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from webapp.driver_sql import DriverStatement
from webapp.extensions import db
from webapp.models import (
    DatePrecision,
    Event,
    EventCapacity,
    EventStatus,
    Person,
    Registration,
    RegistrationStatus,
)
from webapp.models.event import dates_approximate, registration_window_open
from webapp.registrations.notifications import queue_registration_mail
from webapp.registrations.services import (
    CANCELLED,
    CONFIRMED,
    WAITLISTED,
    AlreadyRegistered,
    PersonData,
    RegistrationError,
    blanks_to_fill,
)
from webapp.sqlite_turns import wait_for_write_turn

events, capacities = Event.__table__, EventCapacity.__table__
people, registrations = Person.__table__, Registration.__table__

# The audience's seats and the event's facts, read under the lock: PostgreSQL locks the
# capacity row (FOR UPDATE OF); on SQLite the person statement before it has already taken
# the database's write lock (any INSERT does, even one that inserts nothing), and SQLite's
# compiler leaves the FOR UPDATE out.
SEATS_AND_FACTS = DriverStatement(
    sa.select(capacities.c.capacity, capacities.c.seats_taken, events.c.title,
              events.c.status, events.c.date_precision, events.c.registration_opens_at,
              events.c.registration_closes_at)
    .join(events, events.c.id == capacities.c.event_id)
    .where(capacities.c.event_id == sa.bindparam("event_id"),
           capacities.c.audience == sa.bindparam("audience"))
    .with_for_update(of=capacities)
)
_earlier = registrations.alias("earlier")
KNOWN_PERSON = (
    sa.select(people.c.id, people.c.full_name, people.c.organisation, people.c.job_title,
              registrations.c.id,
              # An earlier place that ended: its CANCEL's SEQUENCE must be outgrown.
              sa.exists().where(_earlier.c.person_id == people.c.id,
                                _earlier.c.event_id == sa.bindparam("event_id"),
                                _earlier.c.status == CANCELLED).label("came_back"))
    .outerjoin(registrations, sa.and_(
        registrations.c.person_id == people.c.id,
        registrations.c.event_id == sa.bindparam("event_id"),
        registrations.c.status != CANCELLED))
    .where(people.c.email == sa.bindparam("email"))
)
# A new email (the common case) costs one statement; a known one falls through to the lookup.
NEW_PERSON = {
    name: DriverStatement(
        dialect.insert(people).on_conflict_do_nothing(index_elements=[people.c.email])
        .returning(people.c.id, people.c.full_name))
    for name, dialect in (("sqlite", sqlite), ("postgresql", postgresql))
}
NEW_REGISTRATION = DriverStatement(sa.insert(registrations).returning(registrations.c.id))
# Rare (someone registers again after cancelling), so an ordinary statement.
NEXT_SEQUENCE = (sa.update(events).where(events.c.id == sa.bindparam("event_id"))
                 .values(sequence=events.c.sequence + 1, updated_at=sa.bindparam("now")))


class RegistrationNotOpen(RegistrationError):
    """The event takes no registrations now (not yet open, closed, or cancelled)."""


@dataclass(frozen=True)
class EventFacts:
    """What a registration from the form needs to know about its event (read under the
    seat lock, so it is the event as the registration is made)."""

    id: int
    title: str
    status: EventStatus
    date_precision: DatePrecision
    opens_at: datetime | None
    closes_at: datetime | None

    @property
    def dates_approximate(self) -> bool:
        """As Event.dates_approximate: only exact dates go into calendars."""
        return dates_approximate(self.date_precision)

    def registration_is_open(self, now: datetime) -> bool:
        """As Event.registration_is_open."""
        return registration_window_open(self.status, self.opens_at, self.closes_at, now)


@dataclass(frozen=True)
class OpenRegistration:
    """What the form needs to answer: the new registration's id and status."""

    registration_id: int
    status: RegistrationStatus


def _person(connection: sa.Connection, event_id: int,
            data: PersonData) -> tuple[int, str, bool]:
    """Id and name of the person with this email (blanks filled in, a known name never
    overwritten by a stranger's form), or of a new person, and whether an earlier
    registration of theirs for the event was cancelled; AlreadyRegistered if they hold an
    active registration for the event."""
    email = data.normalised_email
    new = NEW_PERSON[connection.dialect.name].first(connection, {
        "full_name": data.full_name.strip(), "email": email,
        "organisation": (data.organisation or "").strip() or None,
        "job_title": (data.job_title or "").strip() or None,
    })
    if new is not None:
        return new[0], new[1], False
    known = connection.execute(KNOWN_PERSON, {"event_id": event_id, "email": email}).one()
    person_id, full_name, organisation, job_title, active_id, came_back = known
    if active_id is not None:
        raise AlreadyRegistered(db.session.get(Registration, active_id))
    blanks = blanks_to_fill(organisation, job_title, data)
    if blanks:
        connection.execute(sa.update(people).where(people.c.id == person_id).values(**blanks))
    return person_id, full_name, bool(came_back)


def register_from_form(event_id: int, data: PersonData, audience: str,
                       now: datetime) -> OpenRegistration:
    """Register someone from the public form: a seat when one is free, else the waitlist;
    queues the confirmation (or waitlist) email. Adds in the caller's transaction, never
    commits. Raises AlreadyRegistered; RegistrationNotOpen; RegistrationError when the event
    has no such audience (or there is no such event). The caller rolls back on any of them."""
    # The person first, the seat lock after: on PostgreSQL the capacity row stays locked for
    # two statements and the commit only (the partial unique index, not the lock, is what
    # refuses a second active registration). On SQLite the first write takes the database's
    # write lock, so the writer's turn is taken before it. The statements run on the
    # session's connection (its transaction) without the ORM's layer, looked up once.
    session = db.session()
    connection = session.connection()
    wait_for_write_turn(session)
    person_id, full_name, came_back = _person(connection, event_id, data)
    row = SEATS_AND_FACTS.first(connection, {"event_id": event_id, "audience": audience})
    if row is None:
        raise RegistrationError("Choose one of the audiences offered.")
    capacity, taken, title, event_status, precision, opens_at, closes_at = row
    event = EventFacts(event_id, title, event_status, precision, opens_at, closes_at)
    if not event.registration_is_open(now):
        raise RegistrationNotOpen("Registration is not open for this event right now.")
    if came_back:  # their new REQUEST must carry a higher SEQUENCE than their CANCEL had
        connection.execute(NEXT_SEQUENCE, {"event_id": event_id, "now": now})
    status = CONFIRMED if taken < capacity else WAITLISTED
    registration_id = NEW_REGISTRATION.first(connection, {
        "event_id": event_id, "person_id": person_id, "audience": audience, "status": status,
        "registered_at": now,
    })[0]
    queue_registration_mail(
        registration_id, data.normalised_email, full_name, event,
        confirmed=status is CONFIRMED,
    )
    return OpenRegistration(registration_id, status)
