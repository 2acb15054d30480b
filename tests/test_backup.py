"""Backup and restore on the suite's database kind: a snapshot taken during a burst of
registrations restores to an equal, self-consistent database; the commands print what they
did; empty targets only, known schemas only, damaged files refused in words."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask_migrate import upgrade

from tests.backup_check import (
    EmptyDatabases,
    app_on,
    manifest_of,
    rewrite,
    rows_of,
    table_checksums,
)
from tests.registrations.helpers import person
from webapp import MIGRATIONS_DIR
from webapp.backup import BackupError, postgres
from webapp.backup.restore import restore_snapshot
from webapp.backup.snapshot import create_snapshot
from webapp.extensions import db
from webapp.models import Event, EventCapacity, Registration, utcnow
from webapp.registrations.services import register_person

HEAD = ScriptDirectory(MIGRATIONS_DIR).get_current_head()  # the code's newest schema


@pytest.fixture
def migrated(app):
    """The test app's database built by the migrations (a backup records their revision)."""
    db.drop_all()
    with db.engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    upgrade(directory=app.extensions["migrate"].directory)
    return app


@pytest.fixture
def empty_database(tmp_path):
    """Factory: the URL of a new empty database (`empty_database("sqlite")`: a file)."""
    databases = EmptyDatabases(tmp_path)
    yield databases
    databases.drop()


@pytest.fixture
def forum(migrated, make_event) -> Event:
    """A forum open for registration with 40 guest seats."""
    event = make_event("Creativity World Forum 2030",
                       starts_at=datetime(2030, 5, 7, 7, 0, tzinfo=UTC),
                       registration_opens_at=utcnow() - timedelta(days=1))
    event.capacities.append(EventCapacity(audience="guest", label="Guests", capacity=40))
    db.session.commit()
    return event


def register_some(forum: Event, count: int, prefix: str = "p") -> None:
    """`count` guests through the one registration service, committed."""
    for n in range(count):
        register_person(forum, person(f"{prefix}{n}", full_name=f"Ünïcode “{n}” <b>"), "guest")
    db.session.commit()


def consistency(engine: sa.Engine) -> tuple[list, set, set]:
    """What must hold in any moment of the database: seats kept = confirmed counted, and
    each registration with exactly its one email (written in the same transaction)."""
    with engine.connect() as connection:
        seats = connection.execute(sa.text(
            "SELECT c.audience, c.seats_taken, (SELECT count(*) FROM registration r WHERE"
            " r.event_id = c.event_id AND r.audience = c.audience AND r.status = 'confirmed')"
            " FROM event_capacity c")).all()
        registrations = set(connection.execute(sa.text("SELECT id FROM registration")).scalars())
        mailed = [args["registration"] for args in connection.execute(
            sa.select(sa.column("recipe_args", sa.JSON)).select_from(sa.table("outbox_message")))
            .scalars()]
    assert len(mailed) == len(set(mailed))
    return [(a, kept) for a, kept, counted in seats if kept != counted], registrations, set(mailed)


def test_backup_during_a_burst_of_registrations_restores_an_equal_database(
        migrated, forum, empty_database, tmp_path):
    """Four threads register through register_person while the backup runs: the snapshot
    holds some but not all of them, its seat counts and mails match its registrations, and
    the restored database equals the snapshot table by table (counts and checksums)."""
    register_some(forum, 3, "early")
    snapshot_done, started, errors = threading.Event(), threading.Event(), []
    forum_id = forum.id  # read here: the threads must not touch this thread's session

    def registering(worker: int) -> None:
        """Register until the snapshot is written, then three more (so some come after)."""
        after = 3
        with migrated.app_context():
            event = db.session.get(Event, forum_id)
            for n in range(400):
                if snapshot_done.is_set():
                    if not after:
                        break
                    after -= 1
                try:
                    register_person(event, person(f"w{worker}-{n}"), "guest")
                    db.session.commit()
                except Exception as exc:  # noqa: BLE001 - reported below
                    db.session.rollback()
                    errors.append(repr(exc))
                if n == 3:
                    started.set()
            db.session.remove()

    threads = [threading.Thread(target=registering, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    assert started.wait(60)
    snapshot = tmp_path / "burst.tar.gz"
    try:
        report = create_snapshot(snapshot)
    finally:
        snapshot_done.set()
        for thread in threads:
            thread.join(120)
    assert errors == []
    final = db.session.scalar(sa.select(sa.func.count()).select_from(Registration))
    taken = report.rows["registration"]
    assert 3 + 4 <= taken < final, (taken, final)
    # The snapshot itself: seats as counted, one mail per registration, same moment.
    [capacity] = rows_of(snapshot, "event_capacity")
    in_snapshot = rows_of(snapshot, "registration")
    assert capacity["seats_taken"] == sum(r["status"] == "confirmed" for r in in_snapshot)
    assert {r["registration"] for r in (m["recipe_args"] for m in
            rows_of(snapshot, "outbox_message"))} == {r["id"] for r in in_snapshot}

    then = at_snapshot_moment(in_snapshot)
    with app_on(empty_database(), tmp_path):
        restored = restore_snapshot(snapshot)
        assert restored.rows == report.rows
        assert table_checksums() == then
        wrong_seats, registrations, mailed = consistency(db.engine)
        assert wrong_seats == [] and registrations == mailed == {r["id"] for r in in_snapshot}
        # The restored site goes on registering from the right ids and counts.
        register_some(db.session.get(Event, forum.id), 1, "after")
        assert consistency(db.engine)[0] == []


def at_snapshot_moment(in_snapshot: list[dict]) -> dict:
    """The source's checksums as it was at the snapshot: the registrations committed after
    it deleted (with their people and mails; the seat triggers give their seats back) in a
    transaction that is then rolled back, so the source is not touched."""
    keep = {r["id"] for r in in_snapshot}
    expanding = sa.bindparam("ids", expanding=True)
    with db.engine.connect() as connection, connection.begin() as transaction:
        later = [r for r in connection.execute(sa.text(
            "SELECT id, person_id FROM registration")).all() if r.id not in keep]
        ids = [r.id for r in later]
        mails = [m for m, args in connection.execute(sa.text(
            "SELECT id, recipe_args FROM outbox_message")).all()
            if (args if isinstance(args, dict) else json.loads(args))["registration"] in ids]
        for table, doomed in (("outbox_message", mails), ("registration", ids),
                              ("person", [r.person_id for r in later])):
            connection.execute(sa.text(f"DELETE FROM {table} WHERE id IN :ids")  # noqa: S608
                               .bindparams(expanding), {"ids": doomed})
        sums = table_checksums(connection)
        transaction.rollback()
    return sums




def test_the_commands_back_up_and_restore_an_equal_database(
        migrated, forum, runner, empty_database, tmp_path):
    """`flask backup` says what it wrote; `flask restore` into an empty database says how it
    loaded it; the two databases then have equal tables, row by row."""
    register_some(forum, 45)  # 40 confirmed, 5 waitlisted
    snapshot = tmp_path / "doc.tar.gz"
    result = runner.invoke(args=["backup", str(snapshot)])
    assert result.exit_code == 0, result.output
    manifest = manifest_of(snapshot)
    assert manifest["revision"] == HEAD and manifest["database"] == db.engine.dialect.name
    assert manifest["created_at"][:10] == utcnow().date().isoformat()
    assert f"schema revision {HEAD}" in result.output and "kB" in result.output
    assert "registration 45" in result.output and "person 45" in result.output
    again = runner.invoke(args=["backup", str(snapshot)])
    assert again.exit_code == 1 and "already exists" in again.output
    source = table_checksums()

    with app_on(empty_database(), tmp_path) as target:
        result = target.test_cli_runner().invoke(args=["restore", str(snapshot)])
        assert result.exit_code == 0, result.output
        method = "SQLite backup API" if manifest["database"] == "sqlite" else "pg_restore"
        assert f"by {method}" in result.output and "registration 45" in result.output
        assert "every table matches the snapshot's checksums" in result.output
        assert table_checksums() == source
        assert consistency(db.engine)[0] == []


def test_restore_refuses_a_database_that_is_not_empty(migrated, forum, runner, tmp_path):
    """Restoring into a database with tables names what it found and changes nothing."""
    register_some(forum, 2)
    snapshot = tmp_path / "doc.tar.gz"
    assert runner.invoke(args=["backup", str(snapshot)]).exit_code == 0
    before = table_checksums()
    result = runner.invoke(args=["restore", str(snapshot)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "the database is not empty" in result.output
    assert "registration: 2 rows" in result.output and "event: 1 row;" in result.output
    assert table_checksums() == before


@pytest.mark.parametrize("revision", ["z999", "", "a001; DROP TABLE x"])
def test_restore_refuses_a_schema_this_code_does_not_know(
        migrated, forum, empty_database, tmp_path, revision):
    """A snapshot from newer code (a revision not among this code's migrations) is refused
    before the target database is touched."""
    snapshot = tmp_path / "doc.tar.gz"
    create_snapshot(snapshot)

    def newer(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        return json.dumps({**json.loads(data), "revision": revision}).encode()

    rewrite(snapshot, newer)
    with app_on(empty_database(), tmp_path) as target:
        result = target.test_cli_runner().invoke(args=["restore", str(snapshot)])
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert f"schema revision '{revision}' is not one of this code's migrations" \
            in result.output and f"newest: {HEAD}" in result.output
        assert sa.inspect(db.engine).get_table_names() == []


def _damage(snapshot, how: str) -> None:
    """Spoil a snapshot file in one way."""
    data = snapshot.read_bytes()
    if how == "cut short":
        snapshot.write_bytes(data[: len(data) // 2])
    elif how == "not a snapshot":
        snapshot.write_bytes(b"name;email\nAda;ada@example.org\n")
    elif how == "a row changed":
        rewrite(snapshot, lambda name, data: data.replace(b"p1@example.org", b"p9@example.org")
                if name == "rows/person.jsonl" else data)
    elif how == "a file missing":
        rewrite(snapshot, lambda name, data: None if name == "rows/event.jsonl" else data)
    elif how == "a foreign manifest":
        rewrite(snapshot, lambda name, data: b'{"format": "other"}'
                if name == "manifest.json" else data)
    elif how == "a manifest that is not JSON":
        rewrite(snapshot, lambda name, data: b"{" if name == "manifest.json" else data)


@pytest.mark.parametrize("how,said", [
    ("cut short", "cut short"),
    ("not a snapshot", "cannot be read as a gzipped tar"),
    ("a row changed", "rows/person.jsonl does not match its checksum"),
    ("a file missing", "rows/event.jsonl is missing"),
    ("a foreign manifest", "not a Districts of Creativity snapshot"),
    ("a manifest that is not JSON", "cannot be read"),
])
def test_restore_refuses_a_damaged_snapshot_in_words(
        migrated, forum, empty_database, tmp_path, how, said):
    """A damaged or foreign file: one line saying what is wrong, no traceback, and the
    target database left empty."""
    register_some(forum, 3)
    snapshot = tmp_path / "doc.tar.gz"
    create_snapshot(snapshot)
    _damage(snapshot, how)
    with app_on(empty_database(), tmp_path) as target:
        result = target.test_cli_runner().invoke(args=["restore", str(snapshot)])
        assert result.exit_code == 1 and "Traceback" not in result.output, result.output
        assert "is not a usable snapshot" in result.output and said in result.output
        assert sa.inspect(db.engine).get_table_names() == []


def test_pg_dump_missing_or_older_than_the_server_is_said(tmp_path, monkeypatch):
    """No pg_dump anywhere, or only one older than the server: a message naming what to
    install, not a failed dump."""
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.setattr(postgres, "SEARCH_DIRS", (str(tmp_path / "lib"),))
    with pytest.raises(BackupError, match="pg_dump was not found.*postgresql-client-15"):
        postgres.find_tool("pg_dump", 15)
    old = tmp_path / "lib" / "9.6" / "bin" / "pg_dump"
    old.parent.mkdir(parents=True)
    old.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    old.chmod(0o755)
    with pytest.raises(BackupError, match=r"pg_dump 9\.6 .* is older than the database server "
                                          r"\(PostgreSQL 15\)"):
        postgres.find_tool("pg_dump", 15)
    assert postgres.find_tool("pg_dump", 9) == str(old)
