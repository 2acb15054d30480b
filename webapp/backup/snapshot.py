"""Taking a snapshot while the site serves: one moment of the database, written twice (the
native copy and the portable rows) and described by the manifest.

SQLite: the online backup API copies the live file in one step (WAL lets writers go on),
and the rows are read from that copy. PostgreSQL: a REPEATABLE READ transaction exports its
snapshot, pg_dump dumps that very snapshot, and the rows are read in the same transaction."""

from __future__ import annotations

import importlib.metadata
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from webapp import clock
from webapp.backup import FORMAT, FORMAT_VERSION, NATIVE, BackupError, archive, postgres, tables
from webapp.extensions import db


@dataclass
class SnapshotReport:
    """What a backup wrote."""

    path: Path
    size: int
    kind: str
    revision: str
    rows: dict[str, int]
    warnings: list[str] = field(default_factory=list)


def app_version() -> str:
    """The installed app's version, for the manifest."""
    try:
        return importlib.metadata.version("doc-webapp")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _revision(connection: sa.Connection) -> str:
    """The database's schema revision; a database without one was not made by the
    migrations and cannot be restored by them."""
    if "alembic_version" not in sa.inspect(connection).get_table_names():
        raise BackupError("the database has no schema revision (no alembic_version table): "
                          "run `flask --app webapp db upgrade` first.")
    found = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalars()
    revisions = list(found)
    if len(revisions) != 1:
        raise BackupError(f"the database should have one schema revision, it has "
                          f"{len(revisions)}: {', '.join(revisions) or 'none'}.")
    return revisions[0]


def _write_rows(connection: sa.Connection, work: Path, manifest: dict[str, Any]) -> list[str]:
    """Every table's rows into rows/<table>.jsonl, counted and checksummed in the manifest."""
    (work / "rows").mkdir()
    members = []
    for name, table in tables.reflect(connection).items():
        member = f"rows/{name}.jsonl"
        with (work / member).open("wb") as sink:
            found = tables.digest(connection, table, sink)
        manifest["tables"][name] = {"columns": tables.column_names(table), "rows": found.rows,
                                    "sha256": found.sha256}
        members.append(member)
    manifest["seat_mismatches"] = tables.seat_mismatches(connection)
    return members


def _from_sqlite(work: Path, manifest: dict[str, Any]) -> list[str]:
    """Copy the live file with the backup API, then read revision and rows from the copy."""
    source_file = make_url(db.engine.url).database
    if not source_file or source_file == ":memory:" or source_file.startswith("file:"):
        raise BackupError("only a SQLite database in a file can be backed up.")
    copy = work / NATIVE["sqlite"]
    source = sqlite3.connect(source_file, timeout=30)
    target = sqlite3.connect(copy)
    try:
        source.backup(target)  # all pages in one step: one consistent moment
        target.execute("PRAGMA journal_mode=DELETE")  # the copy is one self-contained file
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite could not copy the database: {exc}") from None
    finally:
        target.close()
        source.close()
    engine = sa.create_engine(f"sqlite:///{copy}", poolclass=NullPool)
    try:
        with engine.connect() as connection:
            manifest["revision"] = _revision(connection)
            manifest["server_version"] = sqlite3.sqlite_version
            members = _write_rows(connection, work, manifest)
    finally:
        engine.dispose()
    return [NATIVE["sqlite"], *members]


def _from_postgresql(work: Path, manifest: dict[str, Any]) -> list[str]:
    """pg_dump and the rows from one exported snapshot, inside one read-only transaction."""
    engine = db.engine
    with engine.connect() as connection:
        server_major = connection.dialect.server_version_info[0]
        postgres.find_tool("pg_dump", server_major)  # before holding the snapshot open
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            connection.execute(sa.text("SET TRANSACTION READ ONLY"))
            exported = connection.execute(sa.text("SELECT pg_export_snapshot()")).scalar_one()
            manifest["revision"] = _revision(connection)
            manifest["server_version"] = ".".join(
                map(str, connection.dialect.server_version_info))
            postgres.dump(engine.url, server_major, exported, work / NATIVE["postgresql"])
            members = _write_rows(connection, work, manifest)
    return [NATIVE["postgresql"], *members]


def create_snapshot(path: Path) -> SnapshotReport:
    """Write a snapshot of the app's database to `path` (replacing a file there)."""
    kind = db.engine.dialect.name
    now = clock.now()
    manifest: dict[str, Any] = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "database": kind,
        "created_at": now.isoformat(timespec="seconds"), "created_ts": int(now.timestamp()),
        "app_version": app_version(), "tables": {},
    }
    path = path.resolve()
    if not path.parent.is_dir():
        raise BackupError(f"the folder {path.parent} does not exist.")
    with tempfile.TemporaryDirectory(prefix=".snapshot-", dir=path.parent) as scratch:
        work = Path(scratch)
        members = (_from_sqlite if kind == "sqlite" else _from_postgresql)(work, manifest)
        size = archive.write(path, work, manifest, members)
    rows = {name: table["rows"] for name, table in manifest["tables"].items()}
    warnings = [f"seat counts differ from the registrations: {m}"
                for m in manifest["seat_mismatches"]]
    return SnapshotReport(path, size, kind, manifest["revision"], rows, warnings)
