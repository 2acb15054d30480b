"""Load the illustrative participation history (webapp.data.illustrative_participation).

Idempotent like the history seed: natural keys, only changed fields written."""

from __future__ import annotations

import random
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from webapp.data import illustrative_participation as demo
from webapp.extensions import db
from webapp.models import AnnualFee, Delegation, Event, Region
from webapp.seed import SeedReport, _Seeder

ILLUSTRATIVE_NOTE = "Illustrative: made up for the demonstration; not in the sources."


def _size(slug: str, year: int, no_show: bool) -> tuple[int, int]:
    """A stable made-up delegation size (registered, checked in) for a region and year."""
    rng = random.Random(f"{slug}:{year}")  # a str seed is stable across runs and machines
    if no_show:
        return rng.randint(2, 5), 0
    registered = rng.randint(3, 12)
    return registered, max(1, registered - rng.randint(0, 2))


def _payment_day(slug: str, year: int) -> date:
    """A stable made-up payment day between mid-January and late March."""
    return date(year, 1, 15) + timedelta(days=random.Random(f"fee:{slug}:{year}").randint(0, 70))


def load_illustrative_participation() -> SeedReport:
    """Seed illustrative delegations (forums 2004-2013, the 2012 reverse mission) and fees."""
    seeder = _Seeder()
    regions = {r.slug: r for r in db.session.scalars(
        sa.select(Region).options(selectinload(Region.membership_entries)))}
    forums = {e.year: e for e in db.session.scalars(
        sa.select(Event).where(Event.slug.in_([f"cwf-{y}" for y in demo.FORUM_YEARS])))}
    if not regions or len(forums) != len(demo.FORUM_YEARS):
        raise RuntimeError("load the network's history first (flask --app webapp seed)")
    for slug, pattern in demo.FORUM_PATTERNS.items():
        region = regions[slug]
        for year, mark in zip(demo.FORUM_YEARS, pattern, strict=True):
            forum = forums[year]
            if mark == "H":
                if forum.host_region_id != region.id:
                    raise ValueError(f"{slug} does not host CWF {year}")
                continue
            if mark not in "AN":
                continue
            registered, attended = _size(slug, year, no_show=mark == "N")
            seeder.upsert(
                Delegation, {"event_id": forum.id, "region_id": region.id},
                {"reported_registered": registered, "reported_attended": attended,
                 "is_illustrative": True, "note": ILLUSTRATIVE_NOTE},
            )
    mission = db.session.scalars(
        sa.select(Event).filter_by(slug="reverse-mission-2012")).one()
    for slug, guests in demo.REVERSE_MISSION_GUESTS.items():
        seeder.upsert(
            Delegation, {"event_id": mission.id, "region_id": regions[slug].id},
            {"reported_registered": guests, "reported_attended": guests,
             "is_illustrative": True, "note": ILLUSTRATIVE_NOTE},
        )
    for year in demo.FEE_YEARS:
        due = date(year, 3, 31)
        for slug, region in sorted(regions.items()):
            if region.is_member_on(due):
                seeder.upsert(AnnualFee, {"region_id": region.id, "year": year},
                              {"paid_on": _payment_day(slug, year), "is_illustrative": True})
    db.session.flush()
    return seeder.report
