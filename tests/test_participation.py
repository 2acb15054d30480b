"""The participation review's services and pages: loading, query counts, decisions, policy,
CSV and SVG outputs, the region page's notice."""

import csv
import io
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import (
    AnnualFee,
    AuditEntry,
    Delegation,
    EngagementRule,
    EventKind,
    MembershipKind,
    Region,
    Registration,
    RegistrationStatus,
    Role,
    RuleKey,
)
from webapp.participation.facts import CellState
from webapp.participation.policy import RuleSettings
from webapp.participation.services import (
    DecisionError,
    load_policy,
    record_decision,
    review,
    save_policy,
)

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def forums(make_event):
    """Factory: confirmed forums on 1 June of each year given, in Copenhagen."""

    def make(*years, host=None):
        return [make_event(f"Forum {y}", starts_at=datetime(y, 6, 1, 8, tzinfo=UTC),
                           kind=EventKind.FORUM, host_region_id=host.id if host else None)
                for y in years]

    return make


def delegation(event, region, make_person, registered=0, checked_in=0, cancelled=0):
    """A delegation with registrations: some checked in, some cancelled."""
    d = Delegation(event_id=event.id, region_id=region.id)
    db.session.add(d)
    db.session.flush()
    for i in range(registered + cancelled):
        person = make_person()
        cancel = i >= registered
        db.session.add(Registration(
            event_id=event.id, person_id=person.id, delegation_id=d.id, audience="international",
            status=RegistrationStatus.CANCELLED if cancel else RegistrationStatus.CONFIRMED,
            cancelled_at=datetime.now(UTC) if cancel else None,
            cancel_reason="Cannot travel" if cancel else None,
            checked_in_at=event.starts_at if i < checked_in else None,
        ))
    db.session.flush()
    return d


def enable_every_rule() -> None:
    """Switch the representative rule on too, so that every query of the review runs."""
    save_policy(None, [RuleSettings(RuleKey.NO_REPRESENTATIVE, True)])
    db.session.commit()


def test_cells_count_checked_in_of_registered_not_cancelled(make_region, forums, make_person):
    """3 checked in of 5 registered (a cancelled one not counted); 0 of 2 is a no-show."""
    region = make_region()
    first, second, third = forums(2030, 2031, 2032)
    delegation(first, region, make_person, registered=5, checked_in=3, cancelled=1)
    delegation(second, region, make_person, registered=2, checked_in=0)
    db.session.commit()
    cells = review(date(2033, 1, 1)).matrix.rows[0].cells
    assert [(c.state, c.short_text) for c in cells] == [
        (CellState.ATTENDED, "3/5"), (CellState.NO_SHOW, "0/2"), (CellState.MISSED, "missed")]
    assert cells[0].text == "attended: 3 checked in of 5 registered"


def test_review_runs_in_at_most_five_queries_whatever_the_size(
        make_region, forums, make_person, count_queries):
    """Matrix and flags: the same number of statements (≤ 5) with 3 times the data."""
    enable_every_rule()

    def grow(n: int) -> None:
        regions = [make_region() for _ in range(n)]
        for event in forums(*range(2000 + 10 * n, 2000 + 10 * n + n)):
            for region in regions:
                delegation(event, region, make_person, registered=2, checked_in=1)
        db.session.commit()

    def measure() -> int:
        db.session.expire_all()
        with count_queries() as counter:
            result = review(date(2100, 1, 1))
            assert result.matrix.rows
        return counter.count

    grow(1)
    small = measure()
    grow(3)
    assert measure() == small <= 5


def test_review_page_keeps_a_constant_number_of_queries(
        make_region, forums, make_person, make_user, auth, client, count_queries):
    """The whole page: the same statements with more regions, events and registrations."""
    auth.login(make_user(Role.SECRETARIAT))

    def measure() -> int:
        with count_queries() as counter:
            assert client.get("/participation/?as_of=2100-01-01").status_code == 200
        return counter.count

    region = make_region()
    delegation(forums(2040)[0], region, make_person, registered=1, checked_in=1)
    db.session.commit()
    small = measure()
    for event in forums(2041, 2042, 2043):
        for other in (region, make_region()):
            delegation(event, other, make_person, registered=3, checked_in=2)
    db.session.commit()
    assert measure() == small


def test_record_warning_goes_into_history_and_audit(make_region, make_user):
    """A warning is a membership entry with its reason, and an audit entry by its author."""
    region, secretariat = make_region("Drifting"), make_user(Role.SECRETARIAT)
    entry = record_decision(secretariat, region, MembershipKind.WARNED, date(2012, 10, 1),
                            "Missed the last two forums.", today=date(2012, 10, 2)).entry
    db.session.commit()
    assert entry in region.membership_entries and entry.note == "Missed the last two forums."
    audit = db.session.scalars(sa.select(AuditEntry)).one()
    assert (audit.action, audit.actor_id, audit.target_id) == (
        "region.warned", secretariat.id, region.id)
    assert region.is_member_on(date(2012, 10, 2))  # a warning keeps it a member


def test_exclusion_takes_the_region_off_member_lists(make_region):
    """After an exclusion the region is no member; readmission brings it back."""
    region = make_region()
    record_decision(None, region, MembershipKind.EXCLUDED, date(2012, 12, 1), "Inactive",
                    today=date(2013, 1, 1))
    assert not region.is_member_on(date(2012, 12, 1))
    assert region.is_member_on(date(2012, 11, 30))
    record_decision(None, region, MembershipKind.READMITTED, date(2014, 1, 1), "Back",
                    today=date(2014, 1, 1))
    assert region.is_member_on(date(2014, 1, 1))


@pytest.mark.parametrize(("kind", "on", "reason", "message"), [
    (MembershipKind.WARNED, date(2031, 1, 1), "x", "in the future"),
    (MembershipKind.WARNED, date(2012, 1, 1), "  ", "Give the reason"),
    (MembershipKind.READMITTED, date(2012, 1, 1), "x", "cannot be readmitted"),
    (MembershipKind.ADMITTED, date(2012, 1, 1), "x", "Choose a warning"),
    (MembershipKind.WARNED, date(2003, 1, 1), "x", "not a member"),
])
def test_decisions_that_do_not_fit_are_refused(make_region, kind, on, reason, message):
    """Future dates, empty reasons and decisions that do not fit the status are refused."""
    region = make_region()
    with pytest.raises(DecisionError, match=message):
        record_decision(None, region, kind, on, reason, today=date(2030, 1, 1))


def test_decision_form_keeps_input_and_explains(seeded, make_user, auth, client):
    """Warning an excluded region: 400, the reason kept, the cause said."""
    auth.login(make_user(Role.SECRETARIAT))
    response = client.post("/participation/regions/qingdao", data={
        "kind": "warned", "on": "2013-02-01", "reason": "Still <absent>"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Qingdao was excluded on 1 February 2013" in html
    assert "Still &lt;absent&gt;" in html
    response = client.post("/participation/regions/qingdao", data={
        "kind": "warned", "on": "not a date", "reason": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "“not a date” is not a date (use YYYY-MM-DD)" in html and "Give the reason" in html


def test_policy_page_saves_audits_and_refuses_nonsense(app, make_user, auth, client):
    """Saving changes the rules (audited); a window smaller than the threshold is refused."""
    auth.login(make_user(Role.SECRETARIAT))
    form = {"missed_forums_enabled": "y", "missed_at_least": "3", "of_last_forums": "2",
            "fee_overdue_enabled": "y", "days_after_due": "60", "inactive_months": "18"}
    response = client.post("/participation/policy", data=form)
    assert response.status_code == 400
    assert "at least the number missed" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EngagementRule)) == 0
    response = client.post("/participation/policy", data={**form, "of_last_forums": "4"})
    assert response.status_code == 302
    policy = {s.key: s for s in load_policy()}
    assert (policy[RuleKey.MISSED_FORUMS].missed_at_least,
            policy[RuleKey.MISSED_FORUMS].of_last_forums) == (3, 4)
    assert policy[RuleKey.FEE_OVERDUE].days_after_due == 60
    assert policy[RuleKey.NO_ACTIVITY].enabled is False  # its box was not ticked
    actions = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert actions.count("policy.changed") == 3


def test_database_refuses_inconsistent_thresholds(app):
    """The check constraint holds even if code forgets: 3 of the last 2 cannot be stored."""
    db.session.add(EngagementRule(key=RuleKey.MISSED_FORUMS, enabled=True, missed_at_least=3,
                                  of_last_forums=2))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_csv_export_parses_back_with_formulas_neutralised(
        make_region, forums, make_person, make_user, auth, client):
    """BOM, one row per region, one column per event; a hostile name cannot run as formula."""
    hostile = make_region('=HYPERLINK("http://evil.example","click")')
    make_region("Plain")
    delegation(forums(2030)[0], hostile, make_person, registered=2, checked_in=2)
    db.session.commit()
    auth.login(make_user(Role.SECRETARIAT))
    response = client.get("/participation/matrix.csv?as_of=2031-01-01")
    assert response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Region", "Status on 2031-01-01", "Engagement", "Flags"]
    assert rows[0][4] == "CWF 2030 (1 June 2030)"
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["'=HYPERLINK(\"http://evil.example\",\"click\")"][4] == (
        "attended: 2 checked in of 2 registered")
    assert by_name["Plain"][4] == "missed"


def test_chart_is_well_formed_svg_with_text_alternative(
        make_region, forums, make_person, make_user, auth, client):
    """The chart parses as XML, has a title and a description, escapes names, shows numbers."""
    region = make_region("<script>alert(1)</script> & Co")
    first, second = forums(2030, 2031)
    delegation(first, region, make_person, registered=4, checked_in=3)
    delegation(second, region, make_person, registered=7, checked_in=7)
    db.session.commit()
    auth.login(make_user(Role.SECRETARIAT))
    response = client.get("/participation/chart.svg?as_of=2032-01-01")
    assert response.mimetype == "image/svg+xml"
    root = ET.fromstring(response.data)  # noqa: S314 - our own response, parsed to check it
    assert root.tag == f"{SVG}svg"
    assert root.find(f"{SVG}title").text == "Delegates per region per year"
    assert "10 in all" in root.find(f"{SVG}desc").text
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "<script>alert(1)</script> & Co" in texts
    assert {"2030", "2031", "3", "7"} <= set(texts)
    assert b"<script>" not in response.data


def test_review_page_survives_bad_parameters(seeded_participation, make_user, auth, client):
    """Malformed dates and years keep the page working and say what was wrong."""
    auth.login(make_user(Role.SECRETARIAT))
    response = client.get("/participation/?as_of=30/11/2012&from_year=abc&to_year=99999"
                          "&kind=<x>&sort=drop")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "is not a date" in html and "“abc” is not a year" in html


def test_review_page_shows_flags_with_reasons_and_the_legend(
        seeded_participation, make_user, auth, client):
    """As of the exclusions: the two flagged with rule, evidence and since when; a legend."""
    auth.login(make_user(Role.SECRETARIAT))
    html = client.get("/participation/?as_of=2012-11-30").get_data(as_text=True)
    assert "Flagged regions (2)" in html
    assert "Missed 3 of the last 3 forums held while a member" in html
    assert "since ≈2011" in html
    assert "registered 4, nobody came" in html
    assert "Registered, but nobody came" in html  # legend
    assert "Illustrative: made up for the demonstration" in html
    period = client.get("/participation/?as_of=2012-11-30&from_year=2011&to_year=2012"
                        "&kind=forum").get_data(as_text=True)
    assert "14 regions × 2 events held by 30 November 2012" in period
    assert "Reverse mission to Region Midtjylland" not in period


def test_region_page_notice_for_its_coordinators_only(
        clock, make_region, forums, make_user, auth, client):
    """A flagged region's coordinators and the secretariat see the notice; others do not."""
    # Nine months after the last forum: within every activity window of the default policy.
    clock.move_to(datetime(2026, 3, 1, 10, tzinfo=UTC))
    today = datetime.now(UTC).date()
    drifting = make_region("Drifting", admitted=today - timedelta(days=2000))
    years = [today.year - 3, today.year - 2, today.year - 1]
    forums(*years)
    db.session.commit()
    url = f"/regions/{drifting.slug}"
    visitors = {
        "coordinator": (make_user(Role.COORDINATOR, region=drifting), True),
        "secretariat": (make_user(Role.SECRETARIAT), True),
        "other": (make_user(Role.COORDINATOR, region=make_region("Other")), False),
        "participant": (make_user(Role.PARTICIPANT), False),
    }
    anonymous = client.get(url).get_data(as_text=True)
    assert "flagged by the network" not in anonymous
    assert "Engagement history" in anonymous and f"Forum {years[0]}" in anonymous
    for name, (user, sees) in visitors.items():
        auth.login(user)
        html = client.get(url).get_data(as_text=True)
        assert ("flagged by the network" in html) is sees, name
        auth.logout()


def paid_on(fee_id: int):
    """A fee's payment date, read afresh."""
    return db.session.scalar(sa.select(AnnualFee.paid_on).where(AnnualFee.id == fee_id))


def test_fees_create_mark_paid_and_unpaid_after_asking(seeded, make_user, auth, client):
    """Rows for the members on 31 March; paid with a date; unpaid only after confirmation."""
    auth.login(make_user(Role.SECRETARIAT))
    response = client.post("/participation/fees/2013/rows")
    assert response.status_code == 302
    rows = db.session.execute(sa.text("SELECT id, region_id FROM annual_fee WHERE year = 2013"))
    rows = rows.all()
    assert len(rows) == 12  # the 12 members; the two excluded in 2012 owe nothing
    again = client.post("/participation/fees/2013/rows", follow_redirects=True)
    assert "already has a 2013 fee row" in again.get_data(as_text=True)
    fee_id = rows[0][0]
    page = client.get("/participation/fees?year=2013").get_data(as_text=True)
    assert "12 fees for 2013" in page and "Unpaid" in page
    assert client.post(f"/participation/fees/{fee_id}/paid",
                       data={"paid_on": "2013-03-01"}).status_code == 302
    assert paid_on(fee_id) == date(2013, 3, 1)
    future = client.post(f"/participation/fees/{fee_id}/paid", data={"paid_on": "2199-01-01"},
                         follow_redirects=True)
    assert "in the future" in future.get_data(as_text=True)
    ask = client.post(f"/participation/fees/{fee_id}/unpaid")
    assert ask.status_code == 200 and "Yes, mark unpaid" in ask.get_data(as_text=True)
    assert paid_on(fee_id) == date(2013, 3, 1)  # only asked, nothing changed
    client.post(f"/participation/fees/{fee_id}/unpaid", data={"confirmed": "1"})
    assert paid_on(fee_id) is None
    overdue = client.get("/participation/fees").get_data(as_text=True)
    assert "Overdue fees" in overdue and "2013" in overdue
    actions = set(db.session.scalars(sa.select(AuditEntry.action)))
    assert {"fee.created", "fee.paid", "fee.unpaid"} <= actions


def test_fee_rule_flags_an_overdue_fee_in_the_review(seeded, make_user, auth, client):
    """A 2013 fee left unpaid shows as a flag with its evidence from 29 June 2013."""
    auth.login(make_user(Role.SECRETARIAT))
    client.post("/participation/fees/2013/rows")
    tampere = db.session.scalars(sa.select(Region).filter_by(slug="tampere")).one()
    result = review(date(2013, 6, 29), region_id=tampere.id)
    flags = result.flags[tampere.id]
    fee_flag = next(f for f in flags if f.rule is RuleKey.FEE_OVERDUE)
    assert fee_flag.since == date(2013, 6, 29)
    assert fee_flag.evidence[0].startswith("2013 fee of 2,500.00 EUR unpaid")


def test_exclusion_through_the_page_leaves_member_lists_but_keeps_history(
        seeded_participation, make_user, auth, client):
    """Excluding Scotland: audited, 11 members on the home page, its history still shown."""
    auth.login(make_user(Role.SECRETARIAT))
    response = client.post("/participation/regions/scotland", data={
        "kind": "excluded", "on": "2013-07-01", "reason": "Test of the exclusion path."})
    assert response.status_code == 302
    audit = db.session.scalars(sa.select(AuditEntry).filter_by(action="region.excluded")).one()
    assert "Scotland" in audit.summary and "2013-07-01" in audit.summary
    auth.logout()  # signed in, the home page is the secretariat's start page
    assert '<span class="stat-number">11</span> member regions' in client.get("/").get_data(
        as_text=True)
    page = client.get("/regions/scotland").get_data(as_text=True)
    assert "Test of the exclusion path." in page and "Engagement history" in page
    assert not db.session.get(Region, scotland_id()).is_member_on(date(2013, 7, 1))


def scotland_id() -> int:
    """Scotland's id."""
    return db.session.scalar(sa.select(Region.id).filter_by(slug="scotland"))
