"""Build the RFC 5322 message for an outbox row with the stdlib `email` package.

The result depends only on the row and MAIL_FROM (Date is the time it was queued), so a retried
send, the .eml file and the admin page's download are byte-for-byte the same message."""

from __future__ import annotations

import re
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from webapp.mail.services import single_line
from webapp.models.mail import OutboxAttachment, OutboxMessage

CALENDAR_TYPE = "text/calendar"
INVITE_FILENAME = "invite.ics"
_METHOD_LINE = re.compile(rb"^METHOD:([A-Za-z-]+)\s*$", re.MULTILINE)


class UnsendableMessage(ValueError):
    """A row that can never become a valid message (e.g. a header with a line break written
    to the database behind queue_email's back): retrying will not help."""


def envelope_sender(mail_from: str) -> str:
    """The bare address of MAIL_FROM, for the SMTP envelope (MAIL FROM:<...>)."""
    return parseaddr(mail_from)[1]


def is_invitation(attachment: OutboxAttachment) -> bool:
    """An inline text/calendar part is an iTIP invitation, shown by mail clients as one."""
    return attachment.inline and attachment.content_type.lower().startswith(CALENDAR_TYPE)


def _content_type(value: str) -> tuple[str, str, dict[str, str]]:
    """Split 'text/calendar; method=REQUEST' into ('text', 'calendar', {'method': 'REQUEST'})."""
    header = policy.default.header_factory("content-type", value)
    return header.maintype, header.subtype, {k.lower(): v for k, v in header.params.items()}


def itip_method(attachment: OutboxAttachment) -> str:
    """The iTIP method (REQUEST, CANCEL...) from the content type, else from the calendar."""
    _, _, params = _content_type(attachment.content_type)
    if params.get("method"):
        return params["method"].upper()
    found = _METHOD_LINE.search(attachment.data)
    return found.group(1).decode("ascii").upper() if found else "REQUEST"


def _checked_headers(row: OutboxMessage) -> None:
    """Refuse line breaks at send time too: a row may not have come through queue_email."""
    try:
        single_line(row.subject, "subject")
        single_line(row.to_address, "email address")
        if row.to_name:
            single_line(row.to_name, "recipient name")
        for attachment in row.attachments:
            single_line(attachment.filename, "attachment name")
            single_line(attachment.content_type, "content type")
            if attachment.content_id:
                single_line(attachment.content_id, "content id")
    except ValueError as exc:
        raise UnsendableMessage(str(exc)) from None


def build_message(row: OutboxMessage, mail_from: str) -> EmailMessage:
    """The message to send: text and HTML alternatives (the HTML with the images it shows by
    Content-ID, plus an inline invitation), then the attachments, with From, To (with name),
    Subject, Date and the fixed Message-ID."""
    _checked_headers(row)
    try:
        return _assemble(row, mail_from)
    except UnsendableMessage:
        raise
    except (ValueError, TypeError, KeyError, LookupError) as exc:
        # e.g. an attachment type the email package cannot encode: the row is kept and marked
        # failed with the reason, rather than retried forever.
        raise UnsendableMessage(f"cannot build the message: {exc}") from None


def _assemble(row: OutboxMessage, mail_from: str) -> EmailMessage:
    """The MIME tree of build_message (which checks the headers first)."""
    message = EmailMessage(policy=policy.SMTP)
    try:
        message["From"] = mail_from
        message["To"] = Address(display_name=row.to_name or "", addr_spec=row.to_address)
        message["Subject"] = row.subject
    except (ValueError, IndexError) as exc:  # the header parser's verdict on a bad address
        raise UnsendableMessage(f"invalid header: {exc}") from None
    message["Date"] = format_datetime(row.created_at)
    message["Message-ID"] = row.message_id
    message.set_content(row.body_text)
    related = [a for a in row.attachments if a.content_id] if row.body_html else []
    if row.body_html:
        message.add_alternative(row.body_html, subtype="html")
        html_part = message.get_payload()[-1]
        for attachment in related:
            # Beside the HTML that shows it (multipart/related), so clients display it in
            # place rather than as a file to open; the text part has no use for it.
            maintype, subtype, _ = _content_type(attachment.content_type)
            html_part.add_related(attachment.data, maintype=maintype, subtype=subtype,
                                  cid=f"<{attachment.content_id}>",
                                  filename=attachment.filename, disposition="inline")
    invitations = [a for a in row.attachments if is_invitation(a)]
    for attachment in invitations:
        # The Outlook way: the invitation is one of the alternatives, so clients offer
        # Accept/Decline; base64 keeps the calendar's CRLF line endings byte for byte.
        message.add_alternative(
            attachment.data, maintype="text", subtype="calendar",
            params={"method": itip_method(attachment), "charset": "UTF-8"},
        )
    for attachment in invitations:
        # ...and a downloadable copy for clients that ignore calendar alternatives.
        name = attachment.filename if attachment.filename.lower().endswith(".ics") else None
        message.add_attachment(attachment.data, maintype="application", subtype="ics",
                               filename=name or INVITE_FILENAME)
    for attachment in row.attachments:
        if attachment in invitations or attachment in related:
            continue
        maintype, subtype, params = _content_type(attachment.content_type)
        params.pop("name", None)
        message.add_attachment(
            attachment.data, maintype=maintype, subtype=subtype, params=params,
            filename=attachment.filename,
            disposition="inline" if attachment.inline else "attachment",
        )
    if row.language:  # RFC 3282, as a BCP 47 tag; last, as setting the content drops Content-*
        message["Content-Language"] = single_line(row.language, "language").replace("_", "-")
    return message
