"""People: delegates, guests, representatives and (later) users."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from webapp.extensions import db
from webapp.models.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from webapp.models.region import Region


def new_calendar_token() -> str:
    """An unguessable token for a person's private calendar URL (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


class Person(db.Model):
    """A human being the network deals with; the email, when known, identifies them."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str | None] = mapped_column(sa.String(254), unique=True)
    organisation: Mapped[str | None] = mapped_column(sa.String(200))
    job_title: Mapped[str | None] = mapped_column(sa.String(200))
    # Indexed only where set (below): people who register themselves have no region.
    region_id: Mapped[int | None] = mapped_column(sa.ForeignKey("region.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The secret in the person's calendar feed URL; replacing it revokes the old URL.
    calendar_token: Mapped[str] = mapped_column(
        sa.String(64), unique=True, index=True, default=new_calendar_token
    )
    # When the person's data was anonymised (webapp.privacy); their signed links then say so.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    region: Mapped[Region | None] = relationship(back_populates="people")

    __table_args__ = (
        sa.CheckConstraint("length(trim(full_name)) > 0", name="name_not_blank"),
        sa.Index("ix_person_region_id", "region_id",
                 sqlite_where=sa.text("region_id IS NOT NULL"),
                 postgresql_where=sa.text("region_id IS NOT NULL")),
    )

    @validates("email")
    def _normalise_email(self, _key: str, value: str | None) -> str | None:
        """Emails compare case-insensitively, so they are stored lower-cased and trimmed."""
        return value.strip().lower() if value else None

    def __repr__(self) -> str:
        return f"<Person {self.id} {self.full_name!r}>"
