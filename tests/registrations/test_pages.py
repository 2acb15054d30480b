"""Registration pages: the public form and signed link, delegations, set-up, quotas, check-in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.mail_check import last_written, written
from tests.registrations.helpers import person
from webapp.extensions import db
from webapp.models import (
    AuditEntry,
    DelegationQuota,
    Event,
    OutboxMessage,
    Registration,
    RegistrationStatus,
    Role,
    utcnow,
)
from webapp.registrations.quotas import get_or_create_delegation
from webapp.registrations.services import register_person
from webapp.registrations.tokens import make_registration_token


def link_in_last_mail(to: str) -> str:
    """The path of the signed link in the latest message to `to`."""
    body = last_written(OutboxMessage.to_address == to).body_text
    db.session.commit()  # the written text is kept, as delivery keeps it
    line = next(line for line in body.splitlines() if "/registration/" in line)
    return line[line.index("/registration/"):].strip()


def test_public_registration_and_waitlist_messages(make_forum, client):
    """Register → 'check your email'; the email says seat or waitlist (the page does not:
    it is the same for everyone, see below)."""
    forum = make_forum({"guest": 1})
    form = {"full_name": "Ann Lee", "email": "ann@example.org", "audience": "guest"}
    page = client.post(f"/events/{forum.id}/register", data=form, follow_redirects=True)
    html = page.get_data(as_text=True)
    assert "Check your email" in html and "ann@example.org" in html
    form = {**form, "email": "bo@example.org", "full_name": "Bo"}
    page = client.post(f"/events/{forum.id}/register", data=form, follow_redirects=True)
    assert "Check your email" in page.get_data(as_text=True)
    subjects = [m.subject for m in written()]
    assert subjects == [f"Registration confirmed: {forum.title}", f"On the waitlist: {forum.title}"]


def test_a_registered_email_gets_the_same_answer_and_its_owner_the_link(make_forum, client,
                                                                        clock):
    """Posting an address that already holds a registration answers exactly as for a new
    one (no 'already registered'); the owner is emailed their link instead, at most once
    in ten minutes, and the registration is left as it was."""
    forum = make_forum({"guest": 5, "press": 5})
    form = {"full_name": "Ann Lee", "email": "ann@example.org", "audience": "guest"}
    first = client.post(f"/events/{forum.id}/register", data=form)
    again = client.post(f"/events/{forum.id}/register",
                        data={**form, "full_name": "Someone Else", "email": "ANN@example.org",
                              "audience": "press"})
    assert first.status_code == again.status_code == 302
    pages = [client.get(answer.headers["Location"]) for answer in (first, again)]
    assert pages[0].status_code == pages[1].status_code == 200
    assert pages[0].get_data(as_text=True) == pages[1].get_data(as_text=True)
    assert "already registered" not in pages[1].get_data(as_text=True)

    [registration] = db.session.scalars(sa.select(Registration)).all()
    assert (registration.audience, registration.person.full_name) == ("guest", "Ann Lee")
    [link_mail] = written(OutboxMessage.subject.startswith("Your registration link"))
    assert link_mail.to_address == "ann@example.org" and link_mail.to_name == "Ann Lee"
    assert "/registration/" + make_registration_token(registration) in link_mail.body_text
    db.session.commit()

    client.post(f"/events/{forum.id}/register", data=form)  # within ten minutes: no more
    assert len(written(OutboxMessage.subject.startswith("Your registration link"))) == 1
    clock.move_to(utcnow() + timedelta(minutes=11))
    client.post(f"/events/{forum.id}/register", data=form)
    assert len(written(OutboxMessage.subject.startswith("Your registration link"))) == 2
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 1


def test_registered_page_comes_from_a_signed_receipt_not_the_session(make_forum, client,
                                                                       count_queries):
    """The form's post sets no cookie; its redirect names a signed, short-lived receipt whose
    page names the address, in constant queries; a forged or foreign one is refused."""
    forum = make_forum({"guest": 5})
    form = {"full_name": "<b>Zoë</b> Århus", "email": "zoe@example.org", "audience": "guest"}
    posted = client.post(f"/events/{forum.id}/register", data=form)
    assert posted.status_code == 302
    assert "Set-Cookie" not in posted.headers
    location = posted.headers["Location"]
    assert location.startswith(f"/events/{forum.id}/registered/")
    assert "zoe" not in location  # the address is signed, not spelled out in server logs
    with count_queries() as counter:
        page = client.get(location)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Check your email" in html and "zoe@example.org" in html
    queries = counter.count
    for n in range(5):
        client.post(f"/events/{forum.id}/register",
                    data={**form, "email": f"other{n}@example.org"})
    with count_queries() as counter:
        assert client.get(location).status_code == 200
    assert counter.count == queries

    receipt = location.rsplit("/", 1)[1]
    payload, rest = receipt.split(".", 1)
    forged = f"{payload[:-2]}{'AA' if payload[-2:] != 'AA' else 'BB'}.{rest}"
    for path in (f"/events/{forum.id}/registered/{forged}",
                 f"/events/{forum.id + 1}/registered/{receipt}",
                 f"/events/{forum.id}/registered/nonsense"):
        refused = client.get(path)
        assert refused.status_code == 404, path
        assert "This page does not exist." in refused.get_data(as_text=True)


def test_registered_page_expires_after_an_hour(make_forum, client, clock):
    """A receipt older than an hour sends the person to their email instead."""
    forum = make_forum({"guest": 5})
    posted = client.post(f"/events/{forum.id}/register",
                         data={"full_name": "Ann", "email": "ann@example.org",
                               "audience": "guest"})
    clock.move_to(utcnow() + timedelta(hours=2))
    page = client.get(posted.headers["Location"])
    assert page.status_code == 404
    assert "The email we sent has your personal link." in page.get_data(as_text=True)


def test_public_form_keeps_input_and_explains(make_forum, client):
    """Bad input → 400, the typed values kept; a second registration registers nobody."""
    forum = make_forum()
    bad = client.post(f"/events/{forum.id}/register",
                      data={"full_name": "<b>Ann</b>", "email": "nope", "audience": "guest"})
    assert bad.status_code == 400
    html = bad.get_data(as_text=True)
    assert "&lt;b&gt;Ann&lt;/b&gt;" in html and "<b>Ann</b>" not in html
    good = {"full_name": "Ann", "email": "ann@example.org", "audience": "guest"}
    assert client.post(f"/events/{forum.id}/register", data=good).status_code == 302
    again = client.post(f"/events/{forum.id}/register", data={**good, "email": "ANN@example.org"})
    assert again.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 1


def test_closed_registration_shows_no_form(make_forum, client):
    """Before the opening time the page says so and a post registers nobody."""
    forum = make_forum(registration_opens_at=utcnow() + timedelta(days=3))
    page = client.get(f"/events/{forum.id}/register")
    assert "not open for this event right now" in page.get_data(as_text=True)
    client.post(f"/events/{forum.id}/register",
                data={"full_name": "A", "email": "a@example.org", "audience": "guest"})
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 0


@pytest.mark.parametrize(("opens", "closes", "says"), [
    (3, None, "Registration opens"),
    (-3, 2, "Registration opened"),
    (-3, 2, "and closes"),
    (-3, -1, "and closed"),
])
def test_the_window_is_told_in_the_right_tense(make_forum, client, opens, closes, says):
    """A window that has opened (or closed) is not announced as still to come."""
    now = utcnow()
    forum = make_forum(registration_opens_at=now + timedelta(days=opens),
                       registration_closes_at=now + timedelta(days=closes) if closes else None)
    assert says in client.get(f"/events/{forum.id}/register").get_data(as_text=True)


def test_emailed_link_changes_and_cancels(make_forum, client):
    """The link shows the registration, saves details, and cancels; the queue moves up."""
    forum = make_forum({"guest": 1})
    first = register_person(forum, person(1), "guest")
    second = register_person(forum, person(2), "guest")
    db.session.commit()
    link = link_in_last_mail("p1@example.org")
    assert "Person 1" in client.get(link).get_data(as_text=True)
    client.post(link, data={"full_name": "Person One", "organisation": "Lab"})
    assert first.person.full_name == "Person One" and first.person.organisation == "Lab"
    page = client.post(link + "/cancel", data={"reason": "", "confirmed": "yes"},
                       follow_redirects=True)
    assert "Your registration is cancelled" in page.get_data(as_text=True)
    assert first.status is RegistrationStatus.CANCELLED
    assert first.cancel_reason == "Cancelled by the person" and first.cancelled_by_id is None
    assert second.status is RegistrationStatus.CONFIRMED
    assert "Cancel my registration" not in client.get(link).get_data(as_text=True)


def test_tampered_links_are_refused(make_forum, client):
    """A forged or edited token is a 400 page, not someone else's registration."""
    registration = register_person(make_forum(), person(1), "guest")
    db.session.commit()
    token = make_registration_token(registration)
    assert client.get(f"/registration/{token}x").status_code == 400
    assert client.post(f"/registration/{token[:-2]}/cancel").status_code == 400
    assert registration.status is RegistrationStatus.CONFIRMED


def test_coordinator_adds_and_withdraws_delegates(make_forum, make_region, make_user, client,
                                                  auth):
    """Add (audited), quota shown; withdrawing needs a reason and keeps the history."""
    forum = make_forum(quota=2)
    region = make_region("Scotland", slug="scotland")
    auth.login(make_user(Role.COORDINATOR, region=region))
    url = f"/events/{forum.id}/delegations/scotland"
    page = client.post(url, data={"full_name": "Ian", "email": "ian@example.org",
                                  "is_head": "y"}, follow_redirects=True)
    assert "Ian added (confirmed)" in page.get_data(as_text=True)
    assert "1 / 2" in page.get_data(as_text=True)
    delegate = db.session.scalars(sa.select(Registration)).one()
    assert delegate.is_head_of_delegation and delegate.audience == "international"
    client.post(f"/delegates/{delegate.id}/withdraw", data={"reason": ""})
    assert delegate.status is RegistrationStatus.CONFIRMED
    client.post(f"/delegates/{delegate.id}/withdraw", data={"reason": "Flight cancelled"})
    assert delegate.status is RegistrationStatus.CANCELLED
    actions = set(db.session.scalars(sa.select(AuditEntry.action)))
    assert {"delegation.delegate_added", "delegation.delegate_withdrawn"} <= actions
    assert "Flight cancelled" in client.get(url).get_data(as_text=True)


def test_substitution_page(make_forum, make_region, make_user, client, auth):
    """Substituting from the page keeps the seat and shows who was replaced."""
    forum = make_forum({"international": 1}, quota=2)
    region = make_region("Tampere", slug="tampere")
    original = register_person(forum, person(1), "international",
                               delegation=get_or_create_delegation(forum, region))
    db.session.commit()
    auth.login(make_user(Role.COORDINATOR, region=region))
    client.post(f"/delegates/{original.id}/substitute",
                data={"full_name": "New Person", "email": "new@example.org"})
    page = client.get(f"/events/{forum.id}/delegations/tampere").get_data(as_text=True)
    assert "replaces Person 1" in page and "Replaced by New Person" in page


def test_deadline_stops_coordinators_not_the_secretariat(make_forum, make_region, make_user,
                                                         client, auth):
    """After the deadline the coordinator's add is refused; the secretariat's works."""
    forum = make_forum(delegation_deadline=utcnow() - timedelta(hours=1))
    region = make_region("Lombardy", slug="lombardy")
    url = f"/events/{forum.id}/delegations/lombardy"
    delegate = {"full_name": "Lia", "email": "lia@example.org"}
    auth.login(make_user(Role.COORDINATOR, region=region))
    page = client.post(url, data=delegate, follow_redirects=True).get_data(as_text=True)
    assert "deadline has passed" in page
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 0
    auth.logout()
    auth.login(make_user(Role.SECRETARIAT))
    client.post(url, data=delegate)
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 1


def test_excluded_region_gets_no_quota(make_forum, excluded_region, make_user, client, auth):
    """An excluded region's coordinator sees why nothing can be added."""
    forum = make_forum(quota=4)
    auth.login(make_user(Role.COORDINATOR, region=excluded_region))
    page = client.get(f"/events/{forum.id}/delegations/{excluded_region.slug}")
    assert "has no delegate quota" in page.get_data(as_text=True)
    assert client.post(f"/events/{forum.id}/delegations/{excluded_region.slug}",
                       data={"full_name": "X", "email": "x@example.org"}).status_code in (302, 403)
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 0


def test_forum_setup_converts_local_times(seeded, make_user, client, auth):
    """Times typed in the forum's zone are stored as UTC; capacities and quota are saved."""
    auth.login(make_user(Role.SECRETARIAT))
    form = {
        "title": "Creativity World Forum 2031", "place": "Bengaluru", "timezone": "Asia/Kolkata",
        "starts_local": "2031-11-20T09:30", "ends_local": "2031-11-22T18:00",
        "opens_local": "2031-03-01T10:00", "deadline_local": "2031-10-01T23:59",
        "default_quota": "30",
        "capacities-0-audience": "international", "capacities-0-label": "International",
        "capacities-0-capacity": "3000",
        "capacities-1-audience": "guest", "capacities-1-label": "Guests",
        "capacities-1-capacity": "10000",
    }
    response = client.post("/forums/new", data=form)
    assert response.status_code == 302
    forum = db.session.scalars(sa.select(Event).filter_by(title=form["title"])).one()
    assert forum.starts_at == datetime(2031, 11, 20, 4, 0, tzinfo=UTC)  # IST is UTC+5:30
    assert forum.registration_opens_at == datetime(2031, 3, 1, 4, 30, tzinfo=UTC)
    assert forum.default_delegation_quota == 30 and forum.slug == "creativity-world-forum-2031"
    assert {c.audience: c.capacity for c in forum.capacities} == {
        "international": 3000, "guest": 10000}
    edit = client.get(f"/events/{forum.id}/setup").get_data(as_text=True)
    assert 'value="2031-11-20T09:30"' in edit  # shown back in local time


def test_forum_setup_rejects_bad_input(seeded, make_user, client, auth):
    """End before start and half-filled capacity rows are explained, input kept."""
    auth.login(make_user(Role.SECRETARIAT))
    response = client.post("/forums/new", data={
        "title": "Broken", "place": "X", "timezone": "Europe/Paris",
        "starts_local": "2031-01-02T10:00", "ends_local": "2031-01-01T10:00",
        "capacities-0-audience": "guest"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The end must be after the start" in html
    assert "Give the label people see, or empty this row." in html
    assert 'value="Broken"' in html


def test_raising_capacity_admits_the_waitlist(make_forum, make_user, client, auth):
    """More seats in the set-up promote waitlisted people at once."""
    forum = make_forum({"guest": 1})
    register_person(forum, person(1), "guest")
    queued = register_person(forum, person(2), "guest")
    db.session.commit()
    auth.login(make_user(Role.SECRETARIAT))
    data = {"title": forum.title, "place": forum.place, "timezone": forum.timezone,
            "starts_local": "2030-05-07T09:00", "ends_local": "2030-05-09T17:00",
            "opens_local": "2020-01-01T00:00",
            "capacities-0-audience": "guest", "capacities-0-label": "Guests",
            "capacities-0-capacity": "2"}
    assert client.post(f"/events/{forum.id}/setup", data=data).status_code == 302
    assert queued.status is RegistrationStatus.CONFIRMED


def test_quotas_page(make_forum, make_region, excluded_region, make_user, client, auth):
    """Overrides are saved, emptied back to the default; excluded regions get no field."""
    forum = make_forum(quota=10)
    member = make_region("Catalonia")
    auth.login(make_user(Role.SECRETARIAT))
    page = client.get(f"/events/{forum.id}/quotas").get_data(as_text=True)
    assert f'name="quota-{member.id}"' in page
    assert f'name="quota-{excluded_region.id}"' not in page and "No quota (excluded)" in page
    assert client.post(f"/events/{forum.id}/quotas",
                       data={f"quota-{member.id}": "abc"}).status_code == 400
    client.post(f"/events/{forum.id}/quotas", data={f"quota-{member.id}": "25"})
    assert db.session.scalar(sa.select(DelegationQuota.quota)) == 25
    client.post(f"/events/{forum.id}/quotas", data={f"quota-{member.id}": ""})
    assert db.session.scalar(sa.select(sa.func.count(DelegationQuota.id))) == 0


def test_checkin_page_form_and_json(make_forum, make_region, make_user, client, auth):
    """Search finds the delegate; a form post checks in, JSON undoes; counts follow."""
    forum = make_forum()
    region = make_region("Karnataka")
    delegate = register_person(forum, person(1, full_name="Priya Rao", organisation="IISc"),
                               "international",
                               delegation=get_or_create_delegation(forum, region))
    db.session.commit()
    auth.login(make_user(Role.SECRETARIAT))
    page = client.get(f"/events/{forum.id}/checkin?q=iisc").get_data(as_text=True)
    assert "Priya Rao" in page and "Check in" in page
    client.post(f"/checkin/{delegate.id}", data={"action": "in", "q": "iisc"})
    assert delegate.checked_in_at is not None
    counts = client.get(f"/events/{forum.id}/checkin/counts").get_json()
    assert {"region": "Karnataka", "present": 1, "confirmed": 1} in counts["regions"]
    assert counts["audiences"] == [{"audience": "international", "present": 1, "confirmed": 1,
                                    "label": "International participants"}]
    answer = client.post(f"/checkin/{delegate.id}", data={"action": "undo"},
                         headers={"Accept": "application/json"}).get_json()
    assert answer["ok"] and answer["checked_in"] is False
    assert delegate.checked_in_at is None


def test_edit_delegate_details_and_head(make_forum, make_region, make_user, client, auth):
    """The coordinator corrects a delegate's title and makes them head; both audited."""
    forum = make_forum()
    region = make_region("Oklahoma", slug="oklahoma")
    delegate = register_person(forum, person(1), "international",
                               delegation=get_or_create_delegation(forum, region))
    db.session.commit()
    auth.login(make_user(Role.COORDINATOR, region=region))
    assert client.get(f"/delegates/{delegate.id}/edit").status_code == 200
    client.post(f"/delegates/{delegate.id}/edit",
                data={"full_name": "Person 1", "job_title": "Mayor", "is_head": "y"})
    assert delegate.person.job_title == "Mayor" and delegate.is_head_of_delegation
    summary = db.session.scalar(sa.select(AuditEntry.summary).where(
        AuditEntry.action == "delegation.delegate_edited"))
    assert "job title" in summary and "head of delegation" in summary


def test_waitlist_mail_names_the_audience(make_forum):
    """The waitlist email speaks of 'guests', not of the audience key."""
    forum = make_forum({"guest": 0})
    register_person(forum, person(1), "guest")
    [message] = written()
    assert "All seats for guests are taken" in message.body_text
