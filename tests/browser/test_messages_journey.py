"""Journey: the secretariat writes to a forum's guests from the attendee list, previews,
sends (asked with the count), the mail worker delivers, and the list says 'sent 2'."""

from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_mail_outbox import sign_in_as_secretariat
from webapp.extensions import db
from webapp.mail.delivery import deliver_due
from webapp.models import EventCapacity, Registration


def test_secretariat_writes_to_an_audience(app, smtp_server, live_server, page, make_user,
                                           make_event, make_person):
    """Attendees → Messages → New message → Preview → Send… → Yes → worker → sent 2."""
    forum = make_event("CWF 2030")
    forum.capacities.extend([EventCapacity(audience="guest", label="Guests", capacity=10),
                             EventCapacity(audience="international",
                                           label="International participants", capacity=10)])
    for name, audience in [("Ann Guest", "guest"), ("Bo <b>Guest</b>", "guest"),
                           ("Cy Delegate", "international")]:
        db.session.add(Registration(event_id=forum.id, person=make_person(name),
                                    audience=audience))
    db.session.commit()

    sign_in_as_secretariat(page, live_server, make_user)
    page.goto(f"{live_server}/events/{forum.id}/attendees")
    page.get_by_role("link", name="Messages").click()
    expect(page.locator(".empty")).to_contain_text("No message sent yet")
    page.get_by_role("link", name="New message").click()
    page.get_by_label("To").select_option(label="Confirmed in the audience: Guests")
    page.get_by_label("Subject").fill("Your programme for {forum}")
    page.get_by_label("Message").fill("Dear {name},\nthe programme is out.\n{registration_link}")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#recipient-count")).to_contain_text("2 people will get this message")
    expect(page.locator("#preview-subject")).to_have_text("Your programme for CWF 2030")
    expect(page.locator("#preview-body")).to_contain_text("Dear Ann Guest,")
    screenshot(page, "messages-preview")
    page.get_by_role("button", name="Send…").click()
    expect(page.get_by_role("heading", name="Send this message to 2 people?")).to_be_visible()
    screenshot(page, "messages-confirm")
    page.get_by_role("button", name="Yes, send to 2 people").click()
    expect(page.locator(".flash-success")).to_contain_text("Message queued for 2 people.")

    assert deliver_due().sent == 2
    assert sorted(m.rcpt_tos[0] for m in smtp_server.messages) == sorted(
        r.person.email for r in forum_registrations(forum.id) if r.audience == "guest")
    page.get_by_role("link", name="Messages").click()
    expect(page.locator("#messages")).to_contain_text("sent 2")
    expect(page.locator("#messages")).to_contain_text("Confirmed in the audience: Guests")
    screenshot(page, "messages-list")
    page.get_by_role("link", name="Your programme for {forum}").click()
    expect(page.locator("#recipients")).to_contain_text("Bo <b>Guest</b>")
    screenshot(page, "messages-detail")


def forum_registrations(event_id: int) -> list[Registration]:
    """The forum's registrations, read afresh."""
    db.session.expire_all()
    return db.session.query(Registration).filter_by(event_id=event_id).all()
