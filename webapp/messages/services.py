"""Messages to attendees: preview one filled message, send once to everyone selected
(through the outbox, each person at most once per message), and count deliveries.

The outbox rows hold a recipe (messages/writer.py): delivery writes each person's text from
the message and their registration or guest row, so a send to thousands is a few inserts."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from webapp.auth.services import record_audit
from webapp.extensions import db
from webapp.i18n import recipient_language
from webapp.mail import Email, queue_emails_with_ids
from webapp.mail.services import checked_address
from webapp.messages.placeholders import fill
from webapp.messages.selections import Recipient, Selection, recipients
from webapp.messages.writer import RECIPE, write_texts
from webapp.models import (
    AttendeeMessage,
    Event,
    MessageRecipient,
    MessageScope,
    OutboxMessage,
    OutboxStatus,
    Registration,
    User,
    utcnow,
)
from webapp.text import one_line

NO_ADDRESS = "no email address"
SUBJECT_LENGTH = 300


@dataclass(frozen=True)
class Composition:
    """What the compose form holds: to whom (a selection and its argument) and what."""

    event: Event
    scope: MessageScope
    selection: Selection
    argument: str | None
    subject: str
    body: str

    @property
    def words(self) -> str:
        """The selection in words ('Confirmed in the audience: Guests')."""
        return self.selection.words(self.event, self.argument)


@dataclass(frozen=True)
class Filled:
    """One person's message as it will be sent."""

    to_name: str
    to_address: str
    subject: str
    body: str


@dataclass(frozen=True)
class Preview:
    """How many the selection holds, how many of them have no usable address, and the
    message of the first one who has."""

    total: int
    skipped: int
    first: Filled | None

    @property
    def sendable(self) -> int:
        """People the message will be queued for."""
        return self.total - self.skipped


def address_problem(email: str | None) -> str | None:
    """Why the outbox cannot take this address, or None."""
    if not email:
        return NO_ADDRESS
    try:
        checked_address(email)
    except ValueError:
        return "an address the outbox refuses"
    return None


def subject_for(subject: str, event: Event, name: str) -> str:
    """The subject for one person: placeholders filled, then on one line (a name holding a
    line break cannot start a header), cut to the outbox's length."""
    values = {"name": one_line(name), "forum": one_line(event.title),
              "mission": one_line(event.title)}
    return one_line(fill(subject, values))[:SUBJECT_LENGTH] or "(no subject)"


def preview(composition: Composition) -> Preview:
    """The count and the first reachable person's filled message (nothing is stored)."""
    people = recipients(composition.event, composition.selection, composition.argument)
    reachable = [person for person in people if address_problem(person.email) is None]
    first = None
    if reachable:
        person = reachable[0]
        [body] = write_texts(composition.event, composition.body, [person])
        first = Filled(one_line(person.name), person.email or "",
                       subject_for(composition.subject, composition.event, person.name), body)
    return Preview(len(people), len(people) - len(reachable), first)


def find_sent(send_key: str) -> AttendeeMessage | None:
    """The message a compose form's key already sent, if any."""
    return db.session.scalar(sa.select(AttendeeMessage).where(AttendeeMessage.send_key ==
                                                              send_key))


def _recipient_row(message_id: int, person: Recipient, outbox_id: int | None,
                   reason: str | None) -> dict:
    """A message_recipient row for a bulk insert."""
    return {"message_id": message_id, "person_id": person.person_id,
            "registration_id": person.registration_id, "guest_id": person.guest_id,
            "name": one_line(person.name)[:200] or "—", "outbox_message_id": outbox_id,
            "skip_reason": reason}


def registration_languages(ids) -> dict[int, str | None]:
    """Each registration's own language, in one query (guests keep none: their mission's)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(db.session.execute(
        sa.select(Registration.id, Registration.language).where(Registration.id.in_(wanted))
    ).all())


def send_message(composition: Composition, author: User | None, send_key: str) -> AttendeeMessage:
    """Queue the message for everyone the selection holds now, each person once.

    The message row is the transaction's first write: on SQLite it takes the database's
    write lock before the selection is read; a second request with the same form key waits
    for it, then fails on the key's unique index (IntegrityError: the caller rolls back and
    finds the sent message with find_sent), as it does on PostgreSQL. The recipients' unique
    (message, person) index holds even if a caller forgets the key. Adds and flushes."""
    event = composition.event
    message = AttendeeMessage(
        event_id=event.id, scope=composition.scope,
        author_id=author.id if author is not None and author.is_authenticated else None,
        subject=one_line(composition.subject)[:SUBJECT_LENGTH], body=composition.body,
        selection=composition.selection.name, selection_argument=composition.argument,
        selection_words=composition.words[:300], send_key=send_key)
    db.session.add(message)
    db.session.flush()
    people = recipients(event, composition.selection, composition.argument)
    problems = {person.person_id: address_problem(person.email) for person in people}
    reachable = [person for person in people if problems[person.person_id] is None]
    languages = registration_languages(person.registration_id for person in reachable)
    outbox_ids = queue_emails_with_ids([
        Email(to=person.email or "", to_name=one_line(person.name) or None,
              subject=subject_for(composition.subject, event, person.name), template="",
              context={"message": message.id, "person": person.person_id}, recipe=RECIPE,
              language=recipient_language(languages.get(person.registration_id),
                                          event.default_language))
        for person in reachable])
    ids = dict(zip((person.person_id for person in reachable), outbox_ids, strict=True))
    rows = [_recipient_row(message.id, person, ids.get(person.person_id),
                           problems[person.person_id]) for person in people]
    if rows:
        db.session.execute(sa.insert(MessageRecipient), rows)
    message.recipient_count, message.skipped_count = len(reachable), len(people) - len(reachable)
    message.sent_at = utcnow()
    who = "attendees" if composition.scope is MessageScope.REGISTRATIONS else "guests"
    skipped = (f"; {message.skipped_count} without a usable email address skipped"
               if message.skipped_count else "")
    record_audit(author, "message.sent", message,
                 f"Message sent to {len(reachable)} {who} ({message.selection_words}) of "
                 f"{one_line(event.title)}: {message.subject}{skipped}")
    return message


@dataclass(frozen=True)
class Counts:
    """Where one message's copies stand in the outbox."""

    queued: int = 0
    sent: int = 0
    failed: int = 0
    skipped: int = 0


def delivery_counts(message_ids: list[int]) -> dict[int, Counts]:
    """message id → its copies queued (or being sent), sent, failed, skipped: one query."""
    if not message_ids:
        return {}
    status = OutboxMessage.status
    rows = db.session.execute(
        sa.select(
            MessageRecipient.message_id,
            sa.func.count().filter(status.in_([OutboxStatus.QUEUED, OutboxStatus.SENDING])),
            sa.func.count().filter(status == OutboxStatus.SENT),
            sa.func.count().filter(status == OutboxStatus.FAILED),
            sa.func.count().filter(MessageRecipient.outbox_message_id.is_(None)),
        )
        .select_from(MessageRecipient)
        .outerjoin(OutboxMessage, OutboxMessage.id == MessageRecipient.outbox_message_id)
        .where(MessageRecipient.message_id.in_(message_ids))
        .group_by(MessageRecipient.message_id)
    ).all()
    return {row[0]: Counts(*row[1:]) for row in rows}


def messages_of(event_id: int, scope: MessageScope, limit: int = 200) -> list[AttendeeMessage]:
    """An event's messages of one scope, newest first, with their authors (one query)."""
    return list(db.session.scalars(
        sa.select(AttendeeMessage)
        .where(AttendeeMessage.event_id == event_id, AttendeeMessage.scope == scope)
        .options(sa.orm.joinedload(AttendeeMessage.author))
        .order_by(AttendeeMessage.created_at.desc(), AttendeeMessage.id.desc())
        .limit(limit)))


def recipient_rows(message_id: int, limit: int) -> list[tuple[MessageRecipient, OutboxMessage |
                                                              None]]:
    """A message's recipients by name with their outbox rows (one query)."""
    return [tuple(row) for row in db.session.execute(
        sa.select(MessageRecipient, OutboxMessage)
        .outerjoin(OutboxMessage, OutboxMessage.id == MessageRecipient.outbox_message_id)
        .where(MessageRecipient.message_id == message_id)
        .order_by(MessageRecipient.name, MessageRecipient.id)
        .limit(limit))]
