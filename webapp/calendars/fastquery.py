"""Run a prebuilt SELECT at little more than the database's own cost.

A feed's 304 is one validator query. Executed as a SQLAlchemy statement, the library's
per-call work (a cache key walked over the whole statement tree, an isolation-level switch
that costs SQLite a PRAGMA each way) cost 2-4× the query itself on SQLite. `FastQuery`
compiles the statement once per database dialect into SQL text with its constants inline
and the caller's parameters bound, wrapped as a typed `text()` construct: its cache key is
the string, so SQLAlchemy finds the compiled form and the result metadata in its cache at
once, and rows come back with the same Python types as the statement gives (tests compare).
It is still one statement through the app's engine, seen by `before_cursor_execute`
listeners such as the tests' query counters.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

from webapp.extensions import db


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
        engine = db.engine
        text = self.text(engine.dialect)
        with engine.connect() as conn:
            if engine.dialect.name != "sqlite":
                # One SELECT needs no BEGIN/ROLLBACK round trips around it. SQLite's driver
                # opens no transaction for a SELECT anyway, and switching its isolation level
                # costs a PRAGMA each way, so it is left as it is.
                conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            return conn.execute(text, params).all()

    def first(self, **params: Any) -> sa.Row | None:
        """The first row, or None."""
        rows = self.rows(**params)
        return rows[0] if rows else None
