"""A confirmed registration's ticket on the web: its QR on the signed registration page and
a printable ticket page (the email's copy: ticket_delivery.py)."""

from __future__ import annotations

from flask import render_template
from markupsafe import Markup

from webapp.models import Registration
from webapp.registrations import public_bp as bp
from webapp.registrations.common import audience_labels
from webapp.registrations.public import _registration_or_error
from webapp.registrations.ticket_delivery import has_ticket
from webapp.tickets import qr_svg, ticket_code


@bp.app_template_global()
def ticket_svg(registration: Registration) -> Markup:
    """The ticket's QR as inline SVG (segno writes only paths and our fixed title; the code
    holds URL-safe characters only)."""
    svg = qr_svg(ticket_code(registration.ticket_ref), scale=5)
    return Markup(svg)  # noqa: S704 - drawn here from a signed code, no one's text in it


@bp.app_template_global()
def ticket_valid(registration: Registration) -> bool:
    """Whether the registration's ticket admits its holder (a confirmed seat)."""
    return has_ticket(registration)


@bp.get("/registration/<token>/ticket")
def ticket(token: str):
    """The printable ticket: name, forum, dates, place, audience and the QR (or why there is
    no valid ticket)."""
    registration, error = _registration_or_error(token)
    if error:
        return error
    return render_template(
        "registrations/ticket.html", registration=registration, event=registration.event,
        token=token, labels=audience_labels(registration.event, one_person=True),
        valid=has_ticket(registration))
