"""Emails about registrations, queued in the caller's transaction, with the signed link.

Confirmations carry the calendar invitation (METHOD:REQUEST); a cancellation is followed by
the METHOD:CANCEL for the same UID (webapp.calendars.invites)."""

from __future__ import annotations

from webapp.calendars.invites import invitation_attachment, send_cancellation
from webapp.mail import Attachment, queue_email
from webapp.models import Registration
from webapp.registrations.tokens import make_registration_token
from webapp.urls import absolute_url


def manage_link(registration: Registration) -> str:
    """The person's signed link to see, change or cancel the registration."""
    return absolute_url(
        "public_registration.manage", token=make_registration_token(registration)
    )


def _mail(registration: Registration, subject: str, template: str,
          attachments: tuple[Attachment, ...] = ()) -> None:
    """Queue one of the registration emails to the registered person."""
    person = registration.person
    if not person.email:
        return
    queue_email(
        person.email,
        f"{subject}: {registration.event.title}",
        template,
        {"registration": registration, "event": registration.event, "person": person,
         "link": manage_link(registration)},
        to_name=person.full_name.replace("\r", " ").replace("\n", " "),
        attachments=attachments,
    )


def _calendar_invitation(registration: Registration) -> tuple[Attachment, ...]:
    """The METHOD:REQUEST that puts the event in the person's calendar, when it can."""
    attachment = invitation_attachment(registration)
    return (attachment,) if attachment else ()


def on_registration_confirmed(registration: Registration) -> None:
    """A seat is confirmed: email the person their confirmation and signed link."""
    _mail(registration, "Registration confirmed", "registration_confirmed",
          _calendar_invitation(registration))


def on_registration_waitlisted(registration: Registration) -> None:
    """The audience is full: tell the person they are on the waitlist, with their link."""
    _mail(registration, "On the waitlist", "registration_waitlisted")


def on_registration_promoted(registration: Registration) -> None:
    """A seat freed up for a waitlisted person: tell them it is theirs."""
    _mail(registration, "A seat is yours", "registration_promoted",
          _calendar_invitation(registration))


def on_registration_cancelled(registration: Registration, *, held_a_seat: bool = True) -> None:
    """Confirm a cancellation to the person; if they held a seat (and so the calendar
    invitation), also withdraw the event from their calendar (METHOD:CANCEL, same UID)."""
    _mail(registration, "Registration cancelled", "registration_cancelled")
    if held_a_seat:
        send_cancellation(registration)
