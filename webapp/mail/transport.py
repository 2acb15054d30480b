"""Where messages go: an SMTP server, or .eml files under instance/outbox/ when none is set."""

from __future__ import annotations

import os
import smtplib
import ssl
import tempfile
from collections.abc import Mapping
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol

from webapp.text import one_line


class TransientDeliveryError(Exception):
    """Worth trying again later: the server is down, busy, or answered 4xx."""


class PermanentDeliveryError(Exception):
    """The server refused the message for good (5xx): retrying would only repeat the refusal."""


class ConnectionLost(TransientDeliveryError):
    """No usable connection: every other message of the batch would fail the same way."""


class Transport(Protocol):
    """Sends one built message; used as a context manager around a batch."""

    description: str

    def __enter__(self) -> Transport: ...

    def __exit__(self, *exc_info: object) -> None: ...

    def send(self, message: EmailMessage, *, sender: str, recipient: str,
             queued_at: datetime, row_id: int) -> None: ...


def _describe(exc: BaseException) -> str:
    """A one-line account of an error for last_error."""
    text = one_line(str(exc)) or "no details"
    return f"{type(exc).__name__}: {text}"[:1000]


def _smtp_code(exc: smtplib.SMTPException) -> int | None:
    """The reply code behind an smtplib error, when the server gave one."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return min(codes) if codes else None
    return getattr(exc, "smtp_code", None)


class SmtpTransport:
    """One SMTP connection per batch (reused for each message), opened on first use."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.host: str = config["MAIL_SERVER"]
        self.port = int(config["MAIL_PORT"])
        self.use_tls = bool(config["MAIL_USE_TLS"])
        self.use_ssl = bool(config["MAIL_USE_SSL"])
        self.username: str | None = config["MAIL_USERNAME"]
        self.password: str | None = config["MAIL_PASSWORD"]
        self.timeout = float(config["MAIL_TIMEOUT"])
        self.description = f"SMTP {self.host}:{self.port}"
        self._connection: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpTransport:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _connect(self) -> smtplib.SMTP:
        """Open, secure and log in; any failure is a ConnectionLost."""
        context = ssl.create_default_context()
        try:
            if self.use_ssl:
                connection = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                              context=context)
            else:
                connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            if self.use_tls:
                connection.starttls(context=context)
            if self.username:
                connection.login(self.username, self.password or "")
        except (OSError, smtplib.SMTPException) as exc:
            raise ConnectionLost(_describe(exc)) from exc
        return connection

    def send(self, message: EmailMessage, *, sender: str, recipient: str,
             queued_at: datetime, row_id: int) -> None:
        """Send over the batch's connection; classify failures as transient or permanent."""
        if self._connection is None:
            self._connection = self._connect()
        try:
            self._connection.send_message(message, from_addr=sender, to_addrs=[recipient])
        except smtplib.SMTPServerDisconnected as exc:
            self.close()
            raise ConnectionLost(_describe(exc)) from exc
        except smtplib.SMTPException as exc:  # an answer from the server about this message
            code = _smtp_code(exc)
            self._reset()
            if code is not None and 500 <= code < 600:
                raise PermanentDeliveryError(_describe(exc)) from exc
            raise TransientDeliveryError(_describe(exc)) from exc
        except OSError as exc:  # after SMTPException, which is a subclass of OSError
            self.close()
            raise ConnectionLost(_describe(exc)) from exc

    def _reset(self) -> None:
        """After a refused message, clear the SMTP transaction so the next one starts clean."""
        try:
            if self._connection is not None:
                self._connection.rset()
        except (OSError, smtplib.SMTPException):
            self.close()

    def close(self) -> None:
        """Say QUIT politely; a dead connection is simply dropped."""
        if self._connection is None:
            return
        try:
            self._connection.quit()
        except (OSError, smtplib.SMTPException):
            self._connection.close()
        self._connection = None


class EmlDirectoryTransport:
    """The embedded default: each message becomes a file a newcomer can open in a mail client.

    Files are named by the time the message was queued (then its id), so they sort by time;
    writing to a temporary file and renaming means a crash never leaves half a message, and a
    second write of the same message replaces the first instead of duplicating it."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self.description = f"files in {self.directory}"

    def __enter__(self) -> EmlDirectoryTransport:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None

    def send(self, message: EmailMessage, *, sender: str, recipient: str,
             queued_at: datetime, row_id: int) -> None:
        """Write the message as <queued time>-<id>.eml."""
        partial: str | None = None
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            target = self.directory / eml_filename(queued_at, row_id)
            with tempfile.NamedTemporaryFile(dir=self.directory, suffix=".part",
                                             delete=False) as handle:
                partial = handle.name
                handle.write(message.as_bytes())
            os.replace(partial, target)
        except OSError as exc:
            if partial:
                Path(partial).unlink(missing_ok=True)
            raise ConnectionLost(_describe(exc)) from exc


def eml_filename(queued_at: datetime, row_id: int) -> str:
    """'20261126T225110.123456Z-000042.eml': sorts by the time the message was queued."""
    return f"{queued_at:%Y%m%dT%H%M%S.%fZ}-{row_id:06d}.eml"


def transport_for(config: Mapping[str, Any]) -> Transport:
    """SMTP when MAIL_SERVER is set, else the .eml directory."""
    if config.get("MAIL_SERVER"):
        return SmtpTransport(config)
    return EmlDirectoryTransport(config["MAIL_OUTBOX_DIR"])
