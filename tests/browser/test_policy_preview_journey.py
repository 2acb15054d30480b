"""Journey: the secretariat edits the engagement policy, previews which regions it would flag
or clear, saves it; reads the fees statement; downloads the participation chart."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_participation_journey import sign_in
from webapp.extensions import db
from webapp.models import Delegation, EventKind, Role


def test_policy_preview_then_save(app, clock, make_region, make_event, make_user, live_server,
                                  page):
    """Untick 'missed forums' and tick 'representatives': Preview lists the region cleared of
    one rule and the one newly flagged, keeps the boxes as set, saves nothing; Save saves."""
    clock.move_to(datetime(2026, 3, 1, 10, tzinfo=UTC))
    today = datetime.now(UTC).date()
    make_region("Drifting Region", admitted=today - timedelta(days=2000))
    keen = make_region("Keen Region", admitted=today - timedelta(days=2000))
    for year in (2023, 2024, 2025):
        forum = make_event(f"Forum {year}", kind=EventKind.FORUM,
                           starts_at=datetime(year, 6, 1, 8, tzinfo=UTC))
        db.session.add(Delegation(event_id=forum.id, region_id=keen.id, reported_registered=4,
                                  reported_attended=3))
    db.session.commit()
    sign_in(page, live_server, make_user(Role.SECRETARIAT))
    page.goto(live_server + "/participation/policy")
    page.get_by_label("Flag regions that miss forums").uncheck()
    page.get_by_label("Flag regions without network activity").uncheck()
    page.get_by_label("Flag regions without a representative").check()
    page.get_by_role("button", name="Preview").click()

    preview = page.locator(".policy-preview")
    expect(preview).to_contain_text("Preview on 1 March 2026: not saved yet")
    expect(preview.get_by_role("list", name="Would become flagged")).to_contain_text(
        "Keen Region")
    expect(preview.get_by_role("list", name="Still flagged, for other rules")).to_contain_text(
        "Drifting Region")
    expect(page.get_by_label("Flag regions that miss forums")).not_to_be_checked()
    expect(page.get_by_label("Flag regions without a representative")).to_be_checked()
    expect(page.locator(".rules").last).to_contain_text("Missed forums On")
    screenshot(page, "participation-policy-preview")

    preview.get_by_role("button", name="Save this policy").click()
    expect(page.locator(".flash-success")).to_contain_text("Policy saved")
    expect(page.locator(".policy-preview")).to_have_count(0)
    expect(page.get_by_label("Flag regions without a representative")).to_be_checked()


def test_fees_statement_and_chart_download(seeded_participation, clock, make_user, live_server,
                                           page):
    """The fees page states one consistent picture; the review's chart downloads as a file."""
    clock.move_to(datetime(2026, 5, 5, 10, tzinfo=UTC))
    sign_in(page, live_server, make_user(Role.SECRETARIAT))
    page.goto(live_server + "/participation/fees")
    expect(page.locator(".fee-statement")).to_contain_text("12 not recorded yet")
    expect(page.locator(".overdue-statement")).to_contain_text("No recorded fee is overdue")
    screenshot(page, "participation-fees-statement")

    page.goto(live_server + "/participation/?as_of=2012-11-30")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download chart (SVG)").click()
    download = download_info.value
    assert download.suggested_filename == "participation-chart-2012-11-30.svg"
    assert "<svg" in Path(download.path()).read_text(encoding="utf-8")[:500]
