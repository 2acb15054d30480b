"""The portable form of a database: each table's rows as canonical JSON lines.

Tables are read through the database's own schema (reflected, not the app's models), so a
database at any revision reads alike; values are written in one canonical way whichever
kind holds them (times as naive UTC ISO text, binary as base64, JSON with sorted keys), so
a table's checksum is the same on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import IO, Any

import sqlalchemy as sa

from webapp.backup import BackupError

SKIPPED = ("alembic_version",)  # the revision travels in the manifest


@dataclass(frozen=True)
class TableDigest:
    """A table's row count and the SHA-256 of its canonical rows."""

    rows: int
    sha256: str


def reflect(connection: sa.Connection) -> dict[str, sa.Table]:
    """The database's tables (Alembic's aside) with their columns' own types, in foreign-key
    order (a table after those it points at). Indexes are not read: only rows travel."""
    inspector = sa.inspect(connection)
    metadata = sa.MetaData()
    tables: dict[str, sa.Table] = {}
    for name, _fks in inspector.get_sorted_table_and_fkc_names():
        if name is None or name in SKIPPED or name.startswith("sqlite_"):
            continue
        primary = set(inspector.get_pk_constraint(name)["constrained_columns"] or ())
        columns = []
        for info in inspector.get_columns(name):
            kind = info["type"]
            if isinstance(kind, sa.JSON):
                kind.none_as_null = True  # an SQL NULL stays NULL, not the JSON text 'null'
            columns.append(sa.Column(info["name"], kind, primary_key=info["name"] in primary,
                                     autoincrement=False))
        table = sa.Table(name, metadata, *columns)
        table.info["self_references"] = sorted(
            col for fk in inspector.get_foreign_keys(name) if fk["referred_table"] == name
            for col in fk["constrained_columns"])
        tables[name] = table
    return tables


def column_names(table: sa.Table) -> list[str]:
    """Columns by name, so that two databases whose columns were added in another order
    still write the same lines."""
    return sorted(table.columns.keys())


def _order(table: sa.Table, dialect: str) -> list:
    """Primary-key order (every column for a table without one); text compared byte by byte
    on both kinds (PostgreSQL's "C" collation is SQLite's default)."""
    keys = list(table.primary_key.columns) or [table.c[name] for name in column_names(table)]
    if dialect == "postgresql":
        return [col.collate("C") if isinstance(col.type, sa.String) else col for col in keys]
    return keys


def encode(value: Any) -> Any:
    """One value in its canonical JSON form."""
    if value is None or isinstance(value, bool | int | float | str | dict | list):
        return value
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat(timespec="microseconds")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    raise BackupError(f"cannot write a value of type {type(value).__name__}")


def line(values: Iterable[Any]) -> bytes:
    """A row as one canonical JSON line."""
    return json.dumps([encode(v) for v in values], ensure_ascii=False, sort_keys=True,
                      separators=(",", ":"), allow_nan=False).encode("utf-8") + b"\n"


def rows(connection: sa.Connection, table: sa.Table) -> Iterator[bytes]:
    """The table's rows as canonical lines, in order, streamed."""
    names = column_names(table)
    query = sa.select(*(table.c[n] for n in names)).order_by(
        *_order(table, connection.dialect.name))
    result = connection.execution_options(stream_results=True, yield_per=1000).execute(query)
    for row in result:
        yield line(row)


def digest(connection: sa.Connection, table: sa.Table, sink: IO[bytes] | None = None
           ) -> TableDigest:
    """Count and checksum the table's rows, writing them to `sink` when given."""
    hashed, count = hashlib.sha256(), 0
    for text in rows(connection, table):
        hashed.update(text)
        count += 1
        if sink is not None:
            sink.write(text)
    return TableDigest(count, hashed.hexdigest())


def digests(connection: sa.Connection) -> dict[str, TableDigest]:
    """Every table's count and checksum."""
    return {name: digest(connection, table) for name, table in reflect(connection).items()}


def seat_mismatches(connection: sa.Connection) -> list[str]:
    """Capacities whose kept seat count (triggers, models/seats.py) differs from the
    confirmed registrations counted; empty before the schema kept counts."""
    inspector = sa.inspect(connection)
    if "event_capacity" not in inspector.get_table_names() or "seats_taken" not in {
            c["name"] for c in inspector.get_columns("event_capacity")}:
        return []
    found = connection.execute(sa.text(
        "SELECT c.event_id, c.audience, c.seats_taken, (SELECT count(*) FROM registration r"
        " WHERE r.event_id = c.event_id AND r.audience = c.audience"
        " AND r.status = 'confirmed') AS counted FROM event_capacity c ORDER BY c.id"))
    return [f"event {r.event_id} {r.audience}: {r.seats_taken} kept, {r.counted} counted"
            for r in found if r.seats_taken != r.counted]


def decoder(kind: sa.types.TypeEngine) -> Callable[[Any], Any]:
    """How a canonical value becomes a value of the target column's type."""
    if isinstance(kind, sa.DateTime):
        aware = bool(kind.timezone)
        return lambda v: (datetime.fromisoformat(v).replace(tzinfo=UTC if aware else None)
                          if isinstance(v, str) else v)
    for kind_type, parse in ((sa.Date, date.fromisoformat), (sa.Time, time.fromisoformat),
                             (sa.LargeBinary, base64.b64decode)):
        if isinstance(kind, kind_type):
            return lambda v, parse=parse: parse(v) if isinstance(v, str) else v
    if isinstance(kind, sa.Numeric) and not isinstance(kind, sa.Float):
        return lambda v: Decimal(v) if isinstance(v, str) else v
    return lambda v: v


def insert_rows(connection: sa.Connection, table: sa.Table, names: list[str],
                lines: Iterable[bytes], batch: int = 500) -> int:
    """Insert canonical lines (columns `names`) into `table`; columns pointing at the same
    table are filled in afterwards, so rows may come in any order. Returns the count."""
    missing = set(names) ^ set(table.columns.keys())
    if missing:
        raise BackupError(f"table {table.name}: the snapshot's columns and this schema's "
                          f"differ ({', '.join(sorted(missing))})")
    decoders = [decoder(table.c[n].type) for n in names]
    later = table.info.get("self_references", [])
    keys = [c.name for c in table.primary_key.columns]
    pending: list[dict] = []
    fix_ups: list[dict] = []
    count = 0
    for text in lines:
        values = json.loads(text)
        row = {n: parse(v) for n, parse, v in zip(names, decoders, values, strict=True)}
        if later and any(row[c] is not None for c in later):
            fix_ups.append({**{f"k_{k}": row[k] for k in keys},
                            **{f"v_{c}": row[c] for c in later}})
            row.update({c: None for c in later})
        pending.append(row)
        count += 1
        if len(pending) >= batch:
            connection.execute(table.insert(), pending)
            pending = []
    if pending:
        connection.execute(table.insert(), pending)
    if fix_ups:
        connection.execute(
            table.update().where(*(table.c[k] == sa.bindparam(f"k_{k}") for k in keys))
            .values({c: sa.bindparam(f"v_{c}") for c in later}), fix_ups)
    return count
