"""Model rules and database constraints of the foundation."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from webapp.extensions import db
from webapp.models import (
    AnnualFee,
    MembershipEntry,
    MembershipKind,
    Region,
    RegionStatus,
    Registration,
    RegistrationStatus,
    Representative,
    utcnow,
)


def test_status_is_replayed_from_history(make_region):
    """Status on a day follows the dated entries: applicant, member, excluded, readmitted."""
    region = make_region(admitted=None)
    for kind, on in [
        (MembershipKind.DECIDED_TO_APPLY, date(2009, 10, 21)),
        (MembershipKind.ADMITTED, date(2010, 11, 15)),
        (MembershipKind.WARNED, date(2011, 3, 1)),
        (MembershipKind.EXCLUDED, date(2012, 6, 1)),
        (MembershipKind.READMITTED, date(2015, 1, 1)),
    ]:
        region.membership_entries.append(MembershipEntry(kind=kind, on=on))
    db.session.commit()
    db.session.expire_all()
    region = db.session.get(Region, region.id)
    assert region.status_on(date(2009, 10, 20)) is RegionStatus.NONE
    assert region.status_on(date(2009, 10, 21)) is RegionStatus.APPLICANT
    assert region.status_on(date(2010, 11, 14)) is RegionStatus.APPLICANT
    assert region.status_on(date(2010, 11, 15)) is RegionStatus.MEMBER
    assert region.status_on(date(2011, 6, 1)) is RegionStatus.MEMBER  # a warning keeps membership
    assert region.status_on(date(2012, 6, 1)) is RegionStatus.EXCLUDED
    assert not region.is_member_on(date(2014, 12, 31))
    assert region.is_member_on(date(2015, 1, 1))


def test_left_region_is_former_member(make_region):
    """Leaving the network makes a former member."""
    region = make_region(admitted=date(2005, 1, 1))
    region.membership_entries.append(MembershipEntry(kind=MembershipKind.LEFT, on=date(2008, 1, 1)))
    db.session.flush()
    assert region.status_on(date(2009, 1, 1)) is RegionStatus.FORMER


def test_region_slug_is_unique(make_region):
    """Two regions cannot share a slug."""
    make_region(slug="flanders")
    with pytest.raises(IntegrityError):
        make_region(slug="flanders")


def test_unknown_timezone_is_refused(make_region):
    """Times are always computable: an unknown IANA zone is refused."""
    with pytest.raises(ValueError, match="unknown IANA timezone"):
        make_region(timezone="Mars/Olympus_Mons")


def test_event_must_end_after_it_starts(make_event):
    """The database refuses an event that ends before it starts."""
    start = datetime(2030, 1, 1, 9, tzinfo=UTC)
    with pytest.raises(IntegrityError):
        make_event(starts_at=start, ends_at=start - timedelta(minutes=1))


def test_datetimes_come_back_aware_utc(make_event):
    """Stored as UTC on every backend and read back aware."""
    start = datetime(2030, 3, 5, 9, 0, tzinfo=ZoneInfo("Asia/Kolkata"))
    event = make_event(starts_at=start, timezone="Asia/Kolkata")
    db.session.commit()
    db.session.expire_all()
    assert event.starts_at == datetime(2030, 3, 5, 3, 30, tzinfo=UTC)
    assert event.starts_at.utcoffset() == timedelta(0)
    assert event.local_start.strftime("%H:%M %Z") == "09:00 IST"


def test_naive_datetime_is_refused(make_event):
    """A naive datetime cannot slip in: it would be ambiguous."""
    with pytest.raises(sa.exc.StatementError, match="naive datetime"):
        make_event(starts_at=datetime(2030, 1, 1, 9))


def test_one_active_registration_per_person_and_event(make_event, make_person):
    """A second active registration is refused; a cancelled one does not block a new one."""
    event, person = make_event(), make_person()
    first = Registration(event=event, person=person, audience="guest")
    db.session.add(first)
    db.session.commit()
    db.session.add(Registration(event=event, person=person, audience="guest"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    first.status = RegistrationStatus.CANCELLED
    first.cancelled_at = utcnow()
    first.cancel_reason = "Changed plans"  # a cancellation carries its reason (r001)
    db.session.add(Registration(event=event, person=person, audience="international"))
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 2


def test_cancelled_registration_needs_a_date(make_event, make_person):
    """A cancellation without its date is refused by the database."""
    db.session.add(
        Registration(
            event=make_event(),
            person=make_person(),
            audience="guest",
            status=RegistrationStatus.CANCELLED,
        )
    )
    with pytest.raises(IntegrityError):
        db.session.commit()


def test_person_email_is_normalised_and_unique(make_person):
    """Emails are trimmed, lower-cased and unique."""
    person = make_person(email="  Ulla@Example.ORG ")
    assert person.email == "ulla@example.org"
    with pytest.raises(IntegrityError):
        make_person(email="ULLA@example.org")


def test_fee_defaults_and_constraints(make_region):
    """The fee defaults to 2,500 EUR, once per region and year, never negative."""
    region = make_region()
    fee = AnnualFee(region=region, year=2013)
    db.session.add(fee)
    db.session.flush()
    assert fee.amount == "2,500.00 EUR"
    db.session.add(AnnualFee(region=region, year=2013))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    db.session.add(AnnualFee(region=make_region(), year=2014, amount_cents=-1))
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_representative_period(make_region, make_person):
    """An appointment covers its period; 'until' before 'appointed' is refused."""
    region, person = make_region(), make_person()
    rep = Representative(region=region, person=person, appointed_on=date(2010, 9, 29),
                         until=date(2014, 1, 1))
    db.session.add(rep)
    db.session.flush()
    assert rep.is_active_on(date(2012, 1, 1))
    assert not rep.is_active_on(date(2014, 1, 2))
    db.session.add(Representative(region=region, person=make_person(),
                                  appointed_on=date(2010, 1, 2), until=date(2010, 1, 1)))
    with pytest.raises(IntegrityError):
        db.session.flush()
