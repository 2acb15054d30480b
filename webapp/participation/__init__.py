"""Participation review: the matrix of who took part in what, the engagement policy, flags."""

from flask import Blueprint

from webapp.auth.access import require_secretariat_before_request

bp = Blueprint("participation", __name__, url_prefix="/participation")
bp.before_request(require_secretariat_before_request)

from webapp.participation import routes  # noqa: E402, F401 - its views join bp
