"""Registration workflows: seats, waitlist, substitution and check-in (quotas live in
quotas.py, the emails in notifications.py).

Every function adds and flushes in the caller's transaction and never commits. Everyone is
registered by `register_person` (the public form, delegations, CSV imports, the
secretariat), and every change of seats takes the audience's capacity lock first, before it
reads or writes anything else, so that concurrent registrations for the last seats queue up
instead of overbooking (see `lock_seats`)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webapp.calendars.invites import bump_for_a_new_invitation
from webapp.extensions import db
from webapp.models import (
    CheckInAction,
    CheckInEntry,
    Delegation,
    Event,
    EventCapacity,
    Person,
    Registration,
    RegistrationStatus,
    User,
    utcnow,
)
from webapp.questions.answers import AnswerValues, save_answers
from webapp.registrations.audit import record_promotions
from webapp.registrations.notifications import (
    on_registration_cancelled,
    on_registration_confirmed,
    on_registration_promoted,
    on_registration_waitlisted,
    queue_registration_mail,
    send_registration_link,
)
from webapp.registrations.presence import claim_presence
from webapp.registrations.quotas import delegates_used, quota_for

CONFIRMED, WAITLISTED, CANCELLED = (
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.WAITLISTED,
    RegistrationStatus.CANCELLED,
)


class RegistrationError(Exception):
    """A refusal whose message can be shown to the person as it is."""


class AlreadyRegistered(RegistrationError):
    """The email already holds an active registration for this event."""

    def __init__(self, registration: Registration) -> None:
        self.registration = registration
        super().__init__(_(
            "%(email)s is already registered for %(event)s (%(status)s). Use the link in the "
            "confirmation email to change or cancel that registration.",
            email=registration.person.email, event=registration.event.title,
            status=registration.status.value))


class OverQuota(RegistrationError):
    """The delegation has used its whole quota."""


@dataclass(frozen=True)
class PersonData:
    """What a registration form or an import row says about a person."""

    full_name: str
    email: str
    organisation: str | None = None
    job_title: str | None = None

    @property
    def normalised_email(self) -> str:
        """Emails compare case-insensitively."""
        return self.email.strip().lower()


# --- capacity -----------------------------------------------------------------------------


_capacities = EventCapacity.__table__
_audience_row = (_capacities.c.event_id == sa.bindparam("b_event"),
                 _capacities.c.audience == sa.bindparam("b_audience"))
_seats = (_capacities.c.capacity, _capacities.c.seats_taken)
LOCK_SQLITE = (sa.update(_capacities).where(*_audience_row)
               .values(capacity=_capacities.c.capacity).returning(*_seats))
LOCK_POSTGRESQL = sa.select(*_seats).where(*_audience_row).with_for_update()
SEATS_TAKEN = sa.select(_capacities.c.seats_taken).where(*_audience_row)


def lock_seats(event_id: int, audience: str) -> tuple[int, int]:
    """Lock the audience's capacity row for the rest of the transaction; return its seats and
    how many are taken (kept by triggers, models/seats.py: read under the lock, it is exact).

    PostgreSQL: SELECT ... FOR UPDATE; a concurrent transaction waits here until this one ends,
    then reads the row as that one left it. SQLite has no row locks: a no-op UPDATE takes the
    database's write lock first, before anything is read, so two registrations never
    interleave (pysqlite opens the transaction at that first write; a writer that finds the
    lock taken waits for it, up to the connection's timeout)."""
    connection = db.session.connection()
    statement = LOCK_SQLITE if connection.dialect.name == "sqlite" else LOCK_POSTGRESQL
    row = connection.execute(statement, {"b_event": event_id, "b_audience": audience}).first()
    if row is None:
        raise RegistrationError(_("“%(audience)s” is not an audience of this event.",
                                  audience=audience))
    return row.capacity, row.seats_taken


def lock_audience(event_id: int, audience: str) -> int:
    """lock_seats, for callers that need only the number of seats."""
    return lock_seats(event_id, audience)[0]


def seats_taken(event_id: int, audience: str) -> int:
    """Confirmed registrations of one audience (exact under lock_seats' lock)."""
    return db.session.scalar(SEATS_TAKEN, {"b_event": event_id, "b_audience": audience}) or 0


def audience_counts(event_id: int) -> dict[tuple[str, RegistrationStatus], int]:
    """(audience, status) → number of registrations, in one query."""
    rows = db.session.execute(
        sa.select(Registration.audience, Registration.status, sa.func.count(Registration.id))
        .where(Registration.event_id == event_id)
        .group_by(Registration.audience, Registration.status)
    ).all()
    return {(audience, status): n for audience, status, n in rows}


def fill_free_seats(event_id: int, audience: str, capacity: int) -> list[Registration]:
    """Promote waitlisted registrations, first come first served, while seats are free.

    The caller holds the audience lock. Each promoted person is told by email."""
    free = capacity - seats_taken(event_id, audience)
    if free <= 0:
        return []
    promoted = db.session.scalars(
        sa.select(Registration)
        .where(
            Registration.event_id == event_id,
            Registration.audience == audience,
            Registration.status == WAITLISTED,
        )
        .order_by(Registration.registered_at, Registration.id)
        .limit(free)
    ).all()
    now = utcnow()
    for registration in promoted:
        registration.status = CONFIRMED
        registration.promoted_at = now
    db.session.flush()
    for registration in promoted:
        on_registration_promoted(registration)
    record_promotions(promoted)
    return list(promoted)


# --- people and registrations -------------------------------------------------------------


def blanks_to_fill(organisation: str | None, job_title: str | None,
                   data: PersonData) -> dict[str, str]:
    """What a form may add to a known person: an organisation or title they lack; never a
    change of what is known (a stranger's form must not rename anyone)."""
    blanks = {}
    if not organisation and data.organisation:
        blanks["organisation"] = data.organisation.strip()
    if not job_title and data.job_title:
        blanks["job_title"] = data.job_title.strip()
    return blanks


# Built once: every registration runs them. A registration needs the person's id and stored
# name only, so these read and write columns, not Person objects.
_people = Person.__table__
_known_person = (_people.c.id, _people.c.full_name, _people.c.organisation, _people.c.job_title)
PERSON_AND_ACTIVE_REGISTRATION = (
    sa.select(*_known_person, Registration.id.label("active_id"))
    .outerjoin(Registration, sa.and_(
        Registration.person_id == _people.c.id,
        Registration.event_id == sa.bindparam("b_event"), Registration.status != CANCELLED))
    .where(_people.c.email == sa.bindparam("b_email"))
)
KNOWN_PERSON = sa.select(*_known_person).where(_people.c.email == sa.bindparam("b_email"))
INSERT_PERSON = sa.insert(_people).returning(_people.c.id)
INSERT_REGISTRATION = sa.insert(Registration).returning(Registration)


def person_for(data: PersonData, known: sa.Row | None) -> tuple[int, str]:
    """Id and stored name of the person with this email (`known`: their row, None when
    unknown): inserted when unknown; a known person's blanks are filled in, but a stranger's
    form never overwrites a known name."""
    if known is None:
        full_name = data.full_name.strip()
        person_id = db.session.execute(INSERT_PERSON, {
            "full_name": full_name, "email": data.normalised_email,
            "organisation": (data.organisation or "").strip() or None,
            "job_title": (data.job_title or "").strip() or None,
        }).scalar_one()
        return person_id, full_name
    blanks = blanks_to_fill(known.organisation, known.job_title, data)
    if blanks:  # through the ORM, so that a Person object already loaded sees it
        db.session.execute(sa.update(Person).where(Person.id == known.id).values(**blanks))
    return known.id, known.full_name


def _person_and_active_registration(event_id: int, email: str) -> tuple[sa.Row | None,
                                                                         int | None]:
    """In one query: the person with this email (their row), and their active registration's
    id."""
    row = db.session.execute(PERSON_AND_ACTIVE_REGISTRATION,
                             {"b_event": event_id, "b_email": email.strip().lower()}).first()
    return (row, row.active_id) if row else (None, None)


def had_a_cancelled_registration(event_id: int, person_id: int) -> bool:
    """Whether this person's earlier place at the event ended (and so a METHOD:CANCEL may
    have gone to their calendar)."""
    return db.session.scalar(sa.select(sa.exists().where(
        Registration.event_id == event_id, Registration.person_id == person_id,
        Registration.status == CANCELLED))) or False


def active_registration(event_id: int, email: str) -> Registration | None:
    """The confirmed or waitlisted registration of this email for the event, if any."""
    return db.session.scalars(
        sa.select(Registration)
        .join(Person, Registration.person_id == Person.id)
        .where(
            Registration.event_id == event_id,
            Person.email == email.strip().lower(),
            Registration.status != CANCELLED,
        )
    ).one_or_none()


def register_person(
    event: Event,
    person_data: PersonData,
    audience: str,
    *,
    delegation: Delegation | None = None,
    is_head_of_delegation: bool = False,
    is_demo: bool = False,
    notify: bool = True,
    answers: AnswerValues | None = None,
    language: str | None = None,
) -> Registration:
    """Register someone: a seat when one is free, else a place on the audience's waitlist;
    queues their confirmation or waitlist email (unless `notify` is off).

    Reads first (the person and any active registration: they lock nothing), then the seat
    lock, then the writes (the person if new, the registration, its email), so the lock
    is held for as little as possible. A registration of the same address committed in
    between is refused by the unique indexes (IntegrityError: the caller may try again, and
    then gets AlreadyRegistered). Raises AlreadyRegistered for a second registration of the
    same email, OverQuota when a delegation is full, RegistrationError for an unknown
    audience; each before anything is written. Does not check the event's registration
    window: the public form does, delegations have their own deadline. `answers` (checked
    by the caller's form: webapp.questions) are saved with the registration; `language`
    (the page's, for the public form) is kept with it, and its emails are written in it."""
    person, existing_id = _person_and_active_registration(event.id, person_data.email)
    if existing_id is not None:
        raise AlreadyRegistered(db.session.get(Registration, existing_id))
    capacity, taken = lock_seats(event.id, audience)
    if delegation is not None:
        quota = quota_for(event, delegation.region)
        used = delegates_used(delegation.id)
        if used >= quota:
            raise OverQuota(_("%(region)s's delegation is full: %(used)s of %(quota)s places used.",
                              region=delegation.region.name, used=used, quota=quota))
    if person is not None and had_a_cancelled_registration(event.id, person.id):
        bump_for_a_new_invitation(event)  # the new REQUEST must outgrow the CANCEL's SEQUENCE
    person_id, full_name = person_for(person_data, person)
    status = CONFIRMED if taken < capacity else WAITLISTED
    registration = db.session.scalars(INSERT_REGISTRATION, [{
        "event_id": event.id, "person_id": person_id, "audience": audience, "status": status,
        "delegation_id": delegation.id if delegation is not None else None,
        "is_head_of_delegation": is_head_of_delegation, "is_demo": is_demo,
        "language": language,
    }]).one()
    if answers:
        save_answers(registration.id, answers)
    if notify:
        queue_registration_mail(registration, event, person_data.normalised_email, full_name)
    return registration


def send_link_again(registration: Registration) -> bool:
    """The public form was posted with the address of an active registration: email the
    owner their link (see send_registration_link). Under the audience's lock, so that posts
    at the same moment see each other's message and queue one."""
    lock_seats(registration.event_id, registration.audience)
    return send_registration_link(registration)


def cancel_registration(
    registration: Registration, by: User | None, reason: str
) -> list[Registration]:
    """Cancel (by the person when `by` is None) with a reason; a freed seat goes to the first
    waitlisted person of that audience in the same transaction. Returns who was promoted."""
    reason = (reason or "").strip()
    if not reason:
        raise RegistrationError(_("Give a reason for the cancellation."))
    capacity = lock_audience(registration.event_id, registration.audience)
    db.session.refresh(registration)  # another request may have cancelled it meanwhile
    if registration.status is CANCELLED:
        raise RegistrationError(_("This registration is already cancelled."))
    held_a_seat = registration.status is CONFIRMED
    registration.status = CANCELLED
    registration.cancelled_at = utcnow()
    registration.cancel_reason = reason
    registration.cancelled_by_id = by.id if by is not None else None
    db.session.flush()
    on_registration_cancelled(registration, held_a_seat=held_a_seat)
    return fill_free_seats(registration.event_id, registration.audience, capacity)


def substitute(registration: Registration, new_person_data: PersonData, by: User) -> Registration:
    """Replace a delegate by someone else who takes over the seat (or the waitlist place);
    the replaced registration is kept, cancelled, and linked from the new one."""
    lock_audience(registration.event_id, registration.audience)
    db.session.refresh(registration)
    if registration.status is CANCELLED:
        raise RegistrationError(_("A withdrawn delegate cannot be replaced; add a new delegate."))
    existing = active_registration(registration.event_id, new_person_data.email)
    if existing is not None:
        raise AlreadyRegistered(existing)
    known = db.session.execute(KNOWN_PERSON, {"b_email": new_person_data.normalised_email}).first()
    person_id, full_name = person_for(new_person_data, known)
    status = registration.status
    registration.status = CANCELLED
    registration.cancelled_at = utcnow()
    registration.cancel_reason = f"Replaced by {full_name}"
    registration.cancelled_by_id = by.id
    db.session.flush()
    replacement = Registration(
        event_id=registration.event_id,
        person_id=person_id,
        delegation_id=registration.delegation_id,
        audience=registration.audience,
        status=status,
        is_head_of_delegation=registration.is_head_of_delegation,
        registered_at=registration.registered_at,  # keeps the place in the waitlist order
        replaces_registration_id=registration.id,
        is_demo=registration.is_demo,
    )
    db.session.add(replacement)
    db.session.flush()
    on_registration_cancelled(registration, held_a_seat=status is CONFIRMED)
    if status is CONFIRMED:
        on_registration_confirmed(replacement)
    else:
        on_registration_waitlisted(replacement)
    return replacement


# What the person sees changed (the page's flash): "Saved: full name, job title".
CHANGED_WORDS = {"full_name": _l("full name"), "organisation": _l("organisation"),
                 "job_title": _l("job title")}


def update_person_details(registration: Registration, data: PersonData) -> list[str]:
    """Change name, organisation and title (not the email: it identifies the person)."""
    person = registration.person
    changes = []
    for attribute, value in (
        ("full_name", data.full_name),
        ("organisation", data.organisation),
        ("job_title", data.job_title),
    ):
        value = (value or "").strip() or None
        if attribute == "full_name" and not value:
            continue
        if getattr(person, attribute) != value:
            setattr(person, attribute, value)
            changes.append(str(CHANGED_WORDS[attribute]))
    db.session.flush()
    return changes


# --- check-in -----------------------------------------------------------------------------


def check_in(registration: Registration, by: User | None) -> bool:
    """Mark a confirmed attendee present; False when they already were."""
    if registration.status is not CONFIRMED:
        raise RegistrationError(_("%(name)s has no confirmed seat.",
                                  name=registration.person.full_name))
    if registration.checked_in_at is not None:
        return False
    # The same atomic claim as a scanned ticket: a tap and a scan at once count once.
    claimed = claim_presence(Registration.id == registration.id, by.id if by else None)
    if claimed is None:
        db.session.refresh(registration, ["checked_in_at", "status"])
    return claimed is not None


def undo_check_in(registration: Registration, by: User | None) -> bool:
    """Take back a check-in (a wrong click); the trail keeps both. False when not present."""
    if registration.checked_in_at is None:
        return False
    registration.checked_in_at = None
    db.session.add(
        CheckInEntry(registration_id=registration.id, action=CheckInAction.UNDONE,
                     by_id=by.id if by is not None else None)
    )
    db.session.flush()
    return True
