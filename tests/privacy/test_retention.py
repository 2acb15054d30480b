"""The retention sweep: public guests go 24 months after their forum, nobody else does;
a dry run lists them and changes nothing; the sweep is in the audit log without names."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from tests.privacy.conftest import open_forum
from webapp.extensions import db
from webapp.models import AuditEntry, Delegation, Person, Registration, Role
from webapp.privacy.retention import due_for_retention, months_before, sweep
from webapp.registrations.services import PersonData, register_person

OLD_START = datetime(2030, 5, 7, 7, 0, tzinfo=UTC)
LATER_START = datetime(2031, 9, 1, 7, 0, tzinfo=UTC)
OLD_END = datetime(2030, 5, 9, 15, 0, tzinfo=UTC)  # 56 hours after the start
TWENTY_FIVE_MONTHS_LATER = datetime(2032, 6, 9, 15, 0, tzinfo=UTC)


@pytest.fixture
def two_forums(app, make_event, make_region, make_user):
    """An old forum with two public guests and a delegate, a later forum with a guest of its
    own and one who came to both; someone with an active account at the old one."""
    old = open_forum(make_event, "Forum of 2030", OLD_START)
    later = open_forum(make_event, "Forum of 2031", LATER_START)
    region = make_region("Flanders")
    delegation = Delegation(event_id=old.id, region_id=region.id)
    db.session.add(delegation)
    db.session.flush()
    people = {
        "anna": register_person(old, PersonData("Anna Oldguest", "anna@example.org"), "guest"),
        "ben": register_person(old, PersonData("Ben Oldguest", "ben@example.org"), "guest"),
        "dora": register_person(old, PersonData("Dora Delegate", "dora@example.org"),
                                "international", delegation=delegation),
        "lena": register_person(later, PersonData("Lena Laterguest", "lena@example.org"),
                                "guest"),
        "both": register_person(old, PersonData("Bo Bothforums", "bo@example.org"), "guest"),
        "staff": register_person(old, PersonData("Sam Staff", "sam@example.org"), "guest"),
    }
    register_person(later, PersonData("Bo Bothforums", "bo@example.org"), "guest")
    make_user(Role.PARTICIPANT, email="sam@example.org", full_name="Sam Staff")
    db.session.commit()
    return {key: registration.person_id for key, registration in people.items()}


def names() -> dict[int, str]:
    """Every person's name now."""
    return dict(db.session.execute(sa.select(Person.id, Person.full_name)).all())


def test_months_before_keeps_the_day_or_the_months_end():
    """Calendar months back; the 31st falls to a shorter month's end."""
    assert months_before(datetime(2032, 6, 9, tzinfo=UTC), 25) == datetime(2030, 5, 9, tzinfo=UTC)
    assert months_before(datetime(2032, 3, 31, tzinfo=UTC), 1) == datetime(2032, 2, 29, tzinfo=UTC)


def test_the_sweep_anonymises_only_the_old_forums_public_guests(two_forums, clock):
    """25 months after the 2030 forum: Anna and Ben go; the delegate (60 months), the later
    forum's guest, the guest of both forums and the account holder stay."""
    clock.move_to(TWENTY_FIVE_MONTHS_LATER)
    before = names()
    done, kept = sweep(TWENTY_FIVE_MONTHS_LATER)
    db.session.commit()
    gone = {two_forums["anna"], two_forums["ben"]}
    assert {d.person_id for d in done} == gone
    assert kept == []  # the account holder follows the longer period
    after = names()
    for person_id, name in before.items():
        if person_id in gone:
            assert after[person_id] == f"Erased person #{person_id}"
        else:
            assert after[person_id] == name
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 7  # rows stay
    entries = db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.action.like("privacy.retention%"))).all()
    assert len(entries) == 3  # one per person and the sweep's
    summary = next(e.summary for e in entries if e.action == "privacy.retention_sweep")
    assert summary == ("Retention sweep: 2 people anonymised (Forum of 2030: 2 public "
                       "registrants)")
    assert not any("Oldguest" in e.summary or "anna@" in e.summary for e in entries)


def test_nobody_is_due_before_the_period_ends(two_forums, clock):
    """23 months after the forum nobody goes."""
    at = datetime(2032, 4, 9, 15, 0, tzinfo=UTC)
    clock.move_to(at)
    assert due_for_retention(at) == []


def test_a_dry_run_lists_and_changes_nothing(two_forums, clock, runner):
    """`privacy sweep --dry-run` names who would go, per forum, and writes nothing."""
    clock.move_to(TWENTY_FIVE_MONTHS_LATER)
    before = names()
    audit_before = db.session.scalar(sa.select(sa.func.count(AuditEntry.id)))
    result = runner.invoke(args=["privacy", "sweep", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Forum of 2030 (ended 2030-05-09): 2" in result.output
    assert "Anna Oldguest (public registrant)" in result.output
    assert "Lena" not in result.output and "Dora" not in result.output
    assert "Dry run: 2 people would be anonymised; nothing changed." in result.output
    db.session.expire_all()
    assert names() == before
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) == audit_before


def test_the_sweep_command_and_a_longer_period(two_forums, clock, runner, app):
    """The command sweeps and commits; PRIVACY_PUBLIC_RETENTION_MONTHS set to 36 keeps them."""
    clock.move_to(TWENTY_FIVE_MONTHS_LATER)
    app.config["PRIVACY_PUBLIC_RETENTION_MONTHS"] = 36
    assert due_for_retention(TWENTY_FIVE_MONTHS_LATER) == []
    app.config["PRIVACY_PUBLIC_RETENTION_MONTHS"] = 24
    result = runner.invoke(args=["privacy", "sweep"])
    assert result.exit_code == 0, result.output
    assert "Retention sweep: 2 people anonymised" in result.output
    db.session.expire_all()
    assert names()[two_forums["anna"]].startswith("Erased person #")


def test_delegates_go_after_their_own_longer_period(two_forums, clock):
    """61 months after the 2030 forum the delegate goes too (the later forum's guests went
    long before); the account holder is due but kept while the account is active."""
    at = datetime(2035, 6, 10, tzinfo=UTC)
    clock.move_to(at)
    done, kept = sweep(at)
    assert two_forums["dora"] in {d.person_id for d in done}
    assert [k.person_id for k, _ in kept] == [two_forums["staff"]]


def test_the_mail_worker_runs_the_daily_jobs(two_forums, clock, runner):
    """`mail send --daily-jobs` runs the retention sweep along with the delivery."""
    clock.move_to(TWENTY_FIVE_MONTHS_LATER)
    result = runner.invoke(args=["mail", "send", "--daily-jobs"])
    assert result.exit_code == 0, result.output
    assert "daily job privacy retention sweep done." in result.output
    db.session.expire_all()
    assert names()[two_forums["ben"]].startswith("Erased person #")
