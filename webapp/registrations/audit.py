"""Audit entries for registrations: what happens without a staff member's form (public
registrations, self-cancellations, waitlist promotions) and check-ins, added in the caller's
transaction like record_audit; and the before → after wording of set-up and quota changes."""

from __future__ import annotations

from datetime import UTC
from zoneinfo import ZoneInfo

from webapp.auth.services import record_audit
from webapp.extensions import db
from webapp.models import (
    Event,
    Region,
    Registration,
    User,
)


def record_public_registration(registration: Registration, event: Event, email: str) -> None:
    """Someone registered through the public form (no account: the actor is nobody)."""
    record_audit(None, "registration.public", registration,
                 f"{email} registered for {event.title} through the public form "
                 f"({registration.status.value})")


def record_self_cancellation(registration: Registration) -> None:
    """A person cancelled their own registration through the emailed link."""
    record_audit(None, "registration.self_cancelled", registration,
                 f"{registration.person.email} cancelled their registration for "
                 f"{registration.event.title}: {registration.cancel_reason}")


def record_promotions(promoted: list[Registration]) -> None:
    """Each waitlisted person who got a freed seat: waitlisted → confirmed."""
    for registration in promoted:
        record_audit(None, "registration.promoted", registration,
                     f"{registration.person.email} ({registration.event.title}): waitlisted → "
                     "confirmed, a seat was freed")


def record_check_in(registration: Registration, actor: User | None, *, undo: bool) -> None:
    """A click at the door: present, or the check-in taken back."""
    what = "present → not checked in (undone)" if undo else "checked in"
    record_audit(actor, "checkin.undone" if undo else "checkin.checked_in", registration,
                 f"{registration.name} <{registration.person.email}> at "
                 f"{registration.event.title}: {what}")


def forum_facts(event: Event) -> dict[str, object]:
    """A forum's set-up as its form shows it (local times in its zone), for before → after."""
    zone = ZoneInfo(event.timezone) if event.timezone else UTC

    def local(value):
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M") if value else None

    host = db.session.get(Region, event.host_region_id) if event.host_region_id else None
    facts: dict[str, object] = {
        "title": event.title, "theme": event.theme, "host region": host.name if host else None,
        "place": event.place, "venue": event.venue, "time zone": event.timezone,
        "starts": local(event.starts_at), "ends": local(event.ends_at),
        "registration opens": local(event.registration_opens_at),
        "registration closes": local(event.registration_closes_at),
        "delegation deadline": local(event.delegation_deadline),
        "delegates per member region": event.default_delegation_quota,
        "letterhead": event.letterhead_text,
        "default language": event.default_language,
    }
    for capacity in event.capacities:
        facts[f"“{capacity.audience}” label"] = capacity.label
        facts[f"“{capacity.audience}” seats"] = capacity.capacity
    return facts


def quota_changes(regions: list[Region], before: dict[int, int], after: dict[int, int | None],
                  default: int | None) -> list[str]:
    """'Flanders default (2) → 4', per region whose override changed."""
    def shown(quota: int | None) -> str:
        return str(quota) if quota is not None else f"default ({default or 0})"

    return [f"{region.name} {shown(before.get(region.id))} → {shown(after.get(region.id))}"
            for region in regions if before.get(region.id) != after.get(region.id)]
