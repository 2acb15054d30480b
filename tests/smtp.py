"""A real SMTP server for the tests: aiosmtpd on a free loopback port, recording what arrives."""

from __future__ import annotations

import asyncio
import socket
import threading
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    """A loopback port nothing listens on (the OS picks it, we release it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Received:
    """One message as the server got it."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes


@dataclass
class RecordingHandler:
    """Accepts (or refuses, or delays) messages and keeps what it accepted."""

    messages: list[Received] = field(default_factory=list)
    refuse_recipients: str | None = None  # e.g. "550 5.1.1 No such user"
    refuse_data: str | None = None  # e.g. "451 4.3.0 Try again later"
    delay_seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        """Refuse the recipient when told to."""
        if self.refuse_recipients:
            return self.refuse_recipients
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        """Record the message (after an optional delay), or refuse it when told to."""
        if self.delay_seconds:
            await asyncio.sleep(self.delay_seconds)
        if self.refuse_data:
            return self.refuse_data
        with self.lock:
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                          envelope.content))
        return "250 Message accepted for delivery"


class SmtpServer:
    """aiosmtpd in a thread on a fixed loopback port; can be stopped and started again."""

    def __init__(self, port: int | None = None, *, credentials: tuple[str, str] | None = None):
        self.port = port or free_port()
        self.handler = RecordingHandler()
        self.credentials = credentials
        self._controller: Controller | None = None

    @property
    def messages(self) -> list[Received]:
        """Everything accepted so far."""
        return self.handler.messages

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        """Accept only the configured user and password."""
        ok = isinstance(auth_data, LoginPassword) and self.credentials == (
            auth_data.login.decode(), auth_data.password.decode())
        return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535

    def start(self) -> SmtpServer:
        """Listen on the port (again)."""
        extra = {}
        if self.credentials:  # plain-text AUTH is fine on loopback (aiosmtpd warns about it)
            extra = {"authenticator": self._authenticate, "auth_required": True,
                     "auth_require_tls": False}
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port,
                                      **extra)
        self._controller.start()
        return self

    def stop(self) -> None:
        """Stop listening: connections are refused until start()."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
