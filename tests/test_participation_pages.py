"""The policy preview, the fees page's statement and the chart's download."""

import html as html_lib
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import AnnualFee, Delegation, EngagementRule, EventKind, Role, RuleKey
from webapp.participation.services import load_policy

DEFAULTS = {"missed_forums_enabled": "y", "missed_at_least": "2", "of_last_forums": "3",
            "fee_overdue_enabled": "y", "days_after_due": "90", "no_activity_enabled": "y",
            "inactive_months": "18"}


@pytest.fixture
def two_regions(clock, make_region, make_event):
    """On 1 March 2026: Drifting missed the last three forums (flagged), Keen attended them."""
    clock.move_to(datetime(2026, 3, 1, 10, tzinfo=UTC))
    today = datetime.now(UTC).date()
    drifting = make_region("Drifting", admitted=today - timedelta(days=2000))
    keen = make_region("Keen", admitted=today - timedelta(days=2000))
    for year in (2023, 2024, 2025):
        forum = make_event(f"Forum {year}", kind=EventKind.FORUM,
                           starts_at=datetime(year, 6, 1, 8, tzinfo=UTC))
        db.session.add(Delegation(event_id=forum.id, region_id=keen.id, reported_registered=4,
                                  reported_attended=3))
    db.session.commit()
    return drifting, keen


def saved_rules() -> int:
    """How many rules are stored."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(EngagementRule))


def section(html: str, heading: str) -> str:
    """The page's text from a heading to the next one."""
    start = html.index(heading)
    end = html.find("<h3", start + 1)
    return html[start:end if end > 0 else None]


def test_preview_lists_cleared_regions_keeps_the_input_and_saves_nothing(
        two_regions, make_user, auth, client):
    """Switching both engagement rules off: Drifting would be cleared; nothing is stored and
    the form shows what was typed. Failed before: the page had no preview, Preview saved."""
    auth.login(make_user(Role.SECRETARIAT))
    form = {**DEFAULTS, "days_after_due": "45", "preview": "1"}
    del form["missed_forums_enabled"], form["no_activity_enabled"]
    response = client.post("/participation/policy", data=form)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Preview on 1 March 2026: not saved yet" in html
    assert "Drifting" in section(html, "Would be cleared (1)")
    assert "Would become flagged (0)" in html
    assert "flagged now for: Missed forums, No network activity" in html
    assert re.search(r'<input id="days_after_due"[^>]* value="45">', html)
    assert 'id="missed_forums_enabled" name="missed_forums_enabled" type="checkbox" value="y">' \
        in html  # unticked, as sent
    assert saved_rules() == 0 and load_policy()[0].enabled


def test_preview_lists_newly_flagged_and_then_save_saves(two_regions, make_user, auth, client):
    """Switching the representative rule on: Keen would become flagged, Drifting stays flagged
    for other rules too; Save then stores the edited policy."""
    auth.login(make_user(Role.SECRETARIAT))
    form = {**DEFAULTS, "no_representative_enabled": "y"}
    html = client.post("/participation/policy", data={**form, "preview": "1"}).get_data(
        as_text=True)
    flagged = section(html, "Would become flagged (1)")
    assert "Keen" in flagged and "No representative appointed." in flagged
    assert "Drifting" in section(html, "Still flagged, for other rules (1)")
    assert "Would be cleared (0)" in html
    assert "No representative</strong>" in section(html, "Your changes:")
    assert saved_rules() == 0
    response = client.post("/participation/policy", data={**form, "save": "1"})
    assert response.status_code == 302
    assert {s.key: s.enabled for s in load_policy()}[RuleKey.NO_REPRESENTATIVE] is True


def test_preview_of_the_policy_in_force_says_nothing_changes(two_regions, make_user, auth,
                                                             client):
    """Previewing the saved settings: no region flagged or cleared, the flagged one counted."""
    auth.login(make_user(Role.SECRETARIAT))
    html = client.post("/participation/policy", data={**DEFAULTS, "preview": "1"}).get_data(
        as_text=True)
    assert "These settings are the policy in force." in html
    assert "No region would be flagged or cleared" in html
    assert "the 1 region flagged now stays flagged, for the same rules" in html


def test_preview_of_nonsense_is_refused_like_a_save(two_regions, make_user, auth, client):
    """A window smaller than the threshold: 400 with the reason, and no preview."""
    auth.login(make_user(Role.SECRETARIAT))
    response = client.post("/participation/policy",
                           data={**DEFAULTS, "missed_at_least": "4", "preview": "1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "at least the number missed" in html and "not saved yet" not in html


def test_policy_preview_keeps_a_constant_number_of_queries(
        two_regions, make_region, make_event, make_user, auth, client, count_queries):
    """The preview loads the facts once: the same statements with more regions and events."""
    auth.login(make_user(Role.SECRETARIAT))
    form = {**DEFAULTS, "no_representative_enabled": "y", "preview": "1"}

    def measure() -> int:
        with count_queries() as counter:
            assert client.post("/participation/policy", data=form).status_code == 200
        return counter.count

    small = measure()
    regions = [make_region() for _ in range(5)]
    for year in (2019, 2020, 2021, 2022):
        forum = make_event(f"Forum {year}", kind=EventKind.FORUM,
                           starts_at=datetime(year, 6, 1, 8, tzinfo=UTC))
        for region in regions:
            db.session.add(Delegation(event_id=forum.id, region_id=region.id,
                                      reported_registered=2, reported_attended=1))
    db.session.commit()
    assert measure() == small
    with count_queries() as counter:
        client.get("/participation/policy")
    assert counter.count <= small


# --- fees ----------------------------------------------------------------------------------


def test_fees_page_says_not_recorded_instead_of_nothing_overdue(
        seeded_participation, clock, make_user, auth, client):
    """No 2026 row yet: the 12 members' fees are 'not recorded', and the overdue statement says
    it leaves them out. Failed before: '12 members … without a 2026 fee row' next to 'No fee is
    overdue.'"""
    clock.move_to(datetime(2026, 5, 5, 10, tzinfo=UTC))
    auth.login(make_user(Role.SECRETARIAT))
    html = client.get("/participation/fees?year=2026").get_data(as_text=True)
    assert ("2026 fees on 5 May 2026: 12 owed (one per member on 31 March 2026) — "
            "12 not recorded yet.") in html
    assert "Not recorded yet: 12 members on 31 March 2026 have no 2026 fee row" in html
    assert "can be neither marked paid nor counted as overdue" in html
    assert ("No recorded fee is overdue on 5 May 2026. Not counted: the 12 members without a "
            "2026 fee row, whose fee is not recorded yet.") in html
    assert "No fee is overdue." not in html


def test_fees_statement_after_the_rows_exist(seeded_participation, clock, make_user, auth,
                                             client):
    """Rows created and one paid: '1 paid and 11 overdue', and the overdue list says 11."""
    clock.move_to(datetime(2026, 5, 5, 10, tzinfo=UTC))
    auth.login(make_user(Role.SECRETARIAT))
    client.post("/participation/fees/2026/rows")
    fee_id = db.session.scalars(sa.select(AnnualFee.id).filter_by(year=2026)).first()
    client.post(f"/participation/fees/{fee_id}/paid", data={"paid_on": "2026-03-20"})
    html = client.get("/participation/fees?year=2026").get_data(as_text=True)
    assert ("2026 fees on 5 May 2026: 12 owed (one per member on 31 March 2026) — "
            "1 paid and 11 overdue.") in html
    assert "11 recorded fees overdue on 5 May 2026: unpaid after 31 March of the fee year." \
        in html
    assert "Not recorded yet" not in html and "Not counted" not in html


def test_fees_statement_before_the_due_date(seeded_participation, clock, make_user, auth,
                                            client):
    """In February the year's unpaid fees are not yet due, and nothing is overdue."""
    clock.move_to(datetime(2026, 2, 1, 10, tzinfo=UTC))
    auth.login(make_user(Role.SECRETARIAT))
    client.post("/participation/fees/2026/rows")
    html = client.get("/participation/fees").get_data(as_text=True)
    assert "2026 fees on 1 February 2026: 12 owed" in html
    assert "— 12 unpaid, not yet due." in html
    assert "No recorded fee is overdue on 1 February 2026." in html


def test_fees_statement_of_a_year_without_members(seeded, clock, make_user, auth, client):
    """Before the network existed nobody owed a fee, and the page says so."""
    clock.move_to(datetime(2026, 5, 5, 10, tzinfo=UTC))
    auth.login(make_user(Role.SECRETARIAT))
    html = client.get("/participation/fees?year=2000").get_data(as_text=True)
    assert "2000 fees on 5 May 2026: none owed — no region was a member on 31 March 2000." in html


# --- the chart --------------------------------------------------------------------------


def test_chart_has_a_download_link_that_downloads(seeded_participation, make_user, auth,
                                                  client):
    """The review links 'Download chart (SVG)'; that URL answers as an attachment, the plain
    one inline. Failed before: no link, no Content-Disposition."""
    auth.login(make_user(Role.SECRETARIAT))
    html = client.get("/participation/?as_of=2012-11-30").get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)" download="([^"]+)">Download chart \(SVG\)</a>', html)
    assert link and link[2] == "participation-chart-2012-11-30.svg"
    href = html_lib.unescape(link[1])
    assert href.startswith("/participation/chart.svg?") and "download=1" in href
    download = client.get(href)
    assert download.status_code == 200 and download.mimetype == "image/svg+xml"
    assert download.headers["Content-Disposition"] == (
        'attachment; filename="participation-chart-2012-11-30.svg"')
    assert b"<svg" in download.data[:200]
    inline = client.get("/participation/chart.svg?as_of=2012-11-30")
    assert "Content-Disposition" not in inline.headers
