"""The engagement policy, evaluated as of any date: data in, flags out (rule, evidence, since).

Pure functions over webapp.participation.facts; no database, no request."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from webapp.models.event import EventKind
from webapp.models.participation import RuleKey
from webapp.models.region import fee_due_on, format_amount
from webapp.models.types import DatePrecision
from webapp.participation.facts import (
    EventFacts,
    ParticipationFacts,
    RegionFacts,
    dated_label,
)


@dataclass(frozen=True)
class RuleSettings:
    """One rule as the secretariat set it (or its default)."""

    key: RuleKey
    enabled: bool
    missed_at_least: int | None = None
    of_last_forums: int | None = None
    days_after_due: int | None = None
    inactive_months: int | None = None

    @property
    def title(self) -> str:
        """The rule's name."""
        return RULE_TITLES[self.key]

    @property
    def description(self) -> str:
        """The rule in words, with its thresholds."""
        if self.key is RuleKey.MISSED_FORUMS:
            return _("Missed at least %(missed)s of the last %(forums)s Creativity World Forums "
                     "held while a member (hosting counts as attending; forums before the region "
                     "joined do not count).", missed=self.missed_at_least,
                     forums=self.of_last_forums)
        if self.key is RuleKey.FEE_OVERDUE:
            return _("An annual fee still unpaid %(days)s days after it fell due (31 March of "
                     "the fee year).", days=self.days_after_due)
        if self.key is RuleKey.NO_REPRESENTATIVE:
            return _("No representative appointed on the date.")
        return _("No network activity (attended or hosted any event) in the last %(months)s "
                 "months, while the network held events in that time; a region admitted more "
                 "recently is not flagged.", months=self.inactive_months)


RULE_TITLES = {
    RuleKey.MISSED_FORUMS: _l("Missed forums"),
    RuleKey.FEE_OVERDUE: _l("Annual fee overdue"),
    RuleKey.NO_REPRESENTATIVE: _l("No representative"),
    RuleKey.NO_ACTIVITY: _l("No network activity"),
}

# The defaults, used for any rule the secretariat has not saved yet.
# - No representative is off: the sources name representatives only for Region Midtjylland,
#   so on the seeded history it would flag every other region for a gap in the records.
# - 18 months of inactivity, not 12: forums are yearly and their dates drift, so 12 months
#   would flag regions that attended every forum; 18 still catches a region that skipped one
#   forum and did nothing else.
DEFAULT_RULES = {
    RuleKey.MISSED_FORUMS: RuleSettings(RuleKey.MISSED_FORUMS, True, missed_at_least=2,
                                        of_last_forums=3),
    RuleKey.FEE_OVERDUE: RuleSettings(RuleKey.FEE_OVERDUE, True, days_after_due=90),
    RuleKey.NO_REPRESENTATIVE: RuleSettings(RuleKey.NO_REPRESENTATIVE, False),
    RuleKey.NO_ACTIVITY: RuleSettings(RuleKey.NO_ACTIVITY, True, inactive_months=18),
}


@dataclass(frozen=True)
class Flag:
    """A region caught by one rule: why (evidence) and since when."""

    region_id: int
    rule: RuleKey
    summary: str
    evidence: tuple[str, ...]
    since: date
    since_precision: DatePrecision = DatePrecision.DAY

    @property
    def title(self) -> str:
        """The rule's name."""
        return RULE_TITLES[self.rule]

    @property
    def since_label(self) -> str:
        """'since ≈2011' wording, as precise as the dates behind it."""
        return dated_label(self.since, self.since_precision)


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def held_by(facts: ParticipationFacts, as_of: date) -> list[EventFacts]:
    """Events held on or before `as_of`, oldest first."""
    return [e for e in facts.events if e.day <= as_of]


def missed_forums(s: RuleSettings, facts: ParticipationFacts, region: RegionFacts,
                  as_of: date) -> Flag | None:
    """Missed ≥ N of the last M forums held while the region was a member."""
    forums = [e for e in held_by(facts, as_of)
              if e.kind is EventKind.FORUM and region.is_member_on(e.day)]
    came = [facts.took_part(e, region) for e in forums]

    def missed_in_window(last: int) -> int:
        return sum(not c for c in came[max(0, last - s.of_last_forums + 1): last + 1])

    last = len(forums) - 1
    if last < 0 or missed_in_window(last) < s.missed_at_least:
        return None
    first = last  # walk back while the rule already held, to find since when
    while first > 0 and missed_in_window(first - 1) >= s.missed_at_least:
        first -= 1
    window = forums[max(0, last - s.of_last_forums + 1):]
    evidence = []
    for event in window:
        if facts.took_part(event, region):
            continue
        attendance = facts.attendance_of(event, region)
        evidence.append(
            _("%(event)s: registered %(num)s, nobody came", event=event.long_label,
              num=attendance.registered)
            if attendance is not None and attendance.registered
            else _("%(event)s: missed", event=event.long_label))
    return Flag(
        region.id, s.key,
        _("Missed %(missed)s of the last %(held)s forums held while a member (policy: "
          "%(at_least)s of %(of_last)s).", missed=missed_in_window(last), held=len(window),
          at_least=s.missed_at_least, of_last=s.of_last_forums),
        tuple(evidence), forums[first].day, forums[first].precision,
    )


def fee_overdue(s: RuleSettings, _facts: ParticipationFacts, region: RegionFacts,
                as_of: date) -> Flag | None:
    """An annual fee still unpaid `days_after_due` days after 31 March of its year."""
    overdue = []
    for fee in sorted(region.fees, key=lambda f: f.year):
        due = fee_due_on(fee.year)
        late = (as_of - due).days
        if fee.unpaid_on(as_of) and late >= s.days_after_due:
            overdue.append((fee, due, late))
    if not overdue:
        return None
    evidence = tuple(
        (_("%(year)s fee of %(amount)s unpaid: due %(due)s, %(late)s days ago (illustrative)",
           year=fee.year, amount=format_amount(fee.amount_cents, fee.currency),
           due=dated_label(due, DatePrecision.DAY), late=late) if fee.illustrative else
         _("%(year)s fee of %(amount)s unpaid: due %(due)s, %(late)s days ago",
           year=fee.year, amount=format_amount(fee.amount_cents, fee.currency),
           due=dated_label(due, DatePrecision.DAY), late=late))
        for fee, due, late in overdue
    )
    first_due = overdue[0][1]
    return Flag(region.id, s.key,
                ngettext("%(num)d annual fee unpaid more than %(days)s days after due.",
                         "%(num)d annual fees unpaid more than %(days)s days after due.",
                         len(overdue), days=s.days_after_due),
                evidence, first_due + timedelta(days=s.days_after_due))


def no_representative(s: RuleSettings, _facts: ParticipationFacts, region: RegionFacts,
                      as_of: date) -> Flag | None:
    """No representative's appointment covers `as_of`."""
    if any(rep.active_on(as_of) for rep in region.representatives):
        return None
    start = region.membership_start(as_of)
    since, precision = (start.on, start.precision) if start else (as_of, DatePrecision.DAY)
    ended = [rep.until for rep in region.representatives
             if rep.until is not None and rep.until < as_of]
    if ended and max(ended) + timedelta(days=1) > since:
        since, precision = max(ended) + timedelta(days=1), DatePrecision.DAY
        evidence = (_("The last appointment ended on %(day)s.",
                      day=dated_label(max(ended), DatePrecision.DAY)),)
    else:
        evidence = (_("No representative's appointment is on record."),)
    return Flag(region.id, s.key, _("No representative appointed."), evidence, since,
                precision)


def no_activity(s: RuleSettings, facts: ParticipationFacts, region: RegionFacts,
                as_of: date) -> Flag | None:
    """Neither attended nor hosted anything in the last `inactive_months` months, while the
    network held something in that time (a quiet network flags nobody)."""
    window_opens = add_months(as_of, -s.inactive_months)
    if not any(window_opens < e.day <= as_of for e in facts.events):
        return None
    start = region.membership_start(as_of)
    activities = [e for e in held_by(facts, as_of) if facts.took_part(e, region)]
    last = activities[-1] if activities else None
    if last is not None and (start is None or last.day >= start.on):
        reference, precision = last.day, last.precision
        evidence = (_("Last activity: hosted %(event)s.", event=last.long_label)
                    if last.host_region_id == region.id
                    else _("Last activity: attended %(event)s.", event=last.long_label),)
    elif start is not None:
        reference, precision = start.on, start.precision
        evidence = (_("No activity on record since joining (%(day)s).", day=start.date_label),)
    else:
        return None
    since = add_months(reference, s.inactive_months) + timedelta(days=1)
    if as_of < since:
        return None
    return Flag(region.id, s.key,
                _("No network activity in the last %(months)s months.",
                  months=s.inactive_months),
                evidence, since, precision)


RULES = {
    RuleKey.MISSED_FORUMS: missed_forums,
    RuleKey.FEE_OVERDUE: fee_overdue,
    RuleKey.NO_REPRESENTATIVE: no_representative,
    RuleKey.NO_ACTIVITY: no_activity,
}


def complete_policy(saved: Iterable[RuleSettings]) -> list[RuleSettings]:
    """Every rule, in a fixed order: the saved settings, or the defaults for unsaved rules."""
    by_key = {s.key: s for s in saved}
    return [by_key.get(key, default) for key, default in DEFAULT_RULES.items()]


def with_defaults(settings: RuleSettings) -> RuleSettings:
    """Fill a rule's missing thresholds from its default."""
    default = DEFAULT_RULES[settings.key]
    return replace(settings, **{
        name: getattr(default, name)
        for name in ("missed_at_least", "of_last_forums", "days_after_due", "inactive_months")
        if getattr(settings, name) is None
    })


def evaluate(policy: Iterable[RuleSettings], facts: ParticipationFacts,
             as_of: date) -> dict[int, list[Flag]]:
    """Flags per region id, for the regions that are members on `as_of` (others are out)."""
    rules = [with_defaults(s) for s in policy if s.enabled]
    flags: dict[int, list[Flag]] = {}
    for region in facts.regions:
        if not region.is_member_on(as_of):
            continue
        found = [flag for s in rules if (flag := RULES[s.key](s, facts, region, as_of))]
        if found:
            flags[region.id] = found
    return flags


@dataclass(frozen=True)
class FlagChange:
    """A region whose flags differ between two policies: its flags before and after."""

    region: RegionFacts
    before: tuple[Flag, ...]
    after: tuple[Flag, ...]


@dataclass(frozen=True)
class PolicyComparison:
    """What an edited policy would change on a day, compared with the one in force."""

    as_of: date
    flagged: tuple[FlagChange, ...]  # flagged under the edited policy only
    cleared: tuple[FlagChange, ...]  # flagged under the policy in force only
    changed: tuple[FlagChange, ...]  # flagged under both, by other rules
    unchanged: int  # flagged under both by the same rules
    edits: tuple[RuleSettings, ...] = ()  # the edited rules that differ from those in force

    @property
    def any_change(self) -> bool:
        """Whether any region's flags would differ."""
        return bool(self.flagged or self.cleared or self.changed)


def compare(saved: Iterable[RuleSettings], edited: Iterable[RuleSettings],
            facts: ParticipationFacts, as_of: date) -> PolicyComparison:
    """Which regions the edited policy would flag or clear on `as_of`, against the saved one."""
    saved, edited = complete_policy(saved), complete_policy(edited)
    edits = tuple(new for old, new in zip(saved, edited, strict=True) if new != old)
    before, after = evaluate(saved, facts, as_of), evaluate(edited, facts, as_of)
    flagged, cleared, changed, unchanged = [], [], [], 0
    for region in sorted(facts.regions, key=lambda r: r.name.casefold()):
        old, new = tuple(before.get(region.id, ())), tuple(after.get(region.id, ()))
        change = FlagChange(region, old, new)
        if new and not old:
            flagged.append(change)
        elif old and not new:
            cleared.append(change)
        elif old and {f.rule for f in old} != {f.rule for f in new}:
            changed.append(change)
        elif old:
            unchanged += 1
    return PolicyComparison(as_of, tuple(flagged), tuple(cleared), tuple(changed), unchanged,
                            edits)

