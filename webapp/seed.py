"""Load the network's recorded history into the database, idempotently."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from webapp.data import mission_example as example
from webapp.data import network_history as history
from webapp.extensions import db
from webapp.models import (
    AgendaItem,
    AgendaKind,
    DatePrecision,
    Delegation,
    Event,
    EventCapacity,
    EventKind,
    EventStatus,
    GuestStatus,
    MembershipEntry,
    MembershipKind,
    MissionGuest,
    Person,
    Region,
    Representative,
)

ORDINAL_SUFFIX = {1: "st", 2: "nd", 3: "rd"}


@dataclass
class SeedReport:
    """What a seed run created or changed, per table; all zeros on a second run."""

    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, bucket: dict[str, int], table: str) -> None:
        """Add one row to a table's tally."""
        bucket[table] = bucket.get(table, 0) + 1

    @property
    def changed(self) -> bool:
        """Whether the run wrote anything."""
        return bool(self.created or self.updated)


def ordinal_name(n: int) -> str:
    """1 -> '1st', 12 -> '12th', 22 -> '22nd'."""
    suffix = "th" if 10 <= n % 100 <= 20 else ORDINAL_SUFFIX.get(n % 10, "th")
    return f"{n}{suffix}"


def local(zone: str, y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    """An aware datetime for a wall-clock time in an IANA zone."""
    return datetime(y, m, d, hh, mm, tzinfo=ZoneInfo(zone))


class _Seeder:
    """Get-or-create by natural key; assigns only changed fields, so a rerun writes nothing."""

    def __init__(self) -> None:
        self.report = SeedReport()

    def upsert(self, model: type, key: dict, fields: dict):
        """Find the row with `key`, create it if missing, and bring `fields` up to date."""
        row = db.session.scalars(sa.select(model).filter_by(**key)).one_or_none()
        table = model.__tablename__
        if row is None:
            row = model(**key, **fields)
            db.session.add(row)
            db.session.flush()
            self.report.count(self.report.created, table)
            return row
        changed = False
        for name, value in fields.items():
            if getattr(row, name) != value:
                setattr(row, name, value)
                changed = True
        if changed:
            self.report.count(self.report.updated, table)
        return row


def load_network_history() -> SeedReport:
    """Seed regions, membership history, forums, the 2012 reverse mission and CWF 2017."""
    seeder = _Seeder()
    regions = _seed_regions(seeder)
    events = _seed_forums(seeder, regions)
    events.update(_seed_planned_and_missions(seeder, regions))
    _seed_membership(seeder, regions, events)
    _seed_representatives(seeder, regions)
    for event_slug, region_slug, note in history.DELEGATIONS:
        seeder.upsert(
            Delegation,
            {"event_id": events[event_slug].id, "region_id": regions[region_slug].id},
            {"note": note},
        )
    db.session.flush()
    return seeder.report


def _seed_regions(seeder: _Seeder) -> dict[str, Region]:
    """The 14 regions the sources name."""
    regions = {}
    for slug, name, local_name, country, code, continent, zone in history.REGIONS:
        regions[slug] = seeder.upsert(
            Region,
            {"slug": slug},
            {
                "name": name,
                "local_name": local_name,
                "country": country,
                "country_code": code,
                "continent": continent,
                "timezone": zone,
            },
        )
    return regions


def _seed_forums(seeder: _Seeder, regions: dict[str, Region]) -> dict[str, Event]:
    """The ten Creativity World Forums 2004-2013."""
    events = {}
    for ordinal, year, host, place, zone, website in history.FORUMS:
        if year == 2010:
            precision, note = DatePrecision.MONTH, history.CWF_2010_NOTE
            start, end = local(zone, 2010, 11, 15, 9), local(zone, 2010, 11, 15, 18)
        else:
            precision, note = DatePrecision.YEAR, history.YEAR_ONLY
            start, end = _year_placeholder(zone, year)
        slug = f"cwf-{year}"
        events[slug] = seeder.upsert(
            Event,
            {"slug": slug},
            {
                "kind": EventKind.FORUM,
                "ordinal": ordinal,
                "title": f"{ordinal_name(ordinal)} Creativity World Forum",
                "host_region_id": regions[host].id if host else None,
                "place": place,
                "website": website,
                "starts_at": start,
                "ends_at": end,
                "timezone": zone,
                "date_precision": precision,
                "date_note": note,
                "status": EventStatus.CONFIRMED,
            },
        )
    return events


def _year_placeholder(zone: str, year: int) -> tuple[datetime, datetime]:
    """A one-day stand-in on 1 January, only ever shown as the year (precision 'year')."""
    start = local(zone, year, 1, 1)
    return start, start + timedelta(days=1)


def _seed_planned_and_missions(seeder: _Seeder, regions: dict[str, Region]) -> dict[str, Event]:
    """CWF 2017 in Aarhus (planned) and the 2012 reverse mission with its workshop."""
    midtjylland = regions["region-midtjylland"]
    plan = history.CWF_2017
    start, end = _year_placeholder(plan["timezone"], 2017)
    cwf_2017 = seeder.upsert(
        Event,
        {"slug": plan["slug"]},
        {
            "kind": EventKind.FORUM,
            "title": plan["title"],
            "theme": plan["theme"],
            "description": plan["description"],
            "host_region_id": midtjylland.id,
            "place": plan["place"],
            "starts_at": start,
            "ends_at": end,
            "timezone": plan["timezone"],
            "date_precision": DatePrecision.YEAR,
            "date_note": history.YEAR_ONLY,
            "status": EventStatus.PLANNED,
        },
    )
    mission = history.REVERSE_MISSION_2012
    zone = mission["timezone"]
    reverse_mission = seeder.upsert(
        Event,
        {"slug": mission["slug"]},
        {
            "kind": EventKind.REVERSE_MISSION,
            "title": mission["title"],
            "theme": mission["theme"],
            "description": mission["description"],
            "host_region_id": midtjylland.id,
            "place": mission["place"],
            "starts_at": local(zone, *mission["start"]),
            "ends_at": local(zone, *mission["end"]),
            "timezone": zone,
            "date_precision": DatePrecision.DAY,
            "status": EventStatus.CONFIRMED,
        },
    )
    planned_capacities = ((cwf_2017, plan["capacities"]), (reverse_mission, mission["capacities"]))
    for event, capacities in planned_capacities:
        for audience, label, seats in capacities:
            seeder.upsert(
                EventCapacity,
                {"event_id": event.id, "audience": audience},
                {"label": label, "capacity": seats},
            )
    workshop = mission["workshop"]
    seeder.upsert(
        AgendaItem,
        {"event_id": reverse_mission.id, "title": workshop["title"]},
        {
            "kind": AgendaKind.WORKSHOP,
            "description": workshop["description"],
            "starts_at": local(zone, *workshop["start"]),
            "ends_at": local(zone, *workshop["end"]),
            "host_organisation": example.WORKSHOP_PLACE[0],
            "address": example.WORKSHOP_PLACE[1],
            "is_illustrative": True,
        },
    )
    _seed_mission_example(seeder, regions, reverse_mission)
    return {cwf_2017.slug: cwf_2017, reverse_mission.slug: reverse_mission}


def _seed_mission_example(seeder: _Seeder, regions: dict[str, Region], mission: Event) -> None:
    """Made-up guests and agenda for the 2012 mission, so the planner is not empty."""
    zone = mission.timezone
    guests = []
    for slug, how_many in example.GUEST_REGIONS:
        region = regions[slug]
        for n in range(1, how_many + 1):
            person = seeder.upsert(
                Person, {"email": f"guest{n}.{slug}@example.org"},
                {"full_name": f"Guest {n} from {region.name}", "region_id": region.id},
            )
            guests.append(seeder.upsert(
                MissionGuest, {"event_id": mission.id, "person_id": person.id},
                {"status": GuestStatus.ACCEPTED, "is_illustrative": True,
                 "arrives_at": local(zone, *example.ARRIVAL),
                 "departs_at": local(zone, *example.DEPARTURE)},
            ))
    groups = {"A": guests[0::2], "B": guests[1::2]}  # alternate, so regions mix
    for title, kind, start, end, host, address, capacity, group in example.ITEMS:
        item = seeder.upsert(
            AgendaItem, {"event_id": mission.id, "title": title},
            {"kind": AgendaKind(kind), "starts_at": local(zone, *start),
             "ends_at": local(zone, *end), "host_organisation": host, "address": address,
             "capacity": capacity, "all_guests": group is None, "is_illustrative": True},
        )
        wanted = groups.get(group, [])
        if {g.id for g in item.selected_guests} != {g.id for g in wanted}:
            had = {g.id for g in item.selected_guests}
            item.selected_guests = wanted
            for _row in {g.id for g in wanted} ^ had:  # each attendance row added or removed
                seeder.report.count(seeder.report.created if not had else seeder.report.updated,
                                    "agenda_attendance")


def _seed_membership(
    seeder: _Seeder, regions: dict[str, Region], events: dict[str, Event]
) -> None:
    """Each region's dated membership steps."""
    for slug, kind, on, precision, note, event_slug in history.MEMBERSHIP_ENTRIES:
        seeder.upsert(
            MembershipEntry,
            {"region_id": regions[slug].id, "kind": MembershipKind(kind), "on": on},
            {
                "precision": DatePrecision(precision),
                "note": note,
                "event_id": events[event_slug].id if event_slug else None,
            },
        )


def _seed_representatives(seeder: _Seeder, regions: dict[str, Region]) -> None:
    """The representatives the sources name (no email addresses are known)."""
    for slug, full_name, appointed_on in history.REPRESENTATIVES:
        region = regions[slug]
        person = seeder.upsert(Person, {"full_name": full_name, "region_id": region.id}, {})
        seeder.upsert(
            Representative,
            {"region_id": region.id, "person_id": person.id, "appointed_on": appointed_on},
            {},
        )
