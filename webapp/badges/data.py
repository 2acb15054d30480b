"""Who gets a badge and what it says: confirmed registrations only, read in one joined
query (person, delegation, regions) whatever their number."""

from __future__ import annotations

import sqlalchemy as sa

from webapp.badges.layout import Badge, BadgeHeader, clean_badge
from webapp.extensions import db
from webapp.filters import event_dates
from webapp.models import Delegation, Event, Registration, RegistrationStatus
from webapp.registrations.common import audience_labels
from webapp.registrations.lists import AttendeeFilters, attendee_query, attendee_region
from webapp.tickets import qr_png, ticket_code

# Any fixed mask reads the same; it spares choosing the best of eight for each badge.
QR_MASK = 2
CONFIRMED = RegistrationStatus.CONFIRMED.value


def header_for(event: Event) -> BadgeHeader:
    """The forum, its dates and its place, as every badge shows them on top."""
    return BadgeHeader(event.title, f"{event_dates(event)} · {event.place}")


def badge_for(registration: Registration, labels: dict[str, str]) -> Badge:
    """One registration's badge (its own name and organisation entry, its delegation's
    region, the label of one person of its audience, its ticket's QR)."""
    code = ticket_code(registration.ticket_ref) if registration.ticket_ref else ""
    return clean_badge(registration.name, registration.organisation,
                       attendee_region(registration),
                       labels.get(registration.audience, registration.audience), code,
                       qr_png(code, mask=QR_MASK) if code else b"")


def _badges(event: Event, query: sa.Select) -> list[Badge]:
    """The badges of the registrations a query selects, in name order."""
    labels = audience_labels(event, one_person=True)
    rows = db.session.scalars(query.order_by(Registration.name, Registration.id)).all()
    return [badge_for(registration, labels) for registration in rows]


def forum_badges(event: Event, audience: str = "") -> list[Badge]:
    """Every confirmed registration of the forum, or of one audience of it."""
    return _badges(event, attendee_query(event.id, AttendeeFilters(audience=audience,
                                                                   status=CONFIRMED)))


def delegation_badges(event: Event, region_id: int) -> list[Badge]:
    """The confirmed delegates of a region's delegation to the forum."""
    query = attendee_query(event.id, AttendeeFilters(status=CONFIRMED))
    return _badges(event, query.where(Delegation.region_id == region_id))
