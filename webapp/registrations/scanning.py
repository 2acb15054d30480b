"""Check-in by a scanned (or typed) ticket code: admit the person or say, in words, why not.

`check_in_by_code` is the one service the scan endpoint and the tests call; it marks present
through the same atomic claim as a tap on a name (presence.py), so several door phones
scanning the same ticket at once admit it once. Its queries do not grow with the forum."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from webapp.extensions import db
from webapp.models import (
    Answer,
    CheckInAction,
    CheckInEntry,
    Delegation,
    Event,
    Question,
    Registration,
    RegistrationStatus,
    User,
    utcnow,
)
from webapp.registrations.audit import record_check_in
from webapp.registrations.presence import claim_presence
from webapp.tickets import TicketCodeError, read_ticket_code

CHECKED_IN = "checked_in"
UNKNOWN, CANCELLED, WRONG_FORUM = "unknown", "cancelled", "wrong_forum"
WAITLISTED, ALREADY = "waitlisted", "already_checked_in"


@dataclass(frozen=True)
class ScanResult:
    """What the door is told about one scanned code: `outcome` is CHECKED_IN or the refusal's
    kind; `message` is the sentence to show, safe as plain text."""

    outcome: str
    message: str
    registration: Registration | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """The person was admitted now."""
        return self.outcome == CHECKED_IN


def door_notes(registration: Registration) -> list[str]:
    """What the door staff should know about this person as they come in: the answers to
    the questions marked for the door (accessibility needs, say; one query), a head of
    delegation, a demo row."""
    notes = [f"{label}: {value}" for label, value in db.session.execute(
        sa.select(Question.label, Answer.value)
        .join(Answer, Answer.question_id == Question.id)
        .where(Answer.registration_id == registration.id, Question.shown_at_door.is_(True))
        .order_by(Question.position, Question.id))]
    if registration.is_head_of_delegation and registration.delegation is not None:
        notes.append(_("Head of the delegation of %(region)s",
                       region=registration.delegation.region.name))
    if registration.is_demo:
        notes.append(_("Demo registration (made up, not a real person)"))
    return notes


def local_clock(moment: datetime, event: Event, now: datetime) -> str:
    """'09:14' in the forum's local time, with the day when it was not today there."""
    zone = ZoneInfo(event.timezone) if event.timezone else None
    local = moment.astimezone(zone) if zone else moment
    today = now.astimezone(zone).date() if zone else now.date()
    clock = local.strftime("%H:%M")
    return clock if local.date() == today else _("%(clock)s on %(date)s", clock=clock,
                                                   date=f"{local.day} {local:%b %Y}")


def _load(ticket_ref: str) -> Registration | None:
    """The registration a ticket names, with what the door shows (one query)."""
    return db.session.scalars(
        sa.select(Registration).where(Registration.ticket_ref == ticket_ref)
        .options(joinedload(Registration.person), joinedload(Registration.event),
                 joinedload(Registration.delegation).joinedload(Delegation.region))
    ).unique().one_or_none()


def _last_check_in(registration: Registration) -> CheckInEntry | None:
    """The click that checked this person in (the latest), with who made it."""
    return db.session.scalars(
        sa.select(CheckInEntry)
        .where(CheckInEntry.registration_id == registration.id,
               CheckInEntry.action == CheckInAction.CHECKED_IN)
        .options(joinedload(CheckInEntry.by))
        .order_by(CheckInEntry.at.desc(), CheckInEntry.id.desc()).limit(1)
    ).first()


def _refusal(event: Event, registration: Registration | None) -> ScanResult:
    """Why a code that claimed nothing admits nobody (read after the claim, so it sees what
    another phone did a moment ago)."""
    if registration is None:
        return ScanResult(UNKNOWN, _("Unknown code: no registration holds this ticket."))
    name = registration.name
    if registration.event_id != event.id:
        return ScanResult(WRONG_FORUM, _("Wrong forum: %(name)s's ticket is for %(other)s, not "
                                         "%(title)s.", name=name, other=registration.event.title,
                                         title=event.title), registration)
    if registration.status is RegistrationStatus.CANCELLED:
        return ScanResult(CANCELLED, _("Refused: %(name)s's registration is cancelled; this "
                                       "ticket is no longer valid.", name=name), registration)
    if registration.status is RegistrationStatus.WAITLISTED:
        return ScanResult(WAITLISTED, _("Refused: %(name)s is on the waitlist, without a "
                                        "confirmed seat.", name=name), registration)
    entry = _last_check_in(registration)
    at = registration.checked_in_at or (entry.at if entry else utcnow())
    clock = local_clock(at, event, utcnow())
    message = (_("%(name)s is already checked in at %(clock)s by %(by)s.", name=name,
                 clock=clock, by=entry.by.full_name) if entry and entry.by
               else _("%(name)s is already checked in at %(clock)s.", name=name, clock=clock))
    return ScanResult(ALREADY, message, registration, door_notes(registration))


def check_in_by_code(event: Event, code: str, by: User | None) -> ScanResult:
    """Check in the holder of a ticket code at this forum, or say why not (unknown code,
    cancelled, another forum, waitlisted, already checked in: when and by whom). Adds and
    flushes (the check-in, its trail and audit entry); the caller commits."""
    try:
        ticket_ref = read_ticket_code(code)
    except TicketCodeError as exc:
        return ScanResult(UNKNOWN, str(exc))
    # The claim first: on SQLite the transaction's first write waits for any other phone's.
    claimed = claim_presence(
        sa.and_(Registration.ticket_ref == ticket_ref, Registration.event_id == event.id),
        by.id if by is not None else None)
    registration = _load(ticket_ref)
    if claimed is None or registration is None:
        return _refusal(event, registration)
    record_check_in(registration, by, undo=False)
    return ScanResult(CHECKED_IN, _("%(name)s is checked in.", name=registration.name),
                      registration, door_notes(registration))
