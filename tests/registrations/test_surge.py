"""The registration hot path: the public form's single-statement path, seat counts kept by
database triggers, and SQLite writers taking turns on a file lock."""

from __future__ import annotations

import shutil
import sqlite3
import threading
import time
from contextlib import closing

import pytest
import sqlalchemy as sa

from tests.mail_check import written
from tests.registrations.helpers import person
from webapp import sqlite_turns
from webapp.extensions import db
from webapp.models import (
    EventCapacity,
    OutboxMessage,
    Person,
    Registration,
    RegistrationStatus,
    utcnow,
)
from webapp.registrations.services import cancel_registration, register_person, substitute
from webapp.sqlite_turns import TURN_FILES, wait_for_write_turn

CONFIRMED, WAITLISTED = RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED


def counted_and_kept(event_id: int) -> tuple[dict[str, int], dict[str, int]]:
    """Per audience: confirmed registrations counted, and the triggers' seats_taken."""
    counted = dict(db.session.execute(
        sa.select(Registration.audience, sa.func.count())
        .where(Registration.event_id == event_id, Registration.status == CONFIRMED)
        .group_by(Registration.audience)).all())
    kept = dict(db.session.execute(
        sa.select(EventCapacity.audience, EventCapacity.seats_taken)
        .where(EventCapacity.event_id == event_id)).all())
    return {a: counted.get(a, 0) for a in kept}, kept


def test_seat_counts_follow_every_kind_of_change(make_forum, make_user):
    """Register, waitlist, cancel (promoting), substitute, a bulk UPDATE behind the ORM's
    back, a move to another audience, a delete, and a capacity added later: the kept count
    always equals the counted one."""
    forum = make_forum({"international": 2, "guest": 1})
    secretariat = make_user()
    regs = [register_person(forum, person(n), "guest") for n in range(3)]
    delegate = register_person(forum, person("d"), "international")
    db.session.flush()
    assert counted_and_kept(forum.id)[1] == {"international": 1, "guest": 1}
    cancel_registration(regs[0], None, "Cannot travel")  # promotes regs[1]
    substitute(delegate, person("s"), secretariat)
    db.session.flush()
    counted, kept = counted_and_kept(forum.id)
    assert counted == kept == {"international": 1, "guest": 1}
    db.session.execute(sa.update(Registration).where(Registration.id == regs[2].id)
                       .values(status=CONFIRMED, audience="international"))
    db.session.execute(sa.delete(Registration).where(Registration.id == regs[1].id))
    counted, kept = counted_and_kept(forum.id)
    assert counted == kept == {"international": 2, "guest": 0}
    db.session.execute(sa.update(Registration).where(Registration.id == regs[2].id)
                       .values(audience="press"))
    forum.capacities.append(EventCapacity(audience="press", label="Press", capacity=5))
    db.session.flush()
    counted, kept = counted_and_kept(forum.id)
    assert counted == kept == {"international": 1, "guest": 0, "press": 1}


def test_public_form_fills_blanks_but_never_renames_a_known_person(make_forum, client):
    """The form's path with a known email: the stored name stays, an empty organisation is
    filled in, the mail goes to the stored name; a new email creates one person."""
    forum = make_forum()
    db.session.add(Person(full_name="Ulla Diderichsen", email="ulla@example.org"))
    db.session.commit()
    form = {"full_name": "Someone Else", "email": "Ulla@Example.org", "organisation": "VIA",
            "audience": "guest"}
    assert client.post(f"/events/{forum.id}/register", data=form).status_code == 302
    [ulla] = db.session.scalars(sa.select(Person)).all()
    assert (ulla.full_name, ulla.organisation) == ("Ulla Diderichsen", "VIA")
    [message] = written()
    assert message.to_name == "Ulla Diderichsen" and message.to_address == "ulla@example.org"
    assert "Ulla Diderichsen" in message.body_text
    db.session.commit()  # the written text is kept, as delivery keeps it
    new = {"full_name": "Ann", "email": "ann@example.org", "audience": "guest"}
    assert client.post(f"/events/{forum.id}/register", data=new).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Person.id))) == 2


def test_public_form_waitlists_with_the_counter_and_a_cancel_frees_the_seat(make_forum,
                                                                           client):
    """Seats come from the kept count: full → waitlisted; a cancellation promotes."""
    forum = make_forum({"guest": 1})
    for n in range(2):
        data = {"full_name": f"P{n}", "email": f"p{n}@example.org", "audience": "guest"}
        assert client.post(f"/events/{forum.id}/register", data=data).status_code == 302
    first, second = db.session.scalars(sa.select(Registration).order_by(Registration.id))
    assert (first.status, second.status) == (CONFIRMED, WAITLISTED)
    cancel_registration(first, None, "Cannot come")
    db.session.commit()
    assert second.status is CONFIRMED
    assert counted_and_kept(forum.id)[1] == {"guest": 1}


def test_registration_cancelled_before_its_mail_is_written_sends_no_invitation(make_forum):
    """Mail is written at delivery, from the data as it is then: a confirmation whose seat was
    given up meanwhile carries no METHOD:REQUEST (the METHOD:CANCEL is not needed either way
    to keep calendars right)."""
    forum = make_forum({"guest": 1})
    registration = register_person(forum, person(1), "guest")
    cancel_registration(registration, None, "Changed my mind")
    confirmation = written(OutboxMessage.subject.startswith("Registration confirmed"))[0]
    assert confirmation.attachments == []
    assert "cancelled" in confirmation.body_text


@pytest.fixture
def sqlite_only(app):
    """The file-lock turns exist on SQLite only."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's writers take turns on a file lock; PostgreSQL has row locks")


def test_sqlite_writers_take_turns_and_the_turn_ends_with_the_transaction(app, sqlite_only):
    """A second writer asking for a turn waits until the first commits; rollback and commit
    both give the turn back; a transaction that already writes does not ask."""
    events: list[str] = []
    first_has_turn = threading.Event()

    def first_writer() -> None:
        with app.app_context():
            wait_for_write_turn(db.session())
            first_has_turn.set()
            time.sleep(0.3)
            events.append("first commits")
            db.session.commit()

    thread = threading.Thread(target=first_writer)
    thread.start()
    assert first_has_turn.wait(5)
    wait_for_write_turn(db.session())
    events.append("second has its turn")
    thread.join()
    assert events == ["first commits", "second has its turn"]
    db.session.rollback()
    assert TURN_FILES not in db.session.info
    db.session.execute(sa.update(Person).values(full_name="x"))  # already writing
    wait_for_write_turn(db.session())
    assert TURN_FILES not in db.session.info
    db.session.rollback()


def _registrations_in_main_file(database: str, tmp_path) -> int:
    """Registrations in the database file alone, as if its write-ahead log were lost: what
    checkpoints have copied there."""
    copy = tmp_path / "main-file-only.sqlite3"
    shutil.copyfile(database, copy)
    with closing(sqlite3.connect(copy)) as connection:
        if not connection.execute(
                "SELECT 1 FROM sqlite_master WHERE name = 'registration'").fetchone():
            return 0  # not even the schema has been copied yet
        return connection.execute("SELECT count(*) FROM registration").fetchone()[0]


def test_sqlite_checkpoints_after_the_turn_every_so_many_turns(app, make_forum, client,
                                                                sqlite_only, monkeypatch,
                                                                tmp_path):
    """Commits no longer checkpoint (the automatic one is a distant safety net); after every
    CHECKPOINT_EVERY_TURNS turns the process copies the log into the file, in a thread."""
    monkeypatch.setattr(sqlite_turns, "CHECKPOINT_EVERY_TURNS", 3)
    monkeypatch.setattr(sqlite_turns, "_turns_since_checkpoint", 0)
    assert db.session.execute(sa.text("PRAGMA wal_autocheckpoint")).scalar() == (
        sqlite_turns.AUTOCHECKPOINT_PAGES)
    db.session.rollback()
    forum = make_forum({"guest": 10})
    database = db.engine.url.database

    def register(n: int) -> None:
        """One registration through the public form (one turn)."""
        client.post(f"/events/{forum.id}/register", data={
            "full_name": f"P{n}", "email": f"p{n}@example.org", "audience": "guest"})

    def checkpoints_done() -> None:
        """Wait for the checkpoint threads."""
        for thread in threading.enumerate():
            if thread.name == "sqlite-checkpoint":
                thread.join(10)

    register(1)
    register(2)
    checkpoints_done()
    assert _registrations_in_main_file(database, tmp_path) == 0  # still only in the log
    register(3)
    checkpoints_done()
    assert _registrations_in_main_file(database, tmp_path) == 3


def test_registration_window_uses_the_same_rule_on_both_paths(make_forum, client):
    """Not yet open: the form's fast path refuses like the page does (no registration)."""
    from datetime import timedelta

    forum = make_forum(registration_opens_at=utcnow() + timedelta(days=1))
    data = {"full_name": "Ann", "email": "ann@example.org", "audience": "guest"}
    response = client.post(f"/events/{forum.id}/register", data=data)
    assert response.status_code == 200
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 0
    assert client.post("/events/999999/register", data=data).status_code == 404


def test_refused_form_posts_leave_nothing_behind(make_forum, client):
    """The person is written before the event is read under the lock: every refusal (not
    open, cancelled event, unknown or missing audience, no such event) rolls it back and the
    page says why, with the input kept."""
    from datetime import timedelta

    from webapp.models import EventStatus

    closed = make_forum(registration_closes_at=utcnow() - timedelta(minutes=1))
    cancelled = make_forum(title="Cancelled forum", status=EventStatus.CANCELLED)
    open_forum = make_forum(title="Open forum")
    data = {"full_name": "Ann <b>Lee</b>", "email": "ann@example.org", "audience": "guest"}
    for forum in (closed, cancelled):
        page = client.post(f"/events/{forum.id}/register", data=data)
        assert page.status_code == 200
        assert "Registration is not open for this event right now." in page.get_data(True)
    page = client.post(f"/events/{open_forum.id}/register", data={**data, "audience": "vip"})
    html = page.get_data(as_text=True)
    assert page.status_code == 400 and "Choose one of the audiences offered." in html
    assert 'value="Ann &lt;b&gt;Lee&lt;/b&gt;"' in html  # the input is kept, escaped
    page = client.post(f"/events/{open_forum.id}/register", data={**data, "audience": ""})
    assert page.status_code == 400 and "Choose how you register." in page.get_data(True)
    assert client.post("/events/999999/register", data=data).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(Person.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0


def test_sqlite_turn_outlives_a_savepoint_and_ends_at_commit(app, sqlite_only):
    """Releasing a savepoint keeps the turn (the transaction still writes); the commit ends
    it, before the session's own bookkeeping."""
    wait_for_write_turn(db.session())
    db.session.execute(sa.update(Person).values(full_name="x"))
    with db.session.begin_nested():
        db.session.execute(sa.update(Person).values(full_name="y"))
    assert db.session.info.get(TURN_FILES)
    seen_at_commit = []
    sa.event.listen(db.session(), "after_commit",
                    lambda session: seen_at_commit.append(TURN_FILES in session.info))
    db.session.commit()
    assert seen_at_commit == [False]
    assert TURN_FILES not in db.session.info


def test_sqlite_reuses_the_connection_returned_last(app, sqlite_only):
    """The pool hands out the connection given back last (its page cache is current), not
    the one idle longest (the checkpoint thread's, stale after this worker's commits)."""
    first, second = db.engine.connect(), db.engine.connect()
    second_raw = second.connection.dbapi_connection
    first.close()
    second.close()
    with db.engine.connect() as again:
        assert again.connection.dbapi_connection is second_raw
