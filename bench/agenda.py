"""Benchmark: conflict checking and the planner page for 25 guests × 60 items and 250 × 600.

Run:  .venv/bin/python bench/agenda.py

Prints, for each size:
- check_mission (every rule, one pass) against a baseline measured in the same run: a trivial
  pass over the same data (sort the items by start and touch every attendance once);
- for reference, a naive pairwise guest-overlap check (every pair of items, no database). It
  does one rule and writes no messages, so at these sizes it is faster than all six rules
  with their sentences; it grows with items², check_mission with items + attendances;
- the planner page (GET /missions/<id>/plan, rendered by the real app on a SQLite file)
  against a bare Flask endpoint served the same way (same app, same test client).
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from webapp.missions.conflicts import (  # noqa: E402
    GuestStay,
    ItemSlot,
    MissionFrame,
    attendees,
    check_mission,
)

START = datetime(2030, 5, 4, 7, 0, tzinfo=UTC)
SIZES = [(25, 60), (250, 600)]
PLACES = [f"Address {n}" for n in range(12)]
ITEMS_PER_DAY = 20


def make_data(guests: int, items: int, seed: int = 7):
    """A mission shaped like a real one: 20 items a day, every third slot split in two groups,
    a few deliberate clashes, travel between a dozen addresses."""
    rng = random.Random(seed)
    stays = [GuestStay(n, f"Guest {n}") for n in range(guests)]
    half_a = frozenset(range(0, guests, 2))
    half_b = frozenset(range(1, guests, 2))
    slots: list[ItemSlot] = []
    n = 0
    while len(slots) < items:
        day, slot = divmod(n, ITEMS_PER_DAY // 2)
        begin = START + timedelta(days=day, minutes=45 * slot)
        length = timedelta(minutes=rng.choice([30, 40, 45, 60]))  # 60 overlaps the next slot
        place = rng.choice(PLACES)
        if slot % 3 == 1:
            for group in (half_a, half_b):
                slots.append(ItemSlot(len(slots), f"Visit {len(slots)}", begin, begin + length,
                                      f"Host {len(slots) % 40}", rng.choice(PLACES),
                                      rng.choice([None, guests // 2, guests]), group))
        else:
            slots.append(ItemSlot(len(slots), f"Item {len(slots)}", begin, begin + length,
                                  None, place, None, None, is_transport=slot % 5 == 4))
        n += 1
    slots = slots[:items]
    frame = MissionFrame(START, slots[-1].ends_at + timedelta(hours=1), timedelta(minutes=30),
                         "Europe/Copenhagen")
    return frame, slots, stays


def trivial_pass(frame, items, guests) -> int:
    """Baseline: sort the items and touch every attendance once (no rules)."""
    touched = 0
    everyone = frozenset(g.id for g in guests)
    for item in sorted(items, key=lambda i: (i.starts_at, i.ends_at)):
        touched += len(attendees(item, everyone))
    return touched


def naive_pairwise(frame, items, guests) -> int:
    """Reference: compare every pair of items and intersect their guests (what one pass avoids)."""
    clashes = 0
    everyone = frozenset(g.id for g in guests)
    sets = [attendees(item, everyone) for item in items]
    for i, a in enumerate(items):
        for j in range(i + 1, len(items)):
            b = items[j]
            if a.starts_at < b.ends_at and b.starts_at < a.ends_at and sets[i] & sets[j]:
                clashes += 1
    return clashes


def best_of(function, *args, repeat: int = 5) -> float:
    """The fastest of `repeat` runs, in milliseconds (least disturbed by other work)."""
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        function(*args)
        times.append((time.perf_counter() - began) * 1000)
    return min(times)


def bench_rules() -> None:
    """The pure conflict check against the trivial pass."""
    print("Conflict checking (pure function, best of 5, ms)")
    print(f"{'guests × items':>16} {'check_mission':>14} {'trivial pass':>13} {'ratio':>7} "
          f"{'warnings':>9} {'naive pairs':>12}")
    for guests, items in SIZES:
        frame, slots, stays = make_data(guests, items)
        warnings = check_mission(frame, slots, stays)
        checked = best_of(check_mission, frame, slots, stays)
        baseline = best_of(trivial_pass, frame, slots, stays)
        naive = best_of(naive_pairwise, frame, slots, stays, repeat=1)
        print(f"{guests:>7} × {items:<6} {checked:>14.2f} {baseline:>13.2f} "
              f"{checked / baseline:>6.1f}× {len(warnings):>9} {naive:>12.2f}")


def bench_page() -> None:
    """The planner page rendered by the real app, against a bare endpoint of the same app."""
    import sqlalchemy as sa

    from webapp import create_app
    from webapp.extensions import db
    from webapp.models import (
        AgendaItem,
        AgendaKind,
        Event,
        EventKind,
        GuestStatus,
        MissionGuest,
        Person,
        Region,
        Role,
        User,
        agenda_attendance,
    )

    folder = tempfile.mkdtemp(prefix="doc-bench-")
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3",
                      "BASE_URL": "http://localhost"})
    app.add_url_rule("/bench-bare", "bench_bare", lambda: "ok")
    print("\nPlanner page (GET /missions/<id>/plan, SQLite file, best of 5, ms)")
    print(f"{'guests × items':>16} {'planner page':>13} {'bare endpoint':>14} {'ratio':>7}")
    with app.app_context():
        db.create_all()
        region = Region(slug="host", name="Host", country="Denmark", country_code="DK",
                        continent="Europe", timezone="Europe/Copenhagen")
        user = User(email="bench@example.org", full_name="Bench", role=Role.SECRETARIAT)
        user.set_password("bench password 123")
        db.session.add_all([region, user])
        db.session.commit()
        client = app.test_client()
        client.post("/login", data={"email": user.email, "password": "bench password 123"})
        for guests, items in SIZES:
            frame, slots, _stays = make_data(guests, items)
            event = Event(slug=f"bench-{guests}", kind=EventKind.REVERSE_MISSION, title="Bench",
                          place="Aarhus", host_region_id=region.id, timezone="Europe/Copenhagen",
                          starts_at=frame.starts_at, ends_at=frame.ends_at)
            db.session.add(event)
            db.session.flush()
            db.session.execute(sa.insert(Person), [
                {"full_name": f"Guest {n}", "email": f"g{n}.{guests}@example.org"}
                for n in range(guests)])
            people = db.session.scalars(sa.select(Person.id).where(
                Person.email.like(f"%.{guests}@example.org")).order_by(Person.id)).all()
            db.session.execute(sa.insert(MissionGuest), [
                {"event_id": event.id, "person_id": pid, "status": GuestStatus.ACCEPTED}
                for pid in people])
            guest_ids = db.session.scalars(sa.select(MissionGuest.id).filter_by(
                event_id=event.id).order_by(MissionGuest.id)).all()
            for slot in slots:
                row = AgendaItem(event_id=event.id, kind=AgendaKind.VISIT, title=slot.title,
                                 starts_at=slot.starts_at, ends_at=slot.ends_at,
                                 host_organisation=slot.host_organisation, address=slot.address,
                                 capacity=slot.capacity, all_guests=slot.guest_ids is None)
                db.session.add(row)
                db.session.flush()
                if slot.guest_ids is not None:
                    db.session.execute(agenda_attendance.insert(), [
                        {"agenda_item_id": row.id, "mission_guest_id": guest_ids[g]}
                        for g in sorted(slot.guest_ids)])
            db.session.commit()
            url = f"/missions/{event.id}/plan"
            assert client.get(url).status_code == 200
            page = best_of(client.get, url)
            bare = best_of(client.get, "/bench-bare")
            print(f"{guests:>7} × {items:<6} {page:>13.1f} {bare:>14.2f} {page / bare:>6.0f}×")


if __name__ == "__main__":
    bench_rules()
    bench_page()
