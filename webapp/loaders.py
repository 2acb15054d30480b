"""Load or 404: the one place where a page finds the record it is about (flaskr's get_post).

Each helper loads what its pages read, in a fixed number of queries, through
`db.one_or_404`, with a message that says what was not found. Access checks (403) stay with
each area (`auth.access`, `missions.routes.planned_mission`)."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from webapp.extensions import db
from webapp.models import (
    AgendaItem,
    AnnualFee,
    Delegation,
    Event,
    EventKind,
    MembershipEntry,
    MissionGuest,
    OutboxAttachment,
    OutboxMessage,
    Person,
    Region,
    Representative,
    agenda_attendance,
)


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
        description=f"There is no event number {event_id}.",
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
        description=f"There is no region '{slug}'.",
    )


def get_fee(fee_id: int) -> AnnualFee:
    """One region's fee for one year."""
    return db.one_or_404(sa.select(AnnualFee).where(AnnualFee.id == fee_id),
                         description=f"There is no fee number {fee_id}.")


def get_message(message_id: int) -> OutboxMessage:
    """An outbox message with its attachments."""
    return db.one_or_404(
        sa.select(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .options(selectinload(OutboxMessage.attachments)),
        description=f"There is no message {message_id} in the outbox.",
    )


def get_attachment(message_id: int, attachment_id: int) -> OutboxAttachment:
    """One attachment of that outbox message."""
    return db.one_or_404(
        sa.select(OutboxAttachment).where(OutboxAttachment.id == attachment_id,
                                          OutboxAttachment.message_id == message_id),
        description="There is no such attachment.",
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
        description=f"There is no reverse mission number {mission_id}.",
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
        abort(404, description="This guest is not on the mission's list.")
    return guest


def get_item(event: Event, item_id: int) -> AgendaItem:
    """One agenda item of this (loaded) mission."""
    item = next((i for i in event.agenda_items if i.id == item_id), None)
    if item is None:
        abort(404, description="This item is not on the mission's agenda.")
    return item
