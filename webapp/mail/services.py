"""Queue email in the caller's transaction: if it rolls back, the message never existed."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.utils import make_msgid
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, render_template
from jinja2 import TemplateNotFound

from webapp.extensions import db
from webapp.mail.background import remember_for_delivery
from webapp.models.mail import OutboxAttachment, OutboxMessage

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
    """A file to send with a message."""

    filename: str
    content_type: str
    data: bytes
    inline: bool = False


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
                         data=a.data, inline=a.inline)
        for a in attachments
    ]


def queue_email(
    to: str,
    subject: str,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    to_name: str | None = None,
    attachments: tuple[Attachment, ...] | list[Attachment] = (),
) -> OutboxMessage:
    """Render templates/mail/<template>.txt (and .html when present) and add the message to
    the outbox in the current transaction. Adds and flushes; never commits. Once the caller
    commits, the message is sent in the background (MAIL_DELIVER_ON_COMMIT)."""
    body_text, body_html = render_bodies(template, context or {})
    message = OutboxMessage(
        **outbox_headers(to, subject, to_name),
        body_text=body_text,
        body_html=body_html,
        attachments=attachment_rows(attachments),
    )
    db.session.add(message)
    db.session.flush()
    remember_for_delivery(message.id)
    return message
