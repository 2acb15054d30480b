"""Journey: the secretariat reviews participation, reads a flag's reasons and records a
warning; the region's coordinator then sees the notice on the region's page."""

from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD
from webapp.extensions import db
from webapp.models import Delegation, EventKind, Role


def sign_in(page, live_server: str, user) -> None:
    """Use the sign-in form."""
    page.goto(live_server + "/login")
    page.get_by_label("Email", exact=True).fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_secretariat_warns_a_drifting_region_and_its_coordinator_sees_it(
        app, clock, make_region, make_event, make_user, live_server, page):
    """Review → the flag's evidence → a warning recorded → the coordinator's notice."""
    # Nine months after the last forum: within every activity window of the default policy.
    clock.move_to(datetime(2026, 3, 1, 10, tzinfo=UTC))
    today = datetime.now(UTC).date()
    drifting = make_region("Drifting Region", admitted=today - timedelta(days=3000))
    keen = make_region("Keen Region", admitted=today - timedelta(days=3000))
    for years_ago in (3, 2, 1):
        forum = make_event(f"Forum {today.year - years_ago}", kind=EventKind.FORUM,
                           starts_at=datetime(today.year - years_ago, 6, 1, 8, tzinfo=UTC))
        db.session.add(Delegation(event_id=forum.id, region_id=keen.id, reported_registered=6,
                                  reported_attended=5))
    db.session.commit()
    secretariat = make_user(Role.SECRETARIAT, full_name="Secretariat Sam")
    coordinator = make_user(Role.COORDINATOR, region=drifting, full_name="Dora Drift")

    sign_in(page, live_server, secretariat)
    page.get_by_role("link", name="Participation").click()
    expect(page.get_by_role("heading", name="Participation review")).to_be_visible()
    card = page.locator(".flag-card", has_text="Drifting Region")
    expect(card).to_contain_text("Missed forums")
    expect(card).to_contain_text("Missed 3 of the last 3 forums held while a member")
    expect(card).to_contain_text(f"Forum {today.year - 1}")
    expect(page.locator(".flag-card", has_text="Keen Region")).to_have_count(0)
    expect(page.locator(".legend")).to_contain_text("Registered, but nobody came")
    screenshot(page, "participation-review")

    card.get_by_role("link", name="Review Drifting Region and record a decision").click()
    expect(page.get_by_role("heading", name="Drifting Region")).to_be_visible()
    page.get_by_label("Decision", exact=True).select_option(label="Warning")
    page.get_by_label("Reason").fill("Missed the last three forums; please send a delegation.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".flash-success")).to_contain_text("Warning of Drifting Region recorded")
    expect(page.locator(".decisions")).to_contain_text("please send a delegation")
    screenshot(page, "participation-warning-recorded")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, live_server, coordinator)
    page.goto(live_server + f"/regions/{drifting.slug}")
    notice = page.locator(".engagement-notice")
    expect(notice).to_contain_text("Drifting Region is flagged by the network's engagement")
    expect(notice).to_contain_text("Missed forums")
    expect(notice).to_contain_text("please send a delegation")
    expect(page.locator(".timeline")).to_contain_text("Warned")
    screenshot(page, "participation-coordinator-notice")
    page.goto(live_server + "/participation/")
    expect(page.locator("h1")).to_contain_text("You cannot open this page")


def test_matrix_of_the_seeded_history_as_of_the_exclusions(
        seeded_participation, make_user, live_server, page):
    """The matrix with symbols and a legend, the two flagged regions, the chart rendered."""
    sign_in(page, live_server, make_user(Role.SECRETARIAT))
    page.goto(live_server + "/participation/")
    page.get_by_role("link", name="Before the 2012 exclusions (30 November 2012)").click()
    expect(page.get_by_role("heading", name="Flagged regions (2)")).to_be_visible()
    expect(page.locator(".flag-card")).to_have_count(2)
    qingdao = page.locator(".matrix tbody tr", has_text="Qingdao")
    expect(qingdao.locator(".cell-hosted")).to_contain_text("★")
    expect(qingdao.locator(".cell-missed").first).to_contain_text("✗ missed")
    chart = page.get_by_role("img", name="Bar chart of delegates")
    chart.scroll_into_view_if_needed()
    expect(chart).to_be_visible()
    assert chart.evaluate("img => img.naturalWidth") > 300  # the SVG loaded under the CSP
    screenshot(page, "participation-matrix-2012")


def test_review_fits_a_phone_screen(seeded_participation, make_user, live_server, browser):
    """On a phone the page does not scroll sideways: only the matrix box does."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in(page, live_server, make_user(Role.SECRETARIAT))
    page.goto(live_server + "/participation/?as_of=2012-11-30")
    expect(page.locator(".flag-card")).to_have_count(2)
    width = page.evaluate("document.documentElement.scrollWidth")
    screenshot(page, "participation-mobile")
    context.close()
    assert width <= 390
