"""Page layouts computed in Python: days, parallel blocks and lanes; itineraries; host views.

Pure functions over loaded objects (anything with starts_at/ends_at), so templates only loop."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from webapp.missions.conflicts import normalised

MAX_LANES_CLASS = 6  # timetable.css has lane classes up to this many columns


@dataclass
class Block:
    """Items that overlap in time (directly or through each other), laid out in lanes."""

    lanes: list[list[Any]] = field(default_factory=list)

    @property
    def width(self) -> int:
        """How many lanes side by side (capped for the CSS class; extra lanes wrap)."""
        return min(len(self.lanes), MAX_LANES_CLASS)

    @property
    def is_parallel(self) -> bool:
        """Whether the group splits here."""
        return len(self.lanes) > 1


@dataclass
class Day:
    """One local day of the mission."""

    day: date
    blocks: list[Block] = field(default_factory=list)

    @property
    def items(self) -> list[Any]:
        """Every item of the day, lane by lane."""
        return [item for block in self.blocks for lane in block.lanes for item in lane]


def by_day(items, zone: str) -> list[Day]:
    """Items grouped by local day, then into blocks of overlapping items, each split in lanes.

    A block closes when the next item starts at or after the latest end so far; inside a block
    each item takes the first lane that is free by its start (greedy interval partitioning)."""
    tz = ZoneInfo(zone)
    days: dict[date, Day] = {}
    ordered = sorted(items, key=lambda i: (i.starts_at, i.ends_at, i.id or 0))
    block_end = {}
    for item in ordered:
        local_day = item.starts_at.astimezone(tz).date()
        day = days.setdefault(local_day, Day(local_day))
        if not day.blocks or item.starts_at >= block_end[local_day]:
            day.blocks.append(Block())
            block_end[local_day] = item.ends_at
        block = day.blocks[-1]
        block_end[local_day] = max(block_end[local_day], item.ends_at)
        for lane in block.lanes:
            if lane[-1].ends_at <= item.starts_at:
                lane.append(item)
                break
        else:
            block.lanes.append([item])
    return [days[d] for d in sorted(days)]


@dataclass(frozen=True)
class Attendance:
    """Who attends an item: everyone, or a group; with the count and the names as text."""

    everyone: bool
    count: int
    names: str


def who_attends(items, guests) -> dict[int, Attendance]:
    """Attendance per item id, computed once per page (identical groups share one text)."""
    attending = [g for g in guests if g.is_attending]
    texts: dict[tuple[int, ...], str] = {}

    def text(group) -> str:
        key = tuple(g.id for g in group)
        if key not in texts:
            texts[key] = ", ".join(g.person.full_name for g in group)
        return texts[key]

    result = {}
    for item in items:
        group = attending if item.all_guests else [g for g in item.selected_guests
                                                    if g.is_attending]
        result[item.id] = Attendance(item.all_guests, len(group), text(group))
    return result


def guest_items(items, guest) -> list[Any]:
    """The items on one guest's itinerary (every-guest items and the ones they are listed for)."""
    if not guest.is_attending:
        return []
    return [i for i in items if i.all_guests or guest in i.selected_guests]


@dataclass
class HostVisit:
    """A host organisation and the items it receives the guests for."""

    name: str
    contact: str
    items: list[Any] = field(default_factory=list)


def by_host(items) -> list[HostVisit]:
    """Items grouped by host organisation (case and spacing ignored), in time order."""
    hosts: dict[str, HostVisit] = {}
    for item in sorted(items, key=lambda i: (i.starts_at, i.id or 0)):
        key = normalised(item.host_organisation)
        if not key:
            continue
        if key not in hosts:
            hosts[key] = HostVisit(item.host_organisation.strip(), "")
        host = hosts[key]
        host.items.append(item)
        if not host.contact and item.contact_name:
            host.contact = item.contact_name
    return sorted(hosts.values(), key=lambda h: normalised(h.name))


def warnings_by_item(warnings) -> dict[int | None, list]:
    """Warnings indexed by each item they name, for showing them next to the items."""
    index: dict[int | None, list] = defaultdict(list)
    for warning in warnings:
        for item_id in dict.fromkeys(warning.item_ids):
            index[item_id].append(warning)
    return index
