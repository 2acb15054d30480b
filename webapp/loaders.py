"""Load or 404: the one place where a page finds the record it is about (flaskr's get_post).

Each helper loads what its pages read, in a fixed number of queries, through
`db.one_or_404`, with a message that says what was not found. Access checks (403) stay with
each area (`auth.access`, `missions.routes.planned_mission`)."""

from __future__ import annotations

import re
from collections import defaultdict

import sqlalchemy as sa
from flask import abort
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from webapp.extensions import db
from webapp.models import (
    AgendaItem,
    AnnualFee,
    DelegateImport,
    Delegation,
    Event,
    EventKind,
    MembershipEntry,
    MissionGuest,
    OutboxAttachment,
    OutboxMessage,
    Person,
    Question,
    Region,
    Registration,
    Representative,
    User,
    agenda_attendance,
)

# Shaped like a calendar token we issue (URL-safe base64): nonsense (a NUL byte, which
# PostgreSQL refuses in a parameter) never reaches the SQL.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,64}")
# Built once: the public registration form runs it on every request.
EVENT_WITH_CAPACITIES = (sa.select(Event).where(Event.id == sa.bindparam("b_event"))
                         .options(joinedload(Event.capacities)))


def get_event(event_id: int) -> Event:
    """An event with its host, capacities, agenda and delegations."""
    return db.one_or_404(
        sa.select(Event)
        .where(Event.id == event_id)
        .options(
            selectinload(Event.host_region),
            selectinload(Event.capacities),
            selectinload(Event.agenda_items),
            selectinload(Event.delegations).selectinload(Delegation.region),
        ),
        description=_("There is no event number %(event_id)s.", event_id=event_id),
    )


def get_region(slug: str) -> Region:
    """A region with its history, representatives and fees."""
    return db.one_or_404(
        sa.select(Region)
        .where(Region.slug == slug)
        .options(
            selectinload(Region.membership_entries).selectinload(MembershipEntry.event),
            selectinload(Region.representatives).selectinload(Representative.person),
            selectinload(Region.fees),
        ),
        description=_("There is no region '%(slug)s'.", slug=slug),
    )


def get_fee(fee_id: int) -> AnnualFee:
    """One region's fee for one year."""
    return db.one_or_404(sa.select(AnnualFee).where(AnnualFee.id == fee_id),
                         description=_("There is no fee number %(fee_id)s.", fee_id=fee_id))


def get_message(message_id: int) -> OutboxMessage:
    """An outbox message with its attachments."""
    return db.one_or_404(
        sa.select(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .options(selectinload(OutboxMessage.attachments)),
        description=_("There is no message %(message_id)s in the outbox.", message_id=message_id),
    )


def get_attachment(message_id: int, attachment_id: int) -> OutboxAttachment:
    """One attachment of that outbox message."""
    return db.one_or_404(
        sa.select(OutboxAttachment).where(OutboxAttachment.id == attachment_id,
                                          OutboxAttachment.message_id == message_id),
        description=_("There is no such attachment."),
    )


def get_mission(mission_id: int) -> Event:
    """A reverse mission with its guests (and their people and regions) and its agenda, each
    item's chosen guests wired in.

    Who attends which split item is read as bare id pairs in one query and set on the loaded
    objects: a large mission has tens of thousands of attendance rows, and loading each as an
    ORM row (or in selectin batches of ids) costs far more."""
    event = db.one_or_404(
        sa.select(Event)
        .where(Event.id == mission_id, Event.kind == EventKind.REVERSE_MISSION)
        .options(
            joinedload(Event.host_region),
            selectinload(Event.guests).joinedload(MissionGuest.person)
            .joinedload(Person.region),
            selectinload(Event.agenda_items),  # selected_guests: wired below
        ),
        description=_("There is no reverse mission number %(mission_id)s.", mission_id=mission_id),
    )
    pairs = db.session.execute(
        sa.select(agenda_attendance.c.agenda_item_id, agenda_attendance.c.mission_guest_id)
        .join(AgendaItem, AgendaItem.id == agenda_attendance.c.agenda_item_id)
        .where(AgendaItem.event_id == event.id)
    ).all()
    guests_by_id = {guest.id: guest for guest in event.guests}
    chosen: dict[int, list[MissionGuest]] = defaultdict(list)
    for item_id, guest_id in pairs:
        if guest_id in guests_by_id:
            chosen[item_id].append(guests_by_id[guest_id])
    for item in event.agenda_items:
        set_committed_value(item, "selected_guests",
                            sorted(chosen[item.id], key=lambda guest: guest.id))
    return event


def get_guest(event: Event, guest_id: int) -> MissionGuest:
    """One guest of this (loaded) mission."""
    guest = next((g for g in event.guests if g.id == guest_id), None)
    if guest is None:
        abort(404, description=_("This guest is not on the mission's list."))
    return guest


def get_item(event: Event, item_id: int) -> AgendaItem:
    """One agenda item of this (loaded) mission."""
    item = next((i for i in event.agenda_items if i.id == item_id), None)
    if item is None:
        abort(404, description=_("This item is not on the mission's agenda."))
    return item


def valid_token(token: str) -> bool:
    """Shaped like a calendar token we issue, so nonsense never reaches the SQL."""
    return TOKEN_SHAPE.fullmatch(token) is not None


def get_person_by_token(token: str) -> Person:
    """The holder of a personal feed token (an old, reset token included: 404)."""
    return db.one_or_404(
        sa.select(Person).where(Person.calendar_token == token if valid_token(token)
                                else sa.false()),
        description=_("This calendar address does not exist or has been reset."),
    )


def get_user(user_id: int) -> User:
    """A user account."""
    return db.one_or_404(sa.select(User).where(User.id == user_id),
                         description=_("There is no user number %(user_id)s.", user_id=user_id))


def get_forum_event(event_id: int) -> Event:
    """An event with its capacities, for the registration pages (one joined query: the
    public form is the hot path)."""
    event = db.session.scalars(EVENT_WITH_CAPACITIES, {"b_event": event_id}).unique().one_or_none()
    if event is None:
        abort(404, description=_("There is no event number %(event_id)s.", event_id=event_id))
    return event


def get_quota_region(slug: str) -> Region:
    """A region with its membership history (for quotas)."""
    return db.one_or_404(
        sa.select(Region).where(Region.slug == slug)
        .options(selectinload(Region.membership_entries)),
        description=_("There is no region “%(slug)s”.", slug=slug),
    )


def get_registration(registration_id: int) -> Registration:
    """A registration with its person, event (and capacities) and delegation (and region)."""
    return db.one_or_404(
        sa.select(Registration)
        .where(Registration.id == registration_id)
        .options(
            selectinload(Registration.person),
            selectinload(Registration.event).selectinload(Event.capacities),
            selectinload(Registration.delegation).selectinload(Delegation.region),
        ),
        description=_("There is no registration number %(registration_id)s.",
                      registration_id=registration_id),
    )


def get_delegate(registration_id: int) -> Registration:
    """A registration that belongs to a delegation (with what get_registration loads)."""
    registration = get_registration(registration_id)
    if registration.delegation is None:
        abort(404, description=_("This registration does not belong to a delegation."))
    return registration


def get_delegate_import(import_id: int) -> DelegateImport:
    """A saved delegate import preview."""
    return db.one_or_404(sa.select(DelegateImport).where(DelegateImport.id == import_id),
                         description=_("There is no import number %(import_id)s.",
                                       import_id=import_id))


def get_question(question_id: int) -> Question:
    """A registration question with its event."""
    return db.one_or_404(
        sa.select(Question).where(Question.id == question_id)
        .options(joinedload(Question.event)),
        description=_("There is no question number %(question_id)s.", question_id=question_id),
    )
