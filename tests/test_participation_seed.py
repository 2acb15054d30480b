"""The illustrative history: marked as such, and flagging exactly the two excluded regions."""

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from webapp.data.illustrative_participation import AS_OF_EXCLUSIONS
from webapp.data.network_history import BRIEF_DATE, EXCLUDED_SLUGS
from webapp.extensions import db
from webapp.models import AnnualFee, Delegation, MembershipKind, Region, RuleKey, utcnow
from webapp.participation.services import review

EXCLUDED = set(EXCLUDED_SLUGS)


def flagged(as_of: date) -> dict[str, list]:
    """Flags per region slug, as of a day, with the default policy."""
    result = review(as_of)
    return {row.region.slug: row.flags for row in result.flagged_rows}


def exclusion_day(slug: str) -> date:
    """The stored exclusion date of a region."""
    region = db.session.scalars(sa.select(Region).filter_by(slug=slug)).one()
    return region.last_entry(MembershipKind.EXCLUDED).on


def test_policy_flags_exactly_the_two_excluded_regions_before_their_exclusion(
        seeded_participation):
    """As of the exclusions: Nord-Pas de Calais and Qingdao, flagged well before, nobody else."""
    flags = flagged(AS_OF_EXCLUSIONS)
    assert set(flags) == EXCLUDED
    for slug in EXCLUDED:
        assert exclusion_day(slug) > AS_OF_EXCLUSIONS
        rules = {flag.rule: flag for flag in flags[slug]}
        assert set(rules) == {RuleKey.MISSED_FORUMS, RuleKey.NO_ACTIVITY}
        missed = rules[RuleKey.MISSED_FORUMS]
        assert missed.since < exclusion_day(slug) - timedelta(days=365)
        assert any("9th Creativity World Forum" in line for line in missed.evidence)


def test_nobody_else_is_flagged_in_the_year_before_the_exclusions(seeded_participation):
    """Month by month through 2012, the flagged regions are exactly the two."""
    for month in range(1, 12):
        assert set(flagged(date(2012, month, 15))) == EXCLUDED, month


def test_after_the_exclusion_the_two_are_out_of_the_review_but_in_the_matrix(
        seeded_participation):
    """Excluded regions are no longer evaluated; their history stays in the matrix."""
    assert flagged(BRIEF_DATE) == {}
    rows = {row.region.slug: row for row in review(BRIEF_DATE).matrix.rows}
    assert rows["qingdao"].status.value == "excluded"
    assert [cell.state.value for cell in rows["qingdao"].cells][3] == "hosted"  # CWF 2007


def test_made_up_rows_are_marked_illustrative(seeded_participation):
    """Only Region Midtjylland's 2009-2011 delegations are real; every other one is marked."""
    real = db.session.execute(
        sa.select(Region.slug, Delegation.reported_registered)
        .join(Delegation.region).where(Delegation.is_illustrative.is_(False))
    ).all()
    assert real == [("region-midtjylland", None)] * 3
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Delegation)
                             .where(Delegation.is_illustrative)) > 100
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AnnualFee)
                             .where(AnnualFee.is_illustrative.is_(False))) == 0


def test_reverse_mission_has_the_25_guests_of_the_sources(seeded_participation):
    """The May 2012 mission's illustrative delegations add up to 25 international guests."""
    total = db.session.scalar(
        sa.select(sa.func.sum(Delegation.reported_attended))
        .join(Delegation.event).where(sa.text("event.slug = 'reverse-mission-2012'"))
    )
    assert total == 25


def test_illustrative_seed_is_idempotent(seeded_participation, runner):
    """`flask seed` after the full seed changes nothing."""
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0 and "nothing to change" in result.output


def test_seed_history_only_skips_the_illustrative_rows(seeded, runner):
    """--history-only leaves the made-up history out."""
    result = runner.invoke(args=["seed", "--history-only"])
    assert result.exit_code == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Delegation)) == 3


def test_region_page_shows_its_engagement_history_to_everyone(seeded_participation, client):
    """Anonymous visitors see Qingdao's engagement history, marked illustrative, no notice."""
    html = client.get("/regions/qingdao").get_data(as_text=True)
    assert "Engagement history" in html
    assert "4th Creativity World Forum</a>: hosted" in html
    assert "attended: " in html and "(illustrative)" in html
    assert "flagged by the network" not in html  # excluded, and the visitor is anonymous


def test_a_quiet_network_flags_no_member_today(seeded_participation, clock):
    """With no event recorded after 2013, nobody is 'inactive' today, on any day the suite runs;
    as of 30 Nov 2012 the same review still flags exactly the two excluded regions."""
    for today in (datetime.now(UTC), datetime(2026, 12, 2, 12, tzinfo=UTC),
                  datetime(2031, 1, 15, 12, tzinfo=UTC)):
        clock.move_to(today)
        assert flagged(utcnow().date()) == {}, today
    assert set(flagged(date(2012, 11, 30))) == EXCLUDED
