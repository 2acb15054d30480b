"""The engagement rules on hand-made histories: boundaries, newcomers, hosts, as-of dates."""

from datetime import date, timedelta

import pytest

from webapp.models import EventKind, MembershipKind, RuleKey
from webapp.models.types import DatePrecision
from webapp.participation.facts import (
    Attendance,
    CellState,
    EntryFacts,
    EventFacts,
    FeeFacts,
    ParticipationFacts,
    RegionFacts,
    RepresentativeFacts,
    classify,
)
from webapp.participation.matrix import build_matrix
from webapp.participation.policy import DEFAULT_RULES, RuleSettings, add_months, evaluate

ADMITTED_2004 = [EntryFacts(MembershipKind.ADMITTED, date(2004, 1, 1))]


def forum(n: int, year: int, host: int | None = None, month: int = 6) -> EventFacts:
    """A forum held on 1 June (or another month) of `year`."""
    return EventFacts(n, EventKind.FORUM, f"Forum {n}", date(year, month, 1), host_region_id=host)


def region(rid: int = 1, entries=None, **fields) -> RegionFacts:
    """A region admitted in 2004 unless told otherwise."""
    return RegionFacts(rid, f"r{rid}", f"Region {rid}",
                       list(ADMITTED_2004 if entries is None else entries), **fields)


def only(key: RuleKey, **thresholds) -> list[RuleSettings]:
    """A policy with one rule switched on."""
    return [RuleSettings(key, True, **thresholds)]


MISSED_2_OF_3 = only(RuleKey.MISSED_FORUMS, missed_at_least=2, of_last_forums=3)


def history(attended_years: set[int], years=range(2005, 2011), r: RegionFacts | None = None):
    """Forums 2005-2010; the region came to those in `attended_years` (4 delegates of 5)."""
    r = r or region()
    events = [forum(i, y) for i, y in enumerate(years, start=100)]
    attendance = {(e.id, r.id): Attendance(5, 4) for e in events if e.year in attended_years}
    return ParticipationFacts([r], events, attendance), r


def test_missed_forums_boundary_one_of_three_is_not_flagged():
    """Missing 1 of the last 3 is within the policy; 2 of 3 is flagged."""
    facts, r = history({2005, 2006, 2007, 2008, 2010})
    assert evaluate(MISSED_2_OF_3, facts, date(2011, 1, 1)) == {}
    facts, r = history({2005, 2006, 2007, 2008})
    flags = evaluate(MISSED_2_OF_3, facts, date(2011, 1, 1))[r.id]
    assert [f.rule for f in flags] == [RuleKey.MISSED_FORUMS]
    assert flags[0].summary.startswith("Missed 2 of the last 3 forums")
    assert [line.split(" (")[0] for line in flags[0].evidence] == ["Forum 104", "Forum 105"]
    assert flags[0].since == date(2010, 6, 1)  # the forum that made it two


def test_missed_forums_is_evaluated_as_of_the_date():
    """Before the second miss the region was not flagged; forums after as_of do not count."""
    facts, r = history({2005, 2006, 2007, 2008})
    assert evaluate(MISSED_2_OF_3, facts, date(2010, 5, 31)) == {}
    assert r.id in evaluate(MISSED_2_OF_3, facts, date(2010, 6, 1))


def test_missed_forums_since_goes_back_while_the_rule_held():
    """Missing four in a row: flagged since the second miss, not since the last one."""
    facts, r = history({2005, 2006})
    flag = evaluate(MISSED_2_OF_3, facts, date(2011, 1, 1))[r.id][0]
    assert flag.since == date(2008, 6, 1)
    assert "Missed 3 of the last 3" in flag.summary


def test_old_misses_leave_the_window():
    """Misses older than the last M forums no longer count."""
    facts, r = history({2008, 2009, 2010})
    assert evaluate(MISSED_2_OF_3, facts, date(2011, 1, 1)) == {}


def test_recently_joined_region_is_not_flagged_for_forums_before_it_joined():
    """Forums held before the admission do not count against the region."""
    newcomer = region(2, [EntryFacts(MembershipKind.ADMITTED, date(2009, 9, 1))])
    facts, r = history({2010}, r=newcomer)
    assert evaluate(MISSED_2_OF_3, facts, date(2011, 1, 1)) == {}
    cell = classify(facts, r, facts.events[0])
    assert cell.state is CellState.NOT_MEMBER and cell.text == "not a member then"


def test_recently_joined_region_is_flagged_for_forums_after_it_joined():
    """Two forums missed since joining are enough, even with fewer than M held since."""
    newcomer = region(2, [EntryFacts(MembershipKind.ADMITTED, date(2008, 9, 1))])
    facts, r = history({2005, 2006, 2007, 2008}, r=newcomer)
    flags = evaluate(MISSED_2_OF_3, facts, date(2010, 12, 31))
    assert flags[r.id][0].since == date(2010, 6, 1)


def test_host_counts_as_attending():
    """A region that hosted a forum did not miss it, though it sent no delegation."""
    r = region()
    events = [forum(1, 2008), forum(2, 2009, host=r.id), forum(3, 2010, host=r.id)]
    facts = ParticipationFacts([r], events, {(1, r.id): Attendance(3, 3)})
    assert evaluate(MISSED_2_OF_3, facts, date(2011, 1, 1)) == {}
    assert classify(facts, r, events[1]).state is CellState.HOSTED


def test_registered_but_nobody_came_counts_as_missed():
    """A delegation with registrations but no check-in is a no-show, and missed."""
    r = region()
    events = [forum(1, 2008), forum(2, 2009), forum(3, 2010)]
    facts = ParticipationFacts([r], events, {(1, r.id): Attendance(4, 2),
                                             (2, r.id): Attendance(4, 0)})
    flag = evaluate(MISSED_2_OF_3, facts, date(2011, 1, 1))[r.id][0]
    assert any("registered 4, nobody came" in line for line in flag.evidence)
    cell = classify(facts, r, events[1])
    assert cell.state is CellState.NO_SHOW and cell.short_text == "0/4"


def test_delegation_of_unrecorded_size_counts_as_attending():
    """A delegation on record without counts (as the sources give them) is attendance."""
    r = region()
    events = [forum(1, 2009), forum(2, 2010)]
    facts = ParticipationFacts([r], events, {(1, r.id): Attendance(None, None),
                                             (2, r.id): Attendance(None, None)})
    assert evaluate(MISSED_2_OF_3, facts, date(2011, 1, 1)) == {}
    assert classify(facts, r, events[0]).text == "attended (size not recorded)"


FEE_90 = only(RuleKey.FEE_OVERDUE, days_after_due=90)


@pytest.mark.parametrize(("as_of", "flagged"), [
    (date(2012, 3, 31) + timedelta(days=89), False),
    (date(2012, 3, 31) + timedelta(days=90), True),
])
def test_fee_overdue_boundary(as_of, flagged):
    """Due 31 March; flagged from the 90th day after, not the day before."""
    r = region(fees=[FeeFacts(2012, 250_000, None)])
    flags = evaluate(FEE_90, ParticipationFacts([r], []), as_of)
    assert (r.id in flags) is flagged
    if flagged:
        flag = flags[r.id][0]
        assert flag.since == date(2012, 6, 29)
        assert flag.evidence == ("2012 fee of 2,500.00 EUR unpaid: due 31 March 2012, "
                                 "90 days ago",)


def test_fee_paid_counts_from_its_payment_date():
    """Paid in August: flagged as of July, not as of September."""
    r = region(fees=[FeeFacts(2012, 250_000, date(2012, 8, 20))])
    facts = ParticipationFacts([r], [])
    assert r.id in evaluate(FEE_90, facts, date(2012, 7, 15))
    assert evaluate(FEE_90, facts, date(2012, 9, 1)) == {}


NO_REP = only(RuleKey.NO_REPRESENTATIVE)


def test_no_representative_boundary():
    """Covered through the last day of the appointment, flagged from the day after."""
    r = region(representatives=[RepresentativeFacts(date(2010, 1, 1), date(2011, 12, 31))])
    facts = ParticipationFacts([r], [])
    assert evaluate(NO_REP, facts, date(2011, 12, 31)) == {}
    flag = evaluate(NO_REP, facts, date(2012, 1, 1))[r.id][0]
    assert flag.since == date(2012, 1, 1)
    assert "ended on 31 December 2011" in flag.evidence[0]


def test_no_representative_ever_is_flagged_since_admission():
    """Never appointed: flagged since the admission, as precisely as that is known."""
    r = region(entries=[EntryFacts(MembershipKind.ADMITTED, date(2004, 1, 1),
                                   DatePrecision.YEAR)])
    flag = evaluate(NO_REP, ParticipationFacts([r], []), date(2012, 1, 1))[r.id][0]
    assert flag.since_label == "≈2004"


def test_no_representative_is_off_by_default():
    """The default policy does not flag a region for lacking representatives."""
    assert DEFAULT_RULES[RuleKey.NO_REPRESENTATIVE].enabled is False
    facts = ParticipationFacts([region()], [])
    assert evaluate(list(DEFAULT_RULES.values()), facts, date(2004, 6, 1)) == {}


NO_ACTIVITY_12 = only(RuleKey.NO_ACTIVITY, inactive_months=12)


def test_no_activity_boundary():
    """Activity exactly 12 months ago still counts; one day later the region is flagged."""
    r = region()
    event = EventFacts(1, EventKind.MEETING, "Meeting", date(2011, 5, 10))
    missed = forum(2, 2012, month=3)  # the network was active; the region was not there
    facts = ParticipationFacts([r], [event, missed], {(1, r.id): Attendance(2, 2)})
    assert evaluate(NO_ACTIVITY_12, facts, date(2012, 5, 10)) == {}
    flag = evaluate(NO_ACTIVITY_12, facts, date(2012, 5, 11))[r.id][0]
    assert flag.since == date(2012, 5, 11)
    assert flag.evidence == ("Last activity: attended Meeting (10 May 2011).",)


def test_hosting_is_activity():
    """Hosting a reverse mission keeps a region active."""
    r = region()
    event = EventFacts(1, EventKind.REVERSE_MISSION, "Mission", date(2012, 5, 7),
                       host_region_id=r.id)
    assert evaluate(NO_ACTIVITY_12, ParticipationFacts([r], [event]), date(2013, 1, 1)) == {}


def test_no_activity_grace_for_a_new_member():
    """A region admitted 11 months ago is not flagged; at 12 months and a day it is."""
    r = region(entries=[EntryFacts(MembershipKind.ADMITTED, date(2012, 2, 1))])
    facts = ParticipationFacts([r], [forum(2, 2012, month=9)])
    assert evaluate(NO_ACTIVITY_12, facts, date(2013, 1, 1)) == {}
    flag = evaluate(NO_ACTIVITY_12, facts, date(2013, 2, 2))[r.id][0]
    assert "since joining" in flag.evidence[0]


def test_a_quiet_network_flags_nobody_for_inactivity():
    """No region is 'inactive' over months in which the network held nothing at all."""
    r = region()
    facts = ParticipationFacts([r], [forum(1, 2013)], {(1, r.id): Attendance(2, 2)})
    assert evaluate(NO_ACTIVITY_12, facts, date(2026, 12, 2)) == {}
    late = ParticipationFacts([r], [forum(1, 2013), forum(2, 2026, month=9)],
                              {(1, r.id): Attendance(2, 2)})
    assert r.id in evaluate(NO_ACTIVITY_12, late, date(2026, 12, 2))


def test_only_members_are_evaluated_and_disabled_rules_do_nothing():
    """An excluded region is out of the review; a rule switched off flags nobody."""
    gone = region(2, [*ADMITTED_2004, EntryFacts(MembershipKind.EXCLUDED, date(2010, 1, 1))])
    facts, _ = history(set(), r=gone)
    assert evaluate(MISSED_2_OF_3, facts, date(2011, 1, 1)) == {}
    facts, r = history(set())
    off = [RuleSettings(RuleKey.MISSED_FORUMS, False, missed_at_least=1, of_last_forums=1)]
    assert evaluate(off, facts, date(2011, 1, 1)) == {}
    assert r.id in evaluate(MISSED_2_OF_3, facts, date(2011, 1, 1))


def test_readmitted_region_is_not_held_to_forums_while_excluded():
    """Forums held while the region was excluded do not count after its readmission."""
    r = region(entries=[*ADMITTED_2004,
                        EntryFacts(MembershipKind.EXCLUDED, date(2006, 1, 1)),
                        EntryFacts(MembershipKind.READMITTED, date(2009, 1, 1))])
    facts, r = history({2005, 2009, 2010}, r=r)
    assert evaluate(MISSED_2_OF_3, facts, date(2011, 1, 1)) == {}


def test_add_months_clamps_to_the_month_end():
    """31 January + 1 month is 29 February in a leap year; negative months go back."""
    assert add_months(date(2012, 1, 31), 1) == date(2012, 2, 29)
    assert add_months(date(2012, 3, 15), -15) == date(2010, 12, 15)


def test_matrix_sorts_by_engagement_and_filters_period_and_kind():
    """Least engaged first; years and kinds narrow the columns."""
    keen, lax = region(1), region(2)
    events = [forum(1, 2009), forum(2, 2010),
              EventFacts(3, EventKind.REVERSE_MISSION, "Mission", date(2010, 9, 1))]
    attendance = {(1, 1): Attendance(3, 3), (2, 1): Attendance(3, 2), (1, 2): Attendance(2, 1)}
    facts = ParticipationFacts([keen, lax], events, attendance)
    matrix = build_matrix(facts, date(2011, 1, 1), {})
    assert [row.region.id for row in matrix.rows] == [2, 1]
    assert matrix.rows[0].engagement_label == "33% (1 of 3)"
    assert build_matrix(facts, date(2011, 1, 1), {}, sort="engagement_desc").rows[0].region.id == 1
    narrowed = build_matrix(facts, date(2011, 1, 1), {}, from_year=2010, to_year=2010,
                            kinds=(EventKind.FORUM,))
    assert [e.id for e in narrowed.events] == [2]
    assert narrowed.years == [(2010, 1)]
