"""Benchmark the calendar feeds against a bare endpoint of the same app, served the same way.

Data: 200 public events in eleven timezones; one of them (a forum) has 500 agenda items and
13,000 registrations (13,000 people, each with a personal feed; half registered in Danish,
so their feeds are written in Danish). Per feed, p50 and p95:

- the floor: `/bench/floor` of the same app (returns "ok"), timed in alternation with each
  measured request, so both see the same load of a shared machine;
- a 304 (the client sends its ETag);
- a full response when nothing changed (a subscriber without validators);
- a full response right after one event changed (untimed UPDATE before each request: the
  network feed and the region feed change one of their events, the event and personal feeds
  the forum itself);
- a full response with nothing kept (CALENDAR_CACHE_BYTES=0), and the first build of a
  freshly started worker;
- SQL statements per request;
- CWF scale: after one change to the forum, each of the 13,000 personal feeds fetched once,
  with the worker's CPU time per feed (and the floor's CPU per request beside it);
- once: queueing an update invitation to the 13,000 registrants (then rolled back).

Two ways of serving, each compared with its own floor:
- http: gunicorn (the production server, one sync worker) on a loopback port, a fresh TCP
  connection per request as a calendar client makes;
- wsgi: Flask's test client in-process (no network: the harshest ratio).

    .venv/bin/python bench/calendars.py                    # SQLite file in a temp dir
    DATABASE_URL=postgresql://... .venv/bin/python bench/calendars.py   # drops its tables!
"""

from __future__ import annotations

import argparse
import http.client
import itertools
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
FORUM = 1
TARGETS = {  # the limits of issue 16, as ratios to the floor (p50) or ms of CPU per feed
    "304": 2.0, "network after a change": 15.0, "event after a change": 60.0, "cwf cpu ms": 5.0,
}
CACHE_ON = 32 * 2**20


def bench_app():
    """The app with a bare endpoint; settings from BENCH_* variables (gunicorn imports it)."""
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": os.environ["BENCH_DATABASE_URL"],
        "SECRET_KEY": "bench",
        "BASE_URL": os.environ.get("BENCH_BASE_URL", "http://127.0.0.1"),
        "CALENDAR_CACHE_BYTES": int(os.environ.get("CALENDAR_CACHE_BYTES", CACHE_ON)),
    })
    app.add_url_rule("/bench/floor", "bench_floor", lambda: "ok")
    return app


def load_data(app) -> tuple[dict[str, str], list[str]]:
    """Create the schema and the rows with bulk inserts; return the URLs to measure and
    every registrant's personal feed."""
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
        db.session.execute(sa.insert(AgendaItem), [
            {"event_id": FORUM, "kind": "workshop", "title": f"Workshop {n}",
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
            # Half register in Danish: their feeds are written in it (pieces kept per language).
            {"event_id": FORUM, "person_id": n, "audience": "guest", "status": "confirmed",
             "is_head_of_delegation": False, "registered_at": now, "is_demo": True,
             "language": "da" if n % 2 else None}
            for n in range(1, REGISTRATIONS + 1)])
        tokens = db.session.scalars(sa.select(Person.calendar_token).order_by(Person.id)).all()
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # A live database has planner statistics: autovacuum analyzes a table within
            # about a minute of a load like this one.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("ANALYZE"))
        assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == REGISTRATIONS
    paths = {
        "network feed (200 events)": "/calendar/network.ics",
        "event .ics (500 agenda items)": f"/events/{FORUM}.ics",
        "personal feed (1 of 13,000)": f"/calendar/p/{tokens[4320]}.ics",
        "region feed": "/regions/region-1/calendar.ics",
    }
    return paths, [f"/calendar/p/{token}.ics" for token in tokens]


class Changes:
    """Untimed changes made from the benchmark's own connection, as an editor would."""

    def __init__(self, url: str) -> None:
        """An engine of its own on the benchmark's database."""
        self.engine = sa.create_engine(url)
        self.counter = itertools.count(1)

    def event(self, event_id: int) -> None:
        """A new venue for one event: its row's version changes (updated_at, sequence)."""
        from webapp.models import Event

        with self.engine.begin() as conn:
            conn.execute(sa.update(Event).where(Event.id == event_id).values(
                venue=f"Hall {next(self.counter)}", sequence=Event.sequence + 1,
                updated_at=datetime.now(UTC)))

    def for_feed(self, name: str) -> Callable[[], None]:
        """The change measured before each request of a feed (see the module docstring)."""
        if name.startswith("network"):
            ids = itertools.cycle(range(2, EVENTS + 1))
            return lambda: self.event(next(ids))
        if name.startswith("region"):
            ids = itertools.cycle(range(2, EVENTS, 7))  # region 1's delegations
            return lambda: self.event(next(ids))
        return lambda: self.event(FORUM)


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
    before: Callable[[], None] | None = None,
) -> tuple[list[float], list[float], int]:
    """Time `request` and the floor alternately (same load on a shared machine for both):
    (floor seconds, request seconds, body size). `before` runs untimed before each request.
    Three warm-up rounds first."""
    for _ in range(3):
        floor()
        if before:
            before()
        request()
    floors, samples, size = [], [], 0
    for _ in range(count):
        if before:
            before()
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
    """One sync worker serving bench_app(); waits until the port answers (the floor only:
    nothing of the calendars is loaded or built yet)."""
    port = free_port()
    env = {**os.environ, "BENCH_DATABASE_URL": url, "CALENDAR_CACHE_BYTES": str(cache_bytes),
           "BENCH_BASE_URL": f"http://127.0.0.1:{port}", "PYTHONPATH": str(ROOT)}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "-w", "1", "-b", f"127.0.0.1:{port}", "--log-level", "warning",
         "bench.calendars:bench_app()"], cwd=ROOT, env=env)
    for _ in range(400):
        try:
            if http_get(port, "/bench/floor")[0] == 200:
                return process, port
        except OSError:
            time.sleep(0.05)
    process.terminate()
    raise RuntimeError("gunicorn did not start")


def stop(process: subprocess.Popen) -> None:
    """Stop one gunicorn we started."""
    process.terminate()
    process.wait(timeout=10)


def worker_cpu(master: subprocess.Popen) -> float:
    """CPU seconds (user + system) used so far by the master's one worker."""
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    fields = Path(f"/proc/{children[0]}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def http_get(port: int, path: str, headers: dict | None = None) -> tuple[int, int]:
    """One GET on a fresh connection, body read fully: (status, body size)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        body = response.read()
        http_get.last_etag = response.getheader("ETag")
        return response.status, len(body)
    finally:
        conn.close()


def measure_http(url: str, paths: dict[str, str], runs: int, changed_runs: int,
                 changes: Changes) -> list[tuple]:
    """Per feed: 304, full (nothing changed), full after one change, full with nothing
    kept, each interleaved with the bare endpoint of the same server."""
    rows = []
    warm, port = start_gunicorn(url, CACHE_ON)
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
            rows.append((f"{name}: full, nothing changed", *paired(
                floor, lambda p=path: http_get(port, p), runs, 200)))
            rows.append((f"{name}: full, after one change", *paired(
                floor, lambda p=path: http_get(port, p), changed_runs, 200,
                before=changes.for_feed(name))))
            rows.append((f"{name}: full, nothing kept", *paired(
                cold_floor, lambda p=path: http_get(cold_port, p), changed_runs, 200)))
    finally:
        stop(warm)
        stop(cold)
    return rows


def first_builds(url: str, paths: dict[str, str]) -> list[tuple[str, float, float]]:
    """Each feed's first request on a freshly started worker (nothing built, no zone
    written yet), and that worker's floor right after: (name, ms, floor ms)."""
    rows = []
    for name, path in paths.items():
        process, port = start_gunicorn(url, CACHE_ON)
        try:
            t0 = time.perf_counter()
            status, _size = http_get(port, path)
            elapsed = time.perf_counter() - t0
            assert status == 200, status
            floors = []
            for _ in range(20):
                t1 = time.perf_counter()
                http_get(port, "/bench/floor")
                floors.append(time.perf_counter() - t1)
            rows.append((name, elapsed * 1000, statistics.median(floors) * 1000))
        finally:
            stop(process)
    return rows


def cwf_scale(url: str, feeds: list[str], changes: Changes) -> dict[str, float]:
    """After one change to the forum, every registrant's personal feed fetched once from a
    worker that served them all before: the worker's CPU and the wall time per feed; the
    floor's CPU per request measured on the same worker."""
    process, port = start_gunicorn(url, CACHE_ON)
    try:
        http_get(port, feeds[0])  # the worker has seen the feeds before the change
        cpu0 = worker_cpu(process)
        floors = 2000
        for _ in range(floors):
            http_get(port, "/bench/floor")
        floor_cpu = (worker_cpu(process) - cpu0) / floors
        changes.event(FORUM)
        cpu0, t0 = worker_cpu(process), time.perf_counter()
        size = 0
        for path in feeds:
            status, size = http_get(port, path)
            assert status == 200, status
        wall = time.perf_counter() - t0
        cpu = worker_cpu(process) - cpu0
    finally:
        stop(process)
    return {"feeds": len(feeds), "bytes": size, "cpu_ms": cpu / len(feeds) * 1000,
            "wall_ms": wall / len(feeds) * 1000, "floor_cpu_ms": floor_cpu * 1000}


# --- in-process (Flask test client) ---------------------------------------------------------


def measure_wsgi(url: str, paths: dict[str, str], runs: int, changed_runs: int,
                 changes: Changes):
    """The same measurements through Flask's test client, plus SQL statements per request."""
    from webapp.calendars.pieces import piece_cache

    os.environ["BENCH_DATABASE_URL"] = url
    app = bench_app()
    client = app.test_client()

    def get(path, headers=None):
        """One request: (status, size)."""
        response = client.get(path, headers=headers or {})
        return response.status_code, len(response.data)

    def cold_get(path):
        """A request after emptying the piece cache."""
        piece_cache(app).clear()
        return get(path)

    floor = lambda: get("/bench/floor")  # noqa: E731
    rows = []
    queries: dict[str, tuple[int, int, int]] = {}
    for name, path in paths.items():
        etag = client.get(path).headers["ETag"]
        rows.append((f"{name}: 304", *paired(
            floor, lambda p=path, e=etag: get(p, {"If-None-Match": e}), runs, 304)))
        rows.append((f"{name}: full, nothing changed", *paired(
            floor, lambda p=path: get(p), runs, 200)))
        rows.append((f"{name}: full, after one change", *paired(
            floor, lambda p=path: get(p), changed_runs, 200, before=changes.for_feed(name))))
        rows.append((f"{name}: full, nothing kept", *paired(
            floor, lambda p=path: cold_get(p), changed_runs, 200)))
        queries[name] = count_statements(app, client, path, client.get(path).headers["ETag"])
    return rows, queries, app


def count_statements(app, client, path: str, etag: str) -> tuple[int, int, int]:
    """SQL statements for a build from nothing, a build from kept pieces and a 304."""
    from webapp.calendars.pieces import piece_cache

    counts = []
    for headers, clear in (({}, True), ({}, False), ({"If-None-Match": etag}, False)):
        if clear:
            piece_cache(app).clear()
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
        event = db.session.get(Event, FORUM)
        event.starts_at += timedelta(hours=1)
        event.ends_at += timedelta(hours=1)
        t0 = time.perf_counter()
        queued = send_update(event)  # one row per registrant, written later by delivery
        elapsed = time.perf_counter() - t0
        db.session.rollback()
    return elapsed, queued


def report(title: str, rows: list[tuple]) -> dict[str, float]:
    """Print p50/p95 of each request, of the floor measured alongside it, and the ratios;
    return the p50 ratios by row name."""
    print(f"\n{title}")
    print(f"{'request':<56} {'n':>4} {'bytes':>8} {'p50 ms':>7} {'p95 ms':>7} "
          f"{'floor p50':>9} {'floor p95':>9} {'×p50':>6} {'×p95':>6}")
    ratios = {}
    for name, floors, samples, size in rows:
        p50, p95 = percentiles(samples)
        f50, f95 = percentiles(floors)
        ratios[name] = p50 / f50
        print(f"{name:<56} {len(samples):>4} {size:>8,} {p50:>7.2f} {p95:>7.2f} {f50:>9.2f} "
              f"{f95:>9.2f} {p50 / f50:>6.2f} {p95 / f95:>6.2f}")
    return ratios


def verdict(label: str, value: float, limit: float, unit: str = "×") -> None:
    """One target: the measured value, its limit, and whether it holds."""
    print(f"  {label:<58} {value:>7.2f}{unit}  (target ≤ {limit:g}{unit})  "
          f"{'ok' if value <= limit else 'OVER'}")


def main() -> None:
    """Load the data, measure both ways, print the tables and the targets."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=200, help="requests per measurement")
    parser.add_argument("--changed-runs", type=int, default=40,
                        help="requests after a change, and with nothing kept")
    parser.add_argument("--cwf-feeds", type=int, default=REGISTRATIONS,
                        help="personal feeds fetched after a change to the forum")
    parser.add_argument("--skip-invitations", action="store_true")
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory()
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp.name}/bench.sqlite3"
    os.environ["BENCH_DATABASE_URL"] = url
    t0 = time.perf_counter()
    paths, personal = load_data(bench_app())
    changes = Changes(url)
    print(f"database: {url.split('@')[-1]}; data loaded in {time.perf_counter() - t0:.1f} s: "
          f"{EVENTS} events, {AGENDA_ITEMS} agenda items, {REGISTRATIONS:,} registrations; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    http_ratios = report("HTTP: gunicorn, 1 sync worker, new connection per request",
                         measure_http(url, paths, args.runs, args.changed_runs, changes))
    print("\nFirst build after start (a fresh worker's first request for the feed)")
    for name, ms, floor in first_builds(url, paths):
        print(f"  {name:<40} {ms:>8.1f} ms  (floor {floor:.2f} ms, ×{ms / floor:.0f})")
    rows, queries, app = measure_wsgi(url, paths, args.runs, args.changed_runs, changes)
    wsgi_ratios = report("WSGI in-process: Flask test client", rows)
    print(f"\n{'SQL statements per request':<40} {'nothing kept':>12} {'kept':>5} {'304':>5}")
    for name, (cold, kept, not_modified) in queries.items():
        print(f"{name:<40} {cold:>12} {kept:>5} {not_modified:>5}")
    cwf = cwf_scale(url, personal[: args.cwf_feeds], changes)
    print(f"\nCWF scale: {cwf['feeds']:,} distinct personal feeds ({cwf['bytes']:,} bytes each) "
          f"fetched once after a change to the forum: worker CPU {cwf['cpu_ms']:.2f} ms per "
          f"feed (floor {cwf['floor_cpu_ms']:.2f} ms per request), wall {cwf['wall_ms']:.2f} ms")
    print("\nTargets (p50 ratio to the floor served the same way; HTTP / WSGI)")
    for name in paths:
        for way, ratios in (("http", http_ratios), ("wsgi", wsgi_ratios)):
            verdict(f"{name}: 304 ({way})", ratios[f"{name}: 304"], TARGETS["304"])
    for way, ratios in (("http", http_ratios), ("wsgi", wsgi_ratios)):
        verdict(f"network feed after one change ({way})",
                ratios["network feed (200 events): full, after one change"],
                TARGETS["network after a change"])
        verdict(f"event .ics (500 items) after one change ({way})",
                ratios["event .ics (500 agenda items): full, after one change"],
                TARGETS["event after a change"])
    verdict("CWF: worker CPU per personal feed after a forum change", cwf["cpu_ms"],
            TARGETS["cwf cpu ms"], " ms")
    if not args.skip_invitations:
        elapsed, sent = time_update_invitations(app)
        print(f"\nsend_update to {sent:,} registrants: {elapsed:.1f} s "
              f"({elapsed / sent * 1000:.2f} ms per queued invitation), rolled back")
    tmp.cleanup()


if __name__ == "__main__":
    main()
