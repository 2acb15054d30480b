"""Signed, expiring, single-use links for invitations and password resets (itsdangerous)."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from webapp.extensions import db
from webapp.models import User

INVITATION = "invitation"
PASSWORD_RESET = "password-reset"  # noqa: S105 - a salt name, not a password
MAX_AGE = {INVITATION: 7 * 24 * 3600, PASSWORD_RESET: 3600}


class TokenError(Exception):
    """A link that is invalid, expired or already used; the message is safe to show."""


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    """One salt per purpose, so an invitation link cannot be used as a reset link."""
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"doc-{purpose}")


def make_token(user: User, purpose: str) -> str:
    """A link token bound to the user's current session version (changes once it is used)."""
    return _serializer(purpose).dumps({"uid": user.id, "v": user.session_version})


def read_token(token: str, purpose: str) -> User:
    """The user a valid, unexpired, unused token belongs to, or TokenError."""
    try:
        data = _serializer(purpose).loads(token, max_age=MAX_AGE[purpose])
    except SignatureExpired:
        raise TokenError(_("This link has expired. Ask for a new one.")) from None
    except BadSignature:
        raise TokenError(_("This link is not valid. Check that you copied all of it.")) from None
    user = db.session.get(User, data.get("uid"))
    # Setting a password bumps session_version, so a used link stops matching: single use.
    if user is None or not user.is_enabled or user.session_version != data.get("v"):
        raise TokenError(_("This link has already been used or is no longer valid."))
    return user
