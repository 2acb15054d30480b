"""Registrations: forum set-up, delegations, open registration, waitlist, check-in, exports."""

from flask import Blueprint

from webapp.auth.access import require_secretariat_before_request
from webapp.registrations.door_access import require_checkin_access

public_bp = Blueprint("public_registration", __name__)
delegations_bp = Blueprint("delegations", __name__)
# Check-in is the secretariat's and each forum's door staff's; the forum's set-up is the
# secretariat's, every page of it.
checkin_bp = Blueprint("checkin", __name__)
admin_bp = Blueprint("forum_admin", __name__)
admin_bp.before_request(require_secretariat_before_request)
checkin_bp.before_request(require_checkin_access)

from webapp.registrations import (  # noqa: E402, F401 - their views join the blueprints
    admin,
    answer_pages,
    checkin,
    delegations,
    door_staff,
    language_routes,
    public,
    scan_routes,
    ticket_pages,
)
