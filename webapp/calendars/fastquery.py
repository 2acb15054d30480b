"""Run a prebuilt SELECT at little more than the database's own cost.

A feed's 304 is one validator query. Executed as a SQLAlchemy statement, the library's
per-call work (a cache key walked over the whole statement tree, an isolation-level switch
that costs SQLite a PRAGMA each way) cost 2-4× the query itself on SQLite. `FastQuery`
compiles the statement once per database dialect into SQL text with its constants inline
and the caller's parameters bound, wrapped as a typed `text()` construct: its cache key is
the string, so SQLAlchemy finds the compiled form and the result metadata in its cache at
once, and rows come back with the same Python types as the statement gives (tests compare).

On SQLite it runs on the app's engine as it is. On a server database (PostgreSQL) the app's
engine pings a connection that has been idle (pool_checks: one more round trip, as long as
the query itself here) and wraps statements in BEGIN/ROLLBACK. Validator queries use a
companion engine on the same database instead: autocommit, no ping, generic plans for its
prepared statements (psycopg prepares a query run five times), and one retry when a
pooled connection turns out dead (a read is safe to repeat; SQLAlchemy then replaces the
whole pool's older connections). Its cursor events are forwarded to the app's engine, so
listeners there (the tests' query counters, the benchmark's) see every statement.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect, Engine

from webapp.extensions import db

_companions: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()
_companions_lock = threading.Lock()


def forward_cursor_events(companion: Engine, engine: Engine) -> None:
    """Let `engine`'s statement observers see the companion's statements too."""

    @sa.event.listens_for(companion, "before_cursor_execute")
    def before(conn, cursor, statement, parameters, context, executemany) -> None:
        """Tell the app's engine a statement is about to run."""
        engine.dispatch.before_cursor_execute(
            conn, cursor, statement, parameters, context, executemany
        )

    @sa.event.listens_for(companion, "after_cursor_execute")
    def after(conn, cursor, statement, parameters, context, executemany) -> None:
        """Tell the app's engine a statement has run."""
        engine.dispatch.after_cursor_execute(
            conn, cursor, statement, parameters, context, executemany
        )


def _generic_plans(dbapi_connection, _record) -> None:
    """PostgreSQL plans a prepared statement afresh for its first five runs, then keeps a
    generic plan only if it looks no worse; the personal state query took longer to plan
    (1.2 ms) than to run. Its parameters are a token, a slug or an id, each an equality on a
    unique index, so one generic plan per connection is right for every value."""
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET plan_cache_mode = force_generic_plan")


def validator_engine(engine: Engine) -> Engine:
    """The engine validator queries run on: the app's own for SQLite (no network, no ping),
    else its companion (made once, disposed with it)."""
    if engine.dialect.name == "sqlite":
        return engine
    companion = _companions.get(engine)
    if companion is None:
        with _companions_lock:
            companion = _companions.get(engine)
            if companion is None:
                # Small: a worker runs one validator query at a time per thread.
                companion = sa.create_engine(
                    engine.url, isolation_level="AUTOCOMMIT", pool_pre_ping=False,
                    pool_size=2, max_overflow=8,
                )
                if engine.dialect.name == "postgresql":
                    sa.event.listen(companion, "connect", _generic_plans)
                forward_cursor_events(companion, engine)
                sa.event.listen(engine, "engine_disposed", lambda _e: companion.dispose())
                _companions[engine] = companion
    return companion


def _textual(statement: sa.Select, dialect: Dialect) -> sa.TextualSelect:
    """The statement as typed SQL text for one dialect: constants inline, parameters bound.

    Constants (enum values, 0, 1) come from our code, never from a request, so writing
    them into the SQL is safe, and SQLite runs the personal state query 2.4× faster with
    them inline than bound (its planner can fold them). Each caller parameter is swapped for
    a marker, the statement is compiled with literal binds, and each marker becomes a bind
    of the text."""
    binds: dict[str, sa.BindParameter] = {}

    def swap(element):
        """A caller's parameter becomes a marker column; anything else stays."""
        if isinstance(element, sa.BindParameter):
            if element.expanding:
                raise ValueError("FastQuery does not take IN-lists of values")
            if element.required:
                binds[element.key] = sa.bindparam(element.key, type_=element.type)
                return sa.literal_column(f"__fastquery_{element.key}__", element.type)
        return None

    swapped = sa.sql.visitors.replacement_traverse(statement, {}, swap)
    sql = str(swapped.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    if "%" in sql:
        raise ValueError("FastQuery does not take SQL with a percent sign (driver escaping)")
    sql = sql.replace(":", "\\:")  # only the markers below are parameters of the text
    for name in binds:
        sql = sql.replace(f"__fastquery_{name}__", f":{name}")
    # Matched to the result by position; named as the statement labels them.
    columns = [
        sa.column(name, column.type)
        for name, column in zip(
            statement.selected_columns.keys(), statement.selected_columns, strict=True
        )
    ]
    return sa.text(sql).bindparams(*binds.values()).columns(*columns)


class FastQuery:
    """A SELECT compiled once per dialect and run as plain SQL on the app's engine."""

    def __init__(self, statement: sa.Select) -> None:
        """Keep the statement; compile lazily, per dialect (tests use several engines)."""
        self.statement = statement
        self._texts: weakref.WeakKeyDictionary[Dialect, sa.TextualSelect] = (
            weakref.WeakKeyDictionary()
        )
        self._lock = threading.Lock()

    def text(self, dialect: Dialect) -> sa.TextualSelect:
        """The SQL text for this dialect, made on first use."""
        text = self._texts.get(dialect)
        if text is None:
            with self._lock:
                text = self._texts.get(dialect)
                if text is None:
                    text = self._texts[dialect] = _textual(self.statement, dialect)
        return text

    def rows(self, **params: Any) -> list[sa.Row]:
        """All rows, with the same values and types as executing the statement gives."""
        engine = validator_engine(db.engine)
        text = self.text(engine.dialect)
        try:
            with engine.connect() as conn:
                return conn.execute(text, params).all()
        except sa.exc.DBAPIError as exc:
            # A pooled connection the server dropped (restart, idle timeout): without a
            # pre-ping this is how we learn it. Once more on a fresh connection.
            if not exc.connection_invalidated:
                raise
        with engine.connect() as conn:
            return conn.execute(text, params).all()

    def first(self, **params: Any) -> sa.Row | None:
        """The first row, or None."""
        rows = self.rows(**params)
        return rows[0] if rows else None
