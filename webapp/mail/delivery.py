"""Deliver the outbox: claim due messages atomically, send them, record each outcome.

A batch is claimed by turning due rows from `queued` to `sending` with the batch's token (on
PostgreSQL the rows are first picked with FOR UPDATE SKIP LOCKED, so two workers take
different rows without waiting; on SQLite one UPDATE runs under the database's write lock),
then read back by that token. Each outcome is committed as soon as it is known, and only if
the claim is still ours. A claim left
`sending` by a dead worker for longer than MAIL_LEASE_SECONDS is taken over; a live worker
stops sending from a batch once half the lease has passed, so a takeover cannot race it.

The one window SMTP leaves open: a crash after the server accepted a message but before its
outcome is committed. That message is sent again after the lease, with the same Message-ID,
which receiving systems use to recognise duplicates."""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from webapp.extensions import db
from webapp.mail.background import remember_for_delivery
from webapp.mail.compose import UnsendableMessage, build_message, envelope_sender
from webapp.mail.recipes import render_pending
from webapp.mail.transport import (
    ConnectionLost,
    PermanentDeliveryError,
    TransientDeliveryError,
    Transport,
    transport_for,
)
from webapp.models.mail import OutboxMessage, OutboxStatus
from webapp.models.types import utcnow

__all__ = ["DeliveryReport", "build_message", "claim_messages", "deliver_due", "retry_delay"]

log = logging.getLogger(__name__)
outbox = OutboxMessage.__table__
MAX_RETRY_DELAY = timedelta(hours=6)


@dataclass
class DeliveryReport:
    """What one delivery run did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    released: int = 0
    errors: list[str] = field(default_factory=list)
    via: str = ""

    @property
    def attempted(self) -> int:
        """Messages this run tried to send."""
        return self.sent + self.retrying + self.failed

    def summary(self) -> str:
        """'sent 3, to retry 1, failed 0 (via SMTP mail.example.org:25)'."""
        text = f"sent {self.sent}, to retry {self.retrying}, failed {self.failed}"
        if self.released:
            text += f", handed back unsent {self.released}"
        return f"{text} (via {self.via})" if self.via else text


@dataclass
class _Prepared:
    """A claimed message, built and detached from the session before any network I/O."""

    id: int
    recipient: str
    queued_at: datetime
    attempts: int
    message: EmailMessage | None
    problem: str | None


def new_claim_token() -> str:
    """Names this worker and batch: host, process and a random part."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:16]}"


def retry_delay(attempts: int, base_seconds: float) -> timedelta:
    """Exponential backoff: base, 2×base, 4×base... after the 1st, 2nd, 3rd failed attempt."""
    return min(timedelta(seconds=base_seconds * 2 ** max(attempts - 1, 0)), MAX_RETRY_DELAY)


def _due(now: datetime, lease: timedelta) -> sa.ColumnElement[bool]:
    """Queued and due, or claimed by a worker whose lease has run out."""
    return sa.or_(
        sa.and_(outbox.c.status == OutboxStatus.QUEUED, outbox.c.next_attempt_at <= now),
        sa.and_(outbox.c.status == OutboxStatus.SENDING, outbox.c.claimed_at < now - lease),
    )


def claim_messages(token: str, limit: int, *, lease: timedelta,
                   ids: Iterable[int] | None = None) -> list[int]:
    """Atomically take up to `limit` due messages for `token` and commit; returns their ids.

    PostgreSQL: SELECT ... FOR UPDATE SKIP LOCKED picks rows no other worker holds, then the
    UPDATE marks them in the same transaction. (Inside the UPDATE as an IN subquery, the
    planner may re-run the LIMITed subquery and claim more than asked.) SQLite: one UPDATE
    with the pick as its subquery, under the database's write lock. Either way the UPDATE
    repeats the due test, and what was claimed is read back by token."""
    now = utcnow()
    pick = (
        sa.select(outbox.c.id)
        .where(_due(now, lease))
        .order_by(outbox.c.next_attempt_at, outbox.c.id)
        .limit(limit)
    )
    if ids is not None:
        pick = pick.where(outbox.c.id.in_(list(ids)))
    claim = sa.update(outbox).values(status=OutboxStatus.SENDING, claimed_by=token,
                                     claimed_at=now, attempts=outbox.c.attempts + 1)
    if db.session.get_bind().dialect.name == "postgresql":
        picked = list(db.session.scalars(pick.with_for_update(skip_locked=True)))
        if picked:
            db.session.execute(claim.where(outbox.c.id.in_(picked), _due(now, lease)))
    else:
        db.session.execute(claim.where(outbox.c.id.in_(pick), _due(now, lease)))
    db.session.commit()
    return list(db.session.scalars(
        sa.select(outbox.c.id)
        .where(outbox.c.claimed_by == token, outbox.c.status == OutboxStatus.SENDING)
        .order_by(outbox.c.next_attempt_at, outbox.c.id)
    ))


def _prepare(claimed: Sequence[int], mail_from: str) -> list[_Prepared]:
    """Load the claimed rows with their attachments (two queries), write the text of those
    that hold a recipe (kept on the row: a retry sends the same bytes), build each message."""
    rows = db.session.scalars(
        sa.select(OutboxMessage)
        .where(OutboxMessage.id.in_(claimed))
        .options(selectinload(OutboxMessage.attachments))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
    ).all()
    unwritable = render_pending(rows)
    prepared = []
    for row in rows:
        try:
            if row.id in unwritable:
                raise UnsendableMessage(f"cannot write the message: {unwritable[row.id]}")
            message, problem = build_message(row, mail_from), None
        except UnsendableMessage as exc:
            message, problem = None, f"Refused: {exc}"
        prepared.append(_Prepared(row.id, row.to_address, row.created_at, row.attempts,
                                  message, problem))
    # End the read transaction: no database transaction stays open while SMTP talks.
    db.session.commit()
    return prepared


def _finish(row_id: int, token: str, **values) -> None:
    """Record and commit one outcome at once (until it is committed, a crash would send the
    message again), applied only if the claim is still ours."""
    changed = db.session.execute(
        sa.update(outbox)
        .where(outbox.c.id == row_id, outbox.c.claimed_by == token,
               outbox.c.status == OutboxStatus.SENDING)
        .values(**values)
    ).rowcount
    db.session.commit()
    if not changed:
        log.warning("outbox message %s: claim %s was taken over before its outcome",
                    row_id, token)


def _record_failure(item: _Prepared, token: str, error: str, *,
                    permanent: bool, report: DeliveryReport) -> None:
    """Schedule a retry with backoff, or give up after MAIL_MAX_ATTEMPTS (kept, visible)."""
    config = current_app.config
    report.errors.append(error)
    if permanent or item.attempts >= config["MAIL_MAX_ATTEMPTS"]:
        _finish(item.id, token, status=OutboxStatus.FAILED, last_error=error)
        report.failed += 1
        return
    due = utcnow() + retry_delay(item.attempts, config["MAIL_RETRY_SECONDS"])
    _finish(item.id, token, status=OutboxStatus.QUEUED, last_error=error, next_attempt_at=due)
    report.retrying += 1


def _release(items: Sequence[_Prepared], token: str, report: DeliveryReport) -> None:
    """Hand unsent claims back to the queue, due now, without counting an attempt."""
    if not items:
        return
    db.session.execute(
        sa.update(outbox)
        .where(outbox.c.id.in_([item.id for item in items]), outbox.c.claimed_by == token,
               outbox.c.status == OutboxStatus.SENDING)
        .values(status=OutboxStatus.QUEUED, attempts=outbox.c.attempts - 1,
                next_attempt_at=utcnow())
    )
    db.session.commit()
    report.released += len(items)


def _send_batch(transport: Transport, token: str, items: list[_Prepared], sender: str,
                report: DeliveryReport, should_stop: Callable[[], bool]) -> bool:
    """Send each claimed message and record its outcome as soon as it is known.

    Returns False when the server cannot be reached, so the run stops early."""
    claimed_at = time.monotonic()
    half_lease = current_app.config["MAIL_LEASE_SECONDS"] / 2
    for position, item in enumerate(items):
        if should_stop() or time.monotonic() - claimed_at > half_lease:
            _release(items[position:], token, report)
            return True
        if item.message is None:
            _record_failure(item, token, item.problem or "Refused", permanent=True,
                            report=report)
            continue
        try:
            transport.send(item.message, sender=sender, recipient=item.recipient,
                           queued_at=item.queued_at, row_id=item.id)
        except ConnectionLost as exc:
            # Nothing more gets through on this run: each remaining message of the batch
            # records the error and gets its own backoff.
            for unsent in items[position:]:
                _record_failure(unsent, token, str(exc), permanent=False, report=report)
            return False
        except (PermanentDeliveryError, TransientDeliveryError) as exc:
            permanent = isinstance(exc, PermanentDeliveryError)
            _record_failure(item, token, str(exc), permanent=permanent, report=report)
            continue
        _finish(item.id, token, status=OutboxStatus.SENT, sent_at=utcnow())
        report.sent += 1
    return True


def deliver_due(*, ids: Iterable[int] | None = None, limit: int | None = None,
                should_stop: Callable[[], bool] = lambda: False) -> DeliveryReport:
    """Deliver every message that is due (or only those of `ids`), batch by batch.

    Commits the session. Messages that fail are rescheduled into the future, so one run ends
    when nothing due is left; an unreachable server ends it at once."""
    config = current_app.config
    transport = transport_for(config)
    report = DeliveryReport(via=transport.description)
    lease = timedelta(seconds=config["MAIL_LEASE_SECONDS"])
    wanted = None if ids is None else sorted(set(ids))
    sender = envelope_sender(config["MAIL_FROM"])
    db.session.commit()  # each claim must start a transaction of its own
    with transport:
        while not should_stop():
            size = config["MAIL_BATCH_SIZE"]
            if limit is not None:
                size = min(size, limit - report.attempted - report.released)
                if size <= 0:
                    break
            token = new_claim_token()
            claimed = claim_messages(token, size, lease=lease, ids=wanted)
            if not claimed:
                break
            items = _prepare(claimed, config["MAIL_FROM"])
            if not _send_batch(transport, token, items, sender, report, should_stop):
                break
    return report


def can_retry(message: OutboxMessage) -> bool:
    """Queued and failed messages can be retried now; so can one stuck in 'sending' by a
    worker that died (its claim older than the lease). Sent ones never."""
    if message.status in (OutboxStatus.QUEUED, OutboxStatus.FAILED):
        return True
    lease = timedelta(seconds=current_app.config["MAIL_LEASE_SECONDS"])
    return (message.status is OutboxStatus.SENDING and message.claimed_at is not None
            and message.claimed_at < utcnow() - lease)


def reschedule_now(message: OutboxMessage) -> None:
    """'Retry now' from the admin page: due at once; a failed message gets a fresh set of
    MAIL_MAX_ATTEMPTS tries (its last error stays visible until the next attempt)."""
    if not can_retry(message):
        raise ValueError(f"a {message.status.value} message cannot be retried")
    if message.status is OutboxStatus.FAILED:
        message.attempts = 0
    message.status = OutboxStatus.QUEUED
    message.next_attempt_at = utcnow()
    db.session.flush()


def reschedule_failed() -> int:
    """Every failed message due again with fresh attempts; each is sent after the commit."""
    ids = list(db.session.scalars(
        sa.select(outbox.c.id).where(outbox.c.status == OutboxStatus.FAILED)
    ))
    if ids:
        db.session.execute(
            sa.update(outbox)
            .where(outbox.c.id.in_(ids), outbox.c.status == OutboxStatus.FAILED)
            .values(status=OutboxStatus.QUEUED, attempts=0, next_attempt_at=utcnow())
        )
        for message_id in ids:
            remember_for_delivery(message_id)
    return len(ids)


def make_waiting_due() -> int:
    """'Send all waiting now', after an outage is over: every queued message — those waiting
    for their retry's backoff included — becomes due at once (attempts are kept, so the
    backoff goes on if the server is still down); returns how many wait."""
    now = utcnow()
    waiting = outbox.c.status == OutboxStatus.QUEUED
    db.session.execute(
        sa.update(outbox).where(waiting, outbox.c.next_attempt_at > now)
        .values(next_attempt_at=now)
    )
    return db.session.scalar(sa.select(sa.func.count()).select_from(outbox).where(waiting))
