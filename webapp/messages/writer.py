"""Each person's copy of a message, written at delivery (a mail recipe) or for the preview:
placeholders filled with their name and their own signed links; the HTML part escapes
everything typed and makes only the http(s) addresses into links."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Protocol

import sqlalchemy as sa

from webapp.extensions import db
from webapp.mail.services import RecipeError, Rendered, recipe, render_bodies
from webapp.messages.placeholders import fill
from webapp.missions.tokens import itinerary_token
from webapp.models import AttendeeMessage, Event, MessageRecipient, MissionGuest, Registration
from webapp.registrations.notifications import manage_link
from webapp.text import one_line
from webapp.urls import absolute_url

RECIPE = "attendee_message"
WEB_ADDRESS = re.compile(r"https?://[^\s<>\"']+")


class Person(Protocol):
    """What a copy needs to know of its recipient (a Recipient or a MessageRecipient)."""

    name: str
    registration_id: int | None
    guest_id: int | None


def _by_id(model, ids) -> dict[int, Any]:
    """Rows of a model by id, in one query (none for no ids)."""
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {row.id: row for row in db.session.scalars(sa.select(model).where(model.id.in_(ids)))}


def write_texts(event: Event, body: str, people: Sequence[Person]) -> list[str]:
    """The body filled for each person, in order (two queries for their links)."""
    registrations = _by_id(Registration, (p.registration_id for p in people))
    guests = _by_id(MissionGuest, (p.guest_id for p in people))
    texts = []
    for person in people:
        values = {"name": one_line(person.name), "forum": one_line(event.title),
                  "mission": one_line(event.title)}
        if (registration := registrations.get(person.registration_id)) is not None:
            values["registration_link"] = manage_link(registration)
        if (guest := guests.get(person.guest_id)) is not None:
            values["itinerary_link"] = absolute_url("missions.guest_itinerary",
                                                    token=itinerary_token(guest))
        texts.append(fill(body, values))
    return texts


def linked_parts(text: str) -> list[tuple[str, bool]]:
    """`text` cut into (piece, is a web address) for the HTML part, which escapes each."""
    parts, position = [], 0
    for match in WEB_ADDRESS.finditer(text):
        parts.append((text[position:match.start()], False))
        parts.append((match.group(0), True))
        position = match.end()
    parts.append((text[position:], False))
    return [part for part in parts if part[0]]


def rendered(event: Event, subject: str, text: str) -> Rendered:
    """templates/mail/attendee_message.txt and .html around one filled text."""
    body_text, body_html = render_bodies(RECIPE, {
        "event": event, "subject": subject, "text": text, "parts": linked_parts(text)})
    return Rendered(body_text, body_html)


@recipe(RECIPE)
def render_attendee_messages(batch: Sequence[dict[str, Any]]) -> list[Rendered | RecipeError]:
    """Write a batch of copies from their messages and recipients (a few queries a batch,
    whatever its size)."""
    message_ids = {args.get("message") for args in batch}
    person_ids = {args.get("person") for args in batch}
    messages = _by_id(AttendeeMessage, message_ids)
    events = _by_id(Event, (m.event_id for m in messages.values()))
    rows = db.session.scalars(sa.select(MessageRecipient).where(
        MessageRecipient.message_id.in_(message_ids - {None}),
        MessageRecipient.person_id.in_(person_ids - {None})))
    recipients = {(row.message_id, row.person_id): row for row in rows}
    results: list[Rendered | RecipeError] = [
        RecipeError("the message or its recipient no longer exists")] * len(batch)
    by_message: dict[int, list[tuple[int, MessageRecipient]]] = {}
    for position, args in enumerate(batch):
        recipient = recipients.get((args.get("message"), args.get("person")))
        if recipient is not None and recipient.message_id in messages:
            by_message.setdefault(recipient.message_id, []).append((position, recipient))
    for message_id, found in by_message.items():
        message = messages[message_id]
        event = events[message.event_id]
        texts = write_texts(event, message.body, [recipient for _, recipient in found])
        for (position, _), text in zip(found, texts, strict=True):
            results[position] = rendered(event, message.subject, text)
    return results
