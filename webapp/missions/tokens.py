"""Signed links to a guest's personal itinerary (itsdangerous), so guests need no account.

The link carries the guest and the mission; it does not expire (a guest may open it during
the whole mission) but stops working when the guest is removed from the mission."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from webapp.extensions import db
from webapp.models import MissionGuest

SALT = "doc-itinerary"


class ItineraryLinkError(Exception):
    """A link that is not valid; the message is safe to show."""


def _serializer() -> URLSafeSerializer:
    """Its own salt, so no other signed link can be replayed as an itinerary link."""
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def itinerary_token(guest: MissionGuest) -> str:
    """The token for one guest of one mission."""
    return _serializer().dumps({"g": guest.id, "e": guest.event_id})


def read_itinerary_token(token: str) -> tuple[int, int]:
    """(guest id, event id) of a valid token, or ItineraryLinkError."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        raise ItineraryLinkError(
            _("This itinerary link is not valid. Check that you copied all of it.")
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("g"), int) \
            or not isinstance(data.get("e"), int):
        raise ItineraryLinkError(_("This itinerary link is not valid."))
    guest = db.session.get(MissionGuest, data["g"])
    if guest is None or guest.event_id != data["e"]:
        raise ItineraryLinkError(_("This itinerary link is no longer valid."))
    if guest.person.erased_at is not None:
        raise ItineraryLinkError(_("The personal data of this invitation was erased."))
    return data["g"], data["e"]
