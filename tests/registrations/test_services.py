"""Registration services: seats, waitlist order, promotion, quotas, substitution, check-in."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.mail_check import written
from tests.registrations.helpers import person
from webapp.extensions import db
from webapp.models import (
    CheckInAction,
    CheckInEntry,
    DelegationQuota,
    OutboxMessage,
    Registration,
    RegistrationStatus,
    Role,
)
from webapp.registrations.quotas import get_or_create_delegation, quota_for
from webapp.registrations.services import (
    AlreadyRegistered,
    OverQuota,
    RegistrationError,
    cancel_registration,
    check_in,
    register_person,
    substitute,
    undo_check_in,
)

CONFIRMED, WAITLISTED, CANCELLED = RegistrationStatus


def subjects_to(email: str) -> list[str]:
    """Subjects of the messages queued for one address, oldest first."""
    return list(db.session.scalars(
        sa.select(OutboxMessage.subject).where(OutboxMessage.to_address == email)
        .order_by(OutboxMessage.id)))


def test_seats_then_waitlist_in_order(make_forum):
    """The first registrations get the seats; the rest queue up, per audience."""
    forum = make_forum({"guest": 2, "international": 1})
    statuses = [register_person(forum, person(n), "guest").status for n in range(4)]
    assert statuses == [CONFIRMED, CONFIRMED, WAITLISTED, WAITLISTED]
    assert register_person(forum, person("i"), "international").status is CONFIRMED
    assert subjects_to("p0@example.org") == [
        "Registration confirmed: Creativity World Forum 2030"]
    assert subjects_to("p2@example.org") == ["On the waitlist: Creativity World Forum 2030"]


def test_second_registration_with_same_email_is_refused(make_forum):
    """Same email (any case, any audience) → AlreadyRegistered, no second row."""
    forum = make_forum()
    register_person(forum, person(1), "guest")
    with pytest.raises(AlreadyRegistered, match="already registered"):
        register_person(forum, person(1, email="P1@Example.org "), "international")
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 1


def test_unknown_audience_is_refused(make_forum):
    """Only the event's audiences can be registered for."""
    with pytest.raises(RegistrationError, match="not an audience"):
        register_person(make_forum(), person(1), "vip")


def test_cancelling_a_seat_promotes_the_first_waitlisted(make_forum, make_user):
    """A freed seat goes to the first in line, who is told by email; the second waits on."""
    forum = make_forum({"guest": 1})
    first = register_person(forum, person(0), "guest")
    waiting = [register_person(forum, person(n), "guest") for n in (1, 2)]
    secretariat = make_user(Role.SECRETARIAT)
    promoted = cancel_registration(first, secretariat, "Illness")
    assert [p.id for p in promoted] == [waiting[0].id]
    assert waiting[0].status is CONFIRMED and waiting[0].promoted_at is not None
    assert waiting[1].status is WAITLISTED
    assert first.status is CANCELLED and first.cancel_reason == "Illness"
    assert first.cancelled_by_id == secretariat.id
    assert "A seat is yours: Creativity World Forum 2030" in subjects_to("p1@example.org")
    assert "Registration cancelled: Creativity World Forum 2030" in subjects_to("p0@example.org")


def test_cancelling_a_waitlisted_registration_promotes_nobody(make_forum):
    """Leaving the queue frees no seat."""
    forum = make_forum({"guest": 1})
    register_person(forum, person(0), "guest")
    queued = register_person(forum, person(1), "guest")
    assert cancel_registration(queued, None, "Cancelled by the person") == []
    with pytest.raises(RegistrationError, match="already cancelled"):
        cancel_registration(queued, None, "again")


def test_cancel_needs_a_reason(make_forum):
    """Nothing is cancelled without a reason."""
    registration = register_person(make_forum(), person(0), "guest")
    with pytest.raises(RegistrationError, match="reason"):
        cancel_registration(registration, None, "  ")
    assert registration.status is CONFIRMED


def test_cancelled_person_may_register_again(make_forum):
    """The one-active-registration rule ignores cancelled rows."""
    forum = make_forum()
    registration = register_person(forum, person(0), "guest")
    cancel_registration(registration, None, "Changed plans")
    again = register_person(forum, person(0), "guest")
    assert again.status is CONFIRMED and again.person_id == registration.person_id


def test_quota_default_override_and_excluded_region(make_forum, make_region, excluded_region):
    """Members get the default or their override; an excluded region gets none."""
    forum = make_forum(quota=2)
    member, overridden = make_region("Member"), make_region("Overridden")
    db.session.add(DelegationQuota(event_id=forum.id, region_id=overridden.id, quota=5))
    db.session.flush()
    assert quota_for(forum, member) == 2
    assert quota_for(forum, overridden) == 5
    assert quota_for(forum, excluded_region) == 0


def test_delegation_quota_is_enforced(make_forum, make_region):
    """The delegate beyond the quota is refused with the numbers."""
    forum = make_forum(quota=2)
    delegation = get_or_create_delegation(forum, make_region("Flanders"))
    for n in range(2):
        register_person(forum, person(n), "international", delegation=delegation)
    with pytest.raises(OverQuota, match="2 of 2"):
        register_person(forum, person(9), "international", delegation=delegation)


def test_substitution_keeps_the_seat_and_the_history(make_forum, make_region, make_user):
    """The substitute takes the seat even when the audience is full; the waitlist stays."""
    forum = make_forum({"international": 1}, quota=3)
    coordinator = make_user(Role.SECRETARIAT)
    delegation = get_or_create_delegation(forum, make_region("Scotland"))
    original = register_person(forum, person(0), "international", delegation=delegation,
                               is_head_of_delegation=True)
    queued = register_person(forum, person(1), "international")
    replacement = substitute(original, person(2, organisation="Uni"), coordinator)
    assert replacement.status is CONFIRMED and replacement.is_head_of_delegation
    assert replacement.replaces_registration_id == original.id
    assert replacement.person.organisation == "Uni"
    assert original.status is CANCELLED and original.cancel_reason == "Replaced by Person 2"
    assert queued.status is WAITLISTED  # a substitution frees no seat


def test_substitute_must_not_be_registered_already(make_forum, make_user):
    """Someone already registered cannot be the substitute."""
    forum = make_forum()
    original = register_person(forum, person(0), "international")
    register_person(forum, person(1), "guest")
    with pytest.raises(AlreadyRegistered):
        substitute(original, person(1), make_user(Role.SECRETARIAT))
    assert original.status is CONFIRMED


def test_check_in_and_undo_leave_a_trail(make_forum, make_user):
    """Check-in marks the time; undo clears it; both clicks are kept."""
    registration = register_person(make_forum(), person(0), "guest")
    staff = make_user(Role.SECRETARIAT)
    assert check_in(registration, staff) is True
    assert registration.checked_in_at is not None
    assert check_in(registration, staff) is False  # a double click changes nothing
    assert undo_check_in(registration, staff) is True
    assert registration.checked_in_at is None
    actions = db.session.scalars(sa.select(CheckInEntry.action).order_by(CheckInEntry.id)).all()
    assert actions == [CheckInAction.CHECKED_IN, CheckInAction.UNDONE]


def test_waitlisted_cannot_check_in(make_forum):
    """Only a confirmed seat can be checked in."""
    forum = make_forum({"guest": 0})
    with pytest.raises(RegistrationError, match="no confirmed seat"):
        check_in(register_person(forum, person(0), "guest"), None)


def test_registration_window(make_forum):
    """Closed before the opening time, after the closing time, when cancelled or unset."""
    from datetime import UTC, datetime

    from webapp.models import EventStatus

    forum = make_forum(registration_opens_at=datetime(2029, 1, 1, tzinfo=UTC),
                       registration_closes_at=datetime(2029, 6, 1, tzinfo=UTC))
    assert not forum.registration_is_open(datetime(2028, 12, 31, tzinfo=UTC))
    assert forum.registration_is_open(datetime(2029, 3, 1, tzinfo=UTC))
    assert not forum.registration_is_open(datetime(2029, 6, 1, tzinfo=UTC))
    forum.status = EventStatus.CANCELLED
    assert not forum.registration_is_open(datetime(2029, 3, 1, tzinfo=UTC))
    forum.status, forum.registration_opens_at = EventStatus.PLANNED, None
    assert not forum.registration_is_open(datetime(2029, 3, 1, tzinfo=UTC))


def test_database_refuses_a_cancellation_without_reason(make_forum):
    """The check constraint holds even for code that bypasses the service."""
    from sqlalchemy.exc import IntegrityError

    from webapp.models import utcnow

    registration = register_person(make_forum(), person(0), "guest")
    db.session.commit()
    registration.status, registration.cancelled_at = CANCELLED, utcnow()
    with pytest.raises(IntegrityError, match="cancelled_has_reason"):
        db.session.commit()
    db.session.rollback()


def test_confirmation_carries_the_invitation_and_cancellation_withdraws_it(make_forum):
    """The confirmation mail holds METHOD:REQUEST; cancelling a held seat sends METHOD:CANCEL
    for the same UID with a higher SEQUENCE; a waitlisted person gets no invitation."""
    from tests.ical_check import parse_calendar
    from webapp.registrations.services import cancel_registration

    def invites_to(email: str) -> list:
        messages = written(OutboxMessage.to_address == email)
        return [parse_calendar(a.data) for m in messages for a in m.attachments
                if a.content_type.startswith("text/calendar")]

    forum = make_forum({"guest": 1})
    seat = register_person(forum, person("a"), "guest")
    waiting = register_person(forum, person("b"), "guest")
    [request] = invites_to("pa@example.org")
    assert str(request.calendar["METHOD"]) == "REQUEST"
    uid = f"event-{forum.id}@localhost"
    assert uid in request.events
    assert invites_to("pb@example.org") == []  # waitlisted: nothing in the calendar yet
    cancel_registration(seat, None, "Cannot travel")
    request_seq = int(request.events[uid]["SEQUENCE"])
    cancel = invites_to("pa@example.org")[-1]
    assert str(cancel.calendar["METHOD"]) == "CANCEL"
    assert int(cancel.events[uid]["SEQUENCE"]) > request_seq
    assert waiting.status is CONFIRMED  # promoted, and now invited
    assert str(invites_to("pb@example.org")[-1].calendar["METHOD"]) == "REQUEST"
