"""Journeys in other languages, with the shipped catalogs: a Danish guest registers, reads
the Danish mail (.eml), switches to German on their registration page and gets the next mail
(a freed seat) in German; a French guest sees French dates.

Fields are found by name, not label: the labels are in the page's language. Expected
texts come from the catalogs themselves (force_locale), so the test holds whatever wording
the translators chose, but fails if a text was left in English."""

from __future__ import annotations

import email
from datetime import UTC, datetime, timedelta
from email import policy
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, gettext
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from webapp.extensions import db
from webapp.i18n.catalogs import TRANSLATIONS_DIR, catalog_sources
from webapp.mail.delivery import deliver_due
from webapp.models import EventCapacity, Registration, RegistrationStatus, utcnow
from webapp.registrations.services import PersonData, cancel_registration, register_person

pytestmark = pytest.mark.skipif(
    not {"da", "de", "fr"} <= set(catalog_sources(TRANSLATIONS_DIR)),
    reason="needs the shipped Danish, German and French catalogs (webapp/translations)")


@pytest.fixture
def forum(make_event):
    """An open forum on 7–9 May 2030 with one guest seat, taken already."""
    event = make_event("Creativity World Forum 2030", starts_at=datetime(2030, 5, 7, 7, tzinfo=UTC),
                       hours=56, registration_opens_at=utcnow() - timedelta(days=1))
    event.capacities.append(EventCapacity(audience="guest", label="Guests", capacity=1))
    db.session.commit()
    register_person(event, PersonData("First Comer", "first@example.org"), "guest")
    db.session.commit()
    return event


def in_language(code: str, text: str) -> str:
    """`text` as the shipped catalog of `code` has it (checked to be translated)."""
    with force_locale(code):
        translated = gettext(text)
    assert translated != text, f"{text!r} is not translated in {code}"
    return translated


def mails_to(address: str) -> list[email.message.EmailMessage]:
    """The .eml files delivered to `address`, oldest first."""
    found = []
    for path in sorted(Path(current_app.config["MAIL_OUTBOX_DIR"]).glob("*.eml"),
                       key=lambda p: p.stat().st_mtime_ns):
        parsed = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if parsed["To"].addresses[0].addr_spec == address:
            found.append(parsed)
    return found


def register(page, url: str, name: str, address: str) -> None:
    """Fill the public form, whatever its language."""
    page.goto(url)
    page.locator("input[name=full_name]").fill(name)
    page.locator("input[name=email]").fill(address)
    page.locator("select[name=audience]").select_option("guest")
    page.locator("main form button[type=submit]").first.click()


def test_a_danish_guest_then_in_german(forum, live_server, browser):
    """Danish form and mails; German chosen on the registration page; the next mail German."""
    context = browser.new_context(locale="da-DK")
    page = context.new_page()
    register(page, f"{live_server}/events/{forum.id}/register", "Karen Blixen", "karen@example.dk")
    expect(page.locator("html")).to_have_attribute("lang", "da")
    screenshot(page, "language-danish-registered")
    db.session.expire_all()
    karen = db.session.scalars(sa.select(Registration).where(
        Registration.status == RegistrationStatus.WAITLISTED)).one()
    assert karen.language == "da"

    assert deliver_due().sent >= 1
    [waitlisted] = mails_to("karen@example.dk")
    assert waitlisted["Content-Language"] == "da"
    assert waitlisted["Subject"] == in_language("da", "On the waitlist: %(title)s") % {
        "title": forum.title}
    body = waitlisted.get_body(("plain",)).get_content()
    assert "7.–9. maj 2030" in body
    link = next(line for line in body.splitlines() if "/registration/" in line).strip()

    page.goto(live_server + link[link.index("/registration/"):])
    expect(page.locator("html")).to_have_attribute("lang", "da")
    page.locator("form.language-form select[name=language]").select_option("de")
    page.locator("form.language-form button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.locator(".flash-success")).to_contain_text("Deutsch")
    screenshot(page, "language-german-registration-page")
    context.close()

    db.session.expire_all()
    first = db.session.scalars(sa.select(Registration).where(
        Registration.status == RegistrationStatus.CONFIRMED)).one()
    cancel_registration(first, None, "Cannot come")
    db.session.commit()
    deliver_due()
    promoted = mails_to("karen@example.dk")[-1]
    assert promoted["Content-Language"] == "de"
    assert promoted["Subject"] == in_language("de", "A seat is yours: %(title)s") % {
        "title": forum.title}
    assert "7.–9. Mai 2030" in promoted.get_body(("plain",)).get_content()


def test_a_french_guest_sees_french_dates(forum, live_server, browser):
    """The public form and the registration page write the forum's dates in French."""
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    page.goto(f"{live_server}/events/{forum.id}/register")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("main")).to_contain_text("7–9 mai 2030")
    screenshot(page, "language-french-form")
    register(page, f"{live_server}/events/{forum.id}/register", "Marie Curie", "marie@example.fr")
    deliver_due()
    [mail] = mails_to("marie@example.fr")
    assert mail["Content-Language"] == "fr"
    body = mail.get_body(("plain",)).get_content()
    link = next(line for line in body.splitlines() if "/registration/" in line).strip()
    page.goto(live_server + link[link.index("/registration/"):])
    expect(page.locator("main")).to_contain_text("7–9 mai 2030")
    context.close()
