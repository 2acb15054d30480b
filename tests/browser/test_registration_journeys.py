"""Journeys: a coordinator registers a delegation (with a CSV import holding one bad row), a
guest registers and cancels through the emailed link, the secretariat checks a delegate in."""

from __future__ import annotations

import email
from datetime import UTC, datetime, timedelta
from email import policy
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import current_app
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD
from webapp.extensions import db
from webapp.mail.delivery import deliver_due
from webapp.models import (
    EventCapacity,
    OutboxMessage,
    Registration,
    RegistrationStatus,
    Role,
    utcnow,
)
from webapp.registrations.quotas import get_or_create_delegation
from webapp.registrations.services import PersonData, register_person

CSV_WITH_ONE_BAD_ROW = (
    "\ufeffname;email;organisation;title;head\r\n"
    "Søren Kierkegaard;soren@example.dk;Aarhus Universitet;Professor;no\r\n"
    "Karen Blixen;;Rungstedlund;Author;no\r\n"
    "Niels Bohr;niels@example.dk;Niels Bohr Institute;Physicist;no\r\n"
).encode()


@pytest.fixture
def forum(make_event):
    """An open forum in 2030 with 50 international seats, 1 guest seat, quota 5."""
    event = make_event("Creativity World Forum 2030", starts_at=datetime(2030, 5, 7, 7, tzinfo=UTC),
                       hours=56, registration_opens_at=utcnow() - timedelta(days=1),
                       default_delegation_quota=5, venue="Musikhuset")
    event.capacities += [EventCapacity(audience="international", label="International participants",
                                       capacity=50),
                         EventCapacity(audience="guest", label="Guests", capacity=1)]
    db.session.commit()
    return event


def sign_in(page, live_server: str, user) -> None:
    """Sign in through the login form."""
    page.goto(live_server + "/login")
    page.get_by_label("Email", exact=True).fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".flash-success")).to_contain_text("Welcome")


def test_coordinator_registers_a_delegation(seeded, forum, make_user, live_server, page,
                                            tmp_path):
    """Add the head of delegation by hand, import a CSV with one bad row, confirm."""
    flanders_coordinator = make_user(Role.COORDINATOR, full_name="Marie Peeters",
                                     region=_region("flanders"))
    sign_in(page, live_server, flanders_coordinator)
    page.goto(f"{live_server}/events/{forum.id}")
    page.get_by_role("link", name="Delegation of Flanders").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delegation of Flanders")
    expect(page.locator("#quota-used")).to_have_text("0 / 5")

    page.get_by_label("Full name").fill("Jan Peeters")
    page.get_by_label("Email", exact=True).fill("jan@example.be")
    page.get_by_label("Organisation", exact=True).fill("Flanders DC")
    page.get_by_label("Head of delegation").check()
    page.get_by_role("button", name="Add delegate").click()
    expect(page.locator(".flash-success")).to_contain_text("Jan Peeters added (confirmed)")
    expect(page.locator("#quota-used")).to_have_text("1 / 5")

    page.get_by_role("link", name="Import from CSV").click()
    upload = tmp_path / "delegates.csv"
    upload.write_bytes(CSV_WITH_ONE_BAD_ROW)
    page.get_by_label("CSV file").set_input_files(str(upload))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Check the import")
    bad_row = page.locator("#preview tr.row-bad")
    expect(bad_row).to_have_count(1)
    expect(bad_row).to_contain_text("3")
    expect(bad_row).to_contain_text("missing email")
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 1  # nothing yet
    screenshot(page, "delegation-import-preview")
    page.get_by_role("button", name="Import 2 delegates").click()
    expect(page.locator(".flash-success")).to_contain_text("2 delegates imported")
    expect(page.locator("#quota-used")).to_have_text("3 / 5")
    expect(page.locator("table")).to_contain_text("Søren Kierkegaard")
    screenshot(page, "delegation-page")
    db.session.expire_all()
    emails = set(db.session.scalars(sa.select(Registration.person_id)))
    assert len(emails) == 3


def _region(slug: str):
    """A seeded region by slug."""
    from webapp.models import Region

    return db.session.scalars(sa.select(Region).filter_by(slug=slug)).one()


def test_guest_registers_and_cancels_through_the_emailed_link(forum, live_server, page):
    """Public form → confirmation email → its link → cancel → the waitlisted guest moves up."""
    page.goto(f"{live_server}/events/{forum.id}/register")
    expect(page.locator("main")).to_contain_text("Registration opened")  # yesterday
    # A name pasted with an invisible control character (a vertical tab: Word's line break).
    page.get_by_label("Full name").fill("Ada\x0bLovelace")
    page.get_by_label("Email", exact=True).fill("ada@example.org")
    page.get_by_label("I register as").select_option(label="Guest")
    page.get_by_role("button", name="Register").click()
    expect(page.locator(".field-error")).to_contain_text("invisible control character (U+000B)")
    expect(page.get_by_label("Email", exact=True)).to_have_value("ada@example.org")  # input kept

    page.get_by_label("Full name").fill("Ada Lovelace")
    page.get_by_label("Organisation", exact=True).fill("Analytical Engines")
    page.get_by_label("I register as").select_option(label="Guest")
    page.get_by_role("button", name="Register").click()
    expect(page.locator(".flash-success")).to_contain_text("Check your email")
    expect(page.locator(".flash-success")).to_contain_text("ada@example.org")
    first_answer = page.locator("main").inner_text()
    screenshot(page, "registered-check-your-email")

    # Her address again (as anyone could type it): the same answer, her link by email.
    page.get_by_role("link", name="Register someone else").click()
    page.get_by_label("Full name").fill("Ada Again")
    page.get_by_label("Email", exact=True).fill("ADA@example.org")
    page.get_by_label("I register as").select_option(label="Guest")
    page.get_by_role("button", name="Register").click()
    expect(page.locator(".flash-success")).to_contain_text("Check your email")
    assert page.locator("main").inner_text() == first_answer

    page.get_by_role("link", name="Register someone else").click()
    page.get_by_label("Full name").fill("Grace Hopper")
    page.get_by_label("Email", exact=True).fill("grace@example.org")
    page.get_by_label("I register as").select_option(label="Guest")
    page.get_by_role("button", name="Register").click()
    expect(page.locator(".flash-success")).to_contain_text("grace@example.org")

    # Read Ada's email as she does: delivered (written from the recipe), then opened.
    db.session.expire_all()
    assert deliver_due().sent == 3
    mails = {parsed["Subject"].split(":")[0]: parsed for parsed in (
        email.message_from_bytes(path.read_bytes(), policy=policy.default)
        for path in Path(current_app.config["MAIL_OUTBOX_DIR"]).glob("*.eml"))
        if parsed["To"].addresses[0].addr_spec == "ada@example.org"}
    assert sorted(mails) == ["Registration confirmed", "Your registration link"]
    mail = mails["Registration confirmed"]
    body = mail.get_body(("plain",)).get_content()
    link = next(line for line in body.splitlines() if "/registration/" in line).strip()
    page.goto(live_server + link[link.index("/registration/"):])
    expect(page.get_by_role("heading", level=1)).to_have_text("Your registration")
    expect(page.locator(".facts")).to_contain_text("Confirmed")
    screenshot(page, "guest-manage-link")
    page.get_by_role("link", name="Cancel my registration…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cancel your registration?")
    page.get_by_label("Reason (optional)").fill("Travel plans changed")
    screenshot(page, "guest-cancel-confirmation")
    page.get_by_role("button", name="Yes, cancel my registration").click()
    expect(page.locator(".flash-success")).to_contain_text("Your registration is cancelled")
    expect(page.locator(".facts")).to_contain_text("Travel plans changed")
    db.session.expire_all()
    grace = db.session.scalars(sa.select(Registration).join(Registration.person).where(
        Registration.event_id == forum.id, Registration.status != RegistrationStatus.CANCELLED
    )).one()
    assert grace.person.email == "grace@example.org"
    assert grace.status is RegistrationStatus.CONFIRMED
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)).where(
        OutboxMessage.to_address == "grace@example.org",
        OutboxMessage.subject.startswith("A seat is yours"))) == 1


def test_secretariat_checks_a_delegate_in(seeded, forum, make_user, live_server, page):
    """Search on a phone-sized screen, one tap to check in, counts update, undo."""
    scotland = _region("scotland")
    register_person(forum, PersonData("Ewan MacLeod", "ewan@example.scot", "Creative Scotland"),
                    "international", delegation=get_or_create_delegation(forum, scotland))
    db.session.commit()
    staff = make_user(Role.SECRETARIAT)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, staff)
    page.goto(f"{live_server}/events/{forum.id}/checkin")
    page.get_by_label("Name, email or organisation").fill("creative scot")
    page.get_by_role("button", name="Search").click()
    row = page.locator(".checkin-row", has_text="Ewan MacLeod")
    scotland_count = page.locator("#counts-regions tr", has_text="Scotland").locator("td").nth(1)
    expect(row).to_be_visible()
    expect(scotland_count).to_have_text("0 / 1")
    row.get_by_role("button", name="Check in").click()
    expect(row.locator(".present")).to_have_text("Present")
    expect(scotland_count).to_have_text("1 / 1")
    expect(page.locator("#counts-audiences")).to_contain_text("International participants")
    screenshot(page, "checkin-phone")
    db.session.expire_all()
    delegate = db.session.scalars(sa.select(Registration)).one()
    assert delegate.checked_in_at is not None
    row.get_by_role("button", name="Undo").click()
    expect(row.get_by_role("button", name="Check in")).to_be_visible()
    expect(scotland_count).to_have_text("0 / 1")
    db.session.expire_all()
    assert db.session.scalars(sa.select(Registration)).one().checked_in_at is None
