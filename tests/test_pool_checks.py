"""Pooled server connections: pinged before use only after being idle; a dead idle one is
replaced before a request sees it."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.pool_checks import ALIVE_BYPASS_SECONDS, check_idle_connections


@pytest.fixture
def server_engine(app):
    """A PostgreSQL engine of its own (the app's URL) with the idle check, window 0.3 s."""
    if db.engine.dialect.name == "sqlite":
        pytest.skip("SQLite has no server connection to check")
    engine = sa.create_engine(db.engine.url, pool_size=1, max_overflow=0)
    check_idle_connections(engine, bypass_seconds=0.3)
    yield engine
    engine.dispose()


def test_the_app_replaces_a_dropped_idle_connection(client):
    """The app's own engine has the check: after the server drops its idle connection, the
    next page is served as usual."""
    if db.engine.dialect.name == "sqlite":
        pytest.skip("SQLite has no server connection to check")
    assert client.get("/regions/").status_code == 200
    db.session.remove()
    admin = sa.create_engine(db.engine.url, poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        dropped = conn.execute(sa.text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar_one()
    admin.dispose()
    assert dropped >= 1  # the app's pooled connection
    time.sleep(ALIVE_BYPASS_SECONDS + 0.1)
    assert client.get("/regions/").status_code == 200


def count_pings(engine, monkeypatch) -> list[int]:
    """Count the dialect's pings (made by the check, straight on the driver's connection)."""
    pings = []
    original = engine.dialect.do_ping

    def counted(dbapi_connection):
        pings.append(1)
        return original(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    return pings


def test_a_connection_reused_at_once_is_not_pinged(server_engine, monkeypatch):
    """Back in the pool and out again within the window: no round trip before the query."""
    pings = count_pings(server_engine, monkeypatch)
    for _ in range(5):
        with server_engine.connect() as conn:
            assert conn.execute(sa.text("SELECT 1")).scalar_one() == 1
    assert pings == []


def test_an_idle_connection_is_pinged(server_engine, monkeypatch):
    """Idle for longer than the window: pinged once at checkout."""
    pings = count_pings(server_engine, monkeypatch)
    with server_engine.connect() as conn:
        conn.execute(sa.text("SELECT 1"))
    time.sleep(0.4)
    with server_engine.connect() as conn:
        conn.execute(sa.text("SELECT 1"))
    assert pings == [1]


def test_a_dropped_idle_connection_is_replaced_unseen(server_engine):
    """The server closes an idle pooled connection: the next checkout pings, finds it dead,
    refreshes the pool, and the query runs on a new connection without an error."""
    with server_engine.connect() as conn:
        old_pid = conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
    with db.engine.connect() as admin:
        admin.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": old_pid})
        admin.commit()
    time.sleep(0.4)
    with server_engine.connect() as conn:
        new_pid = conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
    assert new_pid != old_pid


def test_a_connection_dropped_within_the_window_fails_once_then_recovers(server_engine):
    """The trade-off, pinned down: reused within the window, a connection the server just
    dropped fails that one use (marked invalidated); the next use gets a new connection."""
    with server_engine.connect() as conn:
        old_pid = conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
    with db.engine.connect() as admin:
        admin.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": old_pid})
        admin.commit()
    time.sleep(0.05)  # let the server close it
    with pytest.raises(sa.exc.DBAPIError) as failed, server_engine.connect() as conn:
        conn.execute(sa.text("SELECT 1"))
    assert failed.value.connection_invalidated
    with server_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one() != old_pid
