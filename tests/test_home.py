"""Start pages per role (issue 17): what a coordinator, the secretariat and a participant see
on the home page once signed in, each item linked to the page that acts on it."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from webapp.auth.services import record_audit
from webapp.extensions import db
from webapp.mail import queue_email
from webapp.models import (
    AnnualFee,
    Delegation,
    EventCapacity,
    EventKind,
    GuestStatus,
    MissionGuest,
    OutboxMessage,
    OutboxStatus,
    Person,
    Registration,
    RegistrationStatus,
    Role,
)
from webapp.registrations.quotas import get_or_create_delegation
from webapp.registrations.services import PersonData, register_person

NOW = datetime(2030, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def now(clock):
    """The clock on 2 March 2030, 09:00 UTC (a Saturday; CWF 2030 is in May)."""
    clock.move_to(NOW)
    return NOW


@pytest.fixture
def forum(now, make_event):
    """CWF 2030: registration open, quota 5 per member, delegation deadline in 5 days."""
    event = make_event("Creativity World Forum 2030", starts_at=datetime(2030, 5, 7, 7, tzinfo=UTC),
                       hours=56, registration_opens_at=now - timedelta(days=30),
                       delegation_deadline=now + timedelta(days=5), default_delegation_quota=5)
    event.capacities += [
        EventCapacity(audience="international", label="International participants", capacity=3),
        EventCapacity(audience="guest", label="Guests", capacity=100)]
    db.session.commit()
    return event


def delegate(event, delegation, name: str, *, head: bool = False, email: str | None = None):
    """Register a delegate (no mail queued)."""
    email = email or f"{name.split()[0].lower()}@example.org"
    return register_person(event, PersonData(name, email), "international",
                           delegation=delegation, is_head_of_delegation=head, notify=False)


def html_of(client) -> str:
    """The home page's HTML (asserting it answers 200), white space collapsed."""
    response = client.get("/")
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def hrefs(html: str) -> set[str]:
    """Every link target on a page."""
    return set(re.findall(r'href="([^"]+)"', html.replace("&amp;", "&")))


# --- coordinator ------------------------------------------------------------------------


def test_coordinator_sees_delegation_figures_and_next_steps(
        forum, make_region, make_user, auth, client):
    """Quota used/left, deadline in days, head, waitlisted, and the steps that follow from them."""
    flanders = make_region("Flanders", slug="flanders")
    delegation = get_or_create_delegation(forum, flanders)
    delegate(forum, delegation, "Anna Peeters", head=True)
    delegate(forum, delegation, "Bart Claes")
    delegate(forum, delegation, "Chris Maes")
    delegate(forum, delegation, "Dirk Wouters")  # the fourth: international seats are full
    db.session.commit()
    auth.login(make_user(Role.COORDINATOR, region=flanders, full_name="Marie Coordinator"))
    html = html_of(client)
    assert "Flanders <span class=\"muted\">your region's work</span>" in html
    assert "4 of 5" in html and "(1 left)" in html
    assert "(in 5 days)" in html and "Anna Peeters" in html
    assert "<dt>Waitlisted</dt><dd>1</dd>" in html
    assert ("Delegation deadline for Creativity World Forum 2030 in 5 days: 4 of 5 places used."
            in html)
    assert "1 delegate of Creativity World Forum 2030 on the waiting list." in html
    assert f"/events/{forum.id}/delegations/flanders" in hrefs(html)
    assert "No engagement flag today" in html


def test_coordinator_is_told_what_a_delegation_lacks(forum, make_region, make_user, auth, client):
    """No delegate yet → add delegates; delegates but no head → name one; no email → add it."""
    flanders, scotland = make_region("Flanders"), make_region("Scotland")
    delegation = get_or_create_delegation(forum, scotland)
    delegate(forum, delegation, "Ewan Campbell")
    nameless = Person(full_name="Fiona MacLeod", email=None)
    db.session.add(nameless)
    db.session.flush()
    db.session.add(Registration(event_id=forum.id, person_id=nameless.id, audience="international",
                                delegation_id=delegation.id, status=RegistrationStatus.CONFIRMED))
    db.session.commit()
    auth.login(make_user(Role.COORDINATOR, region=flanders))
    assert "No delegate registered yet for Creativity World Forum 2030 (5 places in your quota)." \
        in html_of(client)
    auth.logout()
    auth.login(make_user(Role.COORDINATOR, region=scotland))
    html = html_of(client)
    assert "No head of delegation named for Creativity World Forum 2030." in html
    assert "1 delegate of Creativity World Forum 2030 without an email" in html


def test_after_the_deadline_the_coordinator_is_not_asked_to_act(
        forum, make_region, make_user, auth, client, clock):
    """Past the deadline the delegation is shown as passed and no step asks for changes."""
    flanders = make_region("Flanders")
    clock.move_to(NOW + timedelta(days=6))
    auth.login(make_user(Role.COORDINATOR, region=flanders))
    html = html_of(client)
    assert "passed: the secretariat makes changes now" in html
    assert "Nothing needs doing right now." in html


def test_flagged_region_gets_the_engagement_notice(now, make_region, make_event, make_user,
                                                   auth, client):
    """A region that missed the last three forums: the notice and an urgent first step."""
    drifting = make_region("Drifting Region", slug="drifting")
    for year in (2027, 2028, 2029):
        make_event(f"Forum {year}", kind=EventKind.FORUM,
                   starts_at=datetime(year, 6, 1, 8, tzinfo=UTC))
    db.session.commit()
    auth.login(make_user(Role.COORDINATOR, region=drifting))
    html = html_of(client)
    assert "Drifting Region is flagged by the network's engagement policy" in html
    assert "Missed 3 of the last 3 forums held while a member" in html
    first_step = html[html.index('class="next-steps"'):].split("</li>")[0]
    assert "Urgent" in first_step and "Missed forums" in first_step
    assert "/regions/drifting" in hrefs(first_step)


def test_coordinator_sees_missions_hosted_and_invited_to(now, make_region, make_event,
                                                         make_person, make_user, auth, client):
    """Hosted: guests' answers and the planner; invited: the region's own guests, timetable."""
    flanders, tampere = make_region("Flanders"), make_region("Tampere")
    hosted = make_event("Reverse mission to Flanders", kind=EventKind.REVERSE_MISSION,
                        starts_at=NOW + timedelta(days=40), hours=50, host_region_id=flanders.id)
    visited = make_event("Reverse mission to Tampere", kind=EventKind.REVERSE_MISSION,
                         starts_at=NOW + timedelta(days=80), hours=50, host_region_id=tampere.id)
    db.session.add_all([
        MissionGuest(event_id=hosted.id, person_id=make_person(region_id=tampere.id).id),
        MissionGuest(event_id=hosted.id, person_id=make_person(region_id=tampere.id).id,
                     status=GuestStatus.ACCEPTED),
        MissionGuest(event_id=visited.id, person_id=make_person(region_id=flanders.id).id),
        MissionGuest(event_id=visited.id, person_id=make_person(region_id=tampere.id).id),
    ])
    db.session.commit()
    auth.login(make_user(Role.COORDINATOR, region=flanders))
    html = html_of(client)
    assert "2 guests: 1 accepted, 1 not answered, 0 declined." in html
    assert "1 guest of Reverse mission to Flanders has not answered yet." in html
    assert "1 person of Flanders: 0 accepted, 1 not answered" in html
    assert "1 person of your region invited to Reverse mission to Tampere." in html
    links = hrefs(html)
    assert {f"/missions/{hosted.id}/plan", f"/missions/{hosted.id}/guests",
            f"/missions/{visited.id}/timetable"} <= links
    assert f"/missions/{visited.id}/plan" not in links


def test_coordinator_with_nothing_yet_is_told_what_to_do(now, make_region, make_user, auth,
                                                         client):
    """Every empty section says what comes next and links to it."""
    auth.login(make_user(Role.COORDINATOR, region=make_region("Quiet Region", slug="quiet")))
    html = html_of(client)
    assert "Nothing needs doing right now." in html
    assert "No forum takes delegations right now." in html
    assert "No reverse mission for Quiet Region." in html
    assert {"/missions/new", "/regions/quiet"} <= hrefs(html)


def test_invitation_lands_the_coordinator_on_their_region(seeded, make_user, client):
    """Accepting the emailed invitation signs in and redirects to the region's start page."""
    from webapp.auth.services import invite_user
    from webapp.models import Region, User

    admin = make_user(Role.SECRETARIAT)
    flanders = db.session.scalars(sa.select(Region).filter_by(slug="flanders")).one()
    invite_user(admin, "marie@example.be", "Marie Peeters", Role.COORDINATOR, flanders)
    db.session.commit()
    body = db.session.scalars(sa.select(OutboxMessage.body_text)
                              .order_by(OutboxMessage.id.desc())).first()
    link = next(line for line in body.splitlines() if "/invitation/" in line).strip()
    path = link[link.index("/invitation/"):]
    response = client.post(path, data={"password": "flanders creative 2024",
                                       "confirm": "flanders creative 2024"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    html = html_of(client)
    assert "Flanders <span class=\"muted\">your region's work</span>" in html
    assert "Reverse mission to Region Midtjylland" in html  # Flanders' guests of 2012
    assert db.session.scalars(sa.select(User).filter_by(email="marie@example.be")).one().is_active


# --- secretariat ------------------------------------------------------------------------


def test_secretariat_sees_what_needs_acting_on(forum, make_region, make_event, make_user, auth,
                                               client):
    """Open forum seats, a flagged region, an overdue fee, failed mail, the audit: all linked."""
    late = make_region("Late Payer", slug="late-payer")
    db.session.add(AnnualFee(region_id=late.id, year=2029, amount_cents=250000))
    drifting = make_region("Drifting Region", slug="drifting")
    for year in (2027, 2028, 2029):
        forum_held = make_event(f"Forum {year}", starts_at=datetime(year, 6, 1, 8, tzinfo=UTC))
        db.session.add(Delegation(event_id=forum_held.id, region_id=late.id,
                                  reported_registered=3, reported_attended=3))
    for name in ("Guest One", "Guest Two"):
        register_person(forum, PersonData(name, f"{name.split()[1].lower()}@example.org"),
                        "international", notify=False)
    failed = queue_email("bounce@example.org", "Your registration", "test_message",
                         {"name": "X"})
    failed.status, failed.attempts, failed.last_error = OutboxStatus.FAILED, 5, "550 no such user"
    secretariat = make_user(Role.SECRETARIAT, full_name="Secretariat Sam")
    record_audit(secretariat, "region.warned", drifting, "Drifting Region: warned.")
    db.session.commit()
    auth.login(secretariat)
    html = html_of(client)
    assert "2 of 3 taken" in html and "1 free" in html
    assert "Drifting Region" in html and "Missed forums" in html
    assert "Late Payer: 2029" in html
    assert "550 no such user" in html and "1 failed" in html
    assert "Drifting Region: warned." in html
    links = hrefs(html)
    assert {f"/events/{forum.id}/attendees", f"/events/{forum.id}/quotas",
            f"/events/{forum.id}/checkin", "/participation/regions/drifting",
            "/participation/fees?year=2029", f"/admin/mail/{failed.id}",
            "/admin/mail/?status=failed", "/admin/audit"} <= links


def test_secretariat_empty_sections_say_what_to_do(now, make_user, auth, client):
    """A new installation: each section says what to do first and links to it."""
    admin = make_user(Role.SECRETARIAT)
    auth.login(admin)
    db.session.execute(sa.delete(OutboxMessage))
    db.session.commit()
    html = html_of(client)
    for text in ("No forum takes registrations now.", "No region is flagged today.",
                 "No fee is overdue.", "No mail failed or waiting."):
        assert text in html
    assert {"/forums/new", "/participation/", "/participation/fees", "/admin/mail/"} <= hrefs(html)


# --- participant ------------------------------------------------------------------------


def test_participant_sees_registrations_itineraries_and_calendar(
        forum, make_region, make_event, make_user, auth, client):
    """Their registrations with the manage link, the itinerary link and the personal feed."""
    host = make_region("Host Region")
    registration = register_person(forum, PersonData("Pat Doe", "pat@example.org"), "guest",
                                   notify=False)
    mission = make_event("Reverse mission to Host Region", kind=EventKind.REVERSE_MISSION,
                         starts_at=NOW + timedelta(days=60), host_region_id=host.id)
    db.session.add(MissionGuest(event_id=mission.id, person_id=registration.person_id))
    db.session.commit()
    auth.login(make_user(Role.PARTICIPANT, email="Pat@Example.org", full_name="Pat Doe"))
    html = html_of(client)
    assert "Creativity World Forum 2030" in html and "Guests" in html and "Confirmed" in html
    token = registration.person.calendar_token
    links = hrefs(html)
    assert f"/calendar/p/{token}" in links
    assert any(link.startswith("webcal://") and token in link for link in links)
    manage = next(link for link in links if link.startswith("/registration/"))
    assert "Pat Doe" in client.get(manage).get_data(as_text=True)
    itinerary = next(link for link in links if link.startswith("/missions/itinerary/"))
    assert client.get(itinerary).status_code == 200


def test_participant_without_registrations_is_sent_to_the_events(now, make_user, auth, client):
    """Nothing under their email yet: the page says how to register and links the events."""
    auth.login(make_user(Role.PARTICIPANT, email="new@example.org"))
    html = html_of(client)
    assert "No registration under new@example.org yet." in html
    assert "No reverse-mission invitation." in html
    assert "/events/" in hrefs(html) and "/calendar/p/" not in html


def test_visitors_keep_the_public_home_page(seeded, client):
    """Signed out, the home page is the network at a glance, as before."""
    html = html_of(client)
    assert '<span class="stat-number">12</span> member regions' in html
    assert "your region's work" not in html


# --- query counts -------------------------------------------------------------------------


def populate(rounds: range, *, regions, make_event, make_person, secretariat) -> None:
    """Rounds of data for every start page: forums with delegations, missions hosted
    and visited, fees, failed mail, audit entries and the participant's registrations."""
    ours, other = regions
    for n in rounds:
        forum = make_event(f"Forum {n}", starts_at=NOW + timedelta(days=30 + n), hours=8,
                           registration_opens_at=NOW - timedelta(days=1),
                           delegation_deadline=NOW + timedelta(days=10),
                           default_delegation_quota=4)
        forum.capacities.append(EventCapacity(audience="international", label="International",
                                              capacity=2))
        db.session.flush()
        for region in (ours, other):
            delegation = get_or_create_delegation(forum, region)
            for k in range(3):
                data = PersonData(f"D {n} {k}", f"d{n}.{k}.{region.id}@example.org")
                register_person(forum, data, "international", delegation=delegation,
                                is_head_of_delegation=k == 0, notify=False)
        register_person(forum, PersonData("Pat Doe", "pat@example.org"), "international",
                        notify=False)
        for host, guest_region in ((ours, other), (other, ours)):
            mission = make_event(f"Mission {n} {host.name}", kind=EventKind.REVERSE_MISSION,
                                 starts_at=NOW + timedelta(days=50 + n), host_region_id=host.id)
            db.session.add(MissionGuest(event_id=mission.id,
                                        person_id=make_person(region_id=guest_region.id).id))
        pat = db.session.scalars(sa.select(Person).filter_by(email="pat@example.org")).one()
        db.session.add(MissionGuest(event_id=mission.id, person_id=pat.id))
        db.session.add(AnnualFee(region_id=other.id, year=2000 + n, amount_cents=250000))
        message = queue_email(f"x{n}@example.org", f"Message {n}", "test_message", {"name": "X"})
        message.status, message.last_error = OutboxStatus.FAILED, "550"
        record_audit(secretariat, "region.warned", other, f"Warned {n}")
        record_audit(secretariat, "fee.paid", db.session.scalars(
            sa.select(AnnualFee).order_by(AnnualFee.id.desc())).first(), f"Paid {n}")
    db.session.commit()


@pytest.mark.parametrize("role", ["coordinator", "secretariat", "participant"])
def test_start_page_queries_do_not_grow_with_the_data(role, now, make_region, make_event,
                                                      make_person, make_user, auth, client,
                                                      count_queries):
    """Each start page runs as many queries with ten times the data."""
    regions = (make_region("Ours", admitted=date(2004, 1, 1)),
               make_region("Other", admitted=date(2004, 1, 1)))
    secretariat = make_user(Role.SECRETARIAT)
    users = {"secretariat": secretariat,
             "coordinator": make_user(Role.COORDINATOR, region=regions[0]),
             "participant": make_user(Role.PARTICIPANT, email="pat@example.org")}
    fill = dict(regions=regions, make_event=make_event, make_person=make_person,
                secretariat=secretariat)
    populate(range(1), **fill)
    auth.login(users[role])
    html_of(client)  # warm up: what a first request loads once (templates, the policy)
    with count_queries() as small:
        small_html = html_of(client)
    populate(range(1, 10), **fill)
    with count_queries() as large:
        large_html = html_of(client)
    assert large.count == small.count, large.statements
    assert len(large_html) > len(small_html)  # the page did show the extra data
