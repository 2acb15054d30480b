"""Who may use a forum's check-in: the secretariat, and the door staff it names for that forum
(models/door.py). Door staff get nothing else: every other page keeps its own rule."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp.extensions import db, login_manager
from webapp.models import DoorStaff, Registration, User

NOT_YOURS = _l("Check-in at this forum is for the secretariat and the door staff it names for "
               "this forum.")


def checkin_event_id() -> int | None:
    """The forum a check-in request is about: its event id, or a registration's event."""
    args = request.view_args or {}
    if "event_id" in args:
        return args["event_id"]
    if "registration_id" in args:
        return db.session.scalar(sa.select(Registration.event_id)
                                 .where(Registration.id == args["registration_id"]))
    return None


def is_door_staff(user: User, event_id: int | None) -> bool:
    """Whether the account may check people in at this forum as its door staff."""
    return event_id is not None and db.session.scalar(
        sa.select(DoorStaff.id).where(DoorStaff.event_id == event_id,
                                      DoorStaff.user_id == user.id)) is not None


def require_checkin_access() -> None:
    """Blueprint guard (before_request) of the check-in pages: anonymous → sign-in; the
    secretariat everywhere; door staff at their own forums only (403 elsewhere)."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.is_secretariat:
        return None
    if not is_door_staff(current_user, checkin_event_id()):
        abort(403, description=str(NOT_YOURS))
    return None
