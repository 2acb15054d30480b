"""The pages of personal data: the public notice, a person's own data from their signed
link or account (view, download, consents, erasure request), and the secretariat's notice
editor and erasure requests.

Apart from `privacy` (the services, below the features), so that the registration pages can
give consents through `privacy` while these pages read the registrations' signed links."""

from flask import Blueprint

from webapp.auth.access import require_secretariat_before_request

bp = Blueprint("privacy", __name__)
admin_bp = Blueprint("privacy_admin", __name__, url_prefix="/admin/privacy")
# The requests name people who asked to be forgotten: the secretariat's only.
admin_bp.before_request(require_secretariat_before_request)

from webapp.privacy_pages import admin, person  # noqa: E402, F401 - their views join the bps
