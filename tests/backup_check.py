"""Helpers for the backup tests: empty target databases of either kind, an app on each, a
checksum of every table computed here (not by webapp.backup), and snapshot surgery."""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from webapp import create_app
from webapp.config import normalise_database_url
from webapp.extensions import db

ON_POSTGRESQL = os.environ.get("DATABASE_URL", "").startswith("postgres")
needs_postgresql = pytest.mark.skipif(
    not ON_POSTGRESQL, reason="moving between kinds needs DATABASE_URL=postgresql://... "
    "(CI's PostgreSQL run)")


def _admin() -> sa.Engine:
    """A connection to the suite's PostgreSQL that may create and drop databases."""
    url = normalise_database_url(os.environ["DATABASE_URL"])
    return sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)


class EmptyDatabases:
    """Makes empty databases (a new SQLite file, or a new PostgreSQL database beside the
    suite's) and drops the PostgreSQL ones afterwards."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.made = folder, []

    def __call__(self, kind: str | None = None) -> str:
        """The URL of a new empty database of `kind` (default: the suite's kind)."""
        kind = kind or ("postgresql" if ON_POSTGRESQL else "sqlite")
        number = len(self.made) + 1
        if kind == "sqlite":
            self.made.append(None)
            return f"sqlite:///{self.folder / f'target{number}.sqlite3'}"
        url = make_url(normalise_database_url(os.environ["DATABASE_URL"]))
        name = f"{url.database}_bk{number}"
        with _admin().connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        self.made.append(name)
        return url.set(database=name).render_as_string(hide_password=False)

    def drop(self) -> None:
        """Drop the PostgreSQL databases made."""
        names = [name for name in self.made if name]
        if names:
            with _admin().connect() as connection:
                for name in names:
                    connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def app_on(url: str, tmp_path: Path) -> Iterator[Flask]:
    """An app like the test app but on the database `url`, its context pushed."""
    other = create_app({
        "TESTING": True, "SECRET_KEY": "test-secret-key", "WTF_CSRF_ENABLED": False,
        "SQLALCHEMY_DATABASE_URI": url, "BASE_URL": "http://localhost",
        "MAIL_DELIVER_ON_COMMIT": False, "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
    })
    with other.app_context():
        try:
            yield other
        finally:
            db.session.remove()
            db.engine.dispose()


def _normal(value):
    """A value as both kinds agree on it: times in naive UTC, JSON as sorted text."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    if isinstance(value, memoryview):
        value = bytes(value)
    if isinstance(value, dict | list):
        value = json.dumps(value, sort_keys=True)
    if isinstance(value, Decimal):
        value = str(value)
    return value


def table_checksums(bind: sa.Engine | sa.Connection | None = None) -> dict[str, tuple[int, str]]:
    """Per table (Alembic's aside): the row count and a SHA-256 of its rows, normalised and
    ordered here (by their text), so two databases of either kind compare. Given a
    connection, read inside its transaction."""
    bind = bind or db.engine
    if isinstance(bind, sa.Engine):
        with bind.connect() as connection:
            return table_checksums(connection)
    found = {}
    inspector = sa.inspect(bind)
    for name in inspector.get_table_names():
        if name == "alembic_version":
            continue
        columns = sorted(inspector.get_columns(name), key=lambda c: c["name"])
        table = sa.Table(name, sa.MetaData(), *(sa.Column(c["name"], c["type"]) for c in columns))
        rows = sorted(repr(tuple(_normal(v) for v in row))
                      for row in bind.execute(sa.select(table)))
        found[name] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return found


def rewrite(path: Path, change: Callable[[str, bytes], bytes | None]) -> None:
    """Rewrite a snapshot, each member passed through `change(name, data)` (None drops it)."""
    with tarfile.open(path, "r:gz") as tar:
        members = [(m.name, tar.extractfile(m).read()) for m in tar.getmembers()]
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members:
            data = change(name, data)
            if data is not None:
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))


def manifest_of(path: Path) -> dict:
    """A snapshot's manifest."""
    with tarfile.open(path, "r:gz") as tar:
        return json.load(tar.extractfile("manifest.json"))


def rows_of(path: Path, table: str) -> list[dict]:
    """A table's rows in a snapshot, as dicts by column name."""
    columns = manifest_of(path)["tables"][table]["columns"]
    with tarfile.open(path, "r:gz") as tar:
        lines = tar.extractfile(f"rows/{table}.jsonl").read().splitlines()
    return [dict(zip(columns, json.loads(text), strict=True)) for text in lines]
