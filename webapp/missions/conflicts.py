"""Planning rules for a reverse mission's agenda, as pure functions: data in, warnings out.

Nothing here touches the database. `check_mission` makes one pass per rule: items are grouped
(by guest schedule, by host organisation, by address) and each group is swept in start order,
so the cost grows with the number of items and attendances, never with pairs of queries.
Intervals are half-open: an item ending at 10:00 and one starting at 10:00 do not overlap.
"""

from __future__ import annotations

import enum
import heapq
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import has_app_context
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webapp.text import one_line

NAMES_SHOWN = 6  # longer lists of people end with "and N more" (the full list is on the warning)


class Rule(enum.StrEnum):
    """The planning rules; each warning names the one it comes from."""

    GUEST_DOUBLE_BOOKED = "guest_double_booked"
    VENUE_DOUBLE_BOOKED = "venue_double_booked"
    OUTSIDE_MISSION = "outside_mission"
    OUTSIDE_STAY = "outside_stay"
    OVER_CAPACITY = "over_capacity"
    TRAVEL_TIME = "travel_time"

    @property
    def label(self) -> str:
        """Short human wording for badges."""
        return RULE_LABELS[self]


RULE_LABELS = {
    Rule.GUEST_DOUBLE_BOOKED: _l("Guest in two places"),
    Rule.VENUE_DOUBLE_BOOKED: _l("Host booked twice"),
    Rule.OUTSIDE_MISSION: _l("Outside the mission"),
    Rule.OUTSIDE_STAY: _l("Outside a guest's stay"),
    Rule.OVER_CAPACITY: _l("Over capacity"),
    Rule.TRAVEL_TIME: _l("Too little travel time"),
}


@dataclass(frozen=True)
class MissionFrame:
    """The mission's dates, its travel buffer and the zone its times are shown in."""

    starts_at: datetime
    ends_at: datetime
    travel_buffer: timedelta
    zone: str = "UTC"


@dataclass(frozen=True)
class GuestStay:
    """A guest who is planned for (not declined), with their arrival and departure if known."""

    id: int
    name: str
    arrives_at: datetime | None = None
    departs_at: datetime | None = None


@dataclass(frozen=True)
class ItemSlot:
    """An agenda item as the rules see it. `guest_ids` None means every guest."""

    id: int | None
    title: str
    starts_at: datetime
    ends_at: datetime
    host_organisation: str | None = None
    address: str | None = None
    capacity: int | None = None
    guest_ids: frozenset[int] | None = None
    is_transport: bool = False


@dataclass(frozen=True)
class PlanWarning:
    """One problem: which rule, a sentence naming the items and people, and their ids."""

    rule: Rule
    message: str
    item_ids: tuple[int | None, ...]
    guest_ids: tuple[int, ...] = ()
    guest_names: tuple[str, ...] = field(default=(), compare=False)

    def concerns_item(self, item_id: int | None) -> bool:
        """Whether the warning names this item."""
        return item_id in self.item_ids

    def concerns_guest(self, guest_id: int) -> bool:
        """Whether the warning names this guest."""
        return guest_id in self.guest_ids


def short_day(day: date) -> str:
    """'Tue 8 May', in the page's language (English when run outside the app)."""
    if has_app_context():
        return format_date(day, "EEE d MMM")
    return f"{day.strftime('%a')} {day.day} {day.strftime('%b')}"


def normalised(text: str | None) -> str:
    """Case and spacing do not make two places different ('Aarhus  C' = 'aarhus c')."""
    return one_line(text).casefold()


class _Namer:
    """Formats items and people for messages, in the mission's local time."""

    def __init__(self, frame: MissionFrame, guests: Sequence[GuestStay]) -> None:
        self.zone = ZoneInfo(frame.zone)
        self.names = {g.id: g.name for g in guests}
        self.everyone = frozenset(self.names)
        # Sorting people by name once: each warning then sorts by a precomputed rank.
        ordered = sorted(guests, key=lambda g: (g.name, g.id))
        self.rank = {g.id: position for position, g in enumerate(ordered)}
        self._items: dict[int, str] = {}

    def item(self, item: ItemSlot) -> str:
        """'“Visit” (Tue 8 May 09:00–11:30)'."""
        key = id(item)
        if key not in self._items:
            start = item.starts_at.astimezone(self.zone)
            end = item.ends_at.astimezone(self.zone)
            day = short_day(start.date())
            self._items[key] = f"“{item.title}” ({day} {start:%H:%M}–{end:%H:%M})"
        return self._items[key]

    def when(self, moment: datetime) -> str:
        """'Tue 8 May 09:00' in the mission's zone."""
        local = moment.astimezone(self.zone)
        return f"{short_day(local.date())} {local:%H:%M}"

    def stay(self, guest: GuestStay) -> str:
        """'stay Tue 8 May 10:00 – Thu 10 May 18:00', or the one end that is known."""
        if guest.arrives_at and guest.departs_at:
            return _("stay %(arrives)s – %(departs)s", arrives=self.when(guest.arrives_at),
                     departs=self.when(guest.departs_at))
        if guest.arrives_at:
            return _("arrives %(when)s", when=self.when(guest.arrives_at))
        if guest.departs_at:
            return _("leaves %(when)s", when=self.when(guest.departs_at))
        return _("stay not known")

    def people(self, guest_ids: Iterable[int], describe=None) -> tuple[
            tuple[int, ...], tuple[str, ...], str]:
        """Ids in name order, their names, and a phrase: 'Ann, Bo and 3 more', 'all 25 guests'.

        `describe(guest_id)`, when given, adds a parenthesis to each name shown."""
        ids = tuple(sorted(guest_ids, key=self.rank.__getitem__))
        names = tuple(self.names[g] for g in ids)
        details = {describe(g) for g in ids} if describe else set()
        if len(ids) > NAMES_SHOWN and len(ids) == len(self.everyone) and len(details) <= 1:
            if details:
                return ids, names, _("all %(num)d guests (%(detail)s)", num=len(ids),
                                     detail=details.pop())
            return ids, names, _("all %(num)d guests", num=len(ids))
        shown = [self.names[g] + (f" ({describe(g)})" if describe else "")
                 for g in ids[:NAMES_SHOWN]]
        if len(names) > NAMES_SHOWN:
            phrase = _("%(names)s and %(num)d more", names=", ".join(shown),
                       num=len(names) - NAMES_SHOWN)
        elif len(shown) > 1:
            phrase = _("%(names)s and %(last)s", names=", ".join(shown[:-1]), last=shown[-1])
        else:
            phrase = shown[0] if shown else _("nobody")
        return ids, names, phrase


def attendees(item: ItemSlot, everyone: frozenset[int]) -> frozenset[int]:
    """The guests an item concerns: all planned guests, or its listed ones who are planned."""
    return everyone if item.guest_ids is None else item.guest_ids & everyone


def check_mission(
    frame: MissionFrame, items: Sequence[ItemSlot], guests: Sequence[GuestStay]
) -> list[PlanWarning]:
    """Every warning for a mission's agenda, in a stable order (by rule, then by time)."""
    namer = _Namer(frame, guests)
    ordered = sorted(items, key=lambda i: (i.starts_at, i.ends_at, i.id or 0))
    attending = {id(item): attendees(item, namer.everyone) for item in ordered}
    schedules = _schedules_by_guest_group(ordered, attending, namer.everyone)
    warnings: list[PlanWarning] = []
    warnings += _guest_double_bookings(schedules, namer)
    warnings += _venue_double_bookings(ordered, namer)
    warnings += _outside_mission(frame, ordered, namer)
    warnings += _outside_stays(ordered, attending, guests, namer)
    warnings += _over_capacity(ordered, attending, namer)
    warnings += _travel_time(frame, schedules, namer)
    return warnings


def warnings_for_item(
    frame: MissionFrame, proposed: ItemSlot, others: Sequence[ItemSlot],
    guests: Sequence[GuestStay],
) -> list[PlanWarning]:
    """Warnings that concern one proposed item (new: id None), checked against the rest."""
    rest = [item for item in others if proposed.id is None or item.id != proposed.id]
    return [w for w in check_mission(frame, [*rest, proposed], guests)
            if w.concerns_item(proposed.id)]


def _schedules_by_guest_group(
    ordered: Sequence[ItemSlot], attending: dict[int, frozenset[int]], everyone: frozenset[int]
) -> list[tuple[frozenset[int], list[ItemSlot]]]:
    """Guests grouped by identical schedules, each with its items in start order.

    Items for every guest are common to all schedules, so only the split items are recorded
    per guest; 250 guests then share a handful of schedules and each is swept once."""
    common = [index for index, item in enumerate(ordered) if item.guest_ids is None]
    per_guest: dict[int, list[int]] = {guest_id: [] for guest_id in everyone}
    for index, item in enumerate(ordered):
        if item.guest_ids is not None:
            for guest_id in attending[id(item)]:
                per_guest[guest_id].append(index)
    groups: dict[tuple[int, ...], set[int]] = defaultdict(set)
    for guest_id, indexes in per_guest.items():
        groups[tuple(indexes)].add(guest_id)
    return [
        (frozenset(members), [ordered[i] for i in heapq.merge(common, own)])
        for own, members in groups.items()
        if common or own
    ]


def _overlapping_pairs(schedule: Sequence[ItemSlot]) -> Iterable[tuple[ItemSlot, ItemSlot]]:
    """Sweep in start order, keeping only the items still running: every overlapping pair once."""
    running: list[ItemSlot] = []
    for item in schedule:
        running = [r for r in running if r.ends_at > item.starts_at]
        for earlier in running:
            yield earlier, item
        running.append(item)


def _guest_double_bookings(schedules, namer: _Namer) -> list[PlanWarning]:
    """A guest in two items at once: one warning per pair of items, naming all such guests."""
    by_pair: dict[tuple, tuple[ItemSlot, ItemSlot, set[int]]] = {}
    for members, schedule in schedules:
        for a, b in _overlapping_pairs(schedule):
            key = (id(a), id(b))
            by_pair.setdefault(key, (a, b, set()))[2].update(members)
    warnings = []
    for a, b, guest_ids in by_pair.values():
        ids, names, phrase = namer.people(guest_ids)
        warnings.append(PlanWarning(
            Rule.GUEST_DOUBLE_BOOKED,
            ngettext("%(people)s is in both %(first)s and %(second)s.",
                     "%(people)s are in both %(first)s and %(second)s.", len(ids),
                     people=phrase, first=namer.item(a), second=namer.item(b)),
            (a.id, b.id), ids, names,
        ))
    return warnings


def _venue_double_bookings(ordered: Sequence[ItemSlot], namer: _Namer) -> list[PlanWarning]:
    """The same host organisation or the same address in two items at once."""
    places: dict[tuple, tuple[ItemSlot, ItemSlot, list[str]]] = {}
    for what, attribute in ((_("host organisation %(name)s"), "host_organisation"),
                            (_("address %(name)s"), "address")):
        groups: dict[str, list[ItemSlot]] = defaultdict(list)
        for item in ordered:
            key = normalised(getattr(item, attribute))
            if key:
                groups[key].append(item)
        for group in groups.values():
            for a, b in _overlapping_pairs(group):
                label = what % {"name": getattr(a, attribute)}
                places.setdefault((id(a), id(b)), (a, b, []))[2].append(label)
    return [
        PlanWarning(
            Rule.VENUE_DOUBLE_BOOKED,
            _("The %(place)s is booked twice at once: %(first)s and %(second)s.",
              place=labels[0], first=namer.item(a), second=namer.item(b))
            if len(labels) == 1 else
            _("The %(place)s and the %(other)s are booked twice at once: %(first)s and "
              "%(second)s.", place=labels[0], other=labels[1], first=namer.item(a),
              second=namer.item(b)),
            (a.id, b.id),
        )
        for a, b, labels in places.values()
    ]


def _outside_mission(
    frame: MissionFrame, ordered: Sequence[ItemSlot], namer: _Namer
) -> list[PlanWarning]:
    """Items that start before the mission starts or end after it ends."""
    return [
        PlanWarning(
            Rule.OUTSIDE_MISSION,
            _("%(item)s is outside the mission's dates.", item=namer.item(item)),
            (item.id,),
        )
        for item in ordered
        if item.starts_at < frame.starts_at or item.ends_at > frame.ends_at
    ]


def _outside_stays(ordered, attending, guests: Sequence[GuestStay], namer) -> list[PlanWarning]:
    """Items a guest attends before arriving or after leaving: one warning per item."""
    stays = {g.id: g for g in guests if g.arrives_at or g.departs_at}
    warnings = []
    for item in ordered:
        away = [
            gid for gid in attending[id(item)] if gid in stays and (
                (stays[gid].arrives_at and item.starts_at < stays[gid].arrives_at)
                or (stays[gid].departs_at and item.ends_at > stays[gid].departs_at)
            )
        ]
        if away:
            ids, names, phrase = namer.people(away, lambda gid: namer.stay(stays[gid]))
            warnings.append(PlanWarning(
                Rule.OUTSIDE_STAY,
                _("%(item)s is outside the stay of %(people)s.", item=namer.item(item),
                  people=phrase),
                (item.id,), ids, names,
            ))
    return warnings


def _over_capacity(ordered, attending, namer: _Namer) -> list[PlanWarning]:
    """More attendees than the item's capacity."""
    warnings = []
    for item in ordered:
        count = len(attending[id(item)])
        if item.capacity is not None and count > item.capacity:
            ids, names, _phrase = namer.people(attending[id(item)])
            warnings.append(PlanWarning(
                Rule.OVER_CAPACITY,
                _("%(item)s has %(count)s guests for %(capacity)s places.",
                  item=namer.item(item), count=count, capacity=item.capacity),
                (item.id,), ids, names,
            ))
    return warnings


def _location(item: ItemSlot) -> str:
    """Where an item happens: its address, else its host organisation ('' when unknown)."""
    return normalised(item.address) or normalised(item.host_organisation)


def _travel_time(frame: MissionFrame, schedules, namer: _Namer) -> list[PlanWarning]:
    """Consecutive items of a guest at different places with less than the buffer between.

    Transport items are the travel itself, and items without a place cannot be judged, so
    neither takes part. Exactly the buffer is enough."""
    by_pair: dict[tuple, tuple[ItemSlot, ItemSlot, set[int]]] = {}
    for members, schedule in schedules:
        previous: ItemSlot | None = None
        for item in schedule:
            if previous is not None and previous.ends_at <= item.starts_at:
                gap = item.starts_at - previous.ends_at
                if (
                    gap < frame.travel_buffer
                    and not previous.is_transport and not item.is_transport
                    and _location(previous) and _location(item)
                    and _location(previous) != _location(item)
                ):
                    by_pair.setdefault((id(previous), id(item)), (previous, item, set()))[2] \
                        .update(members)
            if previous is None or item.ends_at > previous.ends_at:
                previous = item  # the item that ends last so far is the one travelled from
    buffer_minutes = int(frame.travel_buffer.total_seconds() // 60)
    warnings = []
    for a, b, guest_ids in by_pair.values():
        ids, names, phrase = namer.people(guest_ids)
        gap = int((b.starts_at - a.ends_at).total_seconds() // 60)
        warnings.append(PlanWarning(
            Rule.TRAVEL_TIME,
            _("Only %(gap)s min between %(first)s and %(second)s at another place (travel "
              "buffer %(buffer)s min) for %(people)s.", gap=gap, first=namer.item(a),
              second=namer.item(b), buffer=buffer_minutes, people=phrase),
            (a.id, b.id), ids, names,
        ))
    return warnings
