"""Account workflows: sign-in with throttling, invitations, resets, role changes, audit."""

from __future__ import annotations

import sqlalchemy as sa
from flask import has_request_context, request
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.auth.throttle import address_key, count_try, email_key, forget, take_back
from webapp.auth.tokens import INVITATION, PASSWORD_RESET, make_token
from webapp.extensions import db
from webapp.mail import queue_email
from webapp.models import AuditEntry, Region, Role, User, utcnow
from webapp.text import one_line
from webapp.urls import absolute_url

MAX_FAILURES_PER_EMAIL = 5
MAX_FAILURES_PER_ADDRESS = 20
MIN_PASSWORD_LENGTH = 10
_DUMMY_HASH: str | None = None


class ThrottledError(Exception):
    """Too many recent tries for this email or address."""


def client_address() -> str:
    """The requesting address (behind a proxy, configure ProxyFix so this is the client)."""
    return (request.remote_addr or "unknown") if has_request_context() else "cli"


def _dummy_hash() -> str:
    """A real scrypt hash to check against for unknown emails, so timing does not tell."""
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")
    return _DUMMY_HASH


def count_sign_in_try(email: str) -> None:
    """Count a sign-in try for the email and the client's address before its password is
    checked (the caller commits, so that parallel tries see it); raises ThrottledError, the
    try taken back, when either is over its limit."""
    account, address = email_key(email.strip().lower()), address_key(client_address())
    # The address counts only tries its account's limit lets through: otherwise a burst
    # against one account would, for a moment, lock the address for that account's own
    # tries within its limit.
    if count_try(account) > MAX_FAILURES_PER_EMAIL:
        take_back([account])
        raise ThrottledError
    if count_try(address) > MAX_FAILURES_PER_ADDRESS:
        take_back([account, address])
        raise ThrottledError


def authenticate(email: str, password: str) -> User | None:
    """The user for a correct email and password, or None. Call count_sign_in_try first: a
    wrong password leaves the try counted; a right one starts the account afresh and takes
    the address's try back. Unknown and known emails cost the same (one scrypt check)."""
    email = email.strip().lower()
    user = db.session.scalars(sa.select(User).where(User.email == email)).one_or_none()
    if user is not None and user.password_hash is not None:
        ok = check_password_hash(user.password_hash, password)
    else:
        check_password_hash(_dummy_hash(), password)
        ok = False
    if not ok or not user.is_active:
        return None
    user.last_login_at = utcnow()
    forget(email_key(email))
    take_back([address_key(client_address())])
    return user


def end_sessions(user: User) -> None:
    """Sign the user out server-side: every session and remember-me cookie of theirs stops
    matching (a copied cookie included)."""
    user.session_version = (user.session_version or 0) + 1


def record_audit(actor: User | None, action: str, target: object, summary: str) -> AuditEntry:
    """Add an audit entry for a sensitive action (in the caller's transaction)."""
    entry = AuditEntry(
        actor_id=actor.id if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=type(target).__tablename__,
        target_id=getattr(target, "id", None),
        summary=summary,
        ip_address=client_address() if has_request_context() else None,
    )
    db.session.add(entry)
    return entry


def describe(role: Role, region: Region | None) -> str:
    """'coordinator of Flanders', 'secretariat', 'door staff' (in the current language)."""
    words = role.label.lower()
    if role is Role.COORDINATOR and region:
        return _("%(role)s of %(region)s", role=words, region=region.name)
    return words


def invite_user(
    actor: User | None, email: str, full_name: str, role: Role, region: Region | None
) -> User:
    """Create an account without a password and email a signed link to set one."""
    user = User(email=email, full_name=full_name.strip(), role=role,
                region_id=region.id if region and role is Role.COORDINATOR else None)
    db.session.add(user)
    db.session.flush()
    send_invitation(user)
    with force_locale("en"):  # the audit log keeps one language
        record_audit(actor, "user.invited", user,
                     f"Invited {user.email} as {describe(role, region)}")
    return user


def send_invitation(user: User) -> None:
    """Queue (or re-queue) the invitation email with a fresh link."""
    link = absolute_url("auth.accept_invitation", token=make_token(user, INVITATION))
    with force_locale("en"):  # the invitation is written in English (no language chosen yet)
        role = describe(user.role, user.region)
    queue_email(user.email, _l("Your Districts of Creativity account"), "invitation",
                {"user": user, "link": link, "role": role},
                to_name=one_line(user.full_name))


def request_password_reset(email: str) -> None:
    """Email a reset link when the account exists; say nothing either way (no enumeration)."""
    user = db.session.scalars(
        sa.select(User).where(User.email == email.strip().lower())
    ).one_or_none()
    if user is None or not user.is_active:
        return
    link = absolute_url("auth.reset_password", token=make_token(user, PASSWORD_RESET))
    queue_email(user.email, _l("Reset your Districts of Creativity password"),
                "password_reset",
                {"user": user, "link": link}, to_name=one_line(user.full_name))


def set_new_password(user: User, password: str, action: str) -> None:
    """Store a new password (signing out other sessions) and audit it."""
    user.set_password(password)
    record_audit(user, action, user, f"Password set for {user.email}")


def update_account(actor: User, user: User, role: Role, region: Region | None,
                   enabled: bool) -> list[str]:
    """Change a user's role, region or enabled state; every change is audited. Returns them."""
    with force_locale("en"):  # the changes are audited, in the audit log's one language
        return _update_account(actor, user, role, region, enabled)


def _update_account(actor: User, user: User, role: Role, region: Region | None,
                    enabled: bool) -> list[str]:
    """update_account's work (in English)."""
    changes = []
    new_region_id = region.id if region and role is Role.COORDINATOR else None
    if (role, new_region_id) != (user.role, user.region_id):
        before = describe(user.role, user.region)
        user.role, user.region_id = role, new_region_id
        user.region = region if new_region_id else None
        changes.append(f"role {before} → {describe(role, region)}")
    if enabled != user.is_enabled:
        user.is_enabled = enabled
        changes.append("reactivated" if enabled else "deactivated")
        if not enabled:
            end_sessions(user)
    if changes:
        action = "user.role_changed" if changes[0].startswith("role") else "user.status_changed"
        record_audit(actor, action, user, f"{user.email}: " + "; ".join(changes))
    return changes
