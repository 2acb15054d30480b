"""The secretariat's outbox page: what was sent, what waits, what failed and why.

A page of its own beside `mail` (the outbox and its delivery), so that `mail` depends on no
access rules and `auth` can queue its invitations through it."""

from flask import Blueprint

from webapp.auth.access import require_secretariat_before_request

bp = Blueprint("mail_admin", __name__, url_prefix="/admin/mail")
# Only the network secretariat may read the outbox: it holds everyone's mail.
bp.before_request(require_secretariat_before_request)

from webapp.mail_admin import routes  # noqa: E402, F401 - its views join bp
