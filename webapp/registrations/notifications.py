"""Emails about registrations, with the signed link: queued in the caller's transaction as
mail recipes and written at delivery (webapp/mail/recipes.py), so a registration request
does not render templates or calendars.

Confirmations carry the calendar invitation (METHOD:REQUEST); the email confirming a
cancellation carries the METHOD:CANCEL for the same UID (webapp.calendars.invites), one
message rather than two. Each active registration's email gives the person's own feed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from webapp.calendars import ical
from webapp.calendars.invites import (
    CANCEL,
    REQUEST,
    invitation_attachment,
    registrations_by_id,
    withdrawal,
)
from webapp.calendars.services import personal_feed_urls
from webapp.extensions import db
from webapp.i18n import mail_language, recipient_language, registration_language
from webapp.mail.services import RecipeError, Rendered, queue_email, recipe, render_bodies
from webapp.models import Event, OutboxMessage, Registration, RegistrationStatus, utcnow
from webapp.registrations.ticket_delivery import ticket_for_mail
from webapp.registrations.tokens import make_registration_token
from webapp.text import one_line
from webapp.urls import absolute_url

RECIPE = "registration"
# Each subject names the event: "%(title)s" is its title (see _subject).
CONFIRMED_MAIL = (_l("Registration confirmed: %(title)s"), "registration_confirmed")
WAITLISTED_MAIL = (_l("On the waitlist: %(title)s"), "registration_waitlisted")
LINK_MAIL = (_l("Your registration link: %(title)s"), "registration_link")
PROMOTED_MAIL = (_l("A seat is yours: %(title)s"), "registration_promoted")
CANCELLED_MAIL = (_l("Registration cancelled: %(title)s"), "registration_cancelled")
# Anyone can post the public form with a registered person's address: they get their link
# again, but at most once in this time, so the form cannot be used to flood them.
LINK_MAIL_INTERVAL = timedelta(minutes=10)


def manage_link(registration: Registration) -> str:
    """The person's signed link to see, change or cancel the registration."""
    return absolute_url(
        "public_registration.manage", token=make_registration_token(registration)
    )


def _subject(subject: str, event: Event, language: str) -> str:
    """'Registration confirmed: CWF 2017' (one of the *_MAIL msgids, the event as %(title)s)
    in the recipient's language, whatever the page's (a secretariat member's cancellation, a
    promotion after someone else's). One line, whatever was stored (the forms refuse line
    breaks; older rows may hold one): a line break in a header would refuse the message,
    and the registration with it."""
    with mail_language(language):
        return one_line(str(subject) % {"title": event.title})


def _queue(registration: Registration, event: Event, email: str, full_name: str, subject: str,
           template: str, *, invitation: bool = False, cancel: dict | None = None) -> None:
    """Queue one registration email in the person's language (written at delivery, with the
    calendar invitation when asked and the event is in calendars, or with the CANCEL
    described by `cancel`)."""
    args = {"registration": registration.id,
            "invitation": invitation and ical.in_calendars(event)}
    if cancel is not None:
        args["cancel"] = cancel
    language = recipient_language(registration.language, event.default_language)
    queue_email(email, _subject(subject, event, language), template, args,
                to_name=one_line(full_name) or None, recipe=RECIPE, language=language)


def _mail(registration: Registration, subject: str, template: str, *,
          invitation: bool = False, cancel: dict | None = None) -> None:
    """Queue one registration email to the registered person, if they have an address."""
    person = registration.person
    if person.email:
        _queue(registration, registration.event, person.email, person.full_name, subject,
               template, invitation=invitation, cancel=cancel)


def queue_registration_mail(registration: Registration, event: Event, email: str,
                            full_name: str) -> None:
    """A new registration's confirmation (with the invitation) or waitlist email, to the
    address and name its registration already knows (no Person object to load)."""
    if registration.status is RegistrationStatus.CONFIRMED:
        _queue(registration, event, email, full_name, *CONFIRMED_MAIL, invitation=True)
    else:
        _queue(registration, event, email, full_name, *WAITLISTED_MAIL)


@recipe(RECIPE)
def render_registration_mails(batch: Sequence[dict[str, Any]]) -> list[Rendered | RecipeError]:
    """Write registration emails from the registrations' current state (a few queries per
    batch, whatever its size)."""
    registrations = registrations_by_id(args["registration"] for args in batch)
    results: list[Rendered | RecipeError] = []
    for args in batch:
        registration = registrations.get(args["registration"])
        if registration is None:
            results.append(RecipeError(f"registration {args['registration']} no longer exists"))
            continue
        # Cancelled before this was written: no REQUEST (the CANCEL follows), only the text.
        invite = args["invitation"] and registration.status is RegistrationStatus.CONFIRMED
        attachment = invitation_attachment(registration, REQUEST) if invite else None
        if cancel := args.get("cancel"):
            attachment = invitation_attachment(registration, CANCEL, cancel["note"],
                                               cancel["sequence"])
        # The seat's ticket (a confirmation, a promotion): its QR inline beside the HTML.
        ticket, ticket_image = ticket_for_mail(registration, args["template"])
        body_text, body_html = render_bodies(args["template"], {
            "registration": registration, "event": registration.event,
            "person": registration.person, "link": manage_link(registration),
            "feed": personal_feed_urls(registration.person),
            "with_calendar": attachment is not None, "ticket": ticket})
        results.append(Rendered(body_text, body_html,
                                tuple(a for a in (attachment, ticket_image) if a)))
    return results


def on_registration_confirmed(registration: Registration) -> None:
    """A seat is confirmed: email the person their confirmation and signed link."""
    _mail(registration, *CONFIRMED_MAIL, invitation=True)


def on_registration_waitlisted(registration: Registration) -> None:
    """The audience is full: tell the person they are on the waitlist, with their link."""
    _mail(registration, *WAITLISTED_MAIL)


def send_registration_link(registration: Registration) -> bool:
    """Someone posted the public form with the address of an active registration: email its
    owner their link (not the poster: the page they see says nothing of who is registered).
    False when one was queued in the last LINK_MAIL_INTERVAL and none is sent."""
    person = registration.person
    subject = _subject(LINK_MAIL[0], registration.event, registration_language(registration))
    recent = db.session.scalar(
        sa.select(OutboxMessage.id).where(
            OutboxMessage.to_address == person.email, OutboxMessage.subject == subject,
            OutboxMessage.created_at > utcnow() - LINK_MAIL_INTERVAL).limit(1))
    if recent is not None:
        return False
    _mail(registration, *LINK_MAIL)
    return True


def on_registration_promoted(registration: Registration) -> None:
    """A seat freed up for a waitlisted person: tell them it is theirs."""
    _mail(registration, *PROMOTED_MAIL, invitation=True)


def on_registration_cancelled(registration: Registration, *, held_a_seat: bool = True) -> None:
    """Confirm a cancellation to the person; if they held a seat (and so the calendar
    invitation), the same email withdraws the event from their calendar (METHOD:CANCEL,
    same UID, a higher SEQUENCE)."""
    held_an_invitation = held_a_seat and ical.in_calendars(registration.event)
    _mail(registration, *CANCELLED_MAIL,
          cancel=withdrawal(registration) if held_an_invitation else None)
