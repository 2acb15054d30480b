"""Moving between database kinds with backup and restore: a SQLite snapshot restored into a
fresh PostgreSQL database (README's move to PostgreSQL) and back, equal table by table up
to the kinds' types (times in UTC, JSON by value). Needs the suite's PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa
from flask_migrate import upgrade

from tests.backup_check import EmptyDatabases, app_on, needs_postgresql, table_checksums
from tests.registrations.helpers import person
from webapp.backup.snapshot import create_snapshot
from webapp.extensions import db
from webapp.models import Event, MissionGuest, Registration, RegistrationStatus, Role, User
from webapp.registrations.demo import load_demo
from webapp.registrations.services import cancel_registration, register_person, substitute
from webapp.seed import load_network_history

pytestmark = needs_postgresql


def filled_database(url: str, tmp_path) -> dict:
    """Build the schema by the migrations at `url`, load the history, the demo
    registrations, a cancellation (promoting someone), a substitute and a hostile name;
    return its checksums."""
    with app_on(url, tmp_path) as app:
        upgrade(directory=app.extensions["migrate"].directory)
        load_network_history()
        load_demo()
        db.session.commit()
        forum = db.session.scalars(sa.select(Event).join(Event.capacities)).first()
        guest = register_person(forum, person("x", full_name="=cmd|' /C calc'!A0 \x7f ✓"),
                                "guest")
        confirmed = db.session.scalars(sa.select(Registration).where(
            Registration.status == RegistrationStatus.CONFIRMED,
            Registration.delegation_id.is_not(None))).first()
        secretariat = User(email="sec@example.org", full_name="Sec", role=Role.SECRETARIAT)
        secretariat.set_password("correct horse battery staple")
        db.session.add(secretariat)
        db.session.flush()
        substitute(confirmed, person("sub"), secretariat)
        cancel_registration(guest, None, "Cannot travel")
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(MissionGuest)) == 25
        return table_checksums()


def moved(source_url: str, target_url: str, tmp_path) -> tuple:
    """Back up the source, restore into the target with the command; both checksums and
    the command's output."""
    snapshot = tmp_path / "move.tar.gz"
    with app_on(source_url, tmp_path):
        create_snapshot(snapshot)
        source = table_checksums()
    with app_on(target_url, tmp_path) as target:
        result = target.test_cli_runner().invoke(args=["restore", str(snapshot)])
        assert result.exit_code == 0, result.output
        after = table_checksums()
        seats = db.session.execute(sa.text(
            "SELECT count(*) FROM event_capacity c WHERE c.seats_taken <> (SELECT count(*)"
            " FROM registration r WHERE r.event_id = c.event_id AND r.audience = c.audience"
            " AND r.status = 'confirmed')")).scalar()
        assert seats == 0
        # The moved site registers on: its ids continue after the highest restored one.
        forum = db.session.scalars(sa.select(Event).join(Event.capacities)).first()
        register_person(forum, person("after-move"), "guest")
        db.session.commit()
    return source, after, result.output


def test_a_sqlite_snapshot_moves_into_a_fresh_postgresql(tmp_path):
    """SQLite → PostgreSQL: every table equal, seat counts right, ids go on."""
    databases = EmptyDatabases(tmp_path)
    try:
        source_url, target_url = databases("sqlite"), databases("postgresql")
        filled = filled_database(source_url, tmp_path)
        source, after, output = moved(source_url, target_url, tmp_path)
        assert source == filled and after == source
        assert sum(rows for rows, _ in after.values()) > 1000
        assert "by rows from SQLite, schema by the migrations" in output
    finally:
        databases.drop()


def test_a_postgresql_snapshot_moves_into_sqlite(tmp_path):
    """PostgreSQL → SQLite, the way back: equal again."""
    databases = EmptyDatabases(tmp_path)
    try:
        source_url, target_url = databases("postgresql"), databases("sqlite")
        filled_database(source_url, tmp_path)
        source, after, output = moved(source_url, target_url, tmp_path)
        assert after == source
        assert "by rows from PostgreSQL, schema by the migrations" in output
    finally:
        databases.drop()
