"""`flask --app webapp mail send`, once (cron) and as a worker (--watch) stopped by SIGTERM."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from tests.smtp import free_port
from webapp.extensions import db
from webapp.mail import queue_email
from webapp.models import OutboxMessage, OutboxStatus

ROOT = Path(__file__).resolve().parents[1]


def queue(count: int, start: int = 0) -> None:
    """Queue and commit `count` messages."""
    for n in range(start, start + count):
        queue_email(f"p{n}@example.org", f"Message {n}", "test_message", {"name": f"P{n}"})
    db.session.commit()


def wait_for(condition, timeout: float = 30.0) -> bool:
    """Poll `condition` until it holds or the time is up."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_send_delivers_what_is_due_and_prints_counts(app, runner, smtp_server):
    """One run, as cron would start it: everything due is sent and counted."""
    queue(3)
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    assert f"Sent 3, to retry 0, failed 0 (via SMTP 127.0.0.1:{smtp_server.port})." in result.output
    assert len(smtp_server.messages) == 3


def test_send_with_server_down_reports_the_error(app, runner):
    """Nothing listening: the run says what went wrong, and the messages wait for the next."""
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)
    queue(2)
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0
    assert "Sent 0, to retry 2, failed 0" in result.output
    assert "Last error: ConnectionRefusedError" in result.output
    statuses = db.session.scalars(sa.select(OutboxMessage.status)).all()
    assert statuses == [OutboxStatus.QUEUED] * 2


def test_send_limit_and_bad_options(app, runner, smtp_server):
    """--limit caps a run; a nonsense interval is refused by the option parser."""
    queue(5)
    result = runner.invoke(args=["mail", "send", "--limit", "2"])
    assert "Sent 2," in result.output and len(smtp_server.messages) == 2
    result = runner.invoke(args=["mail", "send", "--watch", "--interval", "-1"])
    assert result.exit_code == 2 and "Invalid value for '--interval'" in result.output


def test_watch_worker_sends_new_mail_and_stops_cleanly_on_sigterm(app, smtp_server, tmp_path):
    """The long-running worker (a real process) sends what is queued, then what is queued
    while it runs, and exits 0 on SIGTERM."""
    queue(2)
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": "test-secret-key",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_server.port),
        "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
    }
    worker = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "tests.clocked", datetime.now(UTC).isoformat(),
         "--app", "webapp", "mail", "send", "--watch", "--interval", "0.2"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert wait_for(lambda: len(smtp_server.messages) == 2), "first messages not sent"
        queue(1, start=2)
        assert wait_for(lambda: len(smtp_server.messages) == 3), "later message not sent"
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=20)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0, err
    assert "mail worker started" in out and "mail worker stopped." in out, out
    # The third message may be picked up by the run that sent the first two (a run claims
    # until nothing is due), so only the total is certain.
    sent_per_run = [int(n) for n in re.findall(r"sent (\d+), to retry 0, failed 0", out)]
    assert sum(sent_per_run) == 3, out
    db.session.expire_all()
    assert db.session.scalars(sa.select(OutboxMessage.status)).all() == [OutboxStatus.SENT] * 3
