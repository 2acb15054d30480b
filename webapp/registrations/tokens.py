"""Signed links that let a person see, change or cancel their registration without an account."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from webapp.extensions import db
from webapp.models import Registration

PURPOSE = "doc-registration"


class RegistrationLinkError(Exception):
    """A link that is not (or no longer) valid; the message is safe to show."""


def _serializer() -> URLSafeSerializer:
    """Its own salt, so that no other signed value of the app can pass for this link."""
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=PURPOSE)


def make_registration_token(registration: Registration) -> str:
    """A token naming the registration and its person (both must still match)."""
    return _serializer().dumps({"rid": registration.id, "pid": registration.person_id})


def read_registration_token(token: str) -> Registration:
    """The registration a valid token names, or RegistrationLinkError."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        raise RegistrationLinkError(
            "This link is not valid. Check that you copied all of it from the email."
        ) from None
    registration = db.session.get(Registration, data.get("rid")) if isinstance(data, dict) else None
    if registration is None or registration.person_id != data.get("pid"):
        raise RegistrationLinkError("This link does not match any registration.")
    return registration
