"""Participation workflows: load the facts in a fixed number of queries, evaluate the policy,
save it, preview an edit, and record the network's decisions (fees: participation/fees.py).

Services add and flush, never commit; the caller (a route, a command, a test) commits."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _

from webapp.auth.services import record_audit
from webapp.extensions import db
from webapp.models import (
    AnnualFee,
    Delegation,
    EngagementRule,
    Event,
    EventKind,
    EventStatus,
    MembershipEntry,
    MembershipKind,
    Region,
    RegionStatus,
    Registration,
    RegistrationStatus,
    Representative,
    RuleKey,
    User,
)
from webapp.models.types import format_date
from webapp.participation.facts import (
    Attendance,
    EntryFacts,
    EventFacts,
    FeeFacts,
    ParticipationFacts,
    RegionFacts,
    RepresentativeFacts,
)
from webapp.participation.matrix import MATRIX_KINDS, Matrix, build_matrix
from webapp.participation.notifications import Recipient, queue_decision_mail
from webapp.participation.policy import (
    Flag,
    PolicyComparison,
    RuleSettings,
    compare,
    complete_policy,
    evaluate,
)

# Events that count as held once their first day is past. Planned ones do not: CWF 2017 was
# only planned in the sources, and counting it would invent that every region missed it.
HELD_STATUSES = (EventStatus.CONFIRMED,)
THRESHOLDS = ("missed_at_least", "of_last_forums", "days_after_due", "inactive_months")
DECISIONS = {
    MembershipKind.WARNED: (RegionStatus.MEMBER,),
    MembershipKind.EXCLUDED: (RegionStatus.MEMBER,),
    MembershipKind.READMITTED: (RegionStatus.EXCLUDED, RegionStatus.FORMER),
}


# --- the policy -------------------------------------------------------------------------


def load_policy() -> list[RuleSettings]:
    """Every rule as saved, or its default (one query)."""
    saved = db.session.scalars(sa.select(EngagementRule)).all()
    return complete_policy(
        RuleSettings(row.key, row.enabled, **{name: getattr(row, name) for name in THRESHOLDS})
        for row in saved
    )


def _rule_changes(old: RuleSettings, new: RuleSettings) -> list[str]:
    """'off → on', 'missed at least 2 → 3': what the secretariat changed in one rule."""
    changes = [f"{'on' if old.enabled else 'off'} → {'on' if new.enabled else 'off'}"
               ] if old.enabled != new.enabled else []
    changes += [f"{name.replace('_', ' ')} {getattr(old, name)} → {getattr(new, name)}"
                for name in THRESHOLDS if getattr(old, name) != getattr(new, name)]
    return changes


def save_policy(actor: User | None, settings: Iterable[RuleSettings]) -> list[str]:
    """Store the rules; every change is audited. Returns the changes in words."""
    rows = {row.key: row for row in db.session.scalars(sa.select(EngagementRule))}
    before = {s.key: s for s in load_policy()}
    changes = []
    for new in settings:
        if new == before[new.key]:
            continue
        row = rows.get(new.key) or EngagementRule(key=new.key)
        row.enabled = new.enabled
        for name in THRESHOLDS:
            setattr(row, name, getattr(new, name))
        db.session.add(row)
        db.session.flush()
        text = (_("%(rule)s: on. %(description)s", rule=new.title, description=new.description)
                if new.enabled else
                _("%(rule)s: off. %(description)s", rule=new.title, description=new.description))
        with force_locale("en"):  # the audit log keeps one language
            record_audit(actor, "policy.changed", row,
                         f"{new.title}: "
                         f"{'; '.join(_rule_changes(before[new.key], new) or ['saved'])}. "
                         f"Now: {'on' if new.enabled else 'off'}. {new.description}")
        changes.append(text)
    return changes


def preview_policy(saved: list[RuleSettings], edited: Iterable[RuleSettings],
                   as_of: date) -> PolicyComparison:
    """The regions an edited, unsaved policy would flag or clear on `as_of` (facts loaded
    once, for the rules on in either policy: at most four queries)."""
    edited = complete_policy(edited)
    either = [RuleSettings(s.key, s.enabled or e.enabled) for s, e in zip(saved, edited,
                                                                         strict=True)]
    return compare(saved, edited, load_facts(as_of, either), as_of)


# --- loading the facts ------------------------------------------------------------------


def _local_day(starts_at: datetime, zone: str) -> date:
    """An event's first day in its own time zone."""
    return starts_at.astimezone(ZoneInfo(zone)).date()


def load_facts(as_of: date, policy: list[RuleSettings], region_id: int | None = None,
               ) -> ParticipationFacts:
    """Regions, held events and attendance up to `as_of`, in at most four queries.

    1. regions with their membership entries (one outer join);
    2. held events with each delegation's counts (registrations aggregated with GROUP BY);
    3. fees, only when the fee rule is on; 4. representatives, only when that rule is on."""
    enabled = {s.key for s in policy if s.enabled}
    region_filter = (Region.id == region_id) if region_id is not None else sa.true()
    regions: dict[int, RegionFacts] = {}
    rows = db.session.execute(
        sa.select(Region.id, Region.slug, Region.name, MembershipEntry.kind, MembershipEntry.on,
                  MembershipEntry.precision, MembershipEntry.note)
        .outerjoin(MembershipEntry, MembershipEntry.region_id == Region.id)
        .where(region_filter)
        .order_by(Region.name, Region.id, MembershipEntry.on, MembershipEntry.id)
    )
    for rid, slug, name, kind, on, precision, note in rows:
        region = regions.setdefault(rid, RegionFacts(rid, slug, name))
        if kind is not None:
            region.entries.append(EntryFacts(kind, on, precision, note))

    counts = (
        sa.select(
            Registration.delegation_id.label("delegation_id"),
            sa.func.count(Registration.id).label("total"),
            sa.func.count(sa.case((Registration.status != RegistrationStatus.CANCELLED, 1)))
            .label("registered"),
            sa.func.count(sa.case((sa.and_(Registration.status != RegistrationStatus.CANCELLED,
                                           Registration.checked_in_at.is_not(None)), 1)))
            .label("checked_in"),
        )
        .where(Registration.delegation_id.is_not(None))
        .group_by(Registration.delegation_id)
        .subquery()
    )
    delegation_join = sa.and_(Delegation.event_id == Event.id,
                              (Delegation.region_id == region_id) if region_id is not None
                              else sa.true())
    # A local day can be up to 14 hours ahead of UTC: select generously, then compare locally.
    until = datetime(as_of.year, as_of.month, as_of.day, tzinfo=UTC) + timedelta(days=2)
    rows = db.session.execute(
        sa.select(Event.id, Event.kind, Event.title, Event.starts_at, Event.timezone,
                  Event.date_precision, Event.host_region_id, Event.place, Event.ordinal,
                  Delegation.region_id, Delegation.is_illustrative, Delegation.reported_registered,
                  Delegation.reported_attended, counts.c.total, counts.c.registered,
                  counts.c.checked_in)
        .outerjoin(Delegation, delegation_join)
        .outerjoin(counts, counts.c.delegation_id == Delegation.id)
        .where(Event.status.in_(HELD_STATUSES), Event.starts_at < until)
        .order_by(Event.starts_at, Event.id)
    )
    events: dict[int, EventFacts] = {}
    attendance: dict[tuple[int, int], Attendance] = {}
    for (eid, kind, title, starts_at, zone, precision, host_id, place, ordinal, d_region,
         illustrative, rep_registered, rep_attended, total, registered, checked_in) in rows:
        if eid not in events:
            day = _local_day(starts_at, zone)
            if day > as_of:
                continue
            events[eid] = EventFacts(eid, kind, title, day, precision, host_id, place, ordinal)
        if d_region is None:
            continue
        if rep_registered is not None:
            attendance[eid, d_region] = Attendance(rep_registered, rep_attended, illustrative)
        elif not total:
            attendance[eid, d_region] = Attendance(None, None, illustrative)
        else:
            attendance[eid, d_region] = Attendance(registered, checked_in, illustrative)

    if RuleKey.FEE_OVERDUE in enabled:
        fee_filter = (AnnualFee.region_id == region_id) if region_id is not None else sa.true()
        for rid, year, cents, currency, paid_on, illustrative in db.session.execute(
            sa.select(AnnualFee.region_id, AnnualFee.year, AnnualFee.amount_cents,
                      AnnualFee.currency, AnnualFee.paid_on, AnnualFee.is_illustrative)
            .where(fee_filter).order_by(AnnualFee.year)
        ):
            if rid in regions:
                regions[rid].fees.append(FeeFacts(year, cents, paid_on, currency, illustrative))
    if RuleKey.NO_REPRESENTATIVE in enabled:
        rep_filter = ((Representative.region_id == region_id) if region_id is not None
                      else sa.true())
        for rid, appointed_on, until_day in db.session.execute(
            sa.select(Representative.region_id, Representative.appointed_on, Representative.until)
            .where(rep_filter)
        ):
            if rid in regions:
                regions[rid].representatives.append(RepresentativeFacts(appointed_on, until_day))
    return ParticipationFacts(list(regions.values()), sorted(events.values(),
                                                            key=lambda e: (e.day, e.id)),
                              attendance)


@dataclass
class Review:
    """What the review page shows: the policy, the matrix and the flags."""

    as_of: date
    policy: list[RuleSettings]
    facts: ParticipationFacts
    flags: dict[int, list[Flag]]
    matrix: Matrix

    @property
    def flagged_rows(self):
        """Matrix rows of flagged regions, most flags first."""
        rows = [row for row in self.matrix.rows if row.flags]
        return sorted(rows, key=lambda r: (-len(r.flags), r.region.name.casefold()))


def review(as_of: date, *, from_year: int | None = None, to_year: int | None = None,
           kinds: tuple[EventKind, ...] = MATRIX_KINDS, sort: str = "engagement",
           region_id: int | None = None) -> Review:
    """The policy evaluated as of `as_of` and the matrix: at most five queries in all."""
    policy = load_policy()
    facts = load_facts(as_of, policy, region_id)
    flags = evaluate(policy, facts, as_of)
    matrix = build_matrix(facts, as_of, flags, from_year=from_year, to_year=to_year,
                          kinds=kinds, sort=sort)
    return Review(as_of, policy, facts, flags, matrix)


# --- decisions --------------------------------------------------------------------------


class DecisionError(ValueError):
    """A decision that does not fit the region's history; the message says why."""


@dataclass(frozen=True)
class RecordedDecision:
    """A decision in the history, and who it was mailed to (or could not be)."""

    entry: MembershipEntry
    mailed: list[Recipient]
    refused: list[Recipient]


def record_decision(actor: User | None, region: Region, kind: MembershipKind, on: date,
                    reason: str, today: date) -> RecordedDecision:
    """Record a warning, an exclusion or a readmission in the history and the audit log, and
    queue the email to the region's coordinators and representatives (same transaction)."""
    reason = (reason or "").strip()
    if kind not in DECISIONS:
        raise DecisionError(_("Choose a warning, an exclusion or a readmission."))
    if not reason:
        raise DecisionError(_("Give the reason: it is kept in the region's history."))
    if on > today:
        raise DecisionError(_("Record a decision once it is taken: the date is in the future."))
    status = region.status_on(on)
    if status not in DECISIONS[kind]:
        raise DecisionError(_("%(region)s was %(status)s on %(day)s: it cannot be %(kind)s "
                              "then.", region=region.name, status=status.label.lower(),
                              day=format_date(on), kind=kind.label.lower()))
    later = [e for e in region.membership_entries
             if e.on > on and e.kind in (MembershipKind.ADMITTED, MembershipKind.READMITTED,
                                         MembershipKind.EXCLUDED, MembershipKind.LEFT)]
    if kind is not MembershipKind.WARNED and later:
        raise DecisionError(_("The history already has a later change (%(kind)s on %(day)s); "
                              "record decisions in order.", kind=later[0].kind.label,
                              day=later[0].date_label))
    if any(e.kind is kind and e.on == on for e in region.membership_entries):
        raise DecisionError(_("%(region)s already has a %(kind)s entry on that day.",
                              region=region.name, kind=kind.label.lower()))
    entry = MembershipEntry(kind=kind, on=on, note=reason)
    region.membership_entries.append(entry)
    db.session.flush()
    with force_locale("en"):  # the audit log keeps one language
        record_audit(actor, f"region.{kind.value}", region,
                     f"{region.name}: {kind.label.lower()} on {on.isoformat()}. {reason}")
    mailed, refused = queue_decision_mail(region, entry)
    return RecordedDecision(entry, mailed, refused)
