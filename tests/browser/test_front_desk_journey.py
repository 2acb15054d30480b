"""The front desk end to end in Chromium: the secretariat asks two questions (one shown at
the door), a guest answers them on the public form and gets a ticket email whose QR decodes
to a code the check-in page admits once, with the answer for the door; a cancelled
registration's code is refused."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_checkin_scan_journey import qr_from_email, type_code
from tests.browser.test_registration_journeys import forum, sign_in  # noqa: F401 - fixture
from webapp.extensions import db
from webapp.mail.delivery import deliver_due
from webapp.models import Registration, Role
from webapp.registrations.services import PersonData, cancel_registration, register_person


def add_question(page, label: str, kind: str, *, choices: str = "", at_door: bool = False):
    """Add a question through its form."""
    page.get_by_role("link", name="Add a question").click()
    page.get_by_label("Question", exact=True).fill(label)
    page.get_by_label("Kind of answer").select_option(kind)
    if choices:
        page.get_by_label("Choices (one per line)").fill(choices)
    if at_door:
        page.get_by_label("Show the answer to the door staff at check-in").check()
    page.get_by_role("button", name="Add question").click()
    expect(page.locator(".flash-success")).to_contain_text(f"Question added: {label}")


def test_questions_answered_ticket_mailed_scanned_once(forum, make_user,  # noqa: F811
                                                       live_server, page, smtp_server):
    """Questions → public form answers → ticket email → QR decoded → admitted once."""
    secretariat = make_user(Role.SECRETARIAT)
    sign_in(page, live_server, secretariat)
    page.goto(f"{live_server}/events/{forum.id}/questions")
    add_question(page, "Accessibility needs", "short_text", at_door=True)
    add_question(page, "Workshops", "several_choices", choices="Design\nGames\nFood")

    guest = page.context.browser.new_context().new_page()
    guest.goto(f"{live_server}/events/{forum.id}/register")
    guest.get_by_label("Full name").fill("Grace <b>Guest</b>")
    guest.get_by_label("Email", exact=True).fill("grace@example.org")
    guest.get_by_label("I register as").select_option("guest")
    guest.get_by_label("Accessibility needs").fill("Step-free access =1+1")
    guest.get_by_label("Games").check()
    guest.get_by_role("button", name="Register").click()
    expect(guest.locator(".flash-success")).to_contain_text("Check your email")
    guest.context.close()
    gone = register_person(forum, PersonData("Bo Gone", "bo@example.org"), "international")
    db.session.commit()
    deliver_due()
    code, gone_code = (qr_from_email(smtp_server, address)
                       for address in ("grace@example.org", "bo@example.org"))
    cancel_registration(db.session.get(Registration, gone.id), None, "Cannot come")
    db.session.commit()

    page.goto(f"{live_server}/events/{forum.id}/checkin")
    result = page.locator(".scan-result")
    type_code(page, code)
    expect(result).to_contain_text("Grace <b>Guest</b> is checked in.")
    expect(result).to_contain_text("Accessibility needs: Step-free access =1+1")
    expect(result).not_to_contain_text("Workshops")
    screenshot(page, "front-desk-checked-in")
    type_code(page, code)
    expect(result).to_contain_text("Grace <b>Guest</b> is already checked in at ")
    expect(result).to_contain_text(f"by {secretariat.full_name}.")
    type_code(page, gone_code)
    expect(result).to_contain_text("Refused: Bo Gone's registration is cancelled")
