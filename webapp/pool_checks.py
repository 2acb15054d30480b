"""Pooled server connections are checked before use only after they have been idle.

`pool_pre_ping` sends a round trip to the database every time a connection leaves the pool.
During a registration surge a connection goes back to the pool and out again within
milliseconds, and the ping was one of the seven round trips each registration made to
PostgreSQL (registrations per second +9% without it, A/B on this machine). Like HikariCP's
`aliveBypassWindowMs`, a connection returned less than `ALIVE_BYPASS_SECONDS` ago is handed
out as it is; one idle for longer is pinged first, and if the server has dropped it the whole
pool is refreshed before the request sees an error (what `pool_pre_ping` does). What is given
up: a server that goes away within that half-second of a connection's last use fails the one
request that picks the connection up, which a restart at that moment mostly does anyway.
SQLite has no server and is never pinged.
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from sqlalchemy.engine import Engine

ALIVE_BYPASS_SECONDS = 0.5
LAST_SEEN_ALIVE = "doc_last_seen_alive"  # in each pooled connection's record.info


def check_idle_connections(engine: Engine, bypass_seconds: float = ALIVE_BYPASS_SECONDS) -> None:
    """Ping a pooled connection at checkout only when it has been idle for `bypass_seconds`."""
    dialect = engine.dialect

    def seen_alive(_dbapi_connection, record) -> None:
        """A new connection, or one just given back after use, is known to be alive now."""
        record.info[LAST_SEEN_ALIVE] = time.monotonic()

    def check(dbapi_connection, record, _proxy) -> None:
        """Ping an idle connection; a dead one refreshes the pool (the pool then retries)."""
        if time.monotonic() - record.info.get(LAST_SEEN_ALIVE, 0.0) < bypass_seconds:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as exc:
            if dialect.is_disconnect(exc, dbapi_connection, None):
                raise sa.exc.InvalidatePoolError(str(exc)) from exc
            raise

    sa.event.listen(engine, "connect", seen_alive)
    sa.event.listen(engine, "checkin", seen_alive)
    sa.event.listen(engine, "checkout", check)
