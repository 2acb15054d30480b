"""CPU per public registration, in-process: where bench/registration.py's time goes.

Posts the public form through Flask's test client (CSRF on, one session cookie reused, mail
only queued) against a fresh SQLite file with a CWF-sized forum, and prints the process CPU
time per registration, next to a bare Flask form endpoint through the same test client.
CPU time rather than wall time, because these machines are shared. `--profile` adds a
cProfile of the app's requests grouped by package.

    .venv/bin/python bench/registration_cpu.py [--posts 1000] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bare_app import app as bare_app  # noqa: E402
from registration import SECRET, prepare_database  # noqa: E402


def cpu_per_call(action, calls: int) -> float:
    """Process CPU milliseconds per call of `action(n)`."""
    began = time.process_time()
    for n in range(calls):
        action(n)
    return (time.process_time() - began) / calls * 1000


def by_package(profile: cProfile.Profile, calls: int) -> list[tuple[str, float]]:
    """Own time per package (site-packages name, 'webapp', or 'builtins'), ms per call."""
    totals: dict[str, float] = {}
    for (filename, _line, _name), (_cc, _nc, own, _cum, _callers) in pstats.Stats(
            profile).stats.items():
        if "site-packages/" in filename:
            key = filename.split("site-packages/")[1].split("/")[0]
        elif "/webapp/" in filename:
            key = "webapp"
        elif filename == "~":
            key = "builtins (sqlite3, zlib...)"
        else:
            key = "stdlib: " + Path(filename).name
        totals[key] = totals.get(key, 0.0) + own
    return sorted(((k, v / calls * 1000) for k, v in totals.items()), key=lambda kv: -kv[1])


def main() -> None:
    """Measure the app's registration and the bare endpoint; print both and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="doc-bench-cpu-")
    url = f"sqlite:///{workdir}/cpu.sqlite3"
    event_id = prepare_database(url)
    os.environ.update({"DATABASE_URL": url, "SECRET_KEY": SECRET,
                       "BASE_URL": "http://127.0.0.1", "MAIL_OUTBOX_DIR": f"{workdir}/outbox",
                       "MAIL_DELIVER_ON_COMMIT": "false"})
    from webapp import create_app

    client = create_app().test_client(use_cookies=False)
    form_page = client.get(f"/events/{event_id}/register")
    cookie = form_page.headers["Set-Cookie"].split(";", 1)[0]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form_page.text)[1]

    def register(n: int) -> None:
        response = client.post(f"/events/{event_id}/register", headers={"Cookie": cookie},
                               data={"full_name": f"Person {n}", "email": f"p{n}@example.org",
                                     "organisation": "Org", "audience": "guest",
                                     "csrf_token": token})
        assert response.status_code == 302, response.status_code

    bare = bare_app.test_client()
    cpu_per_call(lambda n: register(10**6 + n), 50)  # warm-up
    app_ms = cpu_per_call(register, args.posts)
    bare_ms = cpu_per_call(lambda n: bare.post("/register", data={"email": f"b{n}@x.org"}),
                           args.posts)
    print(f"registration through the app: {app_ms:.2f} ms CPU per post ({args.posts} posts)")
    print(f"bare Flask form endpoint:     {bare_ms:.2f} ms CPU per post")
    print(f"ratio (bare / app):           {bare_ms / app_ms:.2f}")
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        for n in range(args.posts):
            register(2 * 10**6 + n)
        profile.disable()
        print("\nown time per package under cProfile (ms per post; profiling slows everything):")
        for package, ms in by_package(profile, args.posts)[:15]:
            print(f"  {package:40s} {ms:6.3f}")


if __name__ == "__main__":
    main()
