"""Reverse-mission workflows: create and edit missions, invite guests, plan and change items.

Functions add and flush, never commit; the route commits once. Emails are queued in the same
transaction (the outbox), so a rolled-back change never sends anything."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _

from webapp.calendars.invites import CANCEL, REQUEST, agenda_item_attachment
from webapp.extensions import db
from webapp.i18n import mail_language
from webapp.mail import queue_email
from webapp.missions.conflicts import GuestStay, ItemSlot, MissionFrame, PlanWarning, check_mission
from webapp.missions.tokens import itinerary_token
from webapp.models import (
    AgendaItem,
    AgendaKind,
    Event,
    EventKind,
    EventStatus,
    MissionGuest,
    Region,
    utcnow,
)
from webapp.text import one_line

# The fields of an item a guest must hear about when they change.
NOTIFIED_FIELDS = ("starts_at", "ends_at", "address", "host_organisation", "title")


class MissionError(ValueError):
    """A request the data does not allow; the message is safe to show."""


def _slugify(text: str) -> str:
    """Lower-case ASCII words joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "mission"


def _unique_slug(base: str) -> str:
    """`base`, or `base-2`, `base-3`... whichever is free."""
    taken = set(db.session.scalars(sa.select(Event.slug).where(Event.slug.like(f"{base}%"))))
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


def create_mission(host_region: Region, *, title: str, starts_at: datetime, ends_at: datetime,
                   timezone: str, place: str, theme: str | None = None,
                   description: str | None = None, travel_buffer_minutes: int = 30) -> Event:
    """A new reverse mission hosted by a member region (planned, public)."""
    event = Event(
        slug=_unique_slug(f"reverse-mission-{starts_at.year}-{_slugify(host_region.slug)}"),
        kind=EventKind.REVERSE_MISSION, title=title, theme=theme or None,
        description=description or None, host_region_id=host_region.id, place=place,
        starts_at=starts_at, ends_at=ends_at, timezone=timezone, status=EventStatus.PLANNED,
        travel_buffer_minutes=travel_buffer_minutes,
    )
    db.session.add(event)
    db.session.flush()
    return event


def itinerary_link(guest: MissionGuest) -> str:
    """The guest's personal itinerary, by a signed link (path only; mail adds base_url)."""
    return url_for("missions.guest_itinerary", token=itinerary_token(guest))


# --- Items -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemSnapshot:
    """What an item looked like before a change, to know whom the change concerns."""

    title: str
    starts_at: datetime
    ends_at: datetime
    address: str | None
    host_organisation: str | None
    guest_ids: frozenset[int]
    cancelled: bool


def attending_guests(item: AgendaItem, guests: Iterable[MissionGuest]) -> list[MissionGuest]:
    """The guests an item concerns: every guest not declined, or its listed ones not declined."""
    return [g for g in (guests if item.all_guests else item.selected_guests)
            if item.concerns(g)]


def snapshot(item: AgendaItem) -> ItemSnapshot:
    """The item as it is now."""
    return ItemSnapshot(
        title=item.title, starts_at=item.starts_at, ends_at=item.ends_at, address=item.address,
        host_organisation=item.host_organisation,
        guest_ids=frozenset(g.id for g in attending_guests(item, item.event.guests)),
        cancelled=item.is_cancelled,
    )


def save_item(event: Event, item: AgendaItem | None, fields: dict,
              selected_guest_ids: Iterable[int]) -> AgendaItem:
    """Create or update an item; guests whose itinerary changed get an update by email."""
    guests_by_id = {g.id: g for g in event.guests}
    unknown = set(selected_guest_ids) - set(guests_by_id)
    if unknown:
        raise MissionError(_("Some of the chosen guests are not on this mission's guest list."))
    before = snapshot(item) if item is not None and item.id is not None else None
    if item is None:
        item = AgendaItem(event=event)
        db.session.add(item)
    for name, value in fields.items():
        setattr(item, name, value)
    item.selected_guests = (
        [] if item.all_guests else [guests_by_id[i] for i in sorted(set(selected_guest_ids))]
    )
    db.session.flush()
    if before is not None:
        notify_item_changed(item, before)
    return item


def cancel_item(item: AgendaItem) -> int:
    """Call an item off (kept on record); returns how many guests were told."""
    if item.is_cancelled:
        return 0
    before = snapshot(item)
    item.cancelled_at = utcnow()
    db.session.flush()
    return notify_item_changed(item, before)


def notify_item_changed(item: AgendaItem, before: ItemSnapshot) -> int:
    """Queue an itinerary update to exactly the guests a change concerns; returns how many.

    Moved (time or place) or renamed: everyone attending before or after. Cancelled: everyone
    attending before. Only the attendance changed: the guests added and the guests removed."""
    guests = {g.id: g for g in item.event.guests}
    after_ids = frozenset() if item.is_cancelled else frozenset(
        g.id for g in attending_guests(item, guests.values())
    )
    moved = any(getattr(before, name) != getattr(item, name) for name in NOTIFIED_FIELDS)
    if item.is_cancelled and not before.cancelled:
        concerned = {gid: "cancelled" for gid in before.guest_ids}
    elif moved:
        concerned = {gid: "changed" for gid in before.guest_ids & after_ids}
        concerned |= {gid: "removed" for gid in before.guest_ids - after_ids}
        concerned |= {gid: "added" for gid in after_ids - before.guest_ids}
    else:
        concerned = {gid: "removed" for gid in before.guest_ids - after_ids}
        concerned |= {gid: "added" for gid in after_ids - before.guest_ids}
    if not concerned:
        return 0
    if not moved and not (item.is_cancelled and not before.cancelled):
        # Only who attends changed: no watched column did, so the flush listener
        # (webapp.models.calendar) will not bump SEQUENCE; guests' calendars must still update.
        item.sequence += 1
    sent = 0
    for guest_id, change in sorted(concerned.items()):
        guest = guests[guest_id]
        if not guest.person.email:
            continue
        # Guests keep no language of their own: the mission's, subject and calendar too.
        with mail_language(item.event.default_language) as language:
            queue_email(
                guest.person.email,
                one_line(_("Itinerary update: %(title)s", title=before.title))[:200],
                "itinerary_changed",
                {"guest": guest, "item": item, "before": before, "change": change,
                 "event": item.event, "link": itinerary_link(guest)},
                to_name=one_line(guest.person.full_name),
                language=language,
                # The calendar follows the plan: the item (same UID) is updated, or withdrawn
                # for a guest who no longer attends it.
                attachments=[agenda_item_attachment(
                    item, guest.person, CANCEL if change in ("cancelled", "removed") else REQUEST
                )],
            )
        sent += 1
    db.session.flush()
    return sent


# --- Loading and checking ----------------------------------------------------------------


def frame_of(event: Event) -> MissionFrame:
    """The mission as the rules see it."""
    return MissionFrame(event.starts_at, event.ends_at,
                        timedelta(minutes=event.travel_buffer_minutes), event.timezone)


def stays_of(event: Event) -> list[GuestStay]:
    """The guests the plan is for (declined ones are left out)."""
    return [GuestStay(g.id, g.person.full_name, g.arrives_at, g.departs_at)
            for g in event.guests if g.is_attending]


def slot_of(item: AgendaItem) -> ItemSlot:
    """An item as the rules see it."""
    return ItemSlot(
        id=item.id, title=item.title, starts_at=item.starts_at, ends_at=item.ends_at,
        host_organisation=item.host_organisation, address=item.address, capacity=item.capacity,
        guest_ids=None if item.all_guests else frozenset(g.id for g in item.selected_guests),
        is_transport=item.kind is AgendaKind.TRANSPORT,
    )


def active_items(event: Event) -> list[AgendaItem]:
    """The items still planned (cancelled ones are shown apart)."""
    return [item for item in event.agenda_items if not item.is_cancelled]


def mission_warnings(event: Event) -> list[PlanWarning]:
    """Every planning warning for a loaded mission (one pass, no queries)."""
    return check_mission(frame_of(event), [slot_of(i) for i in active_items(event)],
                         stays_of(event))
