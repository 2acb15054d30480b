"""Smoke journey: a newcomer opens the home page and follows a link to a region."""

from playwright.sync_api import expect

from tests.browser.conftest import screenshot


def test_home_to_region(seeded, live_server, page):
    """Home shows the network; a click leads to Region Midtjylland's timeline."""
    page.goto(live_server + "/")
    expect(page.locator(".stat").first).to_contain_text("12")
    path = screenshot(page, "home")
    page.get_by_role("link", name="Region Midtjylland", exact=True).click()
    expect(page).to_have_url(live_server + "/regions/region-midtjylland")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Region Midtjylland")
    expect(page.locator(".timeline")).to_contain_text("15 November 2010")
    region_shot = screenshot(page, "region-midtjylland")
    assert path.stat().st_size > 10_000 and region_shot.stat().st_size > 10_000


def test_mobile_layout_has_no_horizontal_scroll(seeded, live_server, browser):
    """On a phone-sized screen the events list fits the width."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(live_server + "/events/")
    width = page.evaluate("document.documentElement.scrollWidth")
    screenshot(page, "events-mobile")
    context.close()
    assert width <= 390
