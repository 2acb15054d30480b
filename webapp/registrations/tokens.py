"""Signed links that let a person see, change or cancel their registration without an account."""

from __future__ import annotations

import functools

from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

from webapp.extensions import db
from webapp.models import Registration
from webapp.registrations.language import follow_registration_language

PURPOSE = "doc-registration"
RECEIPT_PURPOSE = "doc-registration-receipt"
RECEIPT_MAX_AGE = 3600  # seconds: the page right after the form, not a link to keep


class RegistrationLinkError(Exception):
    """A link that is not (or no longer) valid; the message is safe to show."""


def _serializer() -> URLSafeSerializer:
    """Its own salt, so that no other signed value of the app can pass for this link."""
    return _link_serializer(current_app.config["SECRET_KEY"])


@functools.lru_cache(maxsize=4)
def _link_serializer(secret_key: str | bytes) -> URLSafeSerializer:
    """One serializer per key (the mail worker signs a link for every message it writes)."""
    return URLSafeSerializer(secret_key, salt=PURPOSE)


def make_registration_token(registration: Registration) -> str:
    """A token naming the registration and its person (both must still match)."""
    return _serializer().dumps({"rid": registration.id, "pid": registration.person_id})


def read_registration_token(token: str) -> Registration:
    """The registration a valid token names, or RegistrationLinkError."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        raise RegistrationLinkError(
            _("This link is not valid. Check that you copied all of it from the email.")
        ) from None
    registration = db.session.get(Registration, data.get("rid")) if isinstance(data, dict) else None
    if registration is None or registration.person_id != data.get("pid"):
        raise RegistrationLinkError(_("This link does not match any registration."))
    if registration.person.erased_at is not None:
        raise RegistrationLinkError(_(
            "The personal data of this registration was erased on %(day)s: we hold nothing "
            "about you under it.", day=format_date(registration.person.erased_at, "d MMMM y")))
    # Every page of the link (registration, ticket, answers, personal data, visa details) is
    # written in the person's language; a ?lang= on it is kept as their choice.
    follow_registration_language(registration)
    return registration


@functools.lru_cache(maxsize=4)
def _receipt_serializer(secret_key: str | bytes) -> URLSafeTimedSerializer:
    """One serializer per key, as for the links."""
    return URLSafeTimedSerializer(secret_key, salt=RECEIPT_PURPOSE)


def make_receipt(event_id: int, email: str) -> str:
    """The short-lived reference the form redirects to: which address to tell the person to
    check, without writing the session cookie (the form's post leaves the session alone).
    It names the address as typed, never a registration: the page is the same whether or
    not the address was registered before."""
    return _receipt_serializer(current_app.config["SECRET_KEY"]).dumps([event_id, email])


def read_receipt(receipt: str, event_id: int) -> str:
    """The address of a receipt for this event signed in the last hour, or
    RegistrationLinkError."""
    try:
        value = _receipt_serializer(current_app.config["SECRET_KEY"]).loads(
            receipt, max_age=RECEIPT_MAX_AGE)
    except SignatureExpired:
        raise RegistrationLinkError(_(
            "This page was only shown right after registering. The email we sent has your "
            "personal link.")
        ) from None
    except BadSignature:
        raise RegistrationLinkError(_("This page does not exist.")) from None
    if not (isinstance(value, list) and len(value) == 2 and value[0] == event_id
            and isinstance(value[1], str)):
        raise RegistrationLinkError(_("This page does not exist."))
    return value[1]
