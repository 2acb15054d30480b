"""Calendar journeys in Chromium: add an event to a calendar, reset a personal feed."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.ical_check import parse_calendar
from webapp.extensions import db
from webapp.models import Registration


def test_add_to_calendar_downloads_a_valid_calendar(app, live_server, page, make_event):
    """The event page's "Add to calendar" downloads the event, readable by both parsers,
    with 09:00 in Bengaluru at 03:30 UTC."""
    event = make_event("Creativity World Forum, Karnataka; 2030", place="Bengaluru",
                       timezone="Asia/Kolkata",
                       starts_at=datetime(2030, 11, 15, 9, tzinfo=ZoneInfo("Asia/Kolkata")))
    db.session.commit()
    page.goto(f"{live_server}/events/{event.id}")
    expect(page.get_by_role("link", name="Subscribe (webcal://)")).to_have_attribute(
        "href", f"webcal://localhost/events/{event.id}.ics")
    screenshot(page, "event-calendar-links")
    with page.expect_download() as download:
        page.get_by_role("link", name="Add to calendar").click()
    parsed = parse_calendar(Path(download.value.path()).read_bytes())
    uid = f"event-{event.id}@localhost"
    assert parsed.text(uid, "SUMMARY") == "Creativity World Forum, Karnataka; 2030"
    assert parsed.events[uid]["DTSTART"].dt.astimezone(ZoneInfo("UTC")).strftime("%H:%M") == (
        "03:30")


def test_reset_personal_feed(app, live_server, page, make_event, make_person):
    """The holder of a personal feed gives it a new address, once asked; the old one stops
    working."""
    person = make_person("Conny Jensen")
    db.session.add(Registration(person=person, event=make_event("Reverse mission"),
                                audience="guest"))
    db.session.commit()
    old = person.calendar_token
    page.goto(f"{live_server}/calendar/p/{old}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Conny Jensen")
    expect(page.locator(".event-list")).to_contain_text("Reverse mission")
    page.get_by_role("button", name="Give my calendar a new address").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Give your calendar a new address?")
    assert page.request.get(f"{live_server}/calendar/p/{old}.ics").status == 200  # asked only
    page.get_by_role("button", name="Yes, give it a new address").click()
    expect(page.locator(".flash")).to_contain_text("The old one no longer works")
    screenshot(page, "personal-calendar-reset")
    new = page.url.rsplit("/", 1)[-1]
    assert new != old
    assert page.request.get(f"{live_server}/calendar/p/{old}.ics").status == 404
    feed = page.request.get(f"{live_server}/calendar/p/{new}.ics")
    assert feed.status == 200 and len(parse_calendar(feed.body()).events) == 1
