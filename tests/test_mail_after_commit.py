"""Delivery right after the commit, in the background, and the .eml fallback."""

from __future__ import annotations

import email
import os
import subprocess
import sys
import time
from email import policy
from pathlib import Path

import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.mail import Attachment, queue_email
from webapp.mail.delivery import deliver_due
from webapp.models import OutboxMessage, OutboxStatus


@pytest.fixture
def after_commit(app):
    """Delivery after commit switched on; yields the app's background sender."""
    app.config["MAIL_DELIVER_ON_COMMIT"] = True
    sender = app.extensions["mail.after_commit"]
    yield sender
    assert sender.wait_until_idle(30), "the background sender did not finish"


def status_of(message_id: int) -> OutboxStatus:
    """The row's status as the database has it now."""
    db.session.expire_all()
    return db.session.get(OutboxMessage, message_id).status


def test_committed_message_is_sent_without_a_worker(app, smtp_server, after_commit):
    """Commit, and the message arrives shortly after, sent by the background thread."""
    row_id = queue_email("ulla@example.org", "Welcome", "test_message", {"name": "Ulla"}).id
    db.session.commit()

    assert after_commit.wait_until_idle(10)
    assert [m.rcpt_tos for m in smtp_server.messages] == [["ulla@example.org"]]
    assert status_of(row_id) is OutboxStatus.SENT


def test_commit_does_not_wait_for_a_slow_smtp_server(app, smtp_server, after_commit):
    """The server takes 2 s per message; the commit returns long before that."""
    smtp_server.handler.delay_seconds = 2.0
    row_id = queue_email("ulla@example.org", "Welcome", "test_message", {"name": "Ulla"}).id

    started = time.monotonic()
    db.session.commit()
    assert time.monotonic() - started < 1.0
    assert smtp_server.messages == []

    assert after_commit.wait_until_idle(15)
    assert len(smtp_server.messages) == 1
    assert status_of(row_id) is OutboxStatus.SENT


def test_savepoint_rollback_keeps_the_outer_transactions_messages(app, smtp_server,
                                                                   after_commit):
    """A rolled-back savepoint drops only its own message; the outer one is still sent."""
    queue_email("outer@example.org", "Kept", "test_message", {"name": "A"})
    with db.session.begin_nested() as savepoint:
        queue_email("inner@example.org", "Dropped", "test_message", {"name": "B"})
        savepoint.rollback()
    db.session.commit()

    assert after_commit.wait_until_idle(10)
    assert [m.rcpt_tos for m in smtp_server.messages] == [["outer@example.org"]]


def test_failed_background_send_is_left_for_the_worker(app, after_commit):
    """With the server down the background attempt records the error; the row stays queued
    for `flask mail send`."""
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1, MAIL_TIMEOUT=2)
    row_id = queue_email("ulla@example.org", "Welcome", "test_message", {"name": "Ulla"}).id
    db.session.commit()

    assert after_commit.wait_until_idle(10)
    db.session.expire_all()
    row = db.session.get(OutboxMessage, row_id)
    assert row.status is OutboxStatus.QUEUED and row.attempts == 1 and row.last_error


def test_without_smtp_server_messages_become_eml_files_sorted_by_time(app):
    """No MAIL_SERVER: each message is written as a parseable .eml file, names in queue
    order, with the same Message-ID and attachments as the row."""
    invite = b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"
    rows = [
        queue_email(f"p{n}@example.org", f"Message {n}", "test_message", {"name": f"P{n}"},
                    attachments=[Attachment("invite.ics", "text/calendar; method=REQUEST",
                                            invite, inline=True)])
        for n in range(3)
    ]
    db.session.commit()

    report = deliver_due()

    assert report.sent == 3 and report.via.startswith("files in ")
    files = sorted(Path(app.config["MAIL_OUTBOX_DIR"]).iterdir())
    assert [f.suffix for f in files] == [".eml"] * 3
    for row, path in zip(rows, files, strict=True):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        assert message["Message-ID"] == row.message_id
        assert message["To"].addresses[0].addr_spec == row.to_address
        [attached] = list(message.iter_attachments())
        assert attached.get_filename() == "invite.ics"
        assert attached.get_payload(decode=True) == invite
    assert db.session.scalars(sa.select(OutboxMessage.status)).all() == [OutboxStatus.SENT] * 3


def test_eml_directory_that_cannot_be_written_keeps_mail_queued(app, tmp_path):
    """A broken outbox directory (here: a file in its place) is an error recorded for retry."""
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    app.config["MAIL_OUTBOX_DIR"] = str(blocker)
    row_id = queue_email("ulla@example.org", "Welcome", "test_message", {"name": "U"}).id
    db.session.commit()

    assert deliver_due().retrying == 1
    db.session.expire_all()
    row = db.session.get(OutboxMessage, row_id)
    assert row.status is OutboxStatus.QUEUED and "not-a-directory" in row.last_error


def test_a_short_lived_process_sends_before_it_exits(app, tmp_path):
    """A command that queues mail and exits at once still delivers it (the process waits for
    the background sender at exit instead of killing it mid-send)."""
    outbox = tmp_path / "cli-outbox"
    script = (
        "from webapp import create_app\n"
        "from webapp.extensions import db\n"
        "from webapp.mail import queue_email\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    queue_email('ulla@example.org', 'Hi', 'test_message', {'name': 'Ulla'})\n"
        "    db.session.commit()\n"
    )
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "SECRET_KEY": "test-secret-key", "MAIL_OUTBOX_DIR": str(outbox)}
    env.pop("MAIL_SERVER", None)
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,  # noqa: S603
                            text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert len(list(outbox.glob("*.eml"))) == 1
    assert status_of(1) is OutboxStatus.SENT
