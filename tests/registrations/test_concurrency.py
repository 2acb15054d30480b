"""Capacity holds under concurrency, through the real HTTP layer, on SQLite and PostgreSQL.

50 threads post the public form at once for the last 5 seats: exactly 5 confirmed, 45
waitlisted, nobody twice. Cancelling a seat promotes exactly the first waitlisted person."""

from __future__ import annotations

import threading
import urllib.parse
import urllib.request
from collections import Counter

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from webapp.extensions import db
from webapp.models import OutboxMessage, Person, Registration, RegistrationStatus
from webapp.registrations.tokens import make_registration_token

THREADS = 50
SEATS = 5


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Keep the 302 as the answer: it says the registration was accepted."""

    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def threaded_server(app):
    """The app served by werkzeug with one thread per request, on a free loopback port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def post_all_at_once(url: str, forms: list[dict]) -> list[int]:
    """POST every form from its own thread, released together by a barrier; the statuses."""
    opener = urllib.request.build_opener(NoRedirect)
    barrier = threading.Barrier(len(forms))
    statuses: list[int] = [0] * len(forms)

    def worker(index: int) -> None:
        data = urllib.parse.urlencode(forms[index]).encode()
        barrier.wait()
        try:
            with opener.open(url, data=data, timeout=120) as response:
                statuses[index] = response.status
        except urllib.error.HTTPError as error:
            statuses[index] = error.code

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(forms))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    return statuses


def status_counts(event_id: int) -> Counter:
    """Registrations per status for the event, read from the database."""
    db.session.expire_all()
    rows = db.session.scalars(sa.select(Registration.status).where(
        Registration.event_id == event_id))
    return Counter(rows)


def test_fifty_concurrent_registrations_for_the_last_five_seats(make_forum, threaded_server):
    """Exactly 5 confirmed, 45 waitlisted, 0 duplicates; a cancellation promotes the first."""
    forum = make_forum({"guest": SEATS})
    # Known people (from earlier forums): no INSERT of a person happens before the seats are
    # counted, so only the capacity lock keeps SQLite from overbooking.
    db.session.add_all([Person(full_name=f"Racer {n}", email=f"racer{n}@example.org")
                        for n in range(THREADS)])
    db.session.commit()
    url = f"{threaded_server}/events/{forum.id}/register"
    forms = [{"full_name": f"Racer {n}", "email": f"racer{n}@example.org", "audience": "guest"}
             for n in range(THREADS)]
    statuses = post_all_at_once(url, forms)
    assert statuses == [302] * THREADS  # every one answered: registered or waitlisted

    counts = status_counts(forum.id)
    assert counts == {RegistrationStatus.CONFIRMED: SEATS,
                      RegistrationStatus.WAITLISTED: THREADS - SEATS}
    people = db.session.scalars(sa.select(Registration.person_id).where(
        Registration.event_id == forum.id)).all()
    assert len(people) == len(set(people)) == THREADS
    assert db.session.scalar(sa.select(sa.func.count(Person.id))) == THREADS

    queue = db.session.scalars(
        sa.select(Registration).where(Registration.event_id == forum.id,
                                      Registration.status == RegistrationStatus.WAITLISTED)
        .order_by(Registration.registered_at, Registration.id)).all()
    first_waiting, second_waiting = queue[0], queue[1]
    leaving = db.session.scalars(sa.select(Registration).where(
        Registration.event_id == forum.id,
        Registration.status == RegistrationStatus.CONFIRMED)).first()
    cancel_url = f"{threaded_server}/registration/{make_registration_token(leaving)}/cancel"
    cancels = [{"reason": "Cannot come", "confirmed": "yes"}] * 3
    assert post_all_at_once(cancel_url, cancels) == [302] * 3

    counts = status_counts(forum.id)
    assert counts == {RegistrationStatus.CONFIRMED: SEATS,
                      RegistrationStatus.WAITLISTED: THREADS - SEATS - 1,
                      RegistrationStatus.CANCELLED: 1}
    db.session.refresh(first_waiting)
    db.session.refresh(second_waiting)
    assert first_waiting.status is RegistrationStatus.CONFIRMED
    assert second_waiting.status is RegistrationStatus.WAITLISTED


def test_the_same_email_sent_twenty_times_at_once_registers_once(make_forum, threaded_server):
    """Twenty simultaneous submissions of one email, in two audiences → one registration;
    every post gets the same answer (the page tells no one who is registered), and the
    owner gets their link again once, not nineteen times."""
    forum = make_forum({"guest": 10, "press": 10})
    forms = [{"full_name": "Eager", "email": "eager@example.org",
              "audience": "guest" if n % 2 else "press"} for n in range(20)]
    statuses = post_all_at_once(f"{threaded_server}/events/{forum.id}/register", forms)
    assert statuses == [302] * 20
    assert sum(status_counts(forum.id).values()) == 1
    subjects = db.session.scalars(sa.select(OutboxMessage.subject)).all()
    assert subjects.count(f"Registration confirmed: {forum.title}") == 1
    assert subjects.count(f"Your registration link: {forum.title}") == 1
