"""Delivering the outbox to a real SMTP server (aiosmtpd on a loopback port)."""

from __future__ import annotations

import email
from datetime import timedelta
from email import policy
from email.utils import parsedate_to_datetime

import icalendar
import pytest
import sqlalchemy as sa

from tests.smtp import SmtpServer, free_port
from webapp.extensions import db
from webapp.mail import Attachment, queue_email
from webapp.mail.delivery import deliver_due, retry_delay
from webapp.models import OutboxMessage, OutboxStatus, utcnow

INVITE = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Districts of Creativity//EN\r\n"
    b"METHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:cwf-2017@districtsofcreativity.org\r\n"
    b"DTSTAMP:20170101T120000Z\r\nDTSTART:20171003T070000Z\r\nDTEND:20171005T150000Z\r\n"
    b"SEQUENCE:2\r\nSUMMARY:Creativity World Forum 2017 \xe2\x80\x94 Aarhus\r\n"
    b"END:VEVENT\r\nEND:VCALENDAR\r\n"
)
BINARY = bytes(range(256)) * 4  # every byte value, CR and LF and NUL included


def queue(to: str = "ulla@example.org", subject: str = "Welcome", **kwargs) -> OutboxMessage:
    """Queue the test message for `to`."""
    return queue_email(to, subject, "test_message", {"name": kwargs.pop("name", "Ulla")},
                       **kwargs)


def parsed(data: bytes) -> email.message.EmailMessage:
    """A received message parsed back by the stdlib."""
    return email.message_from_bytes(data, policy=policy.default)


def reload(message_id: int) -> OutboxMessage:
    """The row as the database has it now."""
    db.session.expire_all()
    return db.session.get(OutboxMessage, message_id)


def make_due(message_id: int) -> None:
    """Let the backoff pass (time travel on the row, not on the clock)."""
    db.session.execute(sa.update(OutboxMessage).where(OutboxMessage.id == message_id)
                       .values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()


def test_message_arrives_with_headers_bodies_and_attachments_intact(app, smtp_server):
    """Names, subject and bodies survive; the invitation is an alternative and invite.ics;
    every attachment's bytes are identical after the round trip."""
    row = queue("soren@example.dk", "Invitation: CWF 2017 — Aarhus, Søren",
                name="Søren Ærø", to_name='Søren Ærø, "Midtjylland"',
                attachments=[Attachment("invite.ics", "text/calendar; method=REQUEST", INVITE,
                                        inline=True),
                             Attachment("badge.bin", "application/octet-stream", BINARY),
                             Attachment("delegates.csv", "text/csv", b"name\r\nS\xc3\xb8ren\r\n")])
    db.session.commit()

    report = deliver_due()

    assert (report.sent, report.retrying, report.failed) == (1, 0, 0)
    [received] = smtp_server.messages
    assert received.mail_from == "noreply@localhost"
    assert received.rcpt_tos == ["soren@example.dk"]
    message = parsed(received.data)
    assert message["Subject"] == "Invitation: CWF 2017 — Aarhus, Søren"
    [to] = message["To"].addresses
    assert (to.display_name, to.addr_spec) == ('Søren Ærø, "Midtjylland"', "soren@example.dk")
    assert message["From"].addresses[0].addr_spec == "noreply@localhost"
    assert message["Message-ID"] == row.message_id
    assert parsedate_to_datetime(message["Date"]) == row.created_at.replace(microsecond=0)

    alternative = next(p for p in message.walk() if p.get_content_type() == "multipart/alternative")
    kinds = [p.get_content_type() for p in alternative.iter_parts()]
    assert kinds == ["text/plain", "text/html", "text/calendar"]
    text, html, calendar = alternative.iter_parts()
    assert "Hello Søren Ærø," in text.get_content()
    assert "Hello Søren Ærø," in html.get_content()
    assert calendar.get_param("method") == "REQUEST"
    assert calendar.get_content_charset() == "utf-8"
    assert calendar.get_payload(decode=True) == INVITE
    parsed_invite = icalendar.Calendar.from_ical(calendar.get_payload(decode=True))
    assert parsed_invite["METHOD"] == "REQUEST"

    files = {p.get_filename(): p for p in message.iter_attachments()}
    assert set(files) == {"invite.ics", "badge.bin", "delegates.csv"}
    assert files["invite.ics"].get_content_type() == "application/ics"
    assert files["invite.ics"].get_payload(decode=True) == INVITE
    assert files["badge.bin"].get_payload(decode=True) == BINARY
    assert files["delegates.csv"].get_payload(decode=True) == b"name\r\nS\xc3\xb8ren\r\n"

    row = reload(row.id)
    assert row.status is OutboxStatus.SENT and row.attempts == 1
    assert row.sent_at is not None and row.last_error is None


def test_smtp_down_keeps_message_queued_then_delivers_it_exactly_once(app):
    """Nothing listening: the error is recorded and a retry scheduled. When the server comes
    back the message is delivered once, and later runs do not send it again."""
    port = free_port()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT=5,
                      MAIL_RETRY_SECONDS=60)
    row_id = queue().id
    db.session.commit()

    report = deliver_due()

    assert (report.sent, report.retrying) == (0, 1)
    row = reload(row_id)
    assert row.status is OutboxStatus.QUEUED and row.attempts == 1
    assert "ConnectionRefusedError" in row.last_error
    assert row.next_attempt_at > utcnow() + timedelta(seconds=50)
    assert deliver_due().attempted == 0  # not due yet: no hammering of a dead server

    server = SmtpServer(port).start()
    try:
        make_due(row_id)
        assert deliver_due().sent == 1
        make_due(row_id)  # even if a row were due again by mistake, sent stays sent
        assert deliver_due().attempted == 0
        assert len(server.messages) == 1
        assert parsed(server.messages[0].data)["Message-ID"] == reload(row_id).message_id
    finally:
        server.stop()
    row = reload(row_id)
    assert row.status is OutboxStatus.SENT and row.attempts == 2


def test_rolled_back_transaction_sends_nothing(app, smtp_server):
    """A message queued in a transaction that rolls back never reaches the server, even with
    delivery after commit switched on and a later commit on the same session."""
    app.config["MAIL_DELIVER_ON_COMMIT"] = True
    queue("ghost@example.org")
    db.session.rollback()
    kept = queue("kept@example.org")
    db.session.commit()
    assert app.extensions["mail.after_commit"].wait_until_idle(10)

    assert deliver_due().attempted == 0
    assert [m.rcpt_tos for m in smtp_server.messages] == [["kept@example.org"]]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 1
    assert reload(kept.id).status is OutboxStatus.SENT


def test_temporary_refusals_retry_with_backoff_then_fail_and_stay_visible(app, smtp_server):
    """451 every time: each attempt is recorded, and after MAIL_MAX_ATTEMPTS it is failed."""
    smtp_server.handler.refuse_data = "451 4.3.0 Mailbox busy, try later"
    app.config.update(MAIL_MAX_ATTEMPTS=3, MAIL_RETRY_SECONDS=0)
    row_id = queue().id
    db.session.commit()

    report = deliver_due()  # with no backoff, one run makes all three attempts

    assert (report.retrying, report.failed) == (2, 1)
    row = reload(row_id)
    assert row.status is OutboxStatus.FAILED and row.attempts == 3
    assert "451" in row.last_error and "Mailbox busy" in row.last_error
    assert smtp_server.messages == []
    assert deliver_due().attempted == 0  # failed stays failed until someone retries it


def test_permanent_refusal_fails_at_once(app, smtp_server):
    """550 for the recipient: retrying cannot help, so the message fails on the first try."""
    smtp_server.handler.refuse_recipients = "550 5.1.1 No such user here"
    row_id = queue("nobody@example.org").id
    db.session.commit()

    assert deliver_due().failed == 1
    row = reload(row_id)
    assert row.status is OutboxStatus.FAILED and row.attempts == 1
    assert "550" in row.last_error


@pytest.mark.parametrize(("attempts", "seconds"), [(1, 60), (2, 120), (3, 240), (5, 960),
                                                    (30, 6 * 3600)])
def test_retry_delay_doubles_and_is_capped(attempts, seconds):
    """Exponential backoff from the base delay, never more than six hours."""
    assert retry_delay(attempts, 60) == timedelta(seconds=seconds)


def test_backoff_is_applied_to_next_attempt(app, smtp_server):
    """After the second failure the next attempt is twice the base delay away."""
    smtp_server.handler.refuse_data = "421 4.7.0 Too many connections"
    app.config.update(MAIL_RETRY_SECONDS=100)
    row_id = queue().id
    db.session.commit()
    deliver_due()
    first = reload(row_id).next_attempt_at - utcnow()
    make_due(row_id)
    deliver_due()
    second = reload(row_id).next_attempt_at - utcnow()
    assert timedelta(seconds=90) < first <= timedelta(seconds=100)
    assert timedelta(seconds=190) < second <= timedelta(seconds=200)


@pytest.mark.parametrize(
    "field_values",
    [
        {"subject": "Hi\r\nBcc: victim@example.org"},
        {"subject": "Hi\nBcc: victim@example.org"},
        {"to_name": "Ulla\r\nBcc: victim@example.org"},
        {"to_address": "ulla@example.org\r\nBcc: victim@example.org"},
    ],
)
def test_header_injection_is_refused_at_send_time(app, smtp_server, field_values):
    """A row written behind queue_email's back with CR/LF in a header is never sent."""
    values = {"message_id": "<x1@localhost>", "to_address": "ulla@example.org",
              "subject": "Hi", "body_text": "Hello", **field_values}
    row = OutboxMessage(**values)
    db.session.add(row)
    db.session.commit()

    assert deliver_due().failed == 1
    row = reload(row.id)
    assert row.status is OutboxStatus.FAILED
    assert "single line" in row.last_error
    assert smtp_server.messages == []


def test_hostile_but_single_line_name_is_quoted_into_one_recipient(app, smtp_server):
    """A name that looks like more addresses stays a display name: one To, one envelope rcpt."""
    queue(to_name="Eve <eve@evil.example>, Bcc: victim@example.org",
          subject="=?utf-8?q?Bcc:_x?= <b>hi</b>")
    db.session.commit()
    deliver_due()
    [received] = smtp_server.messages
    assert received.rcpt_tos == ["ulla@example.org"]
    message = parsed(received.data)
    [to] = message["To"].addresses
    assert to.addr_spec == "ulla@example.org"
    assert to.display_name == "Eve <eve@evil.example>, Bcc: victim@example.org"
    assert message["Bcc"] is None and message["Cc"] is None


def test_stale_claim_of_a_dead_worker_is_taken_over(app, smtp_server):
    """A message left 'sending' past the lease is sent; a fresh claim is left to its worker."""
    stale, fresh = queue("stale@example.org"), queue("fresh@example.org")
    db.session.commit()
    for row, age in ((stale, timedelta(hours=1)), (fresh, timedelta(seconds=5))):
        db.session.execute(sa.update(OutboxMessage).where(OutboxMessage.id == row.id).values(
            status=OutboxStatus.SENDING, claimed_by="dead-host:1:abc", attempts=1,
            claimed_at=utcnow() - age))
    db.session.commit()

    assert deliver_due().sent == 1
    assert [m.rcpt_tos for m in smtp_server.messages] == [["stale@example.org"]]
    assert reload(stale.id).status is OutboxStatus.SENT
    assert reload(stale.id).attempts == 2
    assert reload(fresh.id).status is OutboxStatus.SENDING


def test_stop_request_hands_unsent_claims_back(app, smtp_server):
    """A worker asked to stop mid-batch returns its untouched claims to the queue, due now,
    without counting an attempt for them."""
    ids = [queue(f"p{n}@example.org").id for n in range(4)]
    db.session.commit()
    calls = iter([False, False, True])  # loop check, first message, then stop

    report = deliver_due(should_stop=lambda: next(calls, True))

    assert (report.sent, report.released) == (1, 3)
    rows = [reload(i) for i in ids]
    assert [r.status for r in rows] == [OutboxStatus.SENT] + [OutboxStatus.QUEUED] * 3
    assert [r.attempts for r in rows] == [1, 0, 0, 0]
    assert deliver_due().sent == 3 and len(smtp_server.messages) == 4


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_login_with_configured_credentials(app):
    """MAIL_USERNAME/MAIL_PASSWORD log in; a wrong password is an error recorded for retry."""
    server = SmtpServer(credentials=("secretariat", "s3cret")).start()
    try:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_TIMEOUT=5,
                          MAIL_USERNAME="secretariat", MAIL_PASSWORD="wrong")
        row_id = queue().id
        db.session.commit()
        assert deliver_due().retrying == 1
        assert "SMTPAuthenticationError" in reload(row_id).last_error

        app.config["MAIL_PASSWORD"] = "s3cret"
        make_due(row_id)
        assert deliver_due().sent == 1
        assert len(server.messages) == 1
    finally:
        server.stop()
