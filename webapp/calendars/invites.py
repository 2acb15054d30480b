"""Invitations by email (RFC 5546 iTIP): METHOD:REQUEST on confirmation and on changes,
METHOD:CANCEL when a person's place ends or the event is cancelled. Same UID as the feeds.

The builders are pure (objects in, bytes out); the services queue the messages in the
outbox, in the caller's transaction, with the invitation as an inline text/calendar part so
that Outlook, Gmail, Apple Mail and Thunderbird show it as an invitation. Messages to
everyone concerned by an event at once (updates, its cancellation): event_news.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from icalendar import vCalAddress
from sqlalchemy.orm import selectinload

from webapp.calendars import ical
from webapp.calendars.services import personal_feed_urls
from webapp.extensions import db
from webapp.i18n import mail_language, registration_language
from webapp.mail import Attachment
from webapp.mail.services import Email, RecipeError, Rendered, queue_emails, recipe, render_bodies
from webapp.models import (
    AgendaItem,
    Delegation,
    Event,
    EventStatus,
    Person,
    Registration,
    RegistrationStatus,
    utcnow,
)
from webapp.text import one_line
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
    return Organizer(one_line(name), address)


def _address(email: str, name: str, **params: str) -> vCalAddress:
    """A CAL-ADDRESS with its CN on one line (icalendar quotes and RFC 6868-escapes it)."""
    address = vCalAddress(f"mailto:{email}")
    if one_line(name):
        address.params["CN"] = one_line(name)
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
    sequence: int | None = None,
) -> bytes:
    """An iTIP message for one attendee: REQUEST (new or changed) or CANCEL. `sequence`
    pins the SEQUENCE the message was queued with (default: the event's current one)."""
    if method not in (REQUEST, CANCEL):
        raise ValueError(f"unsupported iTIP method {method!r}")
    builder = ical.CalendarBuilder(base_url, name=event.title, method=method)
    component = ical.event_component(builder, event, dtstamp=now, note=note)
    if sequence is not None:
        component.pop("SEQUENCE")
        component.add("sequence", sequence)
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
    registration: Registration, method: str = REQUEST, note: str = "",
    sequence: int | None = None,
) -> Attachment | None:
    """The iTIP part for one registration, ready to send with any email; None when the
    person has no address or the event is not in calendars (dates not recorded)."""
    return event_attachment(registration.event, registration.person, method, note, sequence)


def event_attachment(event: Event, person: Person, method: str, note: str = "",
                     sequence: int | None = None) -> Attachment | None:
    """The iTIP part about an event for one person (a registrant, a mission guest); None
    when they have no address or the event is not in calendars."""
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
        sequence=sequence,
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


CALENDAR_RECIPE = "calendar"


def registrations_by_id(ids) -> dict[int, Registration]:
    """Registrations with their person, event (and host) and delegation, in a few queries:
    what the mail templates and invitations read."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = db.session.scalars(
        sa.select(Registration)
        .where(Registration.id.in_(wanted))
        .options(
            selectinload(Registration.person),
            selectinload(Registration.event).selectinload(Event.host_region),
            selectinload(Registration.event).selectinload(Event.capacities),
            selectinload(Registration.delegation).selectinload(Delegation.region),
        )
    ).all()
    return {registration.id: registration for registration in rows}


def calendar_recipe(registration_id: int, email: str, full_name: str, event: Event,
                    method: str, template: str, subject: str, *, language: str | None = None,
                    **context) -> Email:
    """One person's iTIP message about the event, written at delivery in `language` (the
    registration's, else the forum's: recipient_language), its subject (a msgid naming the
    event as %(title)s) translated now."""
    with mail_language(language) as written_in:
        line = one_line(str(subject) % {"title": event.title})
    return Email(
        email,
        line,
        template,
        {"registration": registration_id, "method": method, **context},
        to_name=one_line(full_name) or None,
        recipe=CALENDAR_RECIPE,
        language=written_in,
    )


def _queue(registration: Registration, method: str, template: str, subject: str,
           **context) -> bool:
    """Queue one person's iTIP message; False when it cannot reach or mean anything (no
    address, or the event is not in calendars)."""
    person = registration.person
    if not person.email or not ical.in_calendars(registration.event):
        return False
    item = calendar_recipe(registration.id, person.email, person.full_name, registration.event,
                           method, template, subject,
                           language=registration_language(registration), **context)
    return queue_emails([item], skip_invalid=True) == 1


@recipe(CALENDAR_RECIPE)
def render_calendar_mails(batch: Sequence[dict[str, Any]]) -> list[Rendered | RecipeError]:
    """Write invitations, updates and cancellations from the current state of the event (the
    latest SEQUENCE), in a few queries per batch."""
    registrations = registrations_by_id(args["registration"] for args in batch)
    results: list[Rendered | RecipeError] = []
    for args in batch:
        registration = registrations.get(args["registration"])
        if (registration is not None and args["method"] == REQUEST
                and registration.status is not RegistrationStatus.CONFIRMED):
            results.append(RecipeError(
                f"registration {registration.id} is no longer confirmed: no invitation to send"))
            continue
        attachment = registration and invitation_attachment(
            registration, args["method"], args.get("note", ""), args.get("sequence"))
        # An event cancelled before its exact days were known: the news, without a calendar.
        news_only = registration is not None and args.get("event_cancelled")
        if attachment is None and not news_only:
            results.append(RecipeError(
                f"registration {args['registration']} no longer exists or its event is no "
                "longer in calendars"))
            continue
        event, person = registration.event, registration.person
        context = {key: value for key, value in args.items()
                   if key not in ("registration", "method", "template", "sequence")}
        body_text, body_html = render_bodies(args["template"], {
            "event": event, "person": person, "with_calendar": attachment is not None,
            "event_url": absolute_url("events.detail", event_id=event.id),
            "feed": personal_feed_urls(person), **context})
        results.append(Rendered(body_text, body_html, (attachment,) if attachment else ()))
    return results


def send_invitation(registration: Registration) -> bool:
    """On confirmation: a METHOD:REQUEST that puts the event in the person's calendar."""
    if registration.status is not RegistrationStatus.CONFIRMED:
        return False
    return _queue(registration, REQUEST, "calendar_invitation", _l("Invitation: %(title)s"))


def withdrawal(registration: Registration, reason: str | None = None) -> dict[str, Any]:
    """What the METHOD:CANCEL of a person whose place ended carries: its note, the reason,
    and the SEQUENCE it is sent with (kept in the recipe, so that it stays the one of this
    cancellation however late it is written; a later invitation is higher).

    RFC 5546 §2.1.4: a CANCEL carries a higher SEQUENCE than what the attendee holds, so the
    event's sequence grows by one (everyone else's copy stays valid; a later update is newer)."""
    if registration.status is not RegistrationStatus.CANCELLED:
        raise ValueError("cancel the registration before sending its cancellation")
    event = registration.event
    if event.status is not EventStatus.CANCELLED:
        event.sequence += 1
        db.session.flush()
    reason = ical.clean_text(reason or registration.cancel_reason).strip()
    # Stored with the message as queued (the DESCRIPTION of its METHOD:CANCEL).
    note = (_("Your registration was withdrawn. %(reason)s", reason=reason) if reason
            else _("Your registration was withdrawn."))
    return {"note": note, "reason": reason, "sequence": event.sequence}


def send_cancellation(registration: Registration, reason: str | None = None) -> bool:
    """A person's place ended (they cancelled, or the secretariat withdrew them): a
    METHOD:CANCEL to that person, on its own. Call it after setting the registration to
    cancelled. (Registrations send it inside their cancellation email: notifications.py.)"""
    return _queue(registration, CANCEL, "calendar_cancellation", _l("Cancelled: %(title)s"),
                  **withdrawal(registration, reason), event_cancelled=False)


def bump_for_a_new_invitation(event: Event) -> None:
    """A person whose place ended (and who got a CANCEL) registers again: their new REQUEST
    must carry a higher SEQUENCE than that CANCEL, or calendars ignore it (RFC 5546 §2.1.4)."""
    event.sequence += 1
    db.session.flush()
