"""Demo data: CWF 2017 with a realistic share of delegations and guests registered.

Every registration made here has is_demo=True (pages show a "Demo" badge) and every person an
address on the reserved example.org domain; no email is queued for them."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from webapp.extensions import db
from webapp.models import Event, Region, Registration
from webapp.registrations.quotas import get_or_create_delegation, quota_for
from webapp.registrations.services import PersonData, register_person

DEMO_EVENT = "cwf-2017"
DEMO_DOMAIN = "demo.example.org"
DEFAULT_QUOTA = 40
GUESTS = 600
FIRST = ["Anna", "Lars", "Mette", "Jonas", "Chiara", "Marco", "Laura", "Jordi", "Pieter", "An",
         "Priya", "Arjun", "Emily", "Jake", "Claire", "Louis", "Ana", "Pedro", "Fiona", "Ewan",
         "Mei", "Wei", "Aino", "Mikko", "Sofie", "Tobias", "Elif", "Noah", "Ines", "Karim"]
LAST = ["Jensen", "Nielsen", "Rossi", "Bianchi", "Puig", "Peeters", "Rao", "Iyer", "Smith",
        "Martin", "Silva", "Costa", "Campbell", "MacLeod", "Li", "Wang", "Virtanen", "Korhonen",
        "Schmidt", "Weber", "Dubois", "Garcia", "Andersen", "Bakker", "Moreau", "Santos"]
ORGANISATIONS = ["Aarhus University", "VIA University College", "Design School Kolding",
                 "Creative Industries Agency", "Innovation Lab", "Regional Council",
                 "City of Aarhus", "Smart City Office", "Tech Cluster", "Art Academy",
                 "Chamber of Commerce", "Start-up Hub", "Film Workshop", "Architecture Studio"]
TITLES = ["Director", "Project manager", "Researcher", "Adviser", "Founder", "Student",
          "Head of innovation", "Curator", "Policy officer", ""]


@dataclass
class DemoReport:
    """What the demo loader did."""

    delegates: int = 0
    guests: int = 0
    skipped: bool = False


def _person(rng: random.Random, n: int) -> PersonData:
    """A made-up person with an address on the demo domain."""
    first, last = rng.choice(FIRST), rng.choice(LAST)
    return PersonData(
        full_name=f"{first} {last}",
        email=f"{first}.{last}.{n}@{DEMO_DOMAIN}".lower(),
        organisation=rng.choice(ORGANISATIONS),
        job_title=rng.choice(TITLES) or None,
    )


def load_demo(seed: int = 2017) -> DemoReport:
    """Open CWF 2017's registration and fill in delegations and guests (once)."""
    event = db.session.scalars(
        sa.select(Event).where(Event.slug == DEMO_EVENT).options(selectinload(Event.capacities))
    ).one_or_none()
    if event is None:
        return DemoReport(skipped=True)
    already = db.session.scalar(sa.select(sa.func.count(Registration.id)).where(
        Registration.event_id == event.id, Registration.is_demo))
    if already:
        return DemoReport(skipped=True)
    zone = ZoneInfo(event.timezone)
    if event.registration_opens_at is None:
        event.registration_opens_at = datetime(2016, 1, 4, 9, 0, tzinfo=zone)
    if event.default_delegation_quota is None:
        event.default_delegation_quota = DEFAULT_QUOTA
    rng = random.Random(seed)
    report = DemoReport()
    regions = db.session.scalars(
        sa.select(Region).options(selectinload(Region.membership_entries)).order_by(Region.slug)
    ).all()
    members = [r for r in regions if quota_for(event, r) > 0]
    # About three in four member regions have started registering, each partly filled.
    n = 0
    for region in rng.sample(members, k=max(1, round(len(members) * 0.75))):
        delegation = get_or_create_delegation(event, region)
        size = rng.randint(quota_for(event, region) // 4, quota_for(event, region) * 3 // 4)
        for index in range(size):
            n += 1
            register_person(event, _person(rng, n), "international", delegation=delegation,
                            is_head_of_delegation=index == 0, is_demo=True, notify=False)
            report.delegates += 1
    guest_audience = "guest" if event.capacity_for("guest") is not None else None
    for _ in range(GUESTS if guest_audience else 0):
        n += 1
        register_person(event, _person(rng, n), guest_audience, is_demo=True, notify=False)
        report.guests += 1
    db.session.flush()
    return report
