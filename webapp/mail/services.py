"""Queue email in the caller's transaction: if it rolls back, the message never existed.

One way in (queue_emails, or queue_email for one message), whether a message is written now
or by a recipe at delivery; the recipes register here under the name their rows keep."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.utils import make_msgid
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app, render_template
from jinja2 import TemplateNotFound

from webapp.extensions import db
from webapp.i18n import mail_language, shipped_code
from webapp.mail.background import remember_all_due, remember_for_delivery
from webapp.models.mail import OutboxAttachment, OutboxMessage

outbox = OutboxMessage.__table__
INSERT_ONE = sa.insert(outbox).returning(outbox.c.id)
INSERT_MANY = sa.insert(outbox)
INSERT_MANY_WITH_IDS = sa.insert(outbox).returning(outbox.c.id, sort_by_parameter_order=True)

FORBIDDEN_IN_HEADERS = ("\r", "\n", "\x00")
# The everyday address: an RFC 5322 dot-atom before the @, ASCII host labels after it. The
# stdlib's parser returns such an address unchanged (tests hold it to that) and costs far more
# (bench/mail.py prints both); anything else (quotes, comments, non-ASCII, odd dots) goes to
# the parser.
PLAIN_ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
)


@dataclass(frozen=True)
class Attachment:
    """A file to send with a message. With a `content_id` (an image the HTML part shows as
    <img src="cid:...">), it is sent inline beside that part (multipart/related)."""

    filename: str
    content_type: str
    data: bytes
    inline: bool = False
    content_id: str | None = None


class RecipeError(Exception):
    """A recipe that cannot be written (e.g. its registration was deleted): the message is
    kept and marked failed with this reason."""


@dataclass(frozen=True)
class Rendered:
    """What a recipe writes: the bodies and attachments of the message."""

    body_text: str
    body_html: str | None = None
    attachments: tuple[Attachment, ...] = field(default_factory=tuple)


# A recipe takes a batch of rows' arguments, so that it can load what they need in a few
# queries, and returns a Rendered or a RecipeError for each, in order.
Renderer = Callable[[Sequence[dict[str, Any]]], list["Rendered | RecipeError"]]
RENDERERS: dict[str, Renderer] = {}


def recipe(name: str) -> Callable[[Renderer], Renderer]:
    """Register a recipe under the name its outbox rows keep (never rename one)."""

    def register(renderer: Renderer) -> Renderer:
        RENDERERS[name] = renderer
        return renderer

    return register


def single_line(value: str, what: str) -> str:
    """A header value with no line breaks: CR/LF would let text add headers of its own."""
    if any(ch in value for ch in FORBIDDEN_IN_HEADERS):
        raise ValueError(f"{what} must be a single line")
    return value.strip()


def checked_address(address: str) -> str:
    """A syntactically valid, single-line address, else ValueError (everyday addresses by a
    pattern the tests hold to the stdlib parser, the rest by that parser)."""
    address = single_line(address, "email address")
    if PLAIN_ADDRESS.fullmatch(address):
        return address
    try:
        parsed = Address(addr_spec=address)  # raises on anything that is not one address
    # What the parser raises for e.g. "name@" (IndexError), "a@b@c" (HeaderParseError), and
    # an unclosed domain literal "a@[" (AttributeError, a stdlib bug): all a refusal here.
    except (IndexError, AttributeError, HeaderParseError):
        raise ValueError(f"not an email address: {address!r}") from None
    return parsed.addr_spec


def render_bodies(template: str, context: dict[str, Any]) -> tuple[str, str | None]:
    """templates/mail/<template>.txt and, when it exists, .html, with the site's base URL."""
    context = {**context, "base_url": current_app.config["BASE_URL"]}
    body_text = render_template(f"mail/{template}.txt", **context)
    try:
        body_html = render_template(f"mail/{template}.html", **context)
    except TemplateNotFound:
        body_html = None
    return body_text, body_html


def outbox_headers(to: str, subject: str, to_name: str | None) -> dict[str, str | None]:
    """An outbox row's Message-ID (on the site's host, fixed now so a retry is the same
    message) and its checked headers; ValueError for anything that could add a header."""
    domain = urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"
    return {
        "message_id": make_msgid(domain=domain),
        "to_address": checked_address(to),
        "to_name": single_line(to_name, "recipient name") if to_name else None,
        "subject": single_line(subject, "subject"),
    }


def attachment_rows(attachments: Iterable[Attachment]) -> list[OutboxAttachment]:
    """Attachments as outbox rows, their name and type checked like headers."""
    return [
        OutboxAttachment(filename=single_line(a.filename, "attachment name"),
                         content_type=single_line(a.content_type, "content type"),
                         data=a.data, inline=a.inline,
                         content_id=single_line(a.content_id, "content id")
                         if a.content_id else None)
        for a in attachments
    ]


@dataclass(frozen=True)
class Email:
    """One message for the outbox: who gets it, its subject, and the template that writes it.

    Without `recipe`, it is written now from `context`. With one, the row keeps the template
    and `context` (ids and short texts, as JSON) and delivery writes it then, with the recipe
    of that name (mail/recipes.py), from the database as it is at that moment: a request that
    confirms a registration, or tells thousands of people of a change, only records *that* a
    message is due."""

    to: str
    subject: str
    template: str
    context: Mapping[str, Any] = field(default_factory=dict)
    to_name: str | None = None
    attachments: Sequence[Attachment] = ()
    recipe: str | None = None
    # The recipient's language (webapp.i18n): the bodies are written in it, now or at
    # delivery; None or one the app does not ship: English. A subject computed by the
    # caller must be in it too (webapp.i18n.mail_language); a lazy one is translated here.
    language: str | None = None


def _row(email: Email) -> dict[str, Any]:
    """The outbox row of a message, its headers checked (ValueError for anything that could
    add a header, or a recipe nobody registered)."""
    language = shipped_code(email.language)
    written_now = email.recipe is None or not isinstance(email.subject, str)
    # Only what is written now needs the language switched (a bulk of recipe rows does not).
    with mail_language(language) if written_now else nullcontext():
        row: dict[str, Any] = {**outbox_headers(email.to, str(email.subject), email.to_name),
                               "body_text": None, "body_html": None, "recipe": None,
                               "recipe_args": None,  # the same keys in every row of a bulk insert
                               "language": language}
        if email.recipe is None:
            row["body_text"], row["body_html"] = render_bodies(email.template,
                                                               dict(email.context))
    if email.recipe is not None:
        if email.recipe not in RENDERERS:
            raise ValueError(f"unknown mail recipe {email.recipe!r}")
        row["recipe"] = email.recipe
        row["recipe_args"] = ({"template": email.template, **email.context} if email.template
                              else dict(email.context))
    row["attachments"] = attachment_rows(email.attachments)
    return row


def _add(row: dict[str, Any]) -> OutboxMessage:
    """One row added through the session (with its attachments)."""
    message = OutboxMessage(**row)
    db.session.add(message)
    db.session.flush()
    remember_for_delivery(message.id)
    return message


def queue_emails(emails: Iterable[Email], *, skip_invalid: bool = False) -> int:
    """Add messages to the outbox in the current transaction; returns how many. Adds and
    flushes, never commits: if the caller rolls back, they never existed; once it commits,
    they are sent in the background (MAIL_DELIVER_ON_COMMIT). Messages without attachments
    go in one statement, whatever their number.

    A recipient address or header the outbox refuses raises ValueError, or with
    `skip_invalid` is logged and left out (a bulk send reaches everyone else)."""
    rows = []
    for email in emails:
        try:
            rows.append(_row(email))
        except ValueError as exc:
            if not skip_invalid:
                raise
            current_app.logger.warning("mail to %r not queued: %s", email.to, exc)
    bare = []
    for row in rows:
        if row["attachments"]:
            _add(row)
        else:
            del row["attachments"]
            bare.append(row)
    if len(bare) == 1:
        remember_for_delivery(db.session.execute(INSERT_ONE, bare[0]).scalar_one())
    elif bare:
        db.session.execute(INSERT_MANY, bare)
        remember_all_due()  # after the commit, the sender delivers whatever is due
    return len(rows)


def queue_emails_with_ids(emails: Sequence[Email]) -> list[int]:
    """queue_emails for a caller that links each message to a row of its own: the outbox ids,
    in the emails' order, from one INSERT ... RETURNING. Every message must be valid
    (ValueError otherwise: check addresses first) and have no attachments."""
    rows = [_row(email) for email in emails]
    if any(row.pop("attachments") for row in rows):
        raise ValueError("queue_emails_with_ids takes messages without attachments")
    if not rows:
        return []
    ids = list(db.session.execute(INSERT_MANY_WITH_IDS, rows).scalars())
    remember_all_due()
    return ids


def queue_email(
    to: str,
    subject: str,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    to_name: str | None = None,
    attachments: Sequence[Attachment] = (),
    recipe: str | None = None,
    language: str | None = None,
) -> OutboxMessage:
    """One message (see Email and queue_emails), written now from templates/mail/<template>
    .txt (and .html when present) unless a `recipe` writes it at delivery; its outbox row."""
    return _add(_row(Email(to, subject, template, context or {}, to_name, attachments, recipe,
                           language)))
