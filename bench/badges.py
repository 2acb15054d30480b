"""Benchmark: the badges of 3,000 international participants as one PDF.

Data: a forum with 3,000 confirmed international participants, their names in Latin,
Chinese, Arabic and Kannada script (every font of the badges is needed), in 12 delegations.
Measured through the app (test client, signed in as the secretariat): the forum's badge PDF
(query, a QR per person, fonts embedded once, fpdf2 layout) against a plain one-page PDF
made the same way in the same run, one participant's badge of the same route family. Each
pair is run twice; times are wall clock, so a shared machine shows in them.

    .venv/bin/python bench/badges.py                      # SQLite in a temporary folder
    .venv/bin/python bench/badges.py --count 500 --layout a4 --database-url postgresql://...
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from webapp import create_app  # noqa: E402
from webapp.extensions import db  # noqa: E402

NAMES = ["Søren Kierkegaard", "王小明", "محمد الأحمد", "ಕನ್ನಡ ಹೆಸರು", "Maria Fernanda Oliveira",
         "Jean-Baptiste de la Fontaine-Dubois", "李娜", "Ana Ruiz"]
PASSWORD = "bench password 1234"  # noqa: S105 - a throwaway account in a temporary database


def load_data(app, count: int) -> tuple[int, int]:
    """Schema, a forum, 12 regions with a delegation each, `count` participants, an account;
    returns the forum's id and one registration's id."""
    from webapp.models import (
        Delegation,
        Event,
        EventCapacity,
        Person,
        Region,
        Registration,
        Role,
        User,
    )
    from webapp.models.people import new_calendar_token
    from webapp.tickets import new_ticket_ref

    now = datetime.now(UTC)
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.session.execute(sa.insert(Region), [
            {"id": n, "slug": f"region-{n}", "name": f"Region {n}", "country": "X",
             "country_code": "XX", "continent": "Europe", "timezone": "Europe/Copenhagen",
             "created_at": now} for n in range(1, 13)])
        forum = Event(slug="cwf-2017", kind="forum", title="Creativity World Forum 2017",
                      place="Aarhus, Denmark", timezone="Europe/Copenhagen",
                      starts_at=datetime(2017, 10, 4, 7, tzinfo=UTC),
                      ends_at=datetime(2017, 10, 6, 15, tzinfo=UTC))
        forum.capacities.append(EventCapacity(audience="international",
                                              label="International participants",
                                              capacity=count))
        db.session.add(forum)
        db.session.flush()
        db.session.execute(sa.insert(Delegation), [
            {"id": n, "event_id": forum.id, "region_id": n, "created_at": now}
            for n in range(1, 13)])
        db.session.execute(sa.insert(Person), [
            {"id": n, "full_name": f"{NAMES[n % len(NAMES)]} {n}", "email": f"p{n}@example.org",
             "organisation": f"Organisation {n % 97}", "created_at": now,
             "calendar_token": new_calendar_token()} for n in range(1, count + 1)])
        db.session.execute(sa.insert(Registration), [
            {"event_id": forum.id, "person_id": n, "delegation_id": n % 12 + 1,
             "audience": "international", "status": "confirmed", "is_head_of_delegation": False,
             "registered_at": now, "is_demo": True, "ticket_ref": new_ticket_ref()}
            for n in range(1, count + 1)])
        user = User(email="secretariat@example.org", full_name="Bench", role=Role.SECRETARIAT)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        one = db.session.scalar(sa.select(Registration.id).where(Registration.person_id == 1))
        return forum.id, one


def timed_get(client, url: str) -> tuple[float, int]:
    """Seconds and bytes of one PDF request (it must succeed)."""
    start = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - start
    assert response.status_code == 200 and response.data.startswith(b"%PDF"), response.status
    return elapsed, len(response.data)


def main() -> None:
    """Set up, then measure the pair twice and print the figures and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--layout", choices=["a6", "a4"], default="a6")
    parser.add_argument("--database-url", help="PostgreSQL to use (its tables are dropped!)")
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({
            "SQLALCHEMY_DATABASE_URI": args.database_url or f"sqlite:///{folder}/bench.db",
            "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False, "BASE_URL": "http://127.0.0.1",
            "MAIL_DELIVER_ON_COMMIT": False, "MAIL_OUTBOX_DIR": f"{folder}/outbox",
        })
        forum_id, one_id = load_data(app, args.count)
        client = app.test_client()
        client.post("/login", data={"email": "secretariat@example.org", "password": PASSWORD})
        many_url = f"/events/{forum_id}/badges.pdf?layout={args.layout}"
        one_url = f"/registrations/{one_id}/badge.pdf?layout={args.layout}"
        print(f"Badges of {args.count:,} international participants, layout {args.layout}, "
              f"{'PostgreSQL' if args.database_url else 'SQLite'}")
        print(f"{'run':>3} {'badge PDF s':>12} {'size MB':>8} {'one-page s':>11} "
              f"{'size kB':>8} {'ms/badge':>9} {'ratio (time)':>13} {'ratio (size)':>13}")
        for run in range(1, args.runs + 1):
            one_time, one_size = timed_get(client, one_url)
            many_time, many_size = timed_get(client, many_url)
            per_badge = (many_time - one_time) / max(args.count - 1, 1) * 1000
            print(f"{run:>3} {many_time:>12.2f} {many_size / 2**20:>8.2f} {one_time:>11.3f} "
                  f"{one_size / 1024:>8.1f} {per_badge:>9.2f} "
                  f"{many_time / one_time:>12.0f}× {many_size / one_size:>12.0f}×")
        print(f"(ratio: badge PDF of {args.count:,} / one-page PDF, both through the same app "
              "and builder in this run)")


if __name__ == "__main__":
    main()
