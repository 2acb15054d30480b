"""Emails about registrations, queued in the caller's transaction, with the signed link.

The calendar invitations (another branch) hook in here: see the `# lead:` comments."""

from __future__ import annotations

from flask import current_app, has_request_context, url_for

from webapp.mail import queue_email
from webapp.models import Registration
from webapp.registrations.tokens import make_registration_token


def absolute_link(endpoint: str, **values) -> str:
    """An absolute URL on BASE_URL, inside or outside a request (CLI, tests, services)."""
    if has_request_context():
        path = url_for(endpoint, **values)
    else:
        path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["BASE_URL"] + path


def manage_link(registration: Registration) -> str:
    """The person's signed link to see, change or cancel the registration."""
    return absolute_link(
        "public_registration.manage", token=make_registration_token(registration)
    )


def _mail(registration: Registration, subject: str, template: str) -> None:
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
    )


def on_registration_confirmed(registration: Registration) -> None:
    """A seat is confirmed: email the person their confirmation and signed link."""
    _mail(registration, "Registration confirmed", "registration_confirmed")
    # lead: also send the calendar invitation here (calendars.invites.send_invitation).


def on_registration_waitlisted(registration: Registration) -> None:
    """The audience is full: tell the person they are on the waitlist, with their link."""
    _mail(registration, "On the waitlist", "registration_waitlisted")


def on_registration_promoted(registration: Registration) -> None:
    """A seat freed up for a waitlisted person: tell them it is theirs."""
    _mail(registration, "A seat is yours", "registration_promoted")
    # lead: also send the calendar invitation here (calendars.invites.send_invitation).


def on_registration_cancelled(registration: Registration) -> None:
    """Confirm a cancellation to the person."""
    _mail(registration, "Registration cancelled", "registration_cancelled")
    # lead: also send the calendar cancellation here (calendars.invites.send_cancellation).
