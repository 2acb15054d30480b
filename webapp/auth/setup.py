"""Wiring of accounts into the app: the user loader, security headers, the CSRF error page."""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError

from webapp.extensions import db, login_manager
from webapp.forms import plain_number
from webapp.models import User
from webapp.urls import LARGEST_ID

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; object-src 'none'"
)


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The user of a session, if its session version still matches (else signed out)."""
    raw_id, _, raw_version = session_id.partition(":")
    user_id, version = plain_number(raw_id, LARGEST_ID), plain_number(raw_version, LARGEST_ID)
    if user_id is None or version is None:
        return None
    user = db.session.get(User, user_id)
    if user is None or user.session_version != version or not user.is_active:
        return None
    return user


def security_headers(response):
    """Headers every answer carries: CSP without inline script, no sniffing, no framing."""
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def register(app: Flask) -> None:
    """Attach login, headers and the CSRF error page."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see that page.")
    login_manager.login_message_category = "info"
    login_manager.localize_callback = str  # the lazy message, in the page's language
    app.config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    app.config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("REMEMBER_COOKIE_SECURE", app.config.get("SESSION_COOKIE_SECURE", False))
    app.after_request(security_headers)

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        """A form sent without a valid token: explain, do not act."""
        return render_template("errors/error.html", error=exc), 400
