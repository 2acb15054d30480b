"""The organisers' messages to a person in their personal-data export; their name leaves
the recipient lists when they are erased."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import AttendeeMessage, Event, MessageRecipient, Person
from webapp.privacy.registry import erasure_step, export_section, plain

if TYPE_CHECKING:
    from webapp.privacy.anonymise import Erased


@export_section("messages", "Messages from the organisers")
def messages_section(person: Person) -> list[dict[str, object]]:
    """Each message written to the person: the event, subject, when, and whether it was
    sent or skipped (the copy itself is in "emails sent")."""
    rows = db.session.execute(
        sa.select(Event.title, AttendeeMessage.subject, AttendeeMessage.sent_at,
                  MessageRecipient.skip_reason)
        .join(AttendeeMessage, AttendeeMessage.id == MessageRecipient.message_id)
        .join(Event, Event.id == AttendeeMessage.event_id)
        .where(MessageRecipient.person_id == person.id)
        .order_by(AttendeeMessage.created_at, AttendeeMessage.id))
    return [{"event": event, "subject": subject, "sent_at": plain(sent_at),
             "skipped": skip_reason} for event, subject, sent_at, skip_reason in rows]


@erasure_step
def erase_recipient_names(person: Person, erased: Erased) -> None:
    """The message keeps its count of recipients, not the person's name."""
    db.session.execute(sa.update(MessageRecipient)
                       .where(MessageRecipient.person_id == person.id)
                       .values(name=erased.name))
