"""Audit entries for what happens to registrations without a staff member's form: public
registrations, self-cancellations, waitlist promotions and check-ins. Added in the caller's
transaction, like record_audit."""

from __future__ import annotations

import sqlalchemy as sa
from flask import has_request_context

from webapp.auth.services import client_address, record_audit
from webapp.extensions import db
from webapp.models import AuditEntry, Registration, RegistrationStatus, User, utcnow

# The public form's path runs without the ORM's unit of work (open_registration.py): its
# entry is one plain INSERT as well.
PUBLIC_ENTRY = sa.insert(AuditEntry.__table__)


def record_public_registration(registration_id: int, email: str, event_title: str,
                               status: RegistrationStatus) -> None:
    """Someone registered through the public form (no account: the actor is nobody)."""
    db.session.execute(PUBLIC_ENTRY, {
        "at": utcnow(), "actor_id": None, "action": "registration.public",
        "target_type": "registration", "target_id": registration_id,
        "summary": f"{email} registered for {event_title} through the public form "
                   f"({status.value})",
        "ip_address": client_address() if has_request_context() else None,
    })


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
