"""How a confirmed registration's ticket reaches its holder: the PNG of its QR, sent inline
beside the HTML part of the email that gives the seat (a confirmation, a promotion), the
code in the text part. Waitlisted people get theirs with their seat."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app

from webapp.mail import Attachment
from webapp.models import Registration, RegistrationStatus
from webapp.registrations.tokens import make_registration_token
from webapp.tickets import qr_png, ticket_code
from webapp.urls import absolute_url

# The emails that hand a person their seat, and so their ticket.
TICKET_TEMPLATES = frozenset({"registration_confirmed", "registration_promoted"})
TICKET_FILENAME = "ticket.png"


def has_ticket(registration: Registration) -> bool:
    """A confirmed seat has a ticket; waitlisted and cancelled registrations have none."""
    return registration.status is RegistrationStatus.CONFIRMED and bool(registration.ticket_ref)


def ticket_content_id(registration: Registration) -> str:
    """The Content-ID of the ticket's image (no angle brackets): unique per ticket, on the
    site's host."""
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"
    return f"ticket-{registration.ticket_ref}@{host}"


def ticket_for_mail(registration: Registration, template: str
                    ) -> tuple[dict | None, Attachment | None]:
    """For an email that gives a seat: the template's `ticket` (code, Content-ID, printable
    page) and the QR PNG to send inline beside the HTML part; (None, None) otherwise."""
    if template not in TICKET_TEMPLATES or not has_ticket(registration):
        return None, None
    code = ticket_code(registration.ticket_ref)
    content_id = ticket_content_id(registration)
    url = absolute_url("public_registration.ticket",
                       token=make_registration_token(registration))
    image = Attachment(TICKET_FILENAME, "image/png", qr_png(code), inline=True,
                       content_id=content_id)
    return {"code": code, "cid": content_id, "url": url}, image
