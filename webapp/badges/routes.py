"""Badge PDFs: the secretariat prints any forum's (all of it or one audience); a region's
coordinator prints their own delegation's, and each of its delegates'."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.auth.access import require_region, require_role
from webapp.badges import bp
from webapp.badges.data import badge_for, delegation_badges, forum_badges, header_for
from webapp.badges.layout import LAYOUTS, badges_pdf
from webapp.loaders import get_forum_event, get_quota_region, get_registration
from webapp.models import RegistrationStatus, Role
from webapp.pdf import pdf_response
from webapp.registrations.common import audience_labels

staff_only = require_role(Role.SECRETARIAT, Role.COORDINATOR)


def _layout() -> str:
    """'a6' (one badge a page) or 'a4' (four to a sheet); anything else reads as 'a6'."""
    layout = request.args.get("layout", "a6")
    return layout if layout in LAYOUTS else "a6"


def _nobody(back: str):
    """Back to the list with a word, rather than an empty PDF."""
    flash(_("Nobody to print: badges are printed for confirmed registrations only."), "info")
    return redirect(back)


@bp.get("/events/<int:event_id>/badges.pdf")
@require_role(Role.SECRETARIAT)
def forum_badges_pdf(event_id: int):
    """Badges of every confirmed registration of a forum, or of one audience (?audience=)."""
    event = get_forum_event(event_id)
    audience = request.args.get("audience", "")
    if audience and audience not in audience_labels(event):
        abort(404, description=f"{event.title} has no audience “{audience[:40]}”.")
    badges = forum_badges(event, audience)
    if not badges:
        return _nobody(url_for("forum_admin.attendees", event_id=event.id))
    layout = _layout()
    name = f"{event.slug}{'-' + audience if audience else ''}-badges-{layout}.pdf"
    return pdf_response(lambda: badges_pdf(header_for(event), badges, layout), name)


@bp.get("/events/<int:event_id>/delegations/<slug>/badges.pdf")
@staff_only
def delegation_badges_pdf(event_id: int, slug: str):
    """Badges of a delegation's confirmed delegates (its region's coordinator, or the
    secretariat)."""
    event, region = get_forum_event(event_id), get_quota_region(slug)
    require_region(region.id)
    badges = delegation_badges(event, region.id)
    if not badges:
        return _nobody(url_for("delegations.delegation", event_id=event.id, slug=region.slug))
    layout = _layout()
    return pdf_response(lambda: badges_pdf(header_for(event), badges, layout),
                        f"{event.slug}-{region.slug}-badges-{layout}.pdf")


@bp.get("/registrations/<int:registration_id>/badge.pdf")
@staff_only
def person_badge_pdf(registration_id: int):
    """One person's badge: a delegate's for their region's coordinator, anyone's for the
    secretariat."""
    registration = get_registration(registration_id)
    if registration.delegation is not None:
        require_region(registration.delegation.region_id)
    elif not current_user.is_secretariat:
        abort(403, description="This person is not in a delegation: the secretariat prints "
                               "their badge.")
    if registration.status is not RegistrationStatus.CONFIRMED:
        abort(404, description=f"{registration.name}'s registration is "
                               f"{registration.status_label.lower()}: badges are printed for "
                               "confirmed registrations only.")
    event, layout = registration.event, _layout()
    badge = badge_for(registration, audience_labels(event, one_person=True))
    return pdf_response(lambda: badges_pdf(header_for(event), [badge], layout),
                        f"{event.slug}-badge-{registration.id}-{layout}.pdf")
