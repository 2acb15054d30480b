"""Check-in by ticket code (registrations/scanning.py): who is admitted, every refusal in
words, one admission however many phones scan at once, and queries that do not grow."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from tests.registrations.helpers import person
from webapp.extensions import db
from webapp.models import (
    AuditEntry,
    CheckInEntry,
    Delegation,
    Event,
    Registration,
    RegistrationStatus,
    Role,
)
from webapp.registrations.scanning import (
    ALREADY,
    CANCELLED,
    CHECKED_IN,
    UNKNOWN,
    WAITLISTED,
    WRONG_FORUM,
    check_in_by_code,
    door_notes,
)
from webapp.registrations.services import cancel_registration, check_in, register_person
from webapp.tickets import PREFIX, ticket_code


def code_of(registration: Registration) -> str:
    """The code the registration's QR holds."""
    return ticket_code(registration.ticket_ref)


@pytest.fixture
def door(make_user):
    """A door-staff account (the name the refusals give)."""
    return make_user(Role.DOOR_STAFF, full_name="Dora Door")


def test_a_confirmed_ticket_is_checked_in_once_with_trail_and_audit(make_forum, door):
    """The holder is admitted, the click kept with who made it, the audit log says so."""
    forum = make_forum()
    registration = register_person(forum, person(1, full_name="Ann Lee"), "guest")
    db.session.commit()
    result = check_in_by_code(forum, code_of(registration), door)
    db.session.commit()
    assert result.ok and result.outcome == CHECKED_IN
    assert result.message == "Ann Lee is checked in."
    assert registration.checked_in_at is not None
    [entry] = db.session.scalars(sa.select(CheckInEntry)).all()
    assert entry.by_id == door.id and entry.registration_id == registration.id
    audit = db.session.scalars(sa.select(AuditEntry).filter_by(
        action="checkin.checked_in")).one()
    assert audit.actor_id == door.id and "Ann Lee" in audit.summary


def test_the_same_ticket_again_says_when_and_by_whom(make_forum, door, clock):
    """The second scan is refused: already checked in at HH:MM (the forum's local time, CEST
    in May for Aarhus) by the door staff who scanned it."""
    forum = make_forum()
    registration = register_person(forum, person(1, full_name="Ann Lee"), "guest")
    db.session.commit()
    clock.move_to(datetime(2030, 5, 7, 7, 14, tzinfo=UTC))
    assert check_in_by_code(forum, code_of(registration), door).ok
    db.session.commit()
    again = check_in_by_code(forum, code_of(registration), None)
    assert again.outcome == ALREADY and not again.ok
    assert again.message == "Ann Lee is already checked in at 09:14 by Dora Door."
    clock.move_to(datetime(2030, 5, 8, 8, 0, tzinfo=UTC))
    assert check_in_by_code(forum, code_of(registration), None).message == (
        "Ann Lee is already checked in at 09:14 on 7 May 2030 by Dora Door.")
    assert db.session.scalar(sa.select(sa.func.count(CheckInEntry.id))) == 1


@pytest.mark.parametrize("code", ["", "hello", "https://example.org/", PREFIX + "forged.sig",
                                  PREFIX + "x" * 400, "DOC1.\x00\n<script>"])
def test_codes_that_are_not_ours_are_unknown(make_forum, code):
    """Anything not signed here: 'Unknown code', nothing written."""
    forum = make_forum()
    result = check_in_by_code(forum, code, None)
    assert result.outcome == UNKNOWN and result.message.startswith("Unknown code")
    assert db.session.scalar(sa.select(sa.func.count(CheckInEntry.id))) == 0


def test_a_signed_code_naming_no_registration_is_unknown(make_forum):
    """A well-signed reference that no registration holds (e.g. from another database)."""
    forum = make_forum()
    result = check_in_by_code(forum, ticket_code("no-such-reference"), None)
    assert result.outcome == UNKNOWN
    assert result.message == "Unknown code: no registration holds this ticket."


def test_a_cancelled_registration_is_refused(make_forum):
    """Its ticket is no longer valid."""
    forum = make_forum()
    registration = register_person(forum, person(1, full_name="Ann Lee"), "guest")
    cancel_registration(registration, None, "Cannot come")
    db.session.commit()
    result = check_in_by_code(forum, code_of(registration), None)
    assert result.outcome == CANCELLED
    assert result.message == ("Refused: Ann Lee's registration is cancelled; this ticket is "
                              "no longer valid.")
    assert registration.checked_in_at is None


def test_another_forums_ticket_names_that_forum(make_forum):
    """A ticket for another forum: refused, saying which forum it is for."""
    here = make_forum(title="CWF 2030")
    there = make_forum(title="CWF 2031")
    registration = register_person(there, person(1, full_name="Ann Lee"), "guest")
    db.session.commit()
    result = check_in_by_code(here, code_of(registration), None)
    assert result.outcome == WRONG_FORUM
    assert result.message == "Wrong forum: Ann Lee's ticket is for CWF 2031, not CWF 2030."
    assert registration.checked_in_at is None


def test_a_waitlisted_person_is_refused_until_promoted(make_forum):
    """No confirmed seat, no entry; once promoted, the same ticket admits them."""
    forum = make_forum({"guest": 1})
    first = register_person(forum, person(1), "guest")
    second = register_person(forum, person(2, full_name="Bo Waits"), "guest")
    db.session.commit()
    assert second.status is RegistrationStatus.WAITLISTED
    result = check_in_by_code(forum, code_of(second), None)
    assert result.outcome == WAITLISTED
    assert result.message == "Refused: Bo Waits is on the waitlist, without a confirmed seat."
    cancel_registration(first, None, "Cannot come")
    db.session.commit()
    assert check_in_by_code(forum, code_of(second), None).ok


def test_a_tap_on_the_name_after_a_scan_counts_once(make_forum):
    """The name check-in shares the claim: after a scan it finds the person present."""
    forum = make_forum()
    registration = register_person(forum, person(1), "guest")
    db.session.commit()
    assert check_in_by_code(forum, code_of(registration), None).ok
    db.session.commit()
    assert check_in(registration, None) is False
    assert db.session.scalar(sa.select(sa.func.count(CheckInEntry.id))) == 1


def test_door_notes_name_the_head_of_delegation(make_forum, make_region):
    """The hook for what matters at the door: today a head of delegation, demo rows."""
    forum = make_forum()
    region = make_region("Flanders")
    delegation = Delegation(event_id=forum.id, region_id=region.id)
    db.session.add(delegation)
    db.session.flush()
    head = register_person(forum, person(1), "international", delegation=delegation,
                           is_head_of_delegation=True)
    guest = register_person(forum, person(2), "guest")
    db.session.commit()
    assert door_notes(head) == ["Head of the delegation of Flanders"]
    assert door_notes(guest) == []
    assert check_in_by_code(forum, code_of(head), None).notes == door_notes(head)


def test_door_notes_show_the_answers_marked_for_the_door(make_forum):
    """An answer to a question marked "show at the door" is shown as the person comes in;
    answers to other questions are not."""
    from webapp.models import Question, QuestionKind
    forum = make_forum()
    access = Question(event_id=forum.id, position=1, kind=QuestionKind.SHORT_TEXT,
                      label="Accessibility needs", shown_at_door=True)
    diet = Question(event_id=forum.id, position=2, kind=QuestionKind.SHORT_TEXT,
                    label="Dietary needs")
    db.session.add_all([access, diet])
    db.session.flush()
    guest = register_person(forum, person(1), "guest",
                            answers={access.id: "Wheelchair <ramp>", diet.id: "Vegan"})
    db.session.commit()
    assert door_notes(guest) == ["Accessibility needs: Wheelchair <ramp>"]


def scan_from_threads(app, event_id: int, code: str, threads: int) -> list[str]:
    """Scan one code from several threads at once (each its own session, as phones are)."""
    barrier = threading.Barrier(threads)
    outcomes: list[str] = [""] * threads

    def worker(index: int) -> None:
        with app.app_context():
            event = db.session.get(Event, event_id)
            barrier.wait()
            outcomes[index] = check_in_by_code(event, code, None).outcome
            db.session.commit()
            db.session.remove()

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=60)
    return outcomes


def test_phones_scanning_the_same_ticket_at_once_admit_it_once(app, make_forum):
    """8 threads scan one ticket together: exactly one check-in, seven 'already'."""
    forum = make_forum()
    registration = register_person(forum, person(1), "guest")
    db.session.commit()
    outcomes = scan_from_threads(app, forum.id, code_of(registration), 8)
    assert sorted(outcomes) == [ALREADY] * 7 + [CHECKED_IN]
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(CheckInEntry.id))) == 1


def add_guests(forum: Event, first: int, count: int) -> None:
    """Bulk-register confirmed guests (rows only: the seat count is not what is measured)."""
    from webapp.models import Person

    people = [Person(full_name=f"Guest {n}", email=f"g{n}@example.org")
              for n in range(first, first + count)]
    db.session.add_all(people)
    db.session.flush()
    db.session.add_all([Registration(event_id=forum.id, person_id=p.id, audience="guest")
                        for p in people])
    db.session.commit()


def queries_for_one_scan(forum: Event, count_queries, door) -> int:
    """Statements to check in one fresh guest by code, and commit."""
    registration = register_person(forum, person(f"q{forum.id}-{datetime.now().timestamp()}"),
                                   "guest")
    db.session.commit()
    code = code_of(registration)
    db.session.expire_all()
    with count_queries() as counter:
        assert check_in_by_code(db.session.get(Event, forum.id), code, door).ok
        db.session.commit()
    return counter.count


def test_queries_for_a_scan_do_not_grow_with_the_forum(make_forum, count_queries, door):
    """The same number of statements with 10 or 1,000 registrations."""
    forum = make_forum({"guest": 5000})
    add_guests(forum, 0, 10)
    few = queries_for_one_scan(forum, count_queries, door)
    add_guests(forum, 10, 1000)
    many = queries_for_one_scan(forum, count_queries, door)
    assert few == many
    assert many <= 8

