"""Invitations by email (RFC 5546 iTIP): METHOD:REQUEST on confirmation and on changes,
METHOD:CANCEL when a person's place ends or the event is cancelled. Same UID as the feeds.

The builders are pure (objects in, bytes out); the services queue the messages in the
outbox, in the caller's transaction, with the invitation as an inline text/calendar part so
that Outlook, Gmail, Apple Mail and Thunderbird show it as an invitation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr

import sqlalchemy as sa
from flask import current_app
from icalendar import vCalAddress
from sqlalchemy.orm import selectinload

from webapp.calendars import ical
from webapp.calendars.services import personal_feed_urls
from webapp.extensions import db
from webapp.mail import Attachment, queue_email
from webapp.models import (
    AgendaItem,
    Event,
    EventStatus,
    OutboxMessage,
    Person,
    Registration,
    RegistrationStatus,
    utcnow,
)
from webapp.urls import absolute_url

NETWORK_NAME = "Districts of Creativity"
REQUEST, CANCEL = "REQUEST", "CANCEL"


def itip_content_type(method: str) -> str:
    """The MIME type Outlook needs to treat the part as an invitation, not a file."""
    return f"text/calendar; method={method}; charset=UTF-8"


@dataclass(frozen=True)
class Organizer:
    """Who sends the invitation: the host region, or the network itself."""

    name: str
    email: str


def organizer_for(event: Event, mail_from: str | None, base_url: str) -> Organizer:
    """The host region (or the network) with the site's sending address."""
    address = parseaddr(mail_from or "")[1] or f"calendar@{ical.site_host(base_url)}"
    name = event.host_region.name if event.host_region else NETWORK_NAME
    return Organizer(ical.one_line(name), address)


def _address(email: str, name: str, **params: str) -> vCalAddress:
    """A CAL-ADDRESS with its CN on one line (icalendar quotes and RFC 6868-escapes it)."""
    address = vCalAddress(f"mailto:{email}")
    if ical.one_line(name):
        address.params["CN"] = ical.one_line(name)
    for key, value in params.items():
        address.params[key.replace("_", "-").upper()] = value
    return address


def invitation(
    event: Event,
    person: Person,
    *,
    method: str,
    organizer: Organizer,
    base_url: str,
    now: datetime,
    note: str = "",
) -> bytes:
    """An iTIP message for one attendee: REQUEST (new or changed) or CANCEL."""
    if method not in (REQUEST, CANCEL):
        raise ValueError(f"unsupported iTIP method {method!r}")
    builder = ical.CalendarBuilder(base_url, name=event.title, method=method)
    component = ical.event_component(builder, event, dtstamp=now, note=note)
    return _itip(builder, component, method, organizer, person)


def _itip(builder: ical.CalendarBuilder, component, method: str, organizer: Organizer,
          person: Person) -> bytes:
    """Finish one VEVENT as an iTIP message for one attendee, and write the calendar."""
    if method == CANCEL:
        component.pop("STATUS")
        component.add("status", "CANCELLED")
    component.add("organizer", _address(organizer.email, organizer.name))
    attendee = {"cutype": "INDIVIDUAL", "role": "REQ-PARTICIPANT", "rsvp": "FALSE"}
    if method == REQUEST:
        # The place is already confirmed (registration, mission plan): no answer is expected.
        attendee["partstat"] = "ACCEPTED"
    component.add("attendee", _address(person.email or "", person.full_name, **attendee))
    builder.add(component)
    return builder.to_ical()


# --- services -----------------------------------------------------------------------------


def invitation_attachment(
    registration: Registration, method: str = REQUEST, note: str = ""
) -> Attachment | None:
    """The iTIP part for one registration, ready to send with any email; None when the
    person has no address or the event is not in calendars (dates not recorded)."""
    event, person = registration.event, registration.person
    if not person.email or not ical.in_calendars(event):
        return None
    base_url = current_app.config["BASE_URL"]
    data = invitation(
        event,
        person,
        method=method,
        organizer=organizer_for(event, current_app.config.get("MAIL_FROM"), base_url),
        base_url=base_url,
        now=utcnow(),
        note=note,
    )
    return Attachment("invite.ics", itip_content_type(method), data, inline=True)


def agenda_item_attachment(item: AgendaItem, person: Person, method: str) -> Attachment:
    """The iTIP part about one agenda item (a reverse-mission visit) for one guest: REQUEST
    when it is new or moved for them, CANCEL when it is cancelled or they no longer attend."""
    event = item.event
    base_url = current_app.config["BASE_URL"]
    organizer = organizer_for(event, current_app.config.get("MAIL_FROM"), base_url)
    builder = ical.CalendarBuilder(base_url, name=event.title, method=method)
    component = ical.agenda_component(builder, item, event)
    component.pop("DTSTAMP")
    component.add("dtstamp", utcnow())
    data = _itip(builder, component, method, organizer, person)
    return Attachment("invite.ics", itip_content_type(method), data, inline=True)


def _queue(
    registration: Registration, method: str, template: str, subject: str, **context
) -> OutboxMessage | None:
    """Build one person's iTIP message and queue it; None when it cannot be sent."""
    event, person = registration.event, registration.person
    attachment = invitation_attachment(registration, method, context.get("note", ""))
    if attachment is None:
        return None
    try:
        return queue_email(
            person.email,
            ical.one_line(f"{subject}: {event.title}"),
            template,
            {
                "event": event,
                "person": person,
                "event_url": absolute_url("events.detail", event_id=event.id),
                "feed": personal_feed_urls(person),
                **context,
            },
            to_name=ical.one_line(person.full_name) or None,
            attachments=[attachment],
        )
    except ValueError as exc:  # a stored address the mail layer refuses: skip, say so
        current_app.logger.warning("invitation to person %s not queued: %s", person.id, exc)
        return None


def send_invitation(registration: Registration) -> OutboxMessage | None:
    """On confirmation: a METHOD:REQUEST that puts the event in the person's calendar."""
    if registration.status is not RegistrationStatus.CONFIRMED:
        return None
    return _queue(registration, REQUEST, "calendar_invitation", "Invitation")


def _confirmed_registrations(event: Event) -> list[Registration]:
    """Everyone holding an invitation to the event, with their person, in one query."""
    return list(
        db.session.scalars(
            sa.select(Registration)
            .where(
                Registration.event_id == event.id,
                Registration.status == RegistrationStatus.CONFIRMED,
            )
            .options(selectinload(Registration.person))
            .order_by(Registration.id)
        )
    )


def send_update(event: Event) -> list[OutboxMessage]:
    """After a change people must see (flushed, so SEQUENCE is already higher): a new
    METHOD:REQUEST to every confirmed registrant."""
    if event.status is EventStatus.CANCELLED:
        raise ValueError("a cancelled event is announced with cancel_event()")
    db.session.flush()
    messages = [
        _queue(registration, REQUEST, "calendar_update", "Updated")
        for registration in _confirmed_registrations(event)
    ]
    return [m for m in messages if m is not None]


def send_cancellation(
    registration: Registration, reason: str | None = None
) -> OutboxMessage | None:
    """A person's place ended (they cancelled, or the secretariat withdrew them): a
    METHOD:CANCEL to that person. Call it after setting the registration to cancelled.

    RFC 5546 §2.1.4: a CANCEL carries a higher SEQUENCE than what the attendee holds, so the
    event's sequence grows by one (everyone else's copy stays valid; a later update is newer)."""
    if registration.status is not RegistrationStatus.CANCELLED:
        raise ValueError("cancel the registration before sending its cancellation")
    event = registration.event
    if event.status is not EventStatus.CANCELLED:
        event.sequence += 1
        db.session.flush()
    reason = ical.clean_text(reason or registration.cancel_reason).strip()
    note = "Your registration was withdrawn." + (f" {reason}" if reason else "")
    return _queue(
        registration, CANCEL, "calendar_cancellation", "Cancelled",
        note=note, reason=reason, event_cancelled=False,
    )


def send_event_cancellation(event: Event) -> list[OutboxMessage]:
    """The event is cancelled: a METHOD:CANCEL to everyone holding an invitation."""
    messages = [
        _queue(
            registration, CANCEL, "calendar_cancellation", "Cancelled",
            reason=ical.clean_text(event.cancel_reason), event_cancelled=True,
        )
        for registration in _confirmed_registrations(event)
    ]
    return [m for m in messages if m is not None]


def cancel_event(event: Event, reason: str) -> list[OutboxMessage]:
    """Cancel an event, keeping it: feeds publish STATUS:CANCELLED with a higher SEQUENCE,
    and everyone holding an invitation gets a METHOD:CANCEL. Cancelling twice is a no-op."""
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("a cancellation needs a reason")
    if event.status is EventStatus.CANCELLED:
        return []
    event.status = EventStatus.CANCELLED
    event.cancelled_at = utcnow()
    event.cancel_reason = reason
    db.session.flush()  # the SEQUENCE bump happens here (models/calendar.py)
    return send_event_cancellation(event)
