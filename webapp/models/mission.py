"""Reverse missions: the invited guests and who attends which agenda item."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.types import UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from webapp.models.event import AgendaItem, Event
    from webapp.models.people import Person


class GuestStatus(enum.StrEnum):
    """Where an invitation stands; a declined guest stays on the list."""

    INVITED = "invited"
    ACCEPTED = "accepted"
    DECLINED = "declined"

    @property
    def label(self) -> str:
        """Human wording (in the page's language)."""
        return str(_GUEST_LABELS[self])


# Lazy: translated when a page asks for a label, in that page's language.
_GUEST_LABELS = {GuestStatus.INVITED: _l("Invited"), GuestStatus.ACCEPTED: _l("Accepted"),
                 GuestStatus.DECLINED: _l("Declined")}


# Which guests attend an item whose `all_guests` is False (a parallel visit splits the group).
agenda_attendance = sa.Table(
    "agenda_attendance",
    db.metadata,
    sa.Column(
        "agenda_item_id",
        sa.ForeignKey("agenda_item.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "mission_guest_id",
        sa.ForeignKey("mission_guest.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class MissionGuest(db.Model):
    """A person invited to a reverse mission, with their answer and their stay."""

    __tablename__ = "mission_guest"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    status: Mapped[GuestStatus] = mapped_column(
        str_enum(GuestStatus, "guest_status"), default=GuestStatus.INVITED
    )
    # The guest's stay; items outside it are flagged. Unknown until the guest says.
    arrives_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    departs_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What the guest wants the hosts to know (dietary needs, access needs); shown to planners.
    note: Mapped[str | None] = mapped_column(sa.Text)
    # When the answer (status, stay or note) was last given, and whether the guest gave it
    # through their signed link rather than an organiser recording it.
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_guest: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Made-up guests of the seeded example agenda, never real people.
    is_illustrative: Mapped[bool] = mapped_column(default=False)
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship(back_populates="guests")
    person: Mapped[Person] = relationship()
    selected_items: Mapped[list[AgendaItem]] = relationship(
        secondary=agenda_attendance, back_populates="selected_guests"
    )

    __table_args__ = (
        sa.UniqueConstraint("event_id", "person_id"),
        sa.CheckConstraint(
            "arrives_at IS NULL OR departs_at IS NULL OR departs_at > arrives_at",
            name="departs_after_arrival",
        ),
    )

    @property
    def is_attending(self) -> bool:
        """Invited or accepted guests are planned for; declined ones are not."""
        return self.status is not GuestStatus.DECLINED

    def __repr__(self) -> str:
        return f"<MissionGuest {self.id} event={self.event_id} person={self.person_id}>"
