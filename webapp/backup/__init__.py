"""Backup and restore: `flask --app webapp backup PATH` and `flask --app webapp restore PATH`.

A snapshot is one gzipped tar file (`tar tzf` lists it):

- `manifest.json`: the schema revision (Alembic), the database kind, when (the app's clock),
  the app's version, and per table its columns, row count and checksum; per file its size
  and SHA-256.
- `rows/<table>.jsonl`: the portable form, every row of every table as a canonical JSON line
  (columns by name, times in UTC), in primary-key order. The table's checksum is the
  SHA-256 of that file, so it is the same whichever database kind wrote or reads the rows.
- the database's native copy: `database.sqlite3` (SQLite's online backup API) or
  `database.pgdump` (`pg_dump --format=custom`), taken from the same moment as the rows.

Restore always goes into an empty database. The same kind loads the native copy (SQLite's
backup API, `pg_restore`); another kind (the move from SQLite to PostgreSQL, or back) builds
the schema with the migrations at the snapshot's revision and loads the rows. Either way the
result is checked against the manifest's checksums and seat counts, then upgraded to the
code's newest revision."""

from __future__ import annotations

FORMAT = "doc-snapshot"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
NATIVE = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
KIND_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


class BackupError(Exception):
    """A refusal or failure whose message can be shown to the operator as it is."""
