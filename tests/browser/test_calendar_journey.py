"""Calendar journeys in Chromium: add an event to a calendar, reset a personal feed, give
CWF 2017 its exact days and confirm it."""

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_registration_journeys import sign_in
from tests.ical_check import parse_calendar
from tests.mail_check import written
from webapp.extensions import db
from webapp.models import Event, OutboxMessage, Registration, Role
from webapp.registrations.services import PersonData, register_person


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


def test_secretariat_gives_cwf_2017_its_exact_dates(seeded, make_user, live_server, page):
    """CWF 2017 is known only to the year: the set-up shows empty dates with a hint; given
    4–6 Oct 2017 it is in calendars (its .ics exists) and the registrant's outbox holds a
    METHOD:REQUEST; then the secretariat confirms it, asked first."""
    event = db.session.scalars(sa.select(Event).filter_by(slug="cwf-2017")).one()
    register_person(event, PersonData("Conny Jensen", "conny@example.org"), "international")
    staff = make_user(Role.SECRETARIAT)
    db.session.commit()
    assert page.request.get(f"{live_server}/events/{event.id}.ics").status == 404
    sign_in(page, live_server, staff)
    page.goto(f"{live_server}/events/{event.id}")
    page.get_by_role("link", name="Set up").click()
    expect(page.get_by_label("Starts (local time)")).to_have_value("")
    expect(page.locator("#dates-hint")).to_contain_text("The exact days are not recorded yet")
    screenshot(page, "forum-setup-approximate-dates")
    page.get_by_label("Starts (local time)").fill("2017-10-04T09:00")
    page.get_by_label("Ends (local time)").fill("2017-10-06T18:00")
    page.get_by_role("button", name="Save forum").click()
    expect(page.locator(".flash-info")).to_contain_text(
        "now in calendars: invitations queued for 1 registered people")
    expect(page.locator(".facts")).not_to_contain_text("≈")
    feed = page.request.get(f"{live_server}/events/{event.id}.ics")
    assert feed.status == 200
    vevent = parse_calendar(feed.body()).events[f"event-{event.id}@localhost"]
    assert vevent["DTSTART"].dt == date(2017, 10, 4) and str(vevent["STATUS"]) == "TENTATIVE"
    db.session.expire_all()
    [invitation] = written(OutboxMessage.to_address == "conny@example.org",
                           OutboxMessage.subject.startswith("Invitation: "))
    db.session.commit()
    invite = parse_calendar(invitation.attachments[0].data)
    assert str(invite.calendar["METHOD"]) == "REQUEST"
    assert str(invite.events[f"event-{event.id}@localhost"]["ATTENDEE"]) == (
        "mailto:conny@example.org")

    page.get_by_role("link", name="Confirm or cancel").click()
    screenshot(page, "event-status-controls")
    page.get_by_label("Note for the audit log (optional)").fill("Musikhuset booked")
    page.get_by_role("button", name="Confirm the event…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Confirm Creativity World Forum 2017?")
    page.get_by_role("button", name="Yes, confirm the event").click()
    expect(page.locator(".flash-success")).to_contain_text("is confirmed")
    screenshot(page, "event-confirmed")
    vevent = parse_calendar(page.request.get(f"{live_server}/events/{event.id}.ics").body())
    assert str(vevent.events[f"event-{event.id}@localhost"]["STATUS"]) == "CONFIRMED"
