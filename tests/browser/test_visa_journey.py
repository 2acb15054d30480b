"""Journey: a registrant gives their passport details on their registration page, the
secretariat issues the invitation letter, and the listed letter downloads with the right
text."""

from __future__ import annotations

from datetime import UTC, datetime

from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_registration_journeys import sign_in
from tests.pdf_check import pdf_texts, shows
from webapp.extensions import db
from webapp.models import EventCapacity, Registration, Role
from webapp.registrations.tokens import make_registration_token


def test_registrant_asks_and_secretariat_issues_the_letter(app, make_event, make_region,
                                                           make_person, make_user,
                                                           live_server, page):
    """Passport details (one mistake first, the input kept), then the letter issued and
    downloaded from the forum's list."""
    host = make_region("Midtjylland")
    forum = make_event("Creativity World Forum 2032", starts_at=datetime(2032, 5, 7, 7, tzinfo=UTC),
                       hours=56, host_region_id=host.id,
                       letterhead_text="Region Midtjylland\nSkottenborg 26, Viborg\n\n"
                                       "Anders Kühnau\nChair")
    forum.capacities.append(EventCapacity(audience="international",
                                          label="International participants", capacity=10))
    registration = Registration(event=forum, audience="international",
                                person=make_person("Wang Xiaoming", organisation="Qingdao DC"))
    db.session.add(registration)
    db.session.commit()
    with app.test_request_context():
        token = make_registration_token(registration)

    page.goto(f"{live_server}/registration/{token}")
    page.get_by_label("Full name as in the passport").fill("王小明 WANG XIAOMING")
    page.get_by_label("Nationality").fill("Chinese")
    page.get_by_label("Passport number").fill("E 1234 5678")
    page.get_by_label("Date of birth").fill("1990-03-04")
    page.get_by_label("Passport expiry date").fill("2032-05-08")  # before the forum ends
    page.get_by_role("button", name="Ask for an invitation letter").click()
    expect(page.locator("#passport-form .field-error")).to_contain_text("before the forum ends")
    expect(page.get_by_label("Nationality")).to_have_value("Chinese")
    page.get_by_label("Passport expiry date").fill("2035-05-08")
    page.get_by_role("button", name="Ask for an invitation letter").click()
    expect(page.locator(".flash-success")).to_contain_text("Passport details saved")
    screenshot(page, "visa-passport-details")

    page.context.clear_cookies()
    sign_in(page, live_server, make_user(Role.SECRETARIAT))
    page.goto(f"{live_server}/events/{forum.id}")
    page.get_by_role("link", name="Visa letters").click()
    expect(page.locator("#visa-requests")).to_contain_text("王小明 WANG XIAOMING")
    page.get_by_role("button", name="Issue letter").click()
    expect(page.locator(".flash-success")).to_contain_text("issued to Wang Xiaoming")
    screenshot(page, "visa-letters")
    link = page.locator("#visa-requests .visa-letter a")
    reference = link.inner_text()
    # Downloaded with the browser's own session, as the link would (headless Chromium has
    # no PDF viewer to open it in).
    response = page.request.get(live_server + link.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    body = response.body()
    text = " ".join(pdf_texts(body))
    assert shows(text, "王小明 WANG XIAOMING") and "E12345678" in text
    assert reference in text and "Region Midtjylland" in text
