"""Fixtures for messages to attendees: a forum with every kind of registration, a mission."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from webapp.extensions import db
from webapp.messages.selections import parse_option
from webapp.messages.services import Composition
from webapp.models import (
    Delegation,
    Event,
    EventCapacity,
    EventKind,
    GuestStatus,
    MessageScope,
    MissionGuest,
    Registration,
    RegistrationStatus,
    Role,
    utcnow,
)


@dataclass
class Forum:
    """The forum, its registrations by first name, and the delegations' regions."""

    event: Event
    regs: dict[str, Registration]
    flanders_slug: str


@pytest.fixture
def forum(make_event, make_region, make_person) -> Forum:
    """CWF 2030: Flanders sends Ann (head, checked in) and Bo; Midtjylland sends Cy (head);
    guests Dee (confirmed), Eve (waitlisted), Fay (cancelled), Gus (confirmed, no email)."""
    event = make_event("CWF 2030", hours=48, registration_opens_at=utcnow() - timedelta(days=1))
    event.capacities.extend([
        EventCapacity(audience="international", label="International participants", capacity=10),
        EventCapacity(audience="guest", label="Guests", capacity=10)])
    flanders, midtjylland = make_region("Flanders"), make_region("Midtjylland")
    by_flanders = Delegation(event_id=event.id, region_id=flanders.id)
    by_midtjylland = Delegation(event_id=event.id, region_id=midtjylland.id)
    db.session.add_all([by_flanders, by_midtjylland])
    regs: dict[str, Registration] = {}

    def register(name, audience="guest", *, email=True, **fields):
        person = make_person(name, **({} if email else {"email": None}))
        regs[name] = Registration(event_id=event.id, person=person, audience=audience,
                                  **fields)
        db.session.add(regs[name])

    register("Ann", "international", delegation=by_flanders, is_head_of_delegation=True,
             checked_in_at=datetime(2030, 5, 7, 8, tzinfo=UTC))
    register("Bo", "international", delegation=by_flanders)
    register("Cy", "international", delegation=by_midtjylland, is_head_of_delegation=True)
    register("Dee")
    register("Eve", status=RegistrationStatus.WAITLISTED)
    register("Fay", status=RegistrationStatus.CANCELLED, cancelled_at=utcnow(),
             cancel_reason="Cannot come")
    register("Gus", email=False)
    db.session.commit()
    return Forum(event, regs, flanders.slug)


@dataclass
class Mission:
    """A mission hosted by 'Host', its guests by first name, and its host's coordinator."""

    event: Event
    guests: dict[str, MissionGuest]
    host: object
    coordinator: object


@pytest.fixture
def mission(make_event, make_region, make_person, make_user) -> Mission:
    """Hosted by 'Host': Hal accepted, Ida not answered, Jo declined."""
    host, abroad = make_region("Host"), make_region("Abroad")
    event = make_event("Mission to Host", kind=EventKind.REVERSE_MISSION, hours=58,
                       host_region_id=host.id)
    guests = {}
    for name, status in [("Hal", GuestStatus.ACCEPTED), ("Ida", GuestStatus.INVITED),
                         ("Jo", GuestStatus.DECLINED)]:
        person = make_person(name, region_id=abroad.id)
        guests[name] = MissionGuest(event_id=event.id, person_id=person.id, status=status)
        db.session.add(guests[name])
    db.session.commit()
    return Mission(event, guests, host, make_user(Role.COORDINATOR, region=host))


def composition(event: Event, scope: MessageScope, to: str, subject: str = "Hello {name}",
                body: str = "Dear {name}") -> Composition:
    """A composition as the form would give it."""
    selection, argument = parse_option(to, scope)
    return Composition(event, scope, selection, argument, subject, body)
