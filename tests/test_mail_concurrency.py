"""Two workers at once never send the same message (SQLite, and PostgreSQL with DATABASE_URL)."""

from __future__ import annotations

import email
import os
import threading
from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.mail import queue_email
from webapp.mail.delivery import DeliveryReport, claim_messages, deliver_due
from webapp.models import OutboxMessage, OutboxStatus

LEASE = timedelta(minutes=10)


def queue_many(count: int) -> list[OutboxMessage]:
    """`count` queued messages, committed."""
    rows = [queue_email(f"delegate{n}@example.org", f"Message {n}", "test_message",
                        {"name": f"Delegate {n}"}) for n in range(count)]
    db.session.commit()
    return rows


def run_at_once(app, work, workers: int = 2) -> list:
    """Run `work()` in `workers` threads released together, each in its own app context (so
    each has its own database session and connection); return their results."""
    start = threading.Barrier(workers)
    results: list = [None] * workers
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        """One worker thread."""
        try:
            with app.app_context():
                start.wait(timeout=10)
                results[index] = work()
                db.session.remove()
        except BaseException as exc:  # surfaced in the test thread below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert not any(thread.is_alive() for thread in threads)
    return results


def test_two_workers_deliver_each_message_exactly_once(app, smtp_server, caplog):
    """40 messages, two workers in small batches against a slowish server: every message
    arrives once, both workers took part, and every row ends sent."""
    rows = queue_many(40)
    expected = {row.message_id for row in rows}
    app.config["MAIL_BATCH_SIZE"] = 4
    smtp_server.handler.delay_seconds = 0.005  # lets the workers interleave

    reports: list[DeliveryReport] = run_at_once(app, deliver_due)

    received = Counter(email.message_from_bytes(m.data)["Message-ID"]
                       for m in smtp_server.messages)
    assert set(received) == expected
    assert max(received.values()) == 1
    assert sum(r.sent for r in reports) == 40
    assert all(r.sent > 0 for r in reports), [r.sent for r in reports]
    statuses = db.session.scalars(sa.select(OutboxMessage.status)).all()
    assert set(statuses) == {OutboxStatus.SENT}
    assert "taken over" not in caplog.text  # every outcome landed on its own worker's claim


def test_simultaneous_claims_never_overlap(app):
    """Two claims at the same moment, each asking for everything, split the rows between
    them: no row is claimed twice, none is lost."""
    ids = {row.id for row in queue_many(30)}

    claims = run_at_once(app, lambda: claim_messages(
        f"worker-{threading.get_ident()}", 30, lease=LEASE))

    first, second = (set(c) for c in claims)
    assert first.isdisjoint(second)
    assert first | second == ids


def test_a_claim_takes_no_more_than_asked_oldest_due_first(app):
    """A batch is the `limit` longest-waiting due messages; the rest stay queued for others."""
    rows = queue_many(10)
    claimed = claim_messages("worker-a", 4, lease=LEASE)
    assert claimed == [row.id for row in rows[:4]]
    db.session.expire_all()
    statuses = Counter(db.session.scalars(sa.select(OutboxMessage.status)))
    assert statuses == {OutboxStatus.SENDING: 4, OutboxStatus.QUEUED: 6}


@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                    reason="FOR UPDATE SKIP LOCKED is PostgreSQL's (SQLite serialises writers)")
def test_rows_locked_by_another_worker_are_skipped_not_waited_for(app):
    """On PostgreSQL a claim passes over rows another transaction holds, instead of queueing
    behind its lock; they are claimable once that transaction ends."""
    rows = queue_many(3)
    with db.engine.connect() as other_worker:
        other_worker.execute(sa.text("SELECT id FROM outbox_message WHERE id = :id FOR UPDATE"),
                             {"id": rows[0].id})
        # Waiting for the lock would raise after 2 s rather than hang the test.
        db.session.execute(sa.text("SET LOCAL lock_timeout = '2s'"))
        claimed = claim_messages("worker-b", 10, lease=LEASE)
        assert claimed == [rows[1].id, rows[2].id]
        other_worker.rollback()
    assert claim_messages("worker-c", 10, lease=LEASE) == [rows[0].id]
