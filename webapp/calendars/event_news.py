"""Calendar news for everyone concerned by an event at once: the first invitations when its
exact days become known, updates after a change, and its cancellation (registrants and
reverse-mission guests). Each registrant's message is one row of one bulk insert, written at
delivery by the calendar recipe (invites.py); messages to one person live in invites.py.

Services add and flush, never commit, never read the request."""

from __future__ import annotations

from dataclasses import replace

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from webapp.calendars import ical
from webapp.calendars.invites import (
    CANCEL,
    REQUEST,
    agenda_item_attachment,
    calendar_recipe,
    event_attachment,
)
from webapp.calendars.services import personal_feed_urls
from webapp.extensions import db
from webapp.i18n import mail_language, recipient_language
from webapp.mail import Attachment, queue_email, queue_emails
from webapp.models import (
    AgendaItem,
    Event,
    EventStatus,
    GuestStatus,
    MissionGuest,
    Person,
    Registration,
    RegistrationStatus,
    utcnow,
)
from webapp.text import one_line
from webapp.urls import absolute_url


def _queue_to_registrants(event: Event, method: str, template: str, subject: str, *,
                        statuses=(RegistrationStatus.CONFIRMED,), calendars_only: bool = True,
                        **context) -> int:
    """The same iTIP message to every confirmed registrant (or those of `statuses`) with an
    address: one query and one bulk insert, whatever their number (each is written at
    delivery). Nothing when the event is not in calendars, unless not `calendars_only`."""
    if calendars_only and not ical.in_calendars(event):
        return 0
    rows = db.session.execute(
        sa.select(Registration.id, Person.email, Person.full_name, Registration.language)
        .join(Person, Registration.person_id == Person.id)
        .where(
            Registration.event_id == event.id,
            Registration.status.in_(statuses),
            Person.email.is_not(None),
        )
        .order_by(Registration.id)
    ).all()
    return queue_emails(
        (calendar_recipe(rid, email, name, event, method, template, subject,
                         language=recipient_language(own, event.default_language), **context)
         for rid, email, name, own in rows),
        skip_invalid=True,
    )


def send_invitations(event: Event) -> int:
    """The event has just gone into calendars (its exact days were given): a first
    METHOD:REQUEST to every confirmed registrant, who never had one. Returns how many."""
    db.session.flush()
    return _queue_to_registrants(event, REQUEST, "calendar_invitation",
                                 _l("Invitation: %(title)s"))


def send_update(event: Event) -> int:
    """After a change people must see (flushed, so SEQUENCE is already higher): a new
    METHOD:REQUEST to every confirmed registrant. Returns how many were queued."""
    if event.status is EventStatus.CANCELLED:
        raise ValueError("a cancelled event is announced with cancel_event()")
    db.session.flush()
    return _queue_to_registrants(event, REQUEST, "calendar_update",
                                 _l("Updated: %(title)s"))


def send_event_cancellation(event: Event) -> int:
    """The event is cancelled: a METHOD:CANCEL to every registrant, confirmed or waiting
    (one that never had an invitation, or an event without exact days: the news only)."""
    return _queue_to_registrants(
        event, CANCEL, "calendar_cancellation", _l("Cancelled: %(title)s"),
        statuses=(RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED),
        calendars_only=False,
        reason=ical.clean_text(event.cancel_reason), event_cancelled=True,
    )


def send_guest_cancellations(event: Event) -> int:
    """A reverse mission is cancelled: a METHOD:CANCEL of it to every guest who had not
    declined (they have it in their itinerary and personal feed), with a METHOD:CANCEL of
    each agenda item they were to attend (each item reached their calendar as its own
    invitation, so each UID is withdrawn on its own). Returns how many."""
    guests = db.session.scalars(
        sa.select(MissionGuest)
        .where(MissionGuest.event_id == event.id, MissionGuest.status != GuestStatus.DECLINED)
        .options(selectinload(MissionGuest.person))
        .order_by(MissionGuest.id)
    ).all()
    items = db.session.scalars(
        sa.select(AgendaItem)
        .where(AgendaItem.event_id == event.id, AgendaItem.cancelled_at.is_(None))
        .options(selectinload(AgendaItem.selected_guests))
        .order_by(AgendaItem.starts_at, AgendaItem.id)
    ).all()
    sent = 0
    reason = ical.clean_text(event.cancel_reason)
    for guest in guests:
        person = guest.person
        if not person.email:
            continue
        # Guests keep no language of their own: the mission's, subject and calendar too.
        with mail_language(event.default_language) as language:
            attachment = event_attachment(event, person, CANCEL)
            withdrawn = [item_cancellation(item, person, number)
                         for number, item in enumerate(
                             (item for item in items if item.concerns(guest)), start=1)]
            queue_email(
                person.email, one_line(_("Cancelled: %(title)s", title=event.title)),
                "calendar_cancellation",
                {"event": event, "person": person, "reason": reason, "event_cancelled": True,
                 "with_calendar": attachment is not None,
                 "event_url": absolute_url("events.detail", event_id=event.id),
                 "feed": personal_feed_urls(person)},
                to_name=one_line(person.full_name) or None,
                attachments=([attachment] if attachment else []) + withdrawn,
                language=language,
            )
        sent += 1
    return sent


def item_cancellation(item: AgendaItem, person: Person, number: int) -> Attachment:
    """One agenda item's METHOD:CANCEL as a file of its own (one UID per iTIP object; the
    message's inline part is the mission's own cancellation)."""
    part = agenda_item_attachment(item, person, CANCEL)
    return replace(part, filename=f"cancelled-item-{number}.ics", inline=False)


def cancel_event(event: Event, reason: str) -> int:
    """Cancel an event, keeping it: feeds publish STATUS:CANCELLED with a higher SEQUENCE,
    and everyone holding an invitation gets a METHOD:CANCEL. Cancelling twice is a no-op."""
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("a cancellation needs a reason")
    if event.status is EventStatus.CANCELLED:
        return 0
    event.status = EventStatus.CANCELLED
    event.cancelled_at = utcnow()
    event.cancel_reason = reason
    db.session.flush()  # the SEQUENCE bump happens here (models/calendar.py)
    return send_event_cancellation(event) + send_guest_cancellations(event)
