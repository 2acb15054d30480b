"""Benchmark: 13,000 registrations through the public HTTP form, served by gunicorn.

For SQLite (always) and PostgreSQL (--pg URL), it serves the app with gunicorn (2 sync
workers), lets 8 concurrent clients register 3,000 international participants and 10,000
guests through /events/<id>/register (CSRF on: each client GETs the form once and reuses its
cookie and token), then prints requests/s, p50/p95 latency, the peak RSS of each worker
(VmHWM), the workers' CPU time per request, and the ratio to a bare Flask endpoint served
the same way in the same run (before and after the app's run, taken together). Finally it
counts in the database: every registration there (0 lost), none beyond capacity (0
overbooked), nobody twice.

    .venv/bin/python bench/registration.py [--pg postgresql://...] [--people 13000]
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CAPACITIES = {"international": 3000, "guest": 10000}
SECRET = "bench-secret-key"  # noqa: S105 - a throw-away key for a local benchmark


@dataclass
class RunResult:
    """What one served app did under load."""

    label: str
    requests: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    worker_rss_mb: list[float] = field(default_factory=list)
    worker_cpu_seconds: float = 0.0  # user + system time of the workers during the load

    @property
    def worker_cpu_ms(self) -> float:
        """Worker CPU per request: steadier than the rate on a shared machine."""
        return self.worker_cpu_seconds / self.requests * 1000

    @property
    def rate(self) -> float:
        """Requests per second."""
        return self.requests / self.seconds

    def percentile(self, q: float) -> float:
        """Latency percentile in milliseconds."""
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def free_port() -> int:
    """A free loopback TCP port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_database(url: str) -> int:
    """A fresh schema with the seeded history and an open forum sized like CWF 2017."""
    os.environ["DATABASE_URL"] = url
    from webapp import create_app
    from webapp.extensions import db
    from webapp.models import Event, EventCapacity, EventKind, EventStatus

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET})
    with app.app_context():
        import sqlalchemy as sa

        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        db.drop_all()
        db.create_all()
        start = datetime(2031, 9, 1, 7, tzinfo=UTC)
        forum = Event(slug="bench-forum", kind=EventKind.FORUM, title="Benchmark forum",
                      place="Aarhus", timezone="Europe/Copenhagen", starts_at=start,
                      ends_at=start + timedelta(days=2), status=EventStatus.CONFIRMED,
                      registration_opens_at=datetime.now(UTC) - timedelta(days=1))
        forum.capacities = [EventCapacity(audience=a, label=a.title(), capacity=c)
                            for a, c in CAPACITIES.items()]
        db.session.add(forum)
        db.session.commit()
        event_id = forum.id
        db.session.remove()
        db.engine.dispose()
    return event_id


def start_gunicorn(app_spec: str, env: dict, chdir: Path) -> tuple[subprocess.Popen, int]:
    """gunicorn with 2 sync workers on a free port, once it answers."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", "--chdir", str(chdir), app_spec],
        env={**os.environ, **env}, start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                time.sleep(0.5)  # both workers booted
                return process, port
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"gunicorn did not start: {app_spec}")


def worker_pids(master: int) -> list[int]:
    """The gunicorn workers: processes whose parent is the master."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == master:
                pids.append(int(entry.name))
    return pids


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time so far of these processes (/proc/<pid>/stat)."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def load_workers(label: str, process: subprocess.Popen, port: int, path: str,
                 people: list[dict], clients: int) -> RunResult:
    """`load` against a gunicorn master, with its workers' peak RSS and CPU time."""
    workers = worker_pids(process.pid)
    cpu_before = cpu_seconds(workers)
    result = load(label, port, path, people, clients)
    result.worker_cpu_seconds = cpu_seconds(workers) - cpu_before
    result.worker_rss_mb = [peak_rss_mb(p) for p in workers]
    return result


def peak_rss_mb(pid: int) -> float:
    """VmHWM (peak resident set size) of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def stop(process: subprocess.Popen) -> None:
    """Stop gunicorn (master and workers)."""
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def fetch_form(port: int, path: str) -> tuple[str, str]:
    """GET the form: its session cookie and CSRF token (reused for every post)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read().decode()
    cookie = (response.getheader("Set-Cookie") or "").split(";", 1)[0]
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', body) or re.search(
        r'name="csrf_token" value="([^"]+)"', body)
    conn.close()
    return cookie, match.group(1) if match else ""


def load(label: str, port: int, path: str, people: list[dict], clients: int) -> RunResult:
    """POST every person's form from `clients` threads; time each request."""
    result = RunResult(label=label, requests=len(people), seconds=0.0)
    lock = threading.Lock()
    chunks = [people[i::clients] for i in range(clients)]

    def client(chunk: list[dict]) -> None:
        cookie, token = fetch_form(port, path)
        latencies, statuses = [], {}
        for form in chunk:
            body = urllib.parse.urlencode({**form, "csrf_token": token})
            began = time.perf_counter()
            # gunicorn's sync workers close each connection, so each request opens one.
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            conn.request("POST", path, body=body, headers={
                "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
            response = conn.getresponse()
            response.read()
            conn.close()
            latencies.append(time.perf_counter() - began)
            statuses[response.status] = statuses.get(response.status, 0) + 1
        with lock:
            result.latencies.extend(latencies)
            for status, n in statuses.items():
                result.statuses[status] = result.statuses.get(status, 0) + n

    threads = [threading.Thread(target=client, args=(chunk,)) for chunk in chunks]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - began
    return result


def verify(url: str, event_id: int, expected: int) -> dict:
    """Count in the database: registrations, per audience and status, distinct people."""
    import sqlalchemy as sa

    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT audience, status, count(*) FROM registration WHERE event_id = :e "
            "GROUP BY audience, status"), {"e": event_id}).all()
        people = conn.execute(sa.text(
            "SELECT count(DISTINCT person_id), count(*) FROM registration WHERE event_id = :e"),
            {"e": event_id}).one()
    engine.dispose()
    confirmed = {a: n for a, s, n in rows if s == "confirmed"}
    total = sum(n for _, _, n in rows)
    return {
        "rows": total,
        "lost": expected - total,
        "overbooked": sum(max(0, confirmed.get(a, 0) - c) for a, c in CAPACITIES.items()),
        "duplicates": people[1] - people[0],
        "by_status": {f"{a}/{s}": n for a, s, n in sorted(rows)},
    }


def print_result(result: RunResult, baseline: RunResult | None = None) -> None:
    """One block of figures."""
    print(f"  {result.label}: {result.requests} requests in {result.seconds:.1f} s "
          f"→ {result.rate:.0f} req/s, p50 {result.percentile(0.5):.1f} ms, "
          f"p95 {result.percentile(0.95):.1f} ms, statuses {result.statuses}")
    if result.worker_rss_mb:
        print("    peak RSS per worker: "
              + ", ".join(f"{mb:.0f} MB" for mb in result.worker_rss_mb)
              + f"; worker CPU per request: {result.worker_cpu_ms:.2f} ms")
    if baseline is not None:
        print(f"    ratio to the bare Flask endpoint: {result.rate / baseline.rate:.2f} "
              f"(worker CPU per request: {baseline.worker_cpu_ms / result.worker_cpu_ms:.2f})")


def people_to_register(total: int) -> list[dict]:
    """3/13 international participants, the rest guests, shuffled (deterministic)."""
    international = round(total * CAPACITIES["international"] / sum(CAPACITIES.values()))
    people = [{"full_name": f"Bench Person {n}", "email": f"bench{n}@example.org",
               "organisation": "Benchmark Org",
               "audience": "international" if n < international else "guest"}
              for n in range(total)]
    random.Random(13).shuffle(people)
    return people


def measure_bare(label: str, args) -> RunResult:
    """The bare endpoint, served and loaded the same way as the app."""
    process, port = start_gunicorn("bare_app:app", {}, ROOT / "bench")
    try:
        people = [{"full_name": "x", "email": f"b{n}@example.org", "audience": "guest"}
                  for n in range(args.baseline_requests)]
        result = load_workers(label, process, port, "/register", people, args.clients)
    finally:
        stop(process)
    return result


def combined(label: str, *runs: RunResult) -> RunResult:
    """Several runs of the same endpoint as one: all their requests over all their time."""
    return RunResult(
        label=label, requests=sum(r.requests for r in runs),
        seconds=sum(r.seconds for r in runs),
        latencies=[t for r in runs for t in r.latencies],
        statuses={k: sum(r.statuses.get(k, 0) for r in runs)
                  for k in {k for r in runs for k in r.statuses}},
        worker_rss_mb=[max(mb) for mb in zip(*(r.worker_rss_mb for r in runs), strict=False)],
        worker_cpu_seconds=sum(r.worker_cpu_seconds for r in runs),
    )


def run_backend(label: str, url: str, args) -> tuple[list[RunResult], RunResult, dict]:
    """Bare endpoint, the app, bare endpoint again, served the same way, against one
    database: the floor is measured on both sides of the app's run, so a machine that gets
    busier or quieter meanwhile moves both halves of the ratio alike."""
    bare_before = measure_bare("bare Flask, before", args)
    event_id = prepare_database(url)
    outbox_dir = Path(tempfile.mkdtemp(prefix="doc-bench-mail-"))
    env = {"DATABASE_URL": url, "SECRET_KEY": SECRET, "BASE_URL": "http://127.0.0.1",
           "MAIL_OUTBOX_DIR": str(outbox_dir),
           "MAIL_DELIVER_ON_COMMIT": "true" if args.deliver_on_commit else "false"}
    process, port = start_gunicorn("webapp:create_app()", env, ROOT)
    try:
        people = people_to_register(args.people)
        app = load_workers(f"app on {label}", process, port, f"/events/{event_id}/register",
                           people, args.clients)
    finally:
        stop(process)
    bare_after = measure_bare("bare Flask, after", args)
    check = verify(url, event_id, args.people)
    check["mail"] = None if args.skip_mail else deliver_mail(env, outbox_dir)
    shutil.rmtree(outbox_dir, ignore_errors=True)
    return [bare_before, bare_after], app, check


def deliver_mail(env: dict, outbox_dir: Path) -> dict:
    """Run the mail worker once over what the load queued; count what it delivered."""
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "webapp", "mail", "send"],
        env={**os.environ, **env}, cwd=ROOT, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - began
    files = sum(1 for _ in outbox_dir.glob("*.eml"))
    return {"files": files, "seconds": seconds, "output": (done.stdout + done.stderr).strip()}


def main() -> None:
    """Run on SQLite, and on PostgreSQL when --pg is given; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", help="PostgreSQL URL (its schema is dropped and rebuilt)")
    parser.add_argument("--people", type=int, default=13_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--baseline-requests", type=int, default=4_000,
                        help="requests per run of the bare endpoint (it runs twice)")
    parser.add_argument("--deliver-on-commit", action="store_true",
                        help="web workers deliver mail themselves (background thread)")
    parser.add_argument("--skip-mail", action="store_true",
                        help="do not run the mail worker afterwards (quicker; no mail target)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="doc-bench-reg-"))
    backends = [("SQLite", f"sqlite:///{workdir}/bench.sqlite3")]
    if args.pg:
        backends.append(("PostgreSQL", args.pg))
    print(f"{args.people:,} registrations, {args.clients} concurrent clients, "
          "gunicorn -w 2 (sync workers)")
    try:
        failed = run_all(backends, args)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    sys.exit(1 if failed else 0)


def run_all(backends: list[tuple[str, str]], args) -> bool:
    """Each backend in turn; True when a target was missed."""
    failed = False
    for label, url in backends:
        bare_runs, app, check = run_backend(label, url, args)
        print(f"\n{label}")
        for run in bare_runs:
            print_result(run)
        bare = combined("bare Flask, both runs", *bare_runs)
        print_result(bare)
        print_result(app, bare)
        print(f"    database: {check['rows']:,} registrations, lost {check['lost']}, "
              f"overbooked {check['overbooked']}, duplicates {check['duplicates']}; "
              f"{check['by_status']}")
        mail = check["mail"]
        if mail is not None:
            print(f"    mail: {mail['files']:,} messages written and delivered as .eml (incl. "
                  f"any the web workers sent) by the mail worker in {mail['seconds']:.1f} s "
                  f"→ {mail['files'] / mail['seconds']:.0f} messages/s; {mail['output']}")
        targets = {
            "ratio >= 0.15": app.rate / bare.rate >= 0.15,
            "RSS < 150 MB/worker": all(mb < 150 for mb in app.worker_rss_mb),
            "0 lost": check["lost"] == 0 and app.statuses == {302: args.people},
            "0 overbooked": check["overbooked"] == 0 and check["duplicates"] == 0,
        }
        if mail is not None:
            targets["0 lost mails"] = mail["files"] == args.people
        print("    targets: " + ", ".join(
            f"{name} {'OK' if ok else 'MISSED'}" for name, ok in targets.items()))
        failed |= not all(targets.values())
    return failed


if __name__ == "__main__":
    main()
