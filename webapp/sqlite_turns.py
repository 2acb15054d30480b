"""SQLite: writers that contend for the same seats wait their turn on a file lock.

SQLite lets one writer at a time in and makes the others poll: its busy handler sleeps 1, 2,
5, 10 ... up to 100 ms between tries, so when two gunicorn workers register people at once
the waiting one sleeps long after the lock is free (p50 latency of the registration
benchmark: 70 ms for 5 ms of work). A blocking flock() on a file beside the database is woken
by the kernel the moment the holder's transaction ends, so the turns follow each other
without a gap. The lock file only orders writers that ask for a turn; SQLite's own lock
still guarantees correctness for everyone.

A transaction that has already written holds SQLite's write lock; it does not ask for a turn
(it could otherwise wait on a turn-holder that waits on it)."""

from __future__ import annotations

import fcntl
import os

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

TURN_FILES = "sqlite.turn_files"


def turn_file_path(database: str | None) -> str | None:
    """The lock file of a database file; None for an in-memory database."""
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        return None
    return f"{database}.writers"


def wait_for_write_turn(session: Session) -> None:
    """On SQLite, block until no other writer asking for a turn is inside its transaction;
    held until this session's transaction ends. Does nothing on other databases."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    path = turn_file_path(connection.engine.url.database)
    if path is None or connection.connection.driver_connection.in_transaction:
        return
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
    except BaseException:
        os.close(descriptor)
        raise
    session.info.setdefault(TURN_FILES, []).append(descriptor)


@event.listens_for(Session, "after_transaction_end")
def _end_turn(session: Session, transaction: SessionTransaction) -> None:
    """Commit, rollback or close: closing the file gives the turn to the next writer."""
    if transaction.parent is None:
        for descriptor in session.info.pop(TURN_FILES, ()):
            os.close(descriptor)
