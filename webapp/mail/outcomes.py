"""Commit delivery outcomes beside the sending, not in its way (group commit).

Each outcome ("sent", "retry at...", "failed") is an UPDATE that must be durable as soon as
possible after the SMTP server answers: until it is, a crash would send that message again.
Committing it in the sending thread would make every message wait for the disk (an fsync per
commit on SQLite). Here a thread of its own commits, in one transaction, every outcome that
arrived while its previous commit was under way: one message per commit when the disk keeps
up, a few when it does not, and the sender never waits for it except between batches."""

from __future__ import annotations

import itertools
import logging
import queue
import threading
from dataclasses import dataclass

from flask import Flask

from webapp.extensions import db

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Entry:
    """One statement (with its parameters) to commit, and what to log if it changed no row."""

    statement: object
    params: dict | None
    if_unchanged: str | None


_STOP = object()


class OutcomeLedger:
    """A context manager owning the committing thread for one delivery run."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._queue: queue.Queue[object] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="mail-outcomes", daemon=True)
        self._error: BaseException | None = None

    def __enter__(self) -> OutcomeLedger:
        self._thread.start()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self._queue.put(_STOP)
        self._thread.join()
        if exc is None:
            self._raise_if_failed()

    def record(self, statement, params: dict | None = None, *,
               if_unchanged: str | None = None) -> None:
        """Queue a statement for the next group commit; entries of one group that share a
        statement with parameters run as a single executemany."""
        self._raise_if_failed()
        self._queue.put(_Entry(statement, params, if_unchanged))

    def wait(self) -> None:
        """Block until everything recorded so far is committed (or raise why it was not)."""
        self._queue.join()
        self._raise_if_failed()

    def _raise_if_failed(self) -> None:
        """Surface the committing thread's database error in the sending thread."""
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        """Commit whatever is waiting, group by group, until told to stop."""
        with self.app.app_context():
            try:
                while True:
                    group = [self._queue.get()]
                    while True:
                        try:
                            group.append(self._queue.get_nowait())
                        except queue.Empty:
                            break
                    self._commit(group)
                    for _ in group:
                        self._queue.task_done()
                    if any(entry is _STOP for entry in group):
                        return
            finally:
                db.session.remove()

    def _commit(self, group: list[object]) -> None:
        """One transaction for the group; after a failure, later entries are dropped (their
        rows stay claimed until the lease runs out, then they are sent again)."""
        if self._error is not None:
            return
        entries = [entry for entry in group if entry is not _STOP]
        try:
            for statement, runs in itertools.groupby(entries, key=lambda e: e.statement):
                runs = list(runs)
                if runs[0].params is None:
                    results = [db.session.execute(entry.statement) for entry in runs]
                    changed = sum(result.rowcount for result in results)
                else:
                    changed = db.session.execute(statement, [e.params for e in runs]).rowcount
                if changed < len(runs) and runs[0].if_unchanged:
                    log.warning("%s (%d of %d outcomes applied)", runs[0].if_unchanged,
                                changed, len(runs))
            db.session.commit()
        except Exception as exc:  # handed to the sending thread by wait()/record()
            db.session.rollback()
            self._error = exc
