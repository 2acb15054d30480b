"""Registration pages on a phone (390×844): stacked tables name each value's column, and the
check-in search box takes the next name right after each tap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD
from webapp.extensions import db
from webapp.models import EventCapacity, Role, utcnow
from webapp.registrations.quotas import get_or_create_delegation
from webapp.registrations.services import PersonData, cancel_registration, register_person

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def forum(make_event, make_region):
    """An open forum with Scotland's delegation: a head, a withdrawn delegate, a guest."""
    event = make_event("Creativity World Forum 2030", starts_at=datetime(2030, 5, 7, 7, tzinfo=UTC),
                       hours=56, registration_opens_at=utcnow() - timedelta(days=1),
                       default_delegation_quota=5)
    event.capacities += [EventCapacity(audience="international",
                                       label="International participants", capacity=50),
                         EventCapacity(audience="guest", label="Guests", capacity=10)]
    scotland = make_region("Scotland", slug="scotland")
    delegation = get_or_create_delegation(event, scotland)
    register_person(event, PersonData("Ewan MacLeod", "ewan@example.scot", "Creative Scotland"),
                    "international", delegation=delegation, is_head_of_delegation=True)
    gone = register_person(event, PersonData("Isla Gone", "isla@example.scot"), "international",
                           delegation=delegation)
    register_person(event, PersonData("Ewan Guest", "ewan.guest@example.org"), "guest")
    register_person(event, PersonData("Ewa", "ewa@example.org"), "guest")
    cancel_registration(gone, None, "Flight cancelled")
    db.session.commit()
    return event


def sign_in(page, live_server: str, user) -> None:
    """Sign in through the login form."""
    page.goto(live_server + "/login")
    page.get_by_label("Email", exact=True).fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".flash-success")).to_contain_text("Welcome")


def label_shown(cell) -> str:
    """The text the stacked layout puts before a cell (its column's name)."""
    return cell.evaluate("td => getComputedStyle(td, '::before').content")


def test_stacked_tables_show_each_values_column(forum, make_user, live_server, page):
    """Attendees and the delegation on a phone: the header row is hidden and every cell says
    which column it is (before: a bare list of values)."""
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, make_user(Role.SECRETARIAT))
    page.goto(f"{live_server}/events/{forum.id}/attendees")
    expect(page.locator("#attendees thead")).to_be_hidden()
    isla = page.locator("#attendees tr", has_text="Isla Gone")
    assert label_shown(isla.locator("td").nth(0)) == '"Name"'
    assert label_shown(isla.locator("td").nth(3)) == '"Audience"'
    status = isla.locator("td").nth(4)
    assert label_shown(status) == '"Status"'
    expect(status).to_contain_text("Withdrawn")
    expect(status).to_contain_text("Flight cancelled")
    box = status.bounding_box()
    assert box["x"] + box["width"] <= PHONE["width"]  # no sideways scrolling
    screenshot(page, "attendees-phone")
    page.goto(f"{live_server}/events/{forum.id}/delegations/scotland")
    ewan = page.locator("table tr", has_text="Ewan MacLeod")
    assert label_shown(ewan.locator("td").nth(1)) == '"Email"'
    assert label_shown(ewan.locator("td").nth(3)) == '"Status"'
    screenshot(page, "delegation-phone")


def test_check_in_returns_to_the_search_box_after_each_tap(forum, make_user, live_server,
                                                           page):
    """Search 'ewa': Ewa first (the very name); tap Check in → the box has the focus and its
    text selected, so the next name is typed straight away; the same after Undo."""
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, make_user(Role.SECRETARIAT))
    page.goto(f"{live_server}/events/{forum.id}/checkin")
    search = page.get_by_label("Name, email or organisation")
    search.fill("ewa")
    page.get_by_role("button", name="Search").click()
    rows = page.locator(".checkin-row strong")
    expect(rows.first).to_have_text("Ewa")
    ewa = page.locator(".checkin-row").first
    ewa.get_by_role("button", name="Check in").click()
    expect(ewa.locator(".present")).to_have_text("Present")
    expect(search).to_be_focused()
    assert search.evaluate("input => input.value.slice(input.selectionStart, "
                           "input.selectionEnd)") == "ewa"
    screenshot(page, "checkin-focus-phone")
    ewa.get_by_role("button", name="Undo").click()
    expect(ewa.get_by_role("button", name="Check in")).to_be_visible()
    expect(search).to_be_focused()
    page.keyboard.type("ewan mac")
    expect(search).to_have_value("ewan mac")  # typing replaced the selected text
