"""Check-in of one scanned ticket at a CWF-sized forum: SQL statements and time per scan.

In-process (Flask's test client, signed in as the forum's door staff, CSRF off), the scan
endpoint as static/js/scanner.js posts it (JSON answer with the live counts). The forum first
holds 100 registrations, then 13,000 (3,000 international, 10,000 guests); each time 200
fresh tickets are scanned. The number of statements per scan must be the same for both
(exit status 1 otherwise); the time is printed next to a bare Flask endpoint through the same
test client. CPU time, because these machines are shared.

    .venv/bin/python bench/checkin.py [--pg postgresql://postgres@127.0.0.1:55432/doc_bench]
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bare_app import app as bare_app  # noqa: E402

SECRET = "bench-secret-key"  # noqa: S105 - a throw-away key for a local benchmark
PASSWORD = "bench password 123"  # noqa: S105
SIZES = (100, 13_000)
SCANS = 200


def build_app(url: str):
    """The app on a fresh schema, with the forum and its door staff; (app, event id)."""
    os.environ.update({"DATABASE_URL": url, "SECRET_KEY": SECRET,
                       "BASE_URL": "http://127.0.0.1", "MAIL_DELIVER_ON_COMMIT": "false"})
    import sqlalchemy as sa

    from webapp import create_app
    from webapp.extensions import db
    from webapp.models import (
        DoorStaff,
        Event,
        EventCapacity,
        EventKind,
        EventStatus,
        Role,
        User,
    )

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET,
                      "WTF_CSRF_ENABLED": False, "MAIL_DELIVER_ON_COMMIT": False,
                      "BASE_URL": "http://127.0.0.1"})
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        db.drop_all()
        db.create_all()
        start = datetime(2031, 9, 1, 7, tzinfo=UTC)
        forum = Event(slug="bench-forum", kind=EventKind.FORUM, title="Benchmark forum",
                      place="Aarhus", timezone="Europe/Copenhagen", starts_at=start,
                      ends_at=start + timedelta(days=2), status=EventStatus.CONFIRMED)
        forum.capacities = [EventCapacity(audience="international", label="International",
                                          capacity=3_000),
                            EventCapacity(audience="guest", label="Guests", capacity=10_000)]
        door = User(email="door@example.org", full_name="Door Staff", role=Role.DOOR_STAFF)
        door.set_password(PASSWORD)
        db.session.add_all([forum, door])
        db.session.flush()
        db.session.add(DoorStaff(event_id=forum.id, user_id=door.id))
        db.session.commit()
        event_id = forum.id
    return app, event_id


def add_registrations(app, event_id: int, first: int, count: int) -> list[str]:
    """`count` confirmed registrations in bulk (a quarter of them international); their
    ticket references."""
    import sqlalchemy as sa

    from webapp.extensions import db
    from webapp.models import Person, Registration

    refs = [secrets.token_urlsafe(12) for _ in range(count)]
    with app.app_context():
        people = [{"full_name": f"Person {n}", "email": f"p{n}@bench.example.org"}
                  for n in range(first, first + count)]
        db.session.execute(sa.insert(Person), people)
        ids = db.session.scalars(sa.select(Person.id).where(
            Person.email.like("%@bench.example.org")).order_by(Person.id)).all()[first:]
        db.session.execute(sa.insert(Registration), [
            {"event_id": event_id, "person_id": pid, "ticket_ref": ref,
             "audience": "international" if n % 13 < 3 else "guest",
             "registered_at": datetime.now(UTC)}
            for n, (pid, ref) in enumerate(zip(ids, refs, strict=True))])
        db.session.commit()
    return refs


def measure(app, client, event_id: int, refs: list[str]) -> tuple[int, float, float]:
    """Scan each ticket once: (statements per scan, p50 wall ms, CPU ms per scan)."""
    import sqlalchemy as sa

    from webapp.extensions import db
    from webapp.tickets import ticket_code

    with app.app_context():
        codes = [ticket_code(ref) for ref in refs]
        engine = db.engine
    counts, walls = [], []
    statements = []

    def count(*_args) -> None:
        statements.append(1)

    sa.event.listen(engine, "before_cursor_execute", count)
    cpu_began = time.process_time()
    try:
        for code in codes:
            statements.clear()
            began = time.perf_counter()
            response = client.post(f"/events/{event_id}/checkin/scan", data={"code": code},
                                   headers={"Accept": "application/json"})
            walls.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200 and response.json["ok"], response.json
            counts.append(len(statements))
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    cpu_ms = (time.process_time() - cpu_began) / len(codes) * 1000
    assert len(set(counts)) == 1, f"statements per scan vary: {sorted(set(counts))}"
    return counts[0], statistics.median(walls), cpu_ms


def run(url: str, label: str) -> bool:
    """Both sizes on one database; True when the statement counts agree."""
    app, event_id = build_app(url)
    client = app.test_client()
    response = client.post("/login", data={"email": "door@example.org", "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    results, added = {}, 0
    for size in SIZES:
        refs = add_registrations(app, event_id, added, size - added)
        added = size
        results[size] = measure(app, client, event_id, refs[:SCANS])
    bare = bare_app.test_client()
    began = time.process_time()
    for n in range(SCANS):
        bare.post("/register", data={"email": f"b{n}@x.org"})
    bare_ms = (time.process_time() - began) / SCANS * 1000
    print(f"\n{label}: check-in of one scanned ticket ({SCANS} scans per size)")
    for size, (statements, p50, cpu) in results.items():
        print(f"  {size:>6,} registrations: {statements} SQL statements per scan, "
              f"p50 {p50:.2f} ms, {cpu:.2f} ms CPU per scan (bare Flask: {bare_ms:.2f} ms, "
              f"ratio {bare_ms / cpu:.2f})")
    same = len({statements for statements, _, _ in results.values()}) == 1
    print(f"  statements constant as registrations grow: {'yes' if same else 'NO'}")
    with app.app_context():
        from webapp.extensions import db

        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    return same


def main() -> None:
    """SQLite always, PostgreSQL when given; exit 1 when a count grows."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", help="a PostgreSQL URL whose schema may be dropped")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="doc-bench-checkin-")
    ok = run(f"sqlite:///{workdir}/checkin.sqlite3", "SQLite")
    if args.pg:
        ok = run(args.pg, "PostgreSQL") and ok
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
