"""Event workflows: confirming or cancelling an event, and telling the people it concerns.

Services add and flush, never commit, never read the request; the route records the audit
entry and commits once, so a rolled-back change never sends anything."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from webapp.calendars.event_news import cancel_event, send_update
from webapp.extensions import db
from webapp.models import (
    Event,
    EventKind,
    EventStatus,
    GuestStatus,
    MissionGuest,
    Registration,
    RegistrationStatus,
    User,
)


class StatusError(ValueError):
    """A status change the event's state does not allow; the message is safe to show."""


def may_change_status(user: User, event: Event) -> bool:
    """The secretariat, and for a reverse mission a coordinator of its host region."""
    if not user.is_authenticated:
        return False
    if user.is_secretariat:
        return True
    return event.kind is EventKind.REVERSE_MISSION and user.coordinates(event.host_region_id)


@dataclass(frozen=True)
class Concerned:
    """How many people a status change reaches: registrants by status, and mission guests."""

    confirmed: int
    waitlisted: int
    guests: int


def concerned(event: Event) -> Concerned:
    """Who holds a place at the event (two counting queries)."""
    counts = dict(db.session.execute(
        sa.select(Registration.status, sa.func.count(Registration.id))
        .where(Registration.event_id == event.id,
               Registration.status != RegistrationStatus.CANCELLED)
        .group_by(Registration.status)
    ).all())
    guests = db.session.scalar(
        sa.select(sa.func.count(MissionGuest.id))
        .where(MissionGuest.event_id == event.id, MissionGuest.status != GuestStatus.DECLINED)
    ) or 0
    return Concerned(counts.get(RegistrationStatus.CONFIRMED, 0),
                     counts.get(RegistrationStatus.WAITLISTED, 0), guests)


def confirm(event: Event) -> int:
    """A planned event is going ahead: calendars show STATUS:CONFIRMED (a higher SEQUENCE)
    and each confirmed registrant gets the update. Returns how many were told."""
    if event.status is EventStatus.CANCELLED:
        raise StatusError(_("A cancelled event stays cancelled."))
    if event.status is EventStatus.CONFIRMED:
        raise StatusError(_("%(title)s is already confirmed.", title=event.title))
    event.status = EventStatus.CONFIRMED
    db.session.flush()  # the SEQUENCE bump happens here (models/calendar.py)
    return send_update(event)


def cancel(event: Event, reason: str) -> int:
    """Call the event off, keeping it (feeds: STATUS:CANCELLED); every registrant and
    mission guest gets a METHOD:CANCEL. Returns how many messages were queued."""
    if event.status is EventStatus.CANCELLED:
        raise StatusError(_("%(title)s is already cancelled.", title=event.title))
    if not (reason or "").strip():
        raise StatusError(_("Give a reason: it is sent to everyone registered."))
    return cancel_event(event, reason)
