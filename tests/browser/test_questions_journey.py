"""Journey: the secretariat adds a dietary and a visa-letter question, a guest answers them
on the public form, the answers show on the attendee list and in the summary."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_registration_journeys import forum, sign_in  # noqa: F401 - fixture
from webapp.models import Role


def test_secretariat_asks_a_guest_answers_the_list_shows_it(forum, make_user,  # noqa: F811
                                                           live_server, page):
    """Two questions set up through the pages, answered through the public form."""
    sign_in(page, live_server, make_user(Role.SECRETARIAT))
    page.goto(f"{live_server}/events/{forum.id}")
    page.get_by_role("link", name="Registration questions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Registration questions")
    page.get_by_role("link", name="Add a question").click()
    page.get_by_label("Question", exact=True).fill("Dietary needs")
    page.get_by_label("Kind of answer").select_option("one_choice")
    page.get_by_label("Choices (one per line)").fill("Vegetarian\nGluten-free\nNone")
    page.get_by_label("An answer is required").check()
    page.get_by_role("button", name="Add question").click()
    expect(page.locator(".flash-success")).to_contain_text("Question added: Dietary needs")
    page.get_by_role("link", name="Add a question").click()
    page.get_by_label("Question", exact=True).fill("I need a visa invitation letter")
    page.get_by_label("Kind of answer").select_option("yes_no")
    page.get_by_label("Help text").fill("We send it by email within a week.")
    page.get_by_role("button", name="Add question").click()
    expect(page.locator("#questions tbody tr")).to_have_count(2)
    screenshot(page, "questions-page")

    guest = page.context.browser.new_context().new_page()
    guest.goto(f"{live_server}/events/{forum.id}/register")
    guest.get_by_label("Full name").fill("Grace Guest")
    guest.get_by_label("Email", exact=True).fill("grace@example.org")
    guest.get_by_label("I register as").select_option("guest")
    guest.get_by_role("button", name="Register").click()
    expect(guest.locator(".field-error")).to_contain_text("This question needs an answer.")
    expect(guest.get_by_label("Full name")).to_have_value("Grace Guest")
    guest.get_by_label("Vegetarian").check()
    guest.locator("fieldset", has_text="visa invitation letter").get_by_label("Yes").check()
    guest.get_by_role("button", name="Register").click()
    expect(guest.locator(".flash-success")).to_contain_text("Check your email")
    guest.context.close()

    page.goto(f"{live_server}/events/{forum.id}/attendees")
    row = page.locator("#attendees tbody tr", has_text="Grace Guest")
    expect(row).to_contain_text("Dietary needs: Vegetarian")
    expect(row).to_contain_text("I need a visa invitation letter: Yes")
    page.get_by_label("Answer").select_option(label="Gluten-free")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("Nobody matches these filters.")).to_be_visible()
    page.get_by_role("link", name="Summary of the answers").click()
    diet = page.locator("section.summary", has_text="Dietary needs")
    expect(diet).to_contain_text("1 Vegetarian")
    expect(diet).to_contain_text("0 Gluten-free")
    expect(page.locator("section.summary", has_text="visa")).to_contain_text("1 Yes")
    screenshot(page, "questions-summary")
