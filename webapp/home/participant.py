"""A participant's start page: their registrations and reverse-mission itineraries, with the
personal calendar. The account and the person are matched by email (six queries at most)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, selectinload

from webapp.extensions import db
from webapp.missions.tokens import itinerary_token
from webapp.models import Delegation, Event, MissionGuest, Person, Registration
from webapp.registrations.tokens import make_registration_token


@dataclass(frozen=True)
class RegistrationLine:
    """One of the person's registrations, with their signed link to manage it."""

    registration: Registration
    audience: str  # the audience's label ('International participants')
    token: str
    upcoming: bool


@dataclass(frozen=True)
class ItineraryLine:
    """A reverse mission the person is invited to, with their signed itinerary link."""

    guest: MissionGuest
    token: str
    upcoming: bool


@dataclass(frozen=True)
class ParticipantHome:
    """Everything the participant's start page shows (person None: nothing under the email)."""

    person: Person | None
    registrations: list[RegistrationLine]
    itineraries: list[ItineraryLine]


def _coming_first(lines: list) -> list:
    """Lines in date order: the coming ones first, then the past ones, latest first."""
    return [line for line in lines if line.upcoming] + [
        line for line in reversed(lines) if not line.upcoming]


def participant_home(email: str, now: datetime) -> ParticipantHome:
    """The start page of the account with `email`, as of `now`: coming events first."""
    person = db.session.scalars(
        sa.select(Person).where(Person.email == email.strip().lower())
    ).one_or_none()
    if person is None:
        return ParticipantHome(None, [], [])
    registrations = db.session.scalars(
        sa.select(Registration).join(Registration.event)
        .where(Registration.person_id == person.id)
        .options(contains_eager(Registration.event).selectinload(Event.capacities),
                 selectinload(Registration.delegation).selectinload(Delegation.region))
        .order_by(Event.starts_at, Event.id)
    ).all()
    guests = db.session.scalars(
        sa.select(MissionGuest).join(MissionGuest.event)
        .where(MissionGuest.person_id == person.id)
        .options(contains_eager(MissionGuest.event))
        .order_by(Event.starts_at, Event.id)
    ).all()
    lines = [RegistrationLine(
        reg, {c.audience: c.label for c in reg.event.capacities}.get(reg.audience, reg.audience),
        make_registration_token(reg), reg.event.ends_at >= now) for reg in registrations]
    itineraries = [ItineraryLine(guest, itinerary_token(guest), guest.event.ends_at >= now)
                   for guest in guests]
    return ParticipantHome(person, _coming_first(lines), _coming_first(itineraries))
