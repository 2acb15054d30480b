"""Journey: a guest accepts a mission invitation through the signed link and gives their
stay; the planner then warns about an item outside that stay and links to it."""

from datetime import UTC, date, datetime

from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from webapp.extensions import db
from webapp.missions.tokens import itinerary_token
from webapp.models import (
    AgendaItem,
    AgendaKind,
    Event,
    EventKind,
    MissionGuest,
    Representative,
    Role,
)

START = datetime(2031, 5, 5, 7, 0, tzinfo=UTC)  # Mon 5 May 2031, 09:00 in Barcelona


def test_guest_answers_through_the_link_and_the_planner_sees_the_stay(
        make_region, make_person, make_user, app, live_server, page):
    """A Catalonia mission; Flanders' representative is invited with all representatives in
    one submit; she opens her link, is refused a stay before the mission, accepts with a
    Tuesday arrival and a note; the planner warns about Monday's visit, naming her stay."""
    catalonia = make_region("Catalonia", timezone="Europe/Madrid")
    flanders = make_region("Flanders", timezone="Europe/Brussels")
    mission = Event(slug="mission-catalonia", kind=EventKind.REVERSE_MISSION,
                    title="Creative Catalonia week", place="Barcelona", starts_at=START,
                    ends_at=datetime(2031, 5, 7, 16, 0, tzinfo=UTC), timezone="Europe/Madrid",
                    host_region_id=catalonia.id)
    db.session.add(mission)
    db.session.flush()
    visit = AgendaItem(event_id=mission.id, kind=AgendaKind.VISIT, title="Visit: 22@ district",
                       starts_at=START.replace(hour=8), ends_at=START.replace(hour=10),
                       address="Carrer de Pallars 1")
    inge = make_person("Inge Peeters", region_id=flanders.id, email="inge@example.org")
    db.session.add_all([visit, Representative(region_id=flanders.id, person_id=inge.id,
                                              appointed_on=date(2020, 1, 1))])
    coordinator = make_user(Role.COORDINATOR, region=catalonia, full_name="Coordinator Carme")
    db.session.commit()

    page.goto(live_server + "/login")
    page.get_by_label("Email", exact=True).fill(coordinator.email)
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server}/missions/{mission.id}/guests")
    page.get_by_label("All representatives of the member regions").check()
    page.get_by_role("button", name="Invite").click()
    expect(page.locator(".flash-success")).to_contain_text("Inge Peeters is invited")
    page.get_by_role("button", name="Sign out").click()

    guest = db.session.query(MissionGuest).filter_by(event_id=mission.id).one()
    with app.test_request_context():
        link = f"{live_server}/missions/itinerary/{itinerary_token(guest)}"
    page.goto(link)
    expect(page.get_by_role("heading", name="Will you come?")).to_be_visible()
    page.get_by_label("Yes, I accept the invitation").check()
    page.get_by_label("Arrives (local time)").fill("2031-05-04T18:00")
    page.get_by_label("Departs (local time)").fill("2031-05-07T18:00")
    page.get_by_label("Note (dietary needs, access needs)").fill("Vegetarian <no nuts>")
    page.get_by_role("button", name="Send my answer").click()
    expect(page.locator(".field-error").first).to_contain_text(
        "Give an arrival on one of the mission days: Mon 5 May 2031 to Wed 7 May 2031.")
    expect(page.get_by_label("Note (dietary needs, access needs)")).to_have_value(
        "Vegetarian <no nuts>")  # input kept
    page.get_by_label("Arrives (local time)").fill("2031-05-06T09:00")
    page.get_by_role("button", name="Send my answer").click()
    expect(page.locator(".flash-success")).to_contain_text("your answer is saved")
    expect(page.locator(".facts")).to_contain_text("Tue 6 May 2031, 09:00 CEST")
    expect(page.locator(".facts")).to_contain_text("Vegetarian <no nuts>")
    screenshot(page, "mission-guest-answer")

    page.goto(live_server + "/login")
    page.get_by_label("Email", exact=True).fill(coordinator.email)
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server}/missions/{mission.id}/plan")
    panel = page.locator(".warnings-panel")
    expect(panel).to_contain_text("Outside a guest's stay")
    expect(panel).to_contain_text(
        "“Visit: 22@ district” (Mon 5 May 10:00–12:00) is outside the stay of Inge Peeters "
        "(stay Tue 6 May 09:00 – Wed 7 May 18:00).")
    panel.get_by_role("link", name="Visit: 22@ district").click()
    expect(page).to_have_url(f"{live_server}/missions/{mission.id}/plan#item-{visit.id}")
    expect(page.locator(f"#item-{visit.id}")).to_be_in_viewport()
    screenshot(page, "mission-planner-outside-stay")
    page.get_by_role("link", name="Guests", exact=True).click()
    expect(page.locator("table")).to_contain_text("by the guest")
    expect(page.locator("table")).to_contain_text("Note: Vegetarian <no nuts>")
