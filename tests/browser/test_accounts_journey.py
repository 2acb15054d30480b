"""Journey: the secretariat signs in, invites a coordinator, who sets a password and signs in."""

import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD
from webapp.extensions import db
from webapp.models import OutboxMessage, Role, User


def test_invite_coordinator_journey(seeded, make_user, live_server, page):
    """Sign in → invite → the emailed link → password → signed in as Flanders' coordinator."""
    admin = make_user(Role.SECRETARIAT, full_name="Secretariat Sam")
    page.goto(live_server + "/admin/users")
    expect(page).to_have_url(live_server + "/login?next=%2Fadmin%2Fusers")
    page.get_by_label("Email", exact=True).fill(admin.email)
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("do not match an active account")
    expect(page.get_by_label("Email", exact=True)).to_have_value(admin.email)  # input kept
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Users")).to_be_visible()

    page.get_by_role("link", name="Invite someone").click()
    page.get_by_label("Full name").fill("Marie Peeters")
    page.get_by_label("Email", exact=True).fill("marie@example.be")
    page.get_by_label("Role").select_option("coordinator")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".field-error")).to_contain_text("Choose the region")
    page.get_by_label("Region (coordinators)").select_option(label="Flanders")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".flash-success")).to_contain_text("Invitation sent to marie@example.be")
    expect(page.locator("table")).to_contain_text("Invited")
    screenshot(page, "users-after-invite")
    page.get_by_role("button", name="Sign out").click()

    body = db.session.scalars(sa.select(OutboxMessage.body_text)).one()
    link = next(line for line in body.splitlines() if "/invitation/" in line).strip()
    page.goto(live_server + link[link.index("/invitation/"):])
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome, Marie Peeters")
    page.get_by_label("New password", exact=True).fill("flanders creative 2024")
    page.get_by_label("Repeat the new password").fill("flanders creative 2024")
    page.get_by_role("button", name="Create my account").click()
    expect(page.locator(".flash-success")).to_contain_text("Your account is ready")
    page.get_by_role("link", name="Marie Peeters").click()
    expect(page.locator(".facts")).to_contain_text("Coordinator of Flanders")
    screenshot(page, "coordinator-account")
    db.session.expire_all()
    marie = db.session.scalars(sa.select(User).filter_by(email="marie@example.be")).one()
    assert marie.role is Role.COORDINATOR and marie.region.slug == "flanders"
