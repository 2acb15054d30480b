"""Restoring a snapshot into an empty database: one path per job.

- the same kind: its native copy (SQLite's backup API into the file; pg_restore);
- another kind (moving from SQLite to PostgreSQL, or back): the migrations build the schema
  at the snapshot's revision, the rows go in in foreign-key order with the seat-count
  triggers held off (the counts travel in event_capacity; firing the triggers would count
  every seat a second time), then the triggers come back and PostgreSQL's sequences
  continue after the highest id.

Then every table is checked against the manifest (count and checksum) and the seat counts
against the registrations, and the schema is upgraded to the code's newest revision."""

from __future__ import annotations

import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import downgrade, upgrade
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from webapp.backup import KIND_NAMES, BackupError, archive, postgres, tables
from webapp.extensions import db


@dataclass
class RestoreReport:
    """What a restore loaded, how, and the revision it ended at."""

    source_kind: str
    method: str
    revision: str
    upgraded_to: str
    rows: dict[str, int]


def _migrations() -> ScriptDirectory:
    """This code's migrations."""
    return ScriptDirectory(current_app.extensions["migrate"].directory)


def check_revision(revision: str) -> None:
    """Refuse a snapshot from a schema this code does not know (a newer app's)."""
    scripts = _migrations()
    head = scripts.get_current_head()
    if revision not in {script.revision for script in scripts.walk_revisions()}:
        raise BackupError(
            f"the snapshot's schema revision '{revision}' is not one of this code's migrations "
            f"(newest: {head}): it was taken by a newer version of the app, or another app. "
            "Restore it with the code that took it, or update this code first.")


def refuse_non_empty(engine: sa.Engine) -> None:
    """Restore only into a database without tables, naming what is there otherwise (the
    tables holding rows first)."""
    with engine.connect() as connection:
        names = sa.inspect(connection).get_table_names()
        if not names:
            return
        quote = connection.dialect.identifier_preparer.quote
        counts = {name: connection.execute(
            sa.text(f"SELECT count(*) FROM {quote(name)}")).scalar() for name in names}  # noqa: S608
    shown = sorted(names, key=lambda name: (counts[name] == 0, name))[:6]
    listed = "; ".join(f"{n}: {counts[n]:,} row{'s' if counts[n] != 1 else ''}" for n in shown)
    more = f"; and {len(names) - len(shown)} more" if len(names) > len(shown) else ""
    raise BackupError(
        f"the database is not empty: it has {len(names)} table{'s' if len(names) != 1 else ''}"
        f" ({listed}{more}). Restore needs an empty database: create a new one "
        "(PostgreSQL: createdb; SQLite: a new file name in DATABASE_URL) and point "
        "DATABASE_URL at it.")


def _loader_engine(url: sa.URL) -> sa.Engine:
    """An engine whose transactions hold DDL too (pysqlite leaves DDL outside its implicit
    transactions; SQLAlchemy's recipe: autocommit driver, our own BEGIN), with SQLite's
    foreign keys off while rows go in in any order (checked at the end)."""
    engine = sa.create_engine(url, poolclass=NullPool)
    if engine.dialect.name == "sqlite":
        @sa.event.listens_for(engine, "connect")
        def _autocommit(dbapi_connection, _record) -> None:
            dbapi_connection.isolation_level = None
            dbapi_connection.execute("PRAGMA foreign_keys=OFF")

        @sa.event.listens_for(engine, "begin")
        def _begin(connection) -> None:
            connection.exec_driver_sql("BEGIN")
    return engine


def _load_rows(connection: sa.Connection, manifest: dict[str, Any], work: Path) -> None:
    """The rows into the empty schema, triggers held off, foreign keys and sequences right."""
    sqlite = connection.dialect.name == "sqlite"
    quote = connection.dialect.identifier_preparer.quote
    schema = tables.reflect(connection)
    if set(schema) != set(manifest["tables"]):
        raise BackupError("the schema at the snapshot's revision has other tables than the "
                          f"snapshot: {sorted(set(schema) ^ set(manifest['tables']))}")
    triggers = []
    if sqlite:
        triggers = connection.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").all()
        for name, _sql in triggers:
            connection.exec_driver_sql(f"DROP TRIGGER {quote(name)}")
    else:
        for name in schema:
            connection.exec_driver_sql(f"ALTER TABLE {quote(name)} DISABLE TRIGGER USER")
    for table in reversed(schema.values()):  # rows a migration may have written
        connection.execute(table.delete())
    for name, table in schema.items():
        with (work / f"rows/{name}.jsonl").open("rb") as lines:
            tables.insert_rows(connection, table, manifest["tables"][name]["columns"], lines)
    if sqlite:
        for _name, sql in triggers:
            connection.exec_driver_sql(sql)
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
        if broken:
            raise BackupError(f"the rows break foreign keys, e.g. {list(broken[0])}")
        return
    for name, table in schema.items():
        connection.exec_driver_sql(f"ALTER TABLE {quote(name)} ENABLE TRIGGER USER")
        for column in table.primary_key.columns:
            if isinstance(column.type, sa.Integer):
                connection.execute(sa.text(
                    f"SELECT setval(seq::regclass, COALESCE((SELECT max({quote(column.name)}) FROM "  # noqa: S608
                    f"{quote(name)}), 1), (SELECT max({quote(column.name)}) FROM {quote(name)})"
                    " IS NOT NULL) FROM (SELECT pg_get_serial_sequence(:t, :c) AS seq) s"
                    " WHERE seq IS NOT NULL"), {"t": quote(name), "c": column.name})


def _portable(manifest: dict[str, Any], work: Path) -> None:
    """Schema by the migrations at the snapshot's revision, then the rows; on failure the
    schema is taken down again, so the database is left empty for another try."""
    directory = current_app.extensions["migrate"].directory
    upgrade(directory=directory, revision=manifest["revision"])
    db.engine.dispose()
    engine = _loader_engine(db.engine.url)
    try:
        with engine.begin() as connection:
            _load_rows(connection, manifest, work)
    except Exception as failure:
        engine.dispose()
        try:
            downgrade(directory=directory, revision="base")
            with db.engine.begin() as connection:
                connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        except Exception as exc:  # noqa: BLE001 - said, with the first failure
            raise BackupError(f"{failure} (and the empty schema could not be taken down "
                              f"again: {exc}; drop its tables before another try)") from None
        raise
    finally:
        engine.dispose()


def _sqlite_copy(work: Path) -> None:
    """The snapshot's file copied into the target file with the backup API."""
    target_file = make_url(db.engine.url).database
    if not target_file or target_file == ":memory:":
        raise BackupError("restore needs a SQLite database in a file.")
    source = sqlite3.connect(work / "database.sqlite3")
    target = sqlite3.connect(target_file, timeout=30)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def verify(manifest: dict[str, Any]) -> dict[str, int]:
    """Every table as the manifest says (rows and checksum), the seat counts as the
    registrations say; returns the rows per table."""
    with db.engine.connect() as connection:
        found = tables.digests(connection)
        seats = tables.seat_mismatches(connection)
    wrong = sorted(name for name in set(found) | set(manifest["tables"])
                   if name not in found or name not in manifest["tables"]
                   or (found[name].rows, found[name].sha256)
                   != (manifest["tables"][name]["rows"], manifest["tables"][name]["sha256"]))
    if wrong:
        raise BackupError(f"the restored tables differ from the snapshot: {', '.join(wrong)}")
    if seats:
        raise BackupError(f"the restored seat counts differ from the registrations: {seats[0]}")
    return {name: digest.rows for name, digest in found.items()}


def restore_snapshot(path: Path) -> RestoreReport:
    """Load the snapshot at `path` into the app's (empty) database, check it, upgrade it."""
    manifest = archive.read_manifest(path)
    check_revision(manifest["revision"])
    engine = db.engine
    kind = engine.dialect.name
    refuse_non_empty(engine)
    with tempfile.TemporaryDirectory(prefix="doc-restore-") as scratch:
        work = Path(scratch)
        archive.extract(path, manifest, work)
        db.session.remove()
        engine.dispose()
        if manifest["database"] != kind:
            method = f"rows from {KIND_NAMES[manifest['database']]}, schema by the migrations"
            _portable(manifest, work)
        elif kind == "sqlite":
            method = "SQLite backup API"
            _sqlite_copy(work)
        else:
            method = "pg_restore"
            with engine.connect() as connection:
                major = connection.dialect.server_version_info[0]
            engine.dispose()
            postgres.restore(engine.url, major, work / "database.pgdump")
    engine.dispose()
    rows = verify(manifest)
    upgrade(directory=current_app.extensions["migrate"].directory)
    head = _migrations().get_current_head()
    return RestoreReport(manifest["database"], method, manifest["revision"], head, rows)
