"""Access control in one place: role checks, region checks and safe redirects."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from flask import abort, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp.extensions import login_manager
from webapp.models import Role

ROLE_WORDS = {Role.SECRETARIAT: _l("the secretariat"),
              Role.COORDINATOR: _l("the regions' coordinators"),
              Role.PARTICIPANT: _l("participants"), Role.DOOR_STAFF: _l("door staff")}


def _only_for(roles) -> str:
    """'This page is for the secretariat.' (or whichever roles may open it)."""
    words = [str(ROLE_WORDS[role]) for role in roles]
    joined = words[0] if words else ""
    for more in words[1:]:
        joined = _("%(first)s and %(second)s", first=joined, second=more)
    return _("This page is for %(roles)s.", roles=joined)


def require_role(*roles: Role) -> Callable:
    """View decorator: anonymous → the login page; signed in without the role → 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if roles and current_user.role not in roles:
                abort(403, description=_only_for(roles))
            return view(*args, **kwargs)

        return wrapped

    return decorator


def require_login(view: Callable) -> Callable:
    """View decorator: any signed-in user."""
    return require_role()(view)


def require_secretariat_before_request() -> None:
    """Blueprint guard (before_request) for secretariat-only areas."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.role is not Role.SECRETARIAT:
        abort(403, description=_only_for((Role.SECRETARIAT,)))
    return None


def require_region(region_id: int) -> None:
    """Abort 403 unless the user is the secretariat or a coordinator of that region."""
    if not current_user.is_authenticated:
        abort(401)
    if not (current_user.is_secretariat or current_user.coordinates(region_id)):
        abort(403, description=_("This page belongs to another region: a coordinator sees "
                                 "and changes their own region's delegations and pages "
                                 "only."))


def is_safe_next(target: str | None) -> bool:
    """Only same-site paths: no scheme, no host, no protocol-relative or backslash tricks."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and "\\" not in target and "\n" not in target


def safe_next(default: str) -> str:
    """The `next` parameter when it is safe, else `default`."""
    target = request.values.get("next")
    return target if is_safe_next(target) else default
