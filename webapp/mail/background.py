"""Delivery after commit: what a transaction queued is sent once it has committed.

Queueing notes each message id on the session; when the session's transaction commits,
the ids go to a per-app background thread, so the request answers without waiting on the SMTP
server. A rollback forgets them (the rows never existed). If the process dies first, the rows
are still queued (or claimed, until the lease runs out) and `flask mail send` delivers them:
the thread only makes delivery prompt, never responsible."""

from __future__ import annotations

import atexit
import queue
import threading
import time
from collections.abc import Iterable

from flask import Flask, current_app
from flask_sqlalchemy.session import Session
from sqlalchemy import event
from sqlalchemy.orm import SessionTransaction

from webapp.extensions import db

PENDING_IDS = "mail.pending_ids"
PENDING_ALL = "mail.pending_all"
PENDING_APP = "mail.pending_app"
EVERYTHING_DUE = None  # submitted instead of ids: deliver whatever is due
EXTENSION = "mail.after_commit"


def remember_for_delivery(message_id: int) -> None:
    """Note a queued message on the current session, for delivery after its commit."""
    session = db.session()
    session.info.setdefault(PENDING_IDS, set()).add(message_id)
    session.info[PENDING_APP] = current_app._get_current_object()


def remember_all_due() -> None:
    """A bulk send: after the commit, deliver everything due rather than a list of ids."""
    session = db.session()
    session.info[PENDING_ALL] = True
    session.info[PENDING_APP] = current_app._get_current_object()


@event.listens_for(Session, "after_commit")
def _deliver_after_commit(session: Session) -> None:
    """The transaction is durable: hand what it queued to the background sender."""
    ids = session.info.pop(PENDING_IDS, None)
    everything = session.info.pop(PENDING_ALL, False)
    app: Flask | None = session.info.pop(PENDING_APP, None)
    if (ids or everything) and app is not None and app.config["MAIL_DELIVER_ON_COMMIT"]:
        app.extensions[EXTENSION].submit(EVERYTHING_DUE if everything else ids)


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, previous: SessionTransaction) -> None:
    """The whole transaction rolled back: what it queued never existed."""
    if previous.parent is None:  # a savepoint's rollback leaves the outer transaction going
        for key in (PENDING_IDS, PENDING_ALL, PENDING_APP):
            session.info.pop(key, None)


class AfterCommitSender:
    """A thread per app that sends what committed transactions queued, started on demand and
    ending after `idle_seconds` without work."""

    def __init__(self, app: Flask, idle_seconds: float = 5.0) -> None:
        self.app = app
        self.idle_seconds = idle_seconds
        self._work: queue.Queue[frozenset[int] | None] = queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._waits_at_exit = False

    def submit(self, ids: Iterable[int] | None) -> None:
        """Queue ids (or EVERYTHING_DUE) for sending; start the thread if none is running."""
        self._work.put(EVERYTHING_DUE if ids is None else frozenset(ids))
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="mail-after-commit",
                                                daemon=True)
                self._thread.start()
            if not self._waits_at_exit:
                # A short-lived process (a flask command that queues mail) would otherwise
                # kill the daemon thread mid-send and leave the message for the lease.
                grace = float(self.app.config["MAIL_TIMEOUT"]) + 5
                atexit.register(self.wait_until_idle, grace)
                self._waits_at_exit = True

    def _run(self) -> None:
        """Send batches of ids until the queue stays empty for idle_seconds."""
        while True:
            try:
                batch = self._work.get(timeout=self.idle_seconds)
            except queue.Empty:
                with self._lock:
                    if self._work.empty():
                        self._thread = None
                        return
                continue
            taken = 1
            while True:  # whatever else committed meanwhile goes in the same run
                try:
                    more = self._work.get_nowait()
                    taken += 1
                    batch = None if batch is None or more is None else batch | more
                except queue.Empty:
                    break
            try:
                self._send(batch)
            finally:
                for _ in range(taken):
                    self._work.task_done()

    def _send(self, ids: frozenset[int] | None) -> None:
        """One delivery run for these ids (None: all that is due); errors are logged, the
        rows stay for the worker."""
        from webapp.mail.delivery import deliver_due  # delivery imports the services module

        try:
            with self.app.app_context():
                report = deliver_due(ids=ids)
                if report.errors:
                    self.app.logger.warning("mail after commit: %s", report.summary())
        except Exception:  # the thread must survive; `flask mail send` picks the rows up
            self.app.logger.exception("mail after commit failed; the mail worker will retry")

    def wait_until_idle(self, timeout: float) -> bool:
        """Wait until everything submitted has been handled (for tests and shutdown)."""
        deadline = time.monotonic() + timeout
        while self._work.unfinished_tasks:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True
