"""SQLite: a feed's fingerprint kept until anything at all is committed to the database.

`PRAGMA data_version` gives, on one connection, a number that changes whenever another
connection (of any process) has committed since that connection last asked: a few
microseconds, no table read. Each process keeps one connection that never writes and asks
it before each feed request. While the number stays the same nothing in the file has
changed, so a fingerprint computed under it is exact, not merely recent, whatever makes the
next change: the ORM, a Core bulk UPDATE, another worker, the CLI, sqlite3 by hand.

The number is read BEFORE the validator query, and the fingerprint kept under it: a commit
landing between the two only makes the next request compute again, never the reverse. That
needs the validator query to see the database as of its own start, not an older snapshot:
it runs on a pooled connection outside any transaction (pysqlite begins none for a SELECT;
tests check it). Numbers from two connections are not comparable (a fresh one starts at the
same value), so a new watching connection (after fork, after an error) starts a new cache.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.engine import Engine

from webapp.calendars.fastquery import forward_cursor_events
from webapp.calendars.state import FeedState
from webapp.extensions import db

MAX_ENTRIES = 10_000  # beyond this the cache starts afresh (keys come from URLs)
_MISSING = object()
# Watching connections a forked child inherited: never used there, never closed there
# (closing a parent's SQLite connection in a child is as unsafe as using it).
_inherited: list[object] = []


class VersionedStates:
    """Feed fingerprints valid while the database's data_version stays the same."""

    def __init__(self, engine: Engine) -> None:
        """Nothing open yet: the watching connection is made on first use, per process."""
        self.engine = engine
        self._lock = threading.Lock()
        self._pid = 0
        self._companion: Engine | None = None
        self._watch: sa.Connection | None = None
        self._states: dict[tuple, FeedState | None] = {}
        self._version: int | None = None

    def load(
        self, key: tuple, load_state: Callable[[], FeedState | None]
    ) -> FeedState | None:
        """The fingerprint for `key`: remembered if nothing was committed since it was
        computed, else computed now (and remembered under the version read before)."""
        with self._lock:
            try:
                version = self._read_version()
            except sa.exc.DBAPIError:
                self._drop()  # the next request opens a new watching connection
                version = None
            if version is not None and version != self._version:
                self._version, self._states = version, {}
            states = self._states
        if version is None:  # this once, straight from the database
            return load_state()
        state = states.get(key, _MISSING)
        if state is not _MISSING:
            return state
        state = load_state()
        with self._lock:
            if states is self._states:  # else a newer version came meanwhile: keep nothing
                if len(states) >= MAX_ENTRIES:
                    states.clear()
                states[key] = state
        return state

    def close(self, *_args) -> None:
        """Let the watching connection go (the app's engine was disposed)."""
        with self._lock:
            self._drop()

    def _read_version(self) -> int:
        """The data_version on this process's watching connection (lock held)."""
        if self._pid != os.getpid():
            self._drop()
            # Its own engine, one connection held for good, autocommit: never in a
            # transaction, never a write. Its statements reach the app's engine listeners.
            self._companion = sa.create_engine(
                self.engine.url, poolclass=sa.pool.StaticPool, isolation_level="AUTOCOMMIT"
            )
            forward_cursor_events(self._companion, self.engine)
            self._watch = self._companion.connect()
            self._pid = os.getpid()
        return self._watch.exec_driver_sql("PRAGMA data_version").scalar_one()

    def _drop(self) -> None:
        """Forget the watching connection and everything read through it (lock held)."""
        if self._watch is not None:
            if self._pid == os.getpid():
                self._watch.invalidate()  # closes the DBAPI connection, even a broken one
                self._watch.close()
                self._companion.dispose()
            else:
                _inherited.append((self._companion, self._watch))
        self._companion = self._watch = None
        self._pid, self._version, self._states = 0, None, {}


def _file_database(engine: Engine) -> bool:
    """A SQLite file (other connections and processes see the same data), not :memory:."""
    url = engine.url
    return (
        engine.dialect.name == "sqlite"
        and bool(url.database)
        and ":memory:" not in url.database
        and url.query.get("mode") != "memory"
    )


def versioned_states(app: Flask) -> VersionedStates | None:
    """The app's data_version cache: SQLite files, unless CALENDAR_DATA_VERSION_CACHE is
    off; None otherwise (PostgreSQL asks the database on every request)."""
    states = app.extensions.get("calendar_versioned_states")
    if states is None:
        engine = db.engine
        states = False
        if app.config.get("CALENDAR_DATA_VERSION_CACHE", True) and _file_database(engine):
            states = VersionedStates(engine)
            sa.event.listen(engine, "engine_disposed", states.close)
        app.extensions["calendar_versioned_states"] = states
    return states or None
