"""Journey: a guest opens their signed link, downloads their data, asks for erasure; the
secretariat confirms; the guest's link then says the data was erased."""

from __future__ import annotations

import json

from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.privacy.conftest import AFTER_EVERYTHING, NAME, build_rich_person
from webapp.extensions import db
from webapp.models import Role
from webapp.registrations.tokens import make_registration_token


def test_a_guest_downloads_asks_and_the_secretariat_erases(make_region, make_event, make_user,
                                                          app, live_server, page, clock):
    """Link → my data (JSON parses) → ask (confirmed) → the secretariat erases → link says so."""
    clock.move_to(AFTER_EVERYTHING)
    rich_person = build_rich_person(make_region, make_event, make_user)
    secretariat = make_user(Role.SECRETARIAT, full_name="Sekretariat Sofie")
    db.session.commit()
    with app.test_request_context():
        link = f"{live_server}/registration/{make_registration_token(rich_person.public)}"

    page.goto(link)
    page.get_by_role("link", name="See everything we hold about you").click()
    expect(page.get_by_role("heading", name="Everything we hold about you")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Mission to Aarhus")
    screenshot(page, "privacy-my-data")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download as JSON").click()
    exported = json.loads(download_info.value.path().read_text(encoding="utf-8"))
    assert exported["sections"]["person"]["data"]["name"] == NAME
    page.get_by_role("link", name="Ask us to erase your personal data…").click()
    expect(page.get_by_role("heading", name="Erase your personal data?")).to_be_visible()
    screenshot(page, "privacy-erase-question")
    page.get_by_role("button", name="Yes, ask to erase my data").click()
    expect(page.locator(".flash-success")).to_contain_text("Your request is recorded")

    page.goto(live_server + "/login")
    page.get_by_label("Email", exact=True).fill(secretariat.email)
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="1 erasure request waiting").click()
    page.get_by_role("link", name="Answer…").click()
    expect(page.locator("main")).to_contain_text(NAME)
    screenshot(page, "privacy-request")
    page.get_by_role("button", name="Erase this person's data").click()
    expect(page.locator(".flash-success")).to_contain_text("is erased")
    screenshot(page, "privacy-requests-answered")
    page.get_by_role("button", name="Sign out").click()

    page.goto(link)
    expect(page.locator(".flash-error")).to_contain_text("was erased")
    screenshot(page, "privacy-link-erased")
