"""Benchmark: the participation review on 14 regions × 30 forums × 13,000 registrations.

Prints the number of SQL statements the matrix and the flags take (must be ≤ 5, whatever the
size), the time of the review page, and its ratio to a bare Flask endpoint served the same way
(same app, same werkzeug server, same HTTP client) in the same run.

    .venv/bin/python bench/participation.py            # SQLite file in a temporary folder
    DATABASE_URL=postgresql://... .venv/bin/python bench/participation.py
"""

from __future__ import annotations

import http.cookiejar
import logging
import os
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from werkzeug.serving import make_server

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from webapp import create_app  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.models import (  # noqa: E402
    AnnualFee,
    Delegation,
    Event,
    EventKind,
    EventStatus,
    MembershipEntry,
    MembershipKind,
    Person,
    Region,
    Registration,
    RegistrationStatus,
    Representative,
    Role,
    RuleKey,
    User,
)
from webapp.participation.policy import RuleSettings  # noqa: E402
from webapp.participation.services import review, save_policy  # noqa: E402

REGIONS, FORUMS, REGISTRATIONS = 14, 30, 13_000
FIRST_YEAR = 2000
AS_OF = date(FIRST_YEAR + FORUMS, 1, 1)
ROUNDS = 40
PASSWORD = "benchmark password 123"  # noqa: S105 - a throw-away account in a temporary database


def build_app(folder: Path):
    """A fresh app and schema on DATABASE_URL or a SQLite file."""
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder / 'bench.sqlite3'}"
    app = create_app({"SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                      "SQLALCHEMY_DATABASE_URI": url, "BASE_URL": "http://127.0.0.1"})
    app.add_url_rule("/bench/bare", "bench_bare", lambda: "ok")
    return app


def populate() -> None:
    """14 regions, 30 forums, a delegation per region and forum, 13,000 registrations."""
    with db.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    db.drop_all()
    db.create_all()
    regions = [Region(slug=f"region-{i}", name=f"Region {i:02d}", country="Benchland",
                      country_code="BL", continent="Europe", timezone="Europe/Brussels")
               for i in range(REGIONS)]
    db.session.add_all(regions)
    db.session.flush()
    for i, region in enumerate(regions):
        db.session.add(MembershipEntry(region_id=region.id, kind=MembershipKind.ADMITTED,
                                       on=date(FIRST_YEAR + i % 5, 1, 1)))
        person = Person(full_name=f"Representative {i}", region_id=region.id)
        db.session.add(person)
        db.session.flush()
        db.session.add(Representative(region_id=region.id, person_id=person.id,
                                      appointed_on=date(FIRST_YEAR, 1, 1)))
        for year in range(FIRST_YEAR, FIRST_YEAR + FORUMS):
            db.session.add(AnnualFee(region_id=region.id, year=year,
                                     paid_on=None if (i + year) % 11 == 0 else date(year, 2, 1)))
    forums = []
    for n in range(FORUMS):
        start = datetime(FIRST_YEAR + n, 6, 1, 8, tzinfo=UTC)
        forums.append(Event(slug=f"forum-{n}", kind=EventKind.FORUM, ordinal=n + 1,
                            title=f"Forum {n + 1}", place="Somewhere", starts_at=start,
                            ends_at=start + timedelta(days=2), timezone="Europe/Brussels",
                            status=EventStatus.CONFIRMED,
                            host_region_id=regions[n % REGIONS].id))
    db.session.add_all(forums)
    db.session.flush()
    delegations = []
    for forum in forums:
        for i, region in enumerate(regions):
            if region.id != forum.host_region_id and (i + forum.ordinal) % 7:
                delegations.append(Delegation(event_id=forum.id, region_id=region.id))
    db.session.add_all(delegations)
    db.session.flush()
    db.session.execute(sa.insert(Person), [
        {"full_name": f"Delegate {k}", "email": f"delegate{k}@bench.example",
         "created_at": datetime.now(UTC)} for k in range(REGISTRATIONS)])
    person_ids = db.session.scalars(
        sa.select(Person.id).where(Person.email.is_not(None)).order_by(Person.id)).all()
    now = datetime.now(UTC)
    rows = []
    for k, person_id in enumerate(person_ids):
        d = delegations[k % len(delegations)]
        cancelled = k % 20 == 0
        rows.append({
            "event_id": d.event_id, "person_id": person_id, "delegation_id": d.id,
            "audience": "international",
            "status": RegistrationStatus.CANCELLED if cancelled else RegistrationStatus.CONFIRMED,
            "cancelled_at": now if cancelled else None,
            "checked_in_at": None if k % 5 == 0 else now,
            "registered_at": now, "is_head_of_delegation": False, "is_demo": True,
        })
    db.session.execute(sa.insert(Registration), rows)
    user = User(email="secretariat@bench.example", full_name="Bench", role=Role.SECRETARIAT)
    user.set_password(PASSWORD)
    db.session.add(user)
    # Every rule on, so that every query the review can make is made.
    save_policy(None, [RuleSettings(RuleKey.NO_REPRESENTATIVE, True)])
    db.session.commit()


def count_review_queries() -> tuple[int, float, int]:
    """Statements and seconds for matrix + flags (the service, outside any request)."""
    statements: list[str] = []

    def listen(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    db.session.remove()
    sa.event.listen(db.engine, "before_cursor_execute", listen)
    started = time.perf_counter()
    result = review(AS_OF)
    elapsed = time.perf_counter() - started
    sa.event.remove(db.engine, "before_cursor_execute", listen)
    cells = sum(len(row.cells) for row in result.matrix.rows)
    return len(statements), elapsed, cells


def serve(app):
    """The app on a free loopback port (werkzeug, threaded), like the browser tests."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def timed(opener, url: str) -> list[float]:
    """Seconds per GET over ROUNDS rounds, after two warm-up requests."""
    for _ in range(2):
        opener.open(url).read()
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        with opener.open(url) as response:
            response.read()
            assert response.status == 200, response.status
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    """Build the data, count the queries, time both endpoints, print the figures."""
    with tempfile.TemporaryDirectory() as folder:
        app = build_app(Path(folder))
        with app.app_context():
            started = time.perf_counter()
            populate()
            print(f"data: {REGIONS} regions × {FORUMS} forums × {REGISTRATIONS:,} registrations"
                  f" on {db.engine.dialect.name} (built in {time.perf_counter() - started:.1f}s)")
            queries, seconds, cells = count_review_queries()
            print(f"matrix + flags: {queries} SQL statements, {seconds * 1000:.1f} ms, "
                  f"{cells} cells")
            if queries > 5:
                raise SystemExit(f"FAIL: {queries} statements (the limit is 5)")
        server, base = serve(app)
        try:
            opener = urllib.request.build_opener(
                urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
            form = urllib.parse.urlencode({"email": "secretariat@bench.example",
                                           "password": PASSWORD}).encode()
            opener.open(base + "/login", data=form).read()
            page_url = f"{base}/participation/?as_of={AS_OF.isoformat()}"
            page = timed(opener, page_url)
            bare = timed(opener, f"{base}/bench/bare")
            with app.app_context():
                statements: list[str] = []

                def listen(_conn, _cursor, statement, *_args) -> None:
                    statements.append(statement)

                sa.event.listen(db.engine, "before_cursor_execute", listen)
                opener.open(page_url).read()
                sa.event.remove(db.engine, "before_cursor_execute", listen)
        finally:
            server.shutdown()
        with app.app_context():
            db.drop_all()
            db.engine.dispose()
    page_ms, bare_ms = statistics.median(page) * 1000, statistics.median(bare) * 1000
    print(f"review page: median {page_ms:.1f} ms, p90 "
          f"{statistics.quantiles(page, n=10)[-1] * 1000:.1f} ms over {ROUNDS} requests")
    print(f"review page: {len(statements)} SQL statements per request (with the signed-in "
          "user's)")
    print(f"bare Flask endpoint: median {bare_ms:.2f} ms")
    print(f"ratio page / bare: {page_ms / bare_ms:.1f}×")


if __name__ == "__main__":
    main()
