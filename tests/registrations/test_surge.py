"""The registration hot path: the public form through the one registration service, and seat
counts kept by database triggers."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from tests.mail_check import written
from tests.registrations.helpers import person
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


def test_a_form_posted_before_the_window_opens_registers_nobody(make_forum, client):
    """Not yet open: the post is answered with the page that says so (no registration)."""
    forum = make_forum(registration_opens_at=utcnow() + timedelta(days=1))
    data = {"full_name": "Ann", "email": "ann@example.org", "audience": "guest"}
    response = client.post(f"/events/{forum.id}/register", data=data)
    assert response.status_code == 200
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 0
    assert client.post("/events/999999/register", data=data).status_code == 404


def test_refused_form_posts_leave_nothing_behind(make_forum, client):
    """Every refusal (not open, cancelled event, unknown or missing audience, no such event)
    writes nothing, and the page says why, with the input kept."""
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
