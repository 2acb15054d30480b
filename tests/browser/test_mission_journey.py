"""Journey: a coordinator plans a reverse mission, sees a conflict live, fixes it, prints."""

import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from webapp.extensions import db
from webapp.models import AgendaItem, Region, Role

ANN = "Guest 1 from Flanders (Flanders)"
BO = "Guest 2 from Flanders (Flanders)"


def add_item(page, title, start, end, *, address, host=None, guests=()):
    """Fill the item form; tick `guests` for a parallel split (the form is left unsaved)."""
    page.get_by_role("link", name="Add an item").click()
    page.get_by_label("Title").fill(title)
    page.get_by_label("Starts (local time)").fill(start)
    page.get_by_label("Ends (local time)").fill(end)
    page.get_by_label("Address").fill(address)
    if host:
        page.get_by_label("Host organisation").fill(host)
    if guests:
        page.get_by_label("Only the guests ticked below").check()
        for name in guests:
            page.get_by_label(name).check()


def test_plan_a_reverse_mission_journey(seeded, make_user, live_server, page):
    """Create a mission, invite guests, add three items with a parallel split, see the clash
    live and on the planner, fix it, open a guest's itinerary and the print view."""
    midtjylland = db.session.scalars(sa.select(Region).filter_by(slug="region-midtjylland")).one()
    coordinator = make_user(Role.COORDINATOR, region=midtjylland, full_name="Coordinator Conny")
    page.goto(live_server + "/login")
    page.get_by_label("Email", exact=True).fill(coordinator.email)
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()

    page.goto(live_server + "/events/")
    page.get_by_role("link", name="Plan a reverse mission").click()
    page.get_by_label("Title").fill("Smart regions week")
    expect(page.get_by_label("Host region")).to_have_value(str(midtjylland.id))
    page.get_by_label("Place").fill("Aarhus, Region Midtjylland")
    page.get_by_label("Starts (local time)").fill("2031-05-05T09:00")
    page.get_by_label("Ends (local time)").fill("2031-05-04T17:00")
    page.get_by_role("button", name="Create mission").click()
    expect(page.locator(".field-error")).to_contain_text("The end must come after the start.")
    expect(page.get_by_label("Title")).to_have_value("Smart regions week")  # input kept
    page.get_by_label("Ends (local time)").fill("2031-05-07T17:00")
    page.get_by_role("button", name="Create mission").click()
    expect(page.locator(".flash-success")).to_contain_text("Smart regions week")

    page.get_by_role("link", name="Guests", exact=True).click()
    for name in (ANN, BO):  # both in one submit
        page.get_by_label(name).check()
    page.get_by_role("button", name="Invite").click()
    expect(page.locator(".flash-success")).to_contain_text(
        "Guest 1 from Flanders and Guest 2 from Flanders are invited")
    expect(page.locator("table")).to_contain_text("Guest 2 from Flanders")

    page.get_by_role("link", name="Planner").click()
    add_item(page, "Welcome breakfast", "2031-05-05T09:00", "2031-05-05T10:00",
             address="City hall")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash-success")).to_contain_text("No planning conflicts")
    add_item(page, "Visit: design school", "2031-05-05T10:30", "2031-05-05T12:00",
             address="Harbour 1", host="Design school", guests=[ANN])
    page.get_by_role("button", name="Save").click()
    add_item(page, "Visit: games company", "2031-05-05T10:30", "2031-05-05T12:00",
             address="Harbour 2", host="Games company", guests=[ANN, BO])
    live = page.locator("#live-warnings")
    expect(live).to_contain_text("Guest in two places")  # agenda.js, before saving
    expect(live).to_contain_text("Guest 1 from Flanders is in both")
    screenshot(page, "mission-item-live-warning")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash-warning")).to_contain_text("1 warning concerns it")
    expect(page.locator(".warnings-panel")).to_contain_text(
        "Guest 1 from Flanders is in both “Visit: design school”")
    expect(page.locator(".block.parallel")).to_contain_text("In parallel (2 groups)")
    screenshot(page, "mission-planner-with-warning")

    page.locator("#item-" + str(db.session.scalar(
        sa.select(AgendaItem.id).filter_by(title="Visit: games company")))) \
        .get_by_role("link", name="Edit").click()
    page.get_by_label(ANN).uncheck()
    expect(live).to_contain_text("No conflicts for this item.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".warnings-panel")).to_contain_text("No planning conflicts")
    screenshot(page, "mission-planner-fixed")

    page.get_by_role("link", name="Guests", exact=True).click()
    page.get_by_role("link", name="Itinerary of Guest 1 from Flanders").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Itinerary of Guest 1 from Flanders")
    itinerary = page.locator("main")
    expect(itinerary).to_contain_text("Visit: design school")
    expect(itinerary).not_to_contain_text("Visit: games company")
    screenshot(page, "mission-itinerary")

    page.goto(page.url.split("/guests/")[0] + "/plan")
    page.get_by_role("link", name="Print view").click()
    expect(page.get_by_role("button", name="Print")).to_be_visible()  # agenda.js shows it
    expect(page.get_by_role("link", name="Back")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Print")).to_be_hidden()  # not on paper
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".timetable-day")).to_have_count(1)
    expect(page.locator(".timetable-day h2")).to_contain_text("Monday 5 May 2031")
    screenshot(page, "mission-print-view")
    page.emulate_media(media="screen")
    page.get_by_role("link", name="Back").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Planner")
