"""Prebuilt Core statements run straight on the database driver's cursor.

On a forum's opening day every registration runs the same four statements. Executed through
SQLAlchemy's Connection, each pays ≈60 µs of the library's per-call work on SQLite (an
execution context, parameter construction, a result object) against ≈12 µs for the driver
itself. `DriverStatement` does that work once, when a statement is first run on a dialect
with a given set of parameter names: it compiles the SQL and looks up the type conversions
of every parameter and result column, and the Python-side column defaults of an INSERT.
Each run then converts the values, executes on the cursor of the connection's transaction,
and converts the rows back, as SQLAlchemy would (the tests compare the two).

Kept as SQLAlchemy keeps them: the engine's cursor events (query counters see every
statement), errors wrapped as `sqlalchemy.exc` exceptions (an IntegrityError is still one),
and a connection the database dropped is invalidated. Not supported, and refused when the
statement is compiled: IN-lists of values (expanding parameters) and column defaults that
need the execution context.
"""

from __future__ import annotations

import inspect
import threading
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.expression import ReturnsRows

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class _Plan:
    """One statement compiled for one dialect and one set of parameter names."""

    sql: str
    positional: bool
    # Per bound parameter, in the driver's order: the driver's name for it, where its value
    # comes from ("param": the caller's key; "value": a constant; "default": a column
    # default, called), and its conversion for the database.
    binds: tuple[tuple[str, str, Any, Processor], ...]
    results: tuple[Processor, ...]
    converts_results: bool


def _column_default(column: sa.Column) -> Callable[[], Any]:
    """A zero-argument function giving an INSERT's Python-side default for `column`."""
    default = column.default
    if default is None or not (default.is_scalar or default.is_callable):
        raise ValueError(f"DriverStatement cannot compute the default of {column}")
    if default.is_scalar:
        value = default.arg
        return lambda: value
    # SQLAlchemy wraps a function of no arguments (functools.update_wrapper) as one taking
    # its execution context; a function that really reads the context, unwrapped, has no
    # place here.
    original = getattr(default.arg, "__wrapped__", None)
    if original is None or any(
            parameter.default is parameter.empty
            and parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD)
            for parameter in inspect.signature(original).parameters.values()):
        raise ValueError(f"the default of {column} needs an execution context")
    return original


def _compile(statement: Executable, dialect: Dialect, keys: frozenset[str]) -> _Plan:
    """Compile `statement` and look up every conversion it needs."""
    compiled = statement.compile(dialect=dialect, column_keys=sorted(keys))
    prefetch = {column.key: column for column in getattr(compiled, "insert_prefetch", ())}
    if getattr(compiled, "update_prefetch", None):
        raise ValueError("DriverStatement does not compute an UPDATE's column defaults")
    names = compiled.positiontup if compiled.positional else list(compiled.binds)
    binds = []
    for name in names:
        bind = compiled.binds[name]
        if bind.expanding:
            raise ValueError("DriverStatement does not take IN-lists of values")
        processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
        driver_name = compiled.escaped_bind_names.get(name, name)
        if name in prefetch and name not in keys:
            binds.append((driver_name, "default", _column_default(prefetch[name]), processor))
        elif bind.key in keys:
            binds.append((driver_name, "param", bind.key, processor))
        elif bind.callable is None and not bind.required:
            binds.append((driver_name, "value", bind.value, processor))
        else:
            raise ValueError(f"DriverStatement: no value for the parameter {bind.key!r}")
    columns = statement.exported_columns if isinstance(statement, ReturnsRows) else ()
    results = tuple(column.type.dialect_impl(dialect).result_processor(dialect, None)
                    for column in columns)
    return _Plan(compiled.string, compiled.positional, tuple(binds), results,
                 any(convert is not None for convert in results))


class DriverStatement:
    """A Core statement, compiled once per dialect and set of parameter names, run on the
    driver's cursor in the caller's transaction."""

    def __init__(self, statement: Executable) -> None:
        """Keep the statement; compile lazily (tests use several engines and dialects)."""
        self.statement = statement
        self._plans: weakref.WeakKeyDictionary[Dialect, dict[frozenset[str], _Plan]] = (
            weakref.WeakKeyDictionary())
        self._lock = threading.Lock()

    def plan(self, dialect: Dialect, keys: frozenset[str]) -> _Plan:
        """The compiled form for this dialect and these parameter names, made on first use."""
        plan = self._plans.get(dialect, {}).get(keys)
        if plan is None:
            with self._lock:
                plans = self._plans.setdefault(dialect, {})
                plan = plans.get(keys)
                if plan is None:
                    plan = plans[keys] = _compile(self.statement, dialect, keys)
        return plan

    def rows(self, connection: sa.Connection, params: Mapping[str, Any]) -> list[tuple]:
        """Run with `params` on `connection` (its transaction); the rows, converted."""
        dialect = connection.dialect
        plan = self.plan(dialect, frozenset(params))
        values = []
        for _name, source, what, processor in plan.binds:
            value = (params[what] if source == "param" else
                     what() if source == "default" else what)
            values.append(value if processor is None else processor(value))
        parameters = (tuple(values) if plan.positional else
                      {bind[0]: value for bind, value in zip(plan.binds, values, strict=True)})
        raw = connection.connection
        cursor = raw.cursor()
        dispatch = connection.dispatch
        try:
            if dispatch.before_cursor_execute:
                dispatch.before_cursor_execute(
                    connection, cursor, plan.sql, parameters, None, False)
            cursor.execute(plan.sql, parameters)
            if dispatch.after_cursor_execute:
                dispatch.after_cursor_execute(
                    connection, cursor, plan.sql, parameters, None, False)
            fetched = cursor.fetchall() if cursor.description is not None else []
        except dialect.loaded_dbapi.Error as exc:
            if dialect.is_disconnect(exc, raw, cursor):
                connection.invalidate(exc)
            raise sa.exc.DBAPIError.instance(
                plan.sql, parameters, exc, dialect.loaded_dbapi.Error, dialect=dialect,
            ) from exc
        finally:
            cursor.close()
        if not plan.converts_results:
            return fetched
        return [tuple(value if convert is None else convert(value)
                      for convert, value in zip(plan.results, row, strict=True))
                for row in fetched]

    def first(self, connection: sa.Connection, params: Mapping[str, Any]) -> tuple | None:
        """The first row, or None."""
        rows = self.rows(connection, params)
        return rows[0] if rows else None
