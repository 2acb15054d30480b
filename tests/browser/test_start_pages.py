"""Journeys (issue 17): a coordinator's first sign-in from the emailed invitation lands on their
region's work; the secretariat's start page leads to a flagged region and to failed mail; a
participant finds their registration, itinerary and calendar. Each start page is saved at
1280×800 and 390×844 (test-output/screenshots/home-<role>-<width>.png)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD
from webapp.auth.services import invite_user, record_audit
from webapp.extensions import db
from webapp.mail import queue_email
from webapp.models import (
    Event,
    EventCapacity,
    EventKind,
    GuestStatus,
    MissionGuest,
    OutboxMessage,
    OutboxStatus,
    Person,
    Region,
    Role,
)
from webapp.registrations.quotas import get_or_create_delegation
from webapp.registrations.services import PersonData, register_person

WIDTHS = ((1280, 800), (390, 844))


def region(slug: str) -> Region:
    """A seeded region."""
    return db.session.scalars(sa.select(Region).filter_by(slug=slug)).one()


def at_both_widths(page, name: str) -> None:
    """Screenshots of the page at desktop and phone width; nothing may scroll sideways."""
    for width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        screenshot(page, f"{name}-{width}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, width)
    page.set_viewport_size({"width": WIDTHS[0][0], "height": WIDTHS[0][1]})


def sign_in(page, live_server: str, email: str) -> None:
    """Use the sign-in form."""
    page.goto(live_server + "/login")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".flash-success")).to_contain_text("Welcome")


def test_coordinator_first_sign_in_lands_on_the_region_s_work(
        seeded_participation, clock, make_event, make_person, make_user, live_server, page):
    """Invitation link → password → the Flanders start page → its delegation, in two clicks."""
    clock.move_to(datetime(2030, 3, 2, 9, tzinfo=UTC))
    now = datetime.now(UTC)
    flanders, midtjylland = region("flanders"), region("region-midtjylland")
    forum = make_event("Creativity World Forum 2030", starts_at=datetime(2030, 5, 7, 7, tzinfo=UTC),
                       hours=56, host_region_id=midtjylland.id, place="Aarhus, Denmark",
                       registration_opens_at=now - timedelta(days=30),
                       delegation_deadline=now + timedelta(days=5, hours=2),
                       default_delegation_quota=8)
    forum.capacities.append(EventCapacity(audience="international",
                                          label="International participants", capacity=3000))
    db.session.flush()
    delegation = get_or_create_delegation(forum, flanders)
    for k, name in enumerate(("An Peeters", "Pieter Claes", "Louis Maes")):
        register_person(forum, PersonData(name, f"{name.split()[0].lower()}@example.be"),
                        "international", delegation=delegation, notify=False,
                        is_head_of_delegation=k == 0)
    mission = make_event("Reverse mission to Flanders 2030", kind=EventKind.REVERSE_MISSION,
                         starts_at=datetime(2030, 9, 14, 7, tzinfo=UTC), hours=56,
                         host_region_id=flanders.id, place="Ghent, Belgium",
                         timezone="Europe/Brussels")
    for slug, status in (("tampere", GuestStatus.ACCEPTED), ("scotland", GuestStatus.INVITED),
                         ("catalonia", GuestStatus.INVITED)):
        guest = make_person(region_id=region(slug).id)
        db.session.add(MissionGuest(event_id=mission.id, person_id=guest.id, status=status))
    admin = make_user(Role.SECRETARIAT, full_name="Secretariat Sam")
    invite_user(admin, "marie@example.be", "Marie Peeters", Role.COORDINATOR, flanders)
    db.session.commit()

    body = db.session.scalars(sa.select(OutboxMessage.body_text).where(
        OutboxMessage.to_address == "marie@example.be")).one()
    link = next(line for line in body.splitlines() if "/invitation/" in line).strip()
    page.goto(live_server + link[link.index("/invitation/"):])
    page.get_by_label("New password", exact=True).fill("flanders creative 2030")
    page.get_by_label("Repeat the new password").fill("flanders creative 2030")
    page.get_by_role("button", name="Create my account").click()
    expect(page.locator(".flash-success")).to_contain_text("Your account is ready")
    expect(page).to_have_url(live_server + "/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Flanders")
    expect(page.locator(".engagement-ok")).to_contain_text("No engagement flag today")
    steps = page.locator(".next-step")
    expect(steps.first).to_contain_text(
        "Delegation deadline for Creativity World Forum 2030 in 5 days: 3 of 8 places used.")
    expect(page.locator(".next-steps")).to_contain_text(
        "2 guests of Reverse mission to Flanders 2030 have not answered yet.")
    expect(page.locator(".figures").first).to_contain_text("An Peeters")
    at_both_widths(page, "home-coordinator")

    steps.first.get_by_role("link", name="Complete the delegation").click()
    expect(page).to_have_url(live_server + f"/events/{forum.id}/delegations/flanders")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Flanders")
    page.get_by_role("link", name="Home", exact=True).click()
    page.get_by_role("link", name="Record their answers").click()
    expect(page).to_have_url(live_server + f"/missions/{mission.id}/guests")


def test_secretariat_start_page_leads_to_a_flagged_region_and_to_failed_mail(
        seeded_participation, clock, make_user, live_server, page):
    """30 November 2012: the two regions about to be excluded, an overdue fee, a bounce."""
    clock.move_to(datetime(2012, 11, 30, 9, tzinfo=UTC))
    now = datetime.now(UTC)
    tampere = db.session.scalars(sa.select(Event).filter_by(kind=EventKind.FORUM, ordinal=10)).one()
    tampere.registration_opens_at = now - timedelta(days=20)
    tampere.default_delegation_quota = 10
    tampere.capacities += [
        EventCapacity(audience="international", label="International participants",
                      capacity=400),
        EventCapacity(audience="guest", label="Guests", capacity=2)]
    db.session.flush()
    for n in range(3):
        register_person(tampere, PersonData(f"Guest {n}", f"guest{n}@example.fi"), "guest",
                        notify=False)
    bounce = queue_email("mikko@tampere.example", "Your registration for CWF 2013",
                         "test_message", {"name": "Mikko"})
    bounce.status, bounce.attempts = OutboxStatus.FAILED, 5
    bounce.last_error = "550 5.1.1 <mikko@tampere.example>: Recipient address rejected"
    admin = make_user(Role.SECRETARIAT, full_name="Secretariat Sam")
    record_audit(admin, "forum.updated", tampere,
                 "Creativity World Forum 2013: registration opened")
    db.session.commit()

    sign_in(page, live_server, admin.email)
    expect(page).to_have_url(live_server + "/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("The network today")
    flagged = page.locator("#flagged + .start-list")
    expect(flagged).to_contain_text("Nord-Pas de Calais")
    expect(flagged).to_contain_text("Qingdao")
    expect(page.locator(".counts").first).to_contain_text("2 of 2 taken")
    at_both_widths(page, "home-secretariat")

    flagged.get_by_role("link", name="Nord-Pas de Calais").click()
    expect(page).to_have_url(live_server + "/participation/regions/nord-pas-de-calais")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nord-Pas de Calais")
    page.go_back()
    page.get_by_role("link", name="Your registration for CWF 2013").click()
    expect(page).to_have_url(live_server + f"/admin/mail/{bounce.id}")
    expect(page.locator("body")).to_contain_text("Recipient address rejected")


def test_participant_finds_registration_itinerary_and_calendar(
        seeded, clock, make_event, make_user, live_server, page):
    """A participant's start page: the forum, the mission itinerary, the personal calendar."""
    clock.move_to(datetime(2030, 3, 2, 9, tzinfo=UTC))
    now = datetime.now(UTC)
    forum = make_event("Creativity World Forum 2030", starts_at=datetime(2030, 5, 7, 7, tzinfo=UTC),
                       hours=56, registration_opens_at=now - timedelta(days=30))
    forum.capacities.append(EventCapacity(audience="guest", label="Guests", capacity=100))
    db.session.flush()
    registration = register_person(forum, PersonData("Aino Virtanen", "aino@example.fi"),
                                   "guest", notify=False)
    mission = db.session.scalars(sa.select(Event).filter_by(
        kind=EventKind.REVERSE_MISSION)).first()
    db.session.add(MissionGuest(event_id=mission.id, person_id=registration.person_id,
                                status=GuestStatus.ACCEPTED))
    user = make_user(Role.PARTICIPANT, email="aino@example.fi", full_name="Aino Virtanen")
    db.session.commit()
    token = db.session.get(Person, registration.person_id).calendar_token

    sign_in(page, live_server, user.email)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Your events")
    expect(page.locator(".start-item").first).to_contain_text("Creativity World Forum 2030")
    at_both_widths(page, "home-participant")
    page.get_by_role("link", name="your itinerary").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.go_back()
    page.get_by_role("link", name="Your personal calendar page").click()
    expect(page).to_have_url(live_server + f"/calendar/p/{token}")
