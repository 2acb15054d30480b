"""Benchmark: queue 10,000 messages in the outbox and deliver them to a local SMTP server.

Prints messages/s for queueing and for delivery (claim, build, send, record each outcome),
and the ratio of delivery to a baseline measured in the same run: the same messages, built by
the same function, sent with plain smtplib in a loop over one connection, with no database.

    .venv/bin/python bench/mail.py                         # SQLite in a temporary folder
    .venv/bin/python bench/mail.py --count 2000 --database-url postgresql://...

The SMTP server is aiosmtpd in this process (a thread), for both runs alike."""

from __future__ import annotations

import argparse
import smtplib
import socket
import tempfile
import threading
import time
from email.headerregistry import Address
from pathlib import Path

import sqlalchemy as sa
from aiosmtpd.controller import Controller

from webapp import create_app
from webapp.extensions import db
from webapp.mail import Attachment, queue_email
from webapp.mail.compose import build_message, envelope_sender
from webapp.mail.delivery import deliver_due
from webapp.mail.services import checked_address
from webapp.models import OutboxMessage, OutboxStatus

INVITE = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n"
          b"UID:cwf-2017@example.org\r\nSUMMARY:Creativity World Forum 2017\r\nEND:VEVENT\r\n"
          b"END:VCALENDAR\r\n")


class CountingHandler:
    """Accepts every message and counts them."""

    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        """Count one message."""
        with self.lock:
            self.count += 1
        return "250 OK"


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def queue_messages(count: int) -> float:
    """Queue `count` messages (one in ten with an invitation); returns seconds taken."""
    started = time.perf_counter()
    for n in range(count):
        attachments = ([Attachment("invite.ics", "text/calendar; method=REQUEST", INVITE,
                                   inline=True)] if n % 10 == 0 else [])
        queue_email(f"delegate{n}@example.org", f"Your registration #{n} for CWF 2017",
                    "test_message", {"name": f"Delegate {n}"}, to_name=f"Delegate {n}",
                    attachments=attachments)
        if n % 500 == 499:
            db.session.commit()
    db.session.commit()
    return time.perf_counter() - started


def plain_smtplib_loop(rows: list[OutboxMessage], port: int, mail_from: str) -> float:
    """The floor: the same messages built the same way, sent in a loop; returns seconds."""
    sender = envelope_sender(mail_from)
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as connection:
        for row in rows:
            connection.send_message(build_message(row, mail_from), from_addr=sender,
                                    to_addrs=[row.to_address])
    return time.perf_counter() - started


def address_checks(count: int) -> tuple[float, float]:
    """Seconds to check `count` everyday addresses: checked_address (its pattern), then the
    stdlib parser it leaves the unusual ones to."""
    addresses = [f"delegate.{n}@region-{n % 12}.example.org" for n in range(count)]
    started = time.perf_counter()
    for address in addresses:
        checked_address(address)
    pattern_seconds = time.perf_counter() - started
    started = time.perf_counter()
    for address in addresses:
        Address(addr_spec=address)
    return pattern_seconds, time.perf_counter() - started


def main() -> None:
    """Run the three measurements and print them with the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--batch-size", type=int, default=100)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-mail-"))
    handler, port = CountingHandler(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    app = create_app({
        "SECRET_KEY": "bench", "BASE_URL": "http://localhost",
        "SQLALCHEMY_DATABASE_URI": args.database_url or f"sqlite:///{workdir / 'bench.db'}",
        "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port, "MAIL_DELIVER_ON_COMMIT": False,
        "MAIL_BATCH_SIZE": args.batch_size,
    })
    try:
        with app.app_context():
            db.drop_all()
            db.create_all()
            queue_seconds = queue_messages(args.count)

            rows = db.session.scalars(sa.select(OutboxMessage).options(
                sa.orm.selectinload(OutboxMessage.attachments)).order_by(OutboxMessage.id)).all()
            db.session.expunge_all()  # plain objects: the baseline never touches the database
            baseline_seconds = plain_smtplib_loop(rows, port, app.config["MAIL_FROM"])
            baseline_received = handler.count

            started = time.perf_counter()
            report = deliver_due()
            deliver_seconds = time.perf_counter() - started
            outbox_received = handler.count - baseline_received
            sent_rows = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                                          .where(OutboxMessage.status == OutboxStatus.SENT))
            backend = db.engine.dialect.name
            db.session.remove()  # end the session's transaction, or DROP waits for its locks
            db.drop_all()
    finally:
        controller.stop()

    assert baseline_received == args.count, baseline_received
    assert report.sent == outbox_received == sent_rows == args.count, (report, outbox_received)
    baseline_rate = args.count / baseline_seconds
    deliver_rate = args.count / deliver_seconds
    print(f"database: {backend}; messages: {args.count}; batch size: {args.batch_size}")
    print(f"queue (render templates, insert, commit every 500): "
          f"{args.count / queue_seconds:8.0f} messages/s")
    print(f"baseline: plain smtplib loop, same messages:        {baseline_rate:8.0f} messages/s")
    print(f"outbox delivery (claim, build, send, record each):  {deliver_rate:8.0f} messages/s")
    print(f"ratio outbox delivery / plain smtplib:              {deliver_rate / baseline_rate:8.2f}"
          f"   (target >= 0.5)")
    pattern_seconds, parser_seconds = address_checks(args.count)
    print(f"address check, checked_address / stdlib parser:     "
          f"{pattern_seconds / parser_seconds:8.2f}   ({pattern_seconds / args.count * 1e6:.1f} µs "
          f"/ {parser_seconds / args.count * 1e6:.1f} µs an address)")


if __name__ == "__main__":
    main()
