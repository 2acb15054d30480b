"""Benchmark the calendar feeds against a bare Flask endpoint served the same way.

Data: 200 public events in eleven timezones; one of them (a forum) has 500 agenda items and
13,000 registrations (13,000 people). Measured, per request, p50 and p95:

- the floor: a bare endpoint of the same app (`/bench/floor`, returns "ok"), timed in
  alternation with each measured request so both see the same load;
- each feed as a 304 (client sends its ETag), as a full response when this worker already
  built that version (a subscriber without validators), and as a cold build (feed cache off);
- SQL statements per request, at full size;
- once: queueing an update invitation to the 13,000 registrants (then rolled back).

Two ways of serving, each compared with its own floor:
- http: gunicorn (the production server, one sync worker) on a loopback port, a fresh TCP
  connection per request as a calendar client makes;
- wsgi: Flask's test client in-process (no network: the harshest ratio).

    .venv/bin/python bench/calendars.py                    # SQLite file in a temp dir
    DATABASE_URL=postgresql://... .venv/bin/python bench/calendars.py   # drops its tables!
    CALENDAR_STATE_TTL=2 .venv/bin/python bench/calendars.py  # the opt-in fingerprint TTL
    CALENDAR_DATA_VERSION_CACHE=0 .venv/bin/python bench/calendars.py  # SQLite without it
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from webapp import create_app  # noqa: E402
from webapp.extensions import db  # noqa: E402

ZONES = [
    "America/Chicago", "America/Sao_Paulo", "Europe/London", "Europe/Brussels", "Europe/Paris",
    "Europe/Madrid", "Europe/Berlin", "Europe/Copenhagen", "Europe/Helsinki", "Asia/Kolkata",
    "Asia/Shanghai",
]
EVENTS, AGENDA_ITEMS, REGISTRATIONS = 200, 500, 13_000


def bench_app():
    """The app with a bare endpoint; settings from BENCH_* variables (gunicorn imports it)."""
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": os.environ["BENCH_DATABASE_URL"],
        "SECRET_KEY": "bench",
        "BASE_URL": os.environ.get("BENCH_BASE_URL", "http://127.0.0.1"),
        "CALENDAR_CACHE_BYTES": int(os.environ.get("CALENDAR_CACHE_BYTES", 32 * 2**20)),
        # Off unless asked for (as in production): CALENDAR_STATE_TTL=2 measures that option.
        "CALENDAR_STATE_TTL": float(os.environ.get("CALENDAR_STATE_TTL", 0)),
        # On by default (SQLite only): CALENDAR_DATA_VERSION_CACHE=0 measures without it.
        "CALENDAR_DATA_VERSION_CACHE": os.environ.get("CALENDAR_DATA_VERSION_CACHE") != "0",
    })
    app.add_url_rule("/bench/floor", "bench_floor", lambda: "ok")
    return app


def load_data(app) -> dict[str, str]:
    """Create the schema and the rows with bulk inserts; return the URLs to measure."""
    from webapp.models import AgendaItem, Delegation, Event, Person, Region, Registration
    from webapp.models.people import new_calendar_token

    now = datetime.now(UTC)
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.session.execute(sa.insert(Region), [
            {"id": i + 1, "slug": f"region-{i + 1}", "name": f"Region {i + 1}", "country": "X",
             "country_code": "XX", "continent": "Europe", "timezone": zone, "created_at": now}
            for i, zone in enumerate(ZONES)])
        start = datetime(2031, 1, 5, 8, tzinfo=UTC)
        db.session.execute(sa.insert(Event), [
            {"id": n, "slug": f"event-{n}", "kind": "forum" if n % 4 == 0 else "meeting",
             "title": f"Event {n}: Århus, Württemberg; 上海", "place": f"Place {n}, City",
             "description": "A day of talks, visits and workshops.\nSecond line.",
             "host_region_id": (n % len(ZONES)) + 1, "timezone": ZONES[n % len(ZONES)],
             "starts_at": start + timedelta(days=3 * n),
             "ends_at": start + timedelta(days=3 * n, hours=8 if n % 3 else 56),
             "date_precision": "day", "status": "confirmed", "is_public": True, "sequence": n % 3,
             "created_at": now, "updated_at": now}
            for n in range(1, EVENTS + 1)])
        big = 1
        db.session.execute(sa.insert(AgendaItem), [
            {"event_id": big, "kind": "workshop", "title": f"Workshop {n}",
             "host_organisation": "Aarhus University", "address": "Nordre Ringgade 1, Aarhus",
             "starts_at": start + timedelta(minutes=15 * n),
             "ends_at": start + timedelta(minutes=15 * n + 45), "is_illustrative": False,
             "sequence": 0, "updated_at": now}
            for n in range(AGENDA_ITEMS)])
        db.session.execute(sa.insert(Delegation), [
            {"event_id": n, "region_id": 1, "created_at": now} for n in range(2, EVENTS, 7)])
        db.session.execute(sa.insert(Person), [
            {"id": n, "full_name": f"Delegate {n}", "email": f"delegate{n}@example.org",
             "created_at": now, "calendar_token": new_calendar_token()}
            for n in range(1, REGISTRATIONS + 1)])
        db.session.execute(sa.insert(Registration), [
            {"event_id": big, "person_id": n, "audience": "guest", "status": "confirmed",
             "is_head_of_delegation": False, "registered_at": now, "is_demo": True}
            for n in range(1, REGISTRATIONS + 1)])
        token = db.session.scalar(sa.select(Person.calendar_token).where(Person.id == 4321))
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # A live database has planner statistics: autovacuum analyzes a table within
            # about a minute of a load like this one. Without them the first measurements
            # would run on guessed plans and the later ones on real ones.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("ANALYZE"))
        assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == REGISTRATIONS
    return {
        "network feed (200 events)": "/calendar/network.ics",
        "event .ics (500 agenda items)": f"/events/{big}.ics",
        "personal feed (1 of 13,000)": f"/calendar/p/{token}.ics",
        "region feed": "/regions/region-1/calendar.ics",
    }


def percentiles(samples: list[float]) -> tuple[float, float]:
    """p50 and p95 in milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def paired(
    floor: Callable[[], tuple[int, int]],
    request: Callable[[], tuple[int, int]],
    count: int,
    expect: int,
) -> tuple[list[float], list[float], int]:
    """Time `request` and the floor alternately (same load on a shared machine for both):
    (floor seconds, request seconds, body size). Five warm-up rounds first."""
    for _ in range(5):
        floor()
        request()
    floors, samples, size = [], [], 0
    for _ in range(count):
        t0 = time.perf_counter()
        floor()
        t1 = time.perf_counter()
        status, size = request()
        t2 = time.perf_counter()
        assert status == expect, status
        floors.append(t1 - t0)
        samples.append(t2 - t1)
    return floors, samples, size


# --- serving over HTTP with gunicorn --------------------------------------------------------


def free_port() -> int:
    """A free loopback TCP port."""
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(url: str, cache_bytes: int) -> tuple[subprocess.Popen, int]:
    """One sync worker serving bench_app(); waits until it answers."""
    port = free_port()
    env = {**os.environ, "BENCH_DATABASE_URL": url, "CALENDAR_CACHE_BYTES": str(cache_bytes),
           "BENCH_BASE_URL": f"http://127.0.0.1:{port}", "PYTHONPATH": str(ROOT)}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "-w", "1", "-b", f"127.0.0.1:{port}", "--log-level", "warning",
         "bench.calendars:bench_app()"], cwd=ROOT, env=env)
    for _ in range(200):
        try:
            if http_get(port, "/bench/floor")[0] == 200:
                return process, port
        except OSError:
            time.sleep(0.05)
    process.terminate()
    raise RuntimeError("gunicorn did not start")


def http_get(port: int, path: str, headers: dict | None = None) -> tuple[int, int]:
    """One GET on a fresh connection, body read fully: (status, body size)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        body = response.read()
        response.etag = response.getheader("ETag")
        http_get.last_etag = response.etag
        return response.status, len(body)
    finally:
        conn.close()


def measure_http(url: str, paths: dict[str, str], runs: int, cold_runs: int) -> list[tuple]:
    """Per feed: 304, full (this version already built) and cold build, each interleaved
    with the bare endpoint on the same server."""
    rows = []
    warm, port = start_gunicorn(url, 32 * 2**20)
    cold, cold_port = start_gunicorn(url, 0)
    try:
        floor = lambda: http_get(port, "/bench/floor")  # noqa: E731
        cold_floor = lambda: http_get(cold_port, "/bench/floor")  # noqa: E731
        for name, path in paths.items():
            http_get(port, path)
            etag = http_get.last_etag
            rows.append((f"{name}: 304", *paired(
                floor, lambda p=path, e=etag: http_get(port, p, {"If-None-Match": e}), runs,
                304)))
            rows.append((f"{name}: full", *paired(
                floor, lambda p=path: http_get(port, p), runs, 200)))
            rows.append((f"{name}: full, cold build", *paired(
                cold_floor, lambda p=path: http_get(cold_port, p), cold_runs, 200)))
    finally:
        for process in (warm, cold):
            process.terminate()
            process.wait(timeout=10)
    return rows


# --- in-process (Flask test client) ---------------------------------------------------------


def measure_wsgi(url: str, paths: dict[str, str], runs: int, cold_runs: int):
    """The same measurements through Flask's test client, plus SQL statements per request."""
    os.environ["BENCH_DATABASE_URL"] = url
    app = bench_app()
    client = app.test_client()
    from webapp.calendars.responses import feed_cache

    def get(path, headers=None):
        """One request: (status, size)."""
        response = client.get(path, headers=headers or {})
        return response.status_code, len(response.data)

    def cold_get(path):
        """A request after emptying the feed cache."""
        feed_cache(app).clear()
        return get(path)

    floor = lambda: get("/bench/floor")  # noqa: E731
    rows = []
    queries: dict[str, tuple[int, int, int]] = {}
    for name, path in paths.items():
        etag = client.get(path).headers["ETag"]
        rows.append((f"{name}: 304", *paired(
            floor, lambda p=path, e=etag: get(p, {"If-None-Match": e}), runs, 304)))
        rows.append((f"{name}: full", *paired(floor, lambda p=path: get(p), runs, 200)))
        rows.append((f"{name}: full, cold build", *paired(
            floor, lambda p=path: cold_get(p), cold_runs, 200)))
        queries[name] = count_statements(app, client, path, etag)
    return rows, queries, app


def count_statements(app, client, path: str, etag: str) -> tuple[int, int, int]:
    """SQL statements for a cold build, a cached full response and a 304."""
    from webapp.calendars.responses import feed_cache

    counts = []
    for headers, clear in (({}, True), ({}, False), ({"If-None-Match": etag}, False)):
        if clear:
            feed_cache(app).clear()
        statements = []

        def listener(*_args, statements=statements):
            """Count one statement."""
            statements.append(1)

        with app.app_context():
            sa.event.listen(db.engine, "before_cursor_execute", listener)
            try:
                client.get(path, headers=headers)
            finally:
                sa.event.remove(db.engine, "before_cursor_execute", listener)
        counts.append(len(statements))
    return tuple(counts)


def time_update_invitations(app) -> tuple[float, int]:
    """Queue an update REQUEST to every registrant of the big event, then roll back."""
    from webapp.calendars.event_news import send_update
    from webapp.models import Event

    with app.app_context(), app.test_request_context():
        event = db.session.get(Event, 1)
        event.starts_at += timedelta(hours=1)
        event.ends_at += timedelta(hours=1)
        t0 = time.perf_counter()
        queued = send_update(event)  # one row per registrant, written later by delivery
        elapsed = time.perf_counter() - t0
        db.session.rollback()
    return elapsed, queued


def report(title: str, rows: list[tuple]) -> None:
    """Print p50/p95 of each request, of the floor measured alongside it, and the ratios."""
    print(f"\n{title}")
    print(f"{'request':<48} {'n':>4} {'bytes':>8} {'p50 ms':>7} {'p95 ms':>7} "
          f"{'floor p50':>9} {'floor p95':>9} {'×p50':>6} {'×p95':>6}")
    for name, floors, samples, size in rows:
        p50, p95 = percentiles(samples)
        f50, f95 = percentiles(floors)
        print(f"{name:<48} {len(samples):>4} {size:>8,} {p50:>7.2f} {p95:>7.2f} {f50:>9.2f} "
              f"{f95:>9.2f} {p50 / f50:>6.2f} {p95 / f95:>6.2f}")


def main() -> None:
    """Load the data, measure both ways, print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=200, help="requests per measurement")
    parser.add_argument("--cold-runs", type=int, default=20, help="requests per cold build")
    parser.add_argument("--skip-invitations", action="store_true")
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory()
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp.name}/bench.sqlite3"
    os.environ["BENCH_DATABASE_URL"] = url
    t0 = time.perf_counter()
    paths = load_data(bench_app())
    print(f"database: {url.split('@')[-1]}; data loaded in {time.perf_counter() - t0:.1f} s: "
          f"{EVENTS} events, {AGENDA_ITEMS} agenda items, {REGISTRATIONS:,} registrations; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; "
          f"CALENDAR_STATE_TTL={os.environ.get('CALENDAR_STATE_TTL', '0')}, "
          f"CALENDAR_DATA_VERSION_CACHE={os.environ.get('CALENDAR_DATA_VERSION_CACHE', '1')}")
    report("HTTP: gunicorn, 1 sync worker, new connection per request",
           measure_http(url, paths, args.runs, args.cold_runs))
    rows, queries, app = measure_wsgi(url, paths, args.runs, args.cold_runs)
    report("WSGI in-process: Flask test client", rows)
    print(f"\n{'SQL statements per request':<40} {'cold':>6} {'cached':>7} {'304':>5}")
    for name, (cold, cached, not_modified) in queries.items():
        print(f"{name:<40} {cold:>6} {cached:>7} {not_modified:>5}")
    if not args.skip_invitations:
        elapsed, sent = time_update_invitations(app)
        print(f"\nsend_update to {sent:,} registrants: {elapsed:.1f} s "
              f"({elapsed / sent * 1000:.2f} ms per queued invitation), rolled back")
    tmp.cleanup()


if __name__ == "__main__":
    main()
