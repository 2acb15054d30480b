"""Loaders shared by the registration blueprints: load or 404, and who may change what."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from webapp.extensions import db
from webapp.models import Delegation, Event, Region, Registration, utcnow

# Built once: the public form runs it on every registration.
EVENT_WITH_CAPACITIES = (sa.select(Event).where(Event.id == sa.bindparam("b_event"))
                         .options(joinedload(Event.capacities)))


def load_event(event_id: int) -> Event:
    """An event with its capacities (one joined query: the public form is the hot path), or
    404."""
    event = db.session.scalars(EVENT_WITH_CAPACITIES, {"b_event": event_id}).unique().one_or_none()
    if event is None:
        abort(404, description=f"There is no event number {event_id}.")
    return event


def load_region(slug: str) -> Region:
    """A region with its membership history (for quotas), or 404."""
    region = db.session.scalars(
        sa.select(Region).where(Region.slug == slug)
        .options(selectinload(Region.membership_entries))
    ).one_or_none()
    if region is None:
        abort(404, description=f"There is no region “{slug}”.")
    return region


def load_registration(registration_id: int) -> Registration:
    """A registration with its person, event and delegation, or 404."""
    registration = db.session.scalars(
        sa.select(Registration)
        .where(Registration.id == registration_id)
        .options(
            selectinload(Registration.person),
            selectinload(Registration.event).selectinload(Event.capacities),
            selectinload(Registration.delegation).selectinload(Delegation.region),
        )
    ).one_or_none()
    if registration is None:
        abort(404, description=f"There is no registration number {registration_id}.")
    return registration


def audience_labels(event: Event) -> dict[str, str]:
    """audience key → label ('international' → 'International participants')."""
    return {capacity.audience: capacity.label for capacity in event.capacities}


def may_change_delegation(event: Event) -> bool:
    """The secretariat always; coordinators until the delegation deadline."""
    return current_user.is_secretariat or event.delegations_editable_by_coordinators(utcnow())
