"""Accounts: sign-in, roles, invitations, password resets, user administration, audit log."""

from flask import Blueprint

from webapp.auth.access import require_secretariat_before_request

bp = Blueprint("auth", __name__)
# User administration: the secretariat's, every page of it.
admin_bp = Blueprint("users_admin", __name__, url_prefix="/admin")
admin_bp.before_request(require_secretariat_before_request)

from webapp.auth import admin, routes  # noqa: E402, F401 - their views join bp and admin_bp
