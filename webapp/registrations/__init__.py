"""Registrations: forum set-up, delegations, open registration, waitlist, check-in, exports."""

from flask import Blueprint

from webapp.auth.access import require_secretariat_before_request

public_bp = Blueprint("public_registration", __name__)
delegations_bp = Blueprint("delegations", __name__)
# Check-in and the forum's set-up are the secretariat's, every page of them.
checkin_bp = Blueprint("checkin", __name__)
checkin_bp.before_request(require_secretariat_before_request)
admin_bp = Blueprint("forum_admin", __name__)
admin_bp.before_request(require_secretariat_before_request)

from webapp.registrations import (  # noqa: E402, F401 - their views join the blueprints
    admin,
    answer_pages,
    checkin,
    delegations,
    public,
)
