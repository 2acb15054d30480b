"""SQLite: writers that contend for the same seats wait their turn on a file lock.

SQLite lets one writer at a time in and makes the others poll: its busy handler sleeps 1, 2,
5, 10 ... up to 100 ms between tries, so when two gunicorn workers register people at once
the waiting one sleeps long after the lock is free (p50 latency of the registration
benchmark: 70 ms for 5 ms of work). A blocking flock() on a file beside the database is woken
by the kernel the moment the holder's transaction ends, so the turns follow each other
without a gap. The lock file only orders writers that ask for a turn; SQLite's own lock
still guarantees correctness for everyone.

A transaction that has already written holds SQLite's write lock; it does not ask for a turn
(it could otherwise wait on a turn-holder that waits on it).

Checkpoints happen after the turn, not inside it. SQLite copies the write-ahead log into the
database file (a checkpoint, with two fsyncs: 15-20 ms here) from inside the commit that
makes the log pass `wal_autocheckpoint` pages, so the writer holding the turn held it through
the fsyncs and every other writer waited (one commit in 50 took 15 ms; the mean commit
470 µs instead of 170). Connections therefore checkpoint automatically only past a larger
log (`AUTOCHECKPOINT_PAGES`, a safety net), and a process runs a PASSIVE checkpoint itself
every `CHECKPOINT_EVERY_TURNS` turns, after giving its turn back: the fsyncs then overlap the
next writer's work. PASSIVE never waits for readers or writers."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, SessionTransaction

TURN_FILES = "sqlite.turn_files"
TURN_ENGINE = "sqlite.turn_engine"
# A registration writes ≈12 pages: 50 turns per process keep the log near 600 pages per
# worker between checkpoints, under the safety net even with six workers.
CHECKPOINT_EVERY_TURNS = 50
AUTOCHECKPOINT_PAGES = 4000
_turns_since_checkpoint = 0


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
    session.info[TURN_ENGINE] = connection.engine


@event.listens_for(Session, "after_commit")
def _end_turn_at_commit(session: Session) -> None:
    """Committed: SQLite's lock is free, so the turn is too (before the session's own
    bookkeeping and the connection's return to the pool). A savepoint's release also
    fires this event, while the transaction goes on: then the turn stays."""
    if not session.in_nested_transaction():
        _end_turn(session)


@event.listens_for(Session, "after_transaction_end")
def _end_turn_at_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    """Rollback or close (or a commit already handled): the turn goes back in any case."""
    if transaction.parent is None:
        _end_turn(session)


def _end_turn(session: Session) -> None:
    """Closing the file gives the turn to the next writer; every so many turns, this
    process then checkpoints the log."""
    descriptors = session.info.pop(TURN_FILES, ())
    engine = session.info.pop(TURN_ENGINE, None)
    for descriptor in descriptors:
        os.close(descriptor)
    if descriptors and engine is not None:
        _count_turn(engine)


def _count_turn(engine: Engine) -> None:
    """Checkpoint after every CHECKPOINT_EVERY_TURNS turns this process took."""
    global _turns_since_checkpoint
    _turns_since_checkpoint += 1
    if _turns_since_checkpoint >= CHECKPOINT_EVERY_TURNS:
        _turns_since_checkpoint = 0
        # In a thread: SQLite lets go of the GIL while it copies and syncs, so the worker
        # serves its next request during the fsyncs (15-25 ms here) instead of after them.
        threading.Thread(target=checkpoint, args=(engine,), name="sqlite-checkpoint",
                         daemon=True).start()


def checkpoint(engine: Engine) -> tuple[int, int, int] | None:
    """A PASSIVE checkpoint on a pooled connection: (busy, log pages, pages copied), or None
    if SQLite could not run it (the automatic one will). On the raw connection, outside the
    statement events: it is upkeep of the file, not a query of the page being served."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        try:
            return tuple(cursor.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone())
        finally:
            cursor.close()
    except sqlite3.Error:
        return None
    finally:
        raw.close()
