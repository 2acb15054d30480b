"""Loaders shared by the registration blueprints: load or 404, and who may change what."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from webapp.extensions import db
from webapp.models import Delegation, Event, Region, Registration, utcnow
from webapp.registrations.quotas import open_to_the_public

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


def audience_labels(event: Event, *, one_person: bool = False) -> dict[str, str]:
    """audience key → label ('international' → 'International participants'; with
    one_person, the label of one of them: 'International participant')."""
    return {capacity.audience: singular_label(capacity.label) if one_person else capacity.label
            for capacity in event.capacities}


def singular_label(label: str) -> str:
    """The label of one person of an audience: 'International participants' →
    'International participant', 'Guests' → 'Guest'; a label that is not an English plural
    ('Press', 'Media') stays as typed."""
    head, _, last = label.strip().rpartition(" ")
    lower = last.lower()
    if lower in IRREGULAR_PLURALS:
        one = IRREGULAR_PLURALS[lower]
        last = one.capitalize() if last[:1].isupper() else one
    elif lower.endswith("ies") and len(lower) > 4:
        last = last[:-3] + ("Y" if last[-1].isupper() else "y")
    elif lower.endswith(("sses", "shes", "ches", "xes")):
        last = last[:-2]
    elif lower.endswith("s") and not lower.endswith(("ss", "us", "is")) and len(lower) > 3:
        last = last[:-1]
    return f"{head} {last}" if head else last


IRREGULAR_PLURALS = {"people": "person", "children": "child", "women": "woman", "men": "man"}


def public_choices(event: Event) -> list[tuple[str, str]]:
    """The audiences the public form offers, each with the label of one person."""
    return [(capacity.audience, singular_label(capacity.label)) for capacity in event.capacities
            if open_to_the_public(capacity.audience)]


def may_change_delegation(event: Event) -> bool:
    """The secretariat always; coordinators until the delegation deadline."""
    return current_user.is_secretariat or event.delegations_editable_by_coordinators(utcnow())
