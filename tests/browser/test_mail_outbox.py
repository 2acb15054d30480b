"""Journey: the secretariat finds a failed message in the outbox and sends it again."""

from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD
from webapp.extensions import db
from webapp.mail import Attachment, queue_email
from webapp.models import OutboxStatus, Role


def sign_in_as_secretariat(page, live_server: str, make_user) -> None:
    """Sign in through the login form as the network secretariat."""
    admin = make_user(Role.SECRETARIAT)
    page.goto(live_server + "/login")
    page.get_by_label("Email", exact=True).fill(admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


INVITE = b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"


def test_failed_message_is_retried_from_the_outbox(app, smtp_server, live_server, page,
                                                   make_user):
    """List → failed filter → message → Retry now (real CSRF token) → 'Sent' and delivered."""
    app.config["WTF_CSRF_ENABLED"] = True
    queue_email("conny@example.dk", "Your registration for CWF 2017", "test_message",
                {"name": "Conny Jensen"}, to_name="Conny Jensen")
    failed = queue_email("ulla@example.dk", "Invitation: CWF 2017, Aarhus", "test_message",
                         {"name": "Ulla Diderichsen"}, to_name="Ulla Diderichsen",
                         attachments=[Attachment("invite.ics", "text/calendar; method=REQUEST",
                                                 INVITE, inline=True)])
    failed.status, failed.attempts = OutboxStatus.FAILED, 5
    failed.last_error = "SMTPDataError: (451, b'4.3.0 Mailbox busy, try later')"
    db.session.commit()

    sign_in_as_secretariat(page, live_server, make_user)
    page.goto(live_server + "/admin/mail/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mail outbox")
    expect(page.locator(".mail-table")).to_contain_text("Mailbox busy")
    screenshot(page, "mail-outbox")
    page.get_by_role("link", name="Failed 1").click()
    expect(page.locator(".mail-row")).to_have_count(1)
    page.get_by_role("link", name="Invitation: CWF 2017, Aarhus").click()
    expect(page.locator(".facts")).to_contain_text("5 of 5")
    expect(page.get_by_role("link", name="invite.ics")).to_be_visible()
    expect(page.frame_locator("iframe.mail-html").locator("body")).to_contain_text(
        "Hello Ulla Diderichsen")
    screenshot(page, "mail-message")
    page.get_by_role("button", name=f"Retry message {failed.id} now").click()

    expect(page.locator(".flash-success")).to_have_text(
        f"Sent message {failed.id} to ulla@example.dk.")
    expect(page.locator(".meta .badge")).to_have_text("Sent")
    assert [m.rcpt_tos for m in smtp_server.messages] == [["ulla@example.dk"]]


def test_outbox_fits_a_phone_screen(app, live_server, browser, make_user):
    """On a phone the outbox list stacks into cards without sideways scrolling."""
    queue_email("delegate@example.org", "A rather long subject line about the reverse mission "
                "agenda for May 2012 in Region Midtjylland", "test_message", {"name": "D"})
    db.session.commit()
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in_as_secretariat(page, live_server, make_user)
    page.goto(live_server + "/admin/mail/")
    width = page.evaluate("document.documentElement.scrollWidth")
    screenshot(page, "mail-outbox-mobile")
    context.close()
    assert width <= 390
