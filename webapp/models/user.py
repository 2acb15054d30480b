"""Accounts, login throttling records and the audit log."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.extensions import db
from webapp.models.types import UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from webapp.models.region import Region


class Role(enum.StrEnum):
    """What a user may see and change."""

    SECRETARIAT = "secretariat"
    COORDINATOR = "coordinator"
    PARTICIPANT = "participant"
    # Checks people in at the forums the secretariat names (models/door.py), nothing else.
    DOOR_STAFF = "door_staff"

    @property
    def label(self) -> str:
        """Human wording ('Door staff', in the page's language)."""
        return str(_ROLE_LABELS[self])


# Lazy: translated when a page asks for a label, in that page's language.
_ROLE_LABELS = {Role.SECRETARIAT: _l("Secretariat"), Role.COORDINATOR: _l("Coordinator"),
                Role.PARTICIPANT: _l("Participant"), Role.DOOR_STAFF: _l("Door staff")}


class User(UserMixin, db.Model):
    """Someone who signs in: the secretariat, a region's coordinator, a participant, or door
    staff."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(200))
    # None until the invitation is accepted: such an account cannot sign in.
    password_hash: Mapped[str | None] = mapped_column(sa.String(300))
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"))
    region_id: Mapped[int | None] = mapped_column(sa.ForeignKey("region.id"), index=True)
    is_enabled: Mapped[bool] = mapped_column(default=True)
    # Part of the login session's id: bumping it signs out every session and remember-cookie.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    region: Mapped[Region | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint(
            "role <> 'coordinator' OR region_id IS NOT NULL", name="coordinator_has_region"
        ),
    )

    @validates("email")
    def _normalise_email(self, _key: str, value: str) -> str:
        """Emails compare case-insensitively."""
        return value.strip().lower()

    @property
    def is_active(self) -> bool:
        """Flask-Login refuses disabled accounts and accounts without a password."""
        return self.is_enabled and self.password_hash is not None

    def get_id(self) -> str:
        """Session id carrying the session version, so old sessions stop matching."""
        return f"{self.id}:{self.session_version}"

    def set_password(self, password: str) -> None:
        """Hash (scrypt) and store a new password; every other session is signed out."""
        self.password_hash = generate_password_hash(password, method="scrypt")
        self.session_version = (self.session_version or 0) + 1
        self.password_changed_at = utcnow()

    def check_password(self, password: str) -> bool:
        """Whether `password` is this user's password."""
        return self.password_hash is not None and check_password_hash(self.password_hash, password)

    @property
    def is_secretariat(self) -> bool:
        """Runs the network."""
        return self.role is Role.SECRETARIAT

    def coordinates(self, region_id: int | None) -> bool:
        """Whether this user is a coordinator of that region."""
        return (
            self.role is Role.COORDINATOR and region_id is not None and self.region_id == region_id
        )

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class LoginThrottle(db.Model):
    """Sign-in tries in the current window, per email and per address ('email:…',
    'address:…'), counted by one atomic upsert before the password is checked (auth/throttle)."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(sa.String(300), primary_key=True)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(sa.Integer)

    __table_args__ = (sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),)


class AuditEntry(db.Model):
    """Who changed what, and when, for sensitive actions."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(80), index=True)
    target_type: Mapped[str] = mapped_column(sa.String(40))
    target_id: Mapped[int | None] = mapped_column(sa.Integer)
    summary: Mapped[str] = mapped_column(sa.Text)
    ip_address: Mapped[str | None] = mapped_column(sa.String(64))

    actor: Mapped[User | None] = relationship()
