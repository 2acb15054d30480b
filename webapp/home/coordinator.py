"""A coordinator's start page: their region's standing, its delegations, the reverse missions it
hosts or is invited to, and what needs doing next, in a fixed number of queries (a dozen with
the default policy) whatever the amount of data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import selectinload

from webapp.extensions import db
from webapp.home.common import Link, NextStep, days_until, in_days
from webapp.models import (
    Delegation,
    DelegationQuota,
    Event,
    EventKind,
    EventStatus,
    GuestStatus,
    MembershipEntry,
    MembershipKind,
    MissionGuest,
    Person,
    Region,
    RegionStatus,
    Registration,
    RegistrationStatus,
)
from webapp.models.event import registration_open_clause
from webapp.participation.policy import Flag
from webapp.participation.services import review
from webapp.registrations.quotas import region_quotas

PAST_MISSIONS = 3  # the latest missions already over, below the coming ones
SOON_DAYS = 7  # a deadline this close is urgent


@dataclass
class DelegationLine:
    """The region's delegation to one event that takes delegations now."""

    event: Event
    region_slug: str
    quota: int
    editable: bool  # coordinators may still change it (before the deadline)
    registration_open: bool
    deadline_days: int | None  # days left until the deadline; None without one
    delegation_id: int | None = None
    used: int = 0  # confirmed or waitlisted delegates
    waitlisted: int = 0
    without_email: int = 0
    heads: list[str] = field(default_factory=list)

    @property
    def left(self) -> int:
        """Places of the quota still free."""
        return max(self.quota - self.used, 0)

    @property
    def deadline_in(self) -> str | None:
        """'today', 'tomorrow', 'in 5 days' while the deadline is ahead."""
        return in_days(self.deadline_days) if self.deadline_days is not None else None

    @property
    def link(self) -> Link:
        """The delegation page, where delegates are added, changed or withdrawn."""
        return Link("delegations.delegation",
                    {"event_id": self.event.id, "slug": self.region_slug})


@dataclass
class MissionLine:
    """A reverse mission the region hosts, or to which people of the region are invited."""

    event: Event
    hosted: bool
    upcoming: bool
    guests: int = 0  # hosted: every guest; invited: the region's own guests
    accepted: int = 0
    not_answered: int = 0
    declined: int = 0

    @property
    def link(self) -> Link | None:
        """Hosts plan on the planner; invited regions read the timetable (None: the mission
        is not public, and each guest has only their own itinerary)."""
        if self.hosted:
            return Link("missions.plan", {"mission_id": self.event.id})
        if self.event.is_public:
            return Link("missions.timetable", {"mission_id": self.event.id})
        return None


@dataclass
class CoordinatorHome:
    """Everything the coordinator's start page shows."""

    today: date
    region: Region
    status: RegionStatus
    flags: list[Flag]
    warnings: list[MembershipEntry]
    engagement: str | None  # "75% (3 of 4)" forums and missions taken part in while a member
    engagement_illustrative: bool  # some of it is the made-up demonstration history
    delegations: list[DelegationLine]
    missions: list[MissionLine]
    next_steps: list[NextStep]


def _current_events(region: Region, now: datetime) -> list[tuple[Event, int | None]]:
    """Events taking delegations that are not over (or still take registrations), with the
    region's delegation id when it has one: one query."""
    takes_delegations = sa.or_(
        Event.default_delegation_quota.is_not(None),
        Delegation.id.is_not(None),
        sa.exists().where(DelegationQuota.event_id == Event.id,
                          DelegationQuota.region_id == region.id),
    )
    rows = db.session.execute(
        sa.select(Event, Delegation.id)
        .outerjoin(Delegation, sa.and_(Delegation.event_id == Event.id,
                                       Delegation.region_id == region.id))
        .where(Event.status != EventStatus.CANCELLED, takes_delegations,
               sa.or_(Event.ends_at >= now, registration_open_clause(now)))
        .order_by(Event.starts_at, Event.id)
    ).all()
    return [(event, delegation_id) for event, delegation_id in rows]


def _delegations(region: Region, now: datetime) -> list[DelegationLine]:
    """The region's current delegations with their counts: four queries."""
    events = _current_events(region, now)
    quotas = region_quotas(region, [event for event, _ in events])
    lines = []
    for event, delegation_id in events:
        deadline = event.delegation_deadline
        lines.append(DelegationLine(
            event=event, region_slug=region.slug, quota=quotas[event.id],
            delegation_id=delegation_id,
            editable=event.delegations_editable_by_coordinators(now),
            registration_open=event.registration_is_open(now),
            deadline_days=(days_until(deadline, event.timezone, now)
                           if deadline is not None and deadline > now else None),
        ))
    by_id = {line.delegation_id: line for line in lines if line.delegation_id is not None}
    if not by_id:
        return lines
    active = Registration.status != RegistrationStatus.CANCELLED
    for delegation_id, used, waitlisted, without_email in db.session.execute(
        sa.select(
            Registration.delegation_id,
            sa.func.count(sa.case((active, 1))),
            sa.func.count(sa.case((Registration.status == RegistrationStatus.WAITLISTED, 1))),
            sa.func.count(sa.case((sa.and_(active, Person.email.is_(None)), 1))),
        )
        .join(Person, Person.id == Registration.person_id)
        .where(Registration.delegation_id.in_(by_id))
        .group_by(Registration.delegation_id)
    ):
        line = by_id[delegation_id]
        line.used, line.waitlisted, line.without_email = used, waitlisted, without_email
    for delegation_id, name in db.session.execute(
        sa.select(Registration.delegation_id, Person.full_name)
        .join(Person, Person.id == Registration.person_id)
        .where(Registration.delegation_id.in_(by_id), Registration.is_head_of_delegation, active)
        .order_by(Registration.registered_at, Registration.id)
    ):
        by_id[delegation_id].heads.append(name)
    return lines


def _missions(region: Region, now: datetime) -> list[MissionLine]:
    """Missions the region hosts or has guests at: the coming ones and the latest past ones,
    with their guests' answers (two queries)."""
    invited = (sa.select(MissionGuest.event_id)
               .join(Person, Person.id == MissionGuest.person_id)
               .where(Person.region_id == region.id))
    events = db.session.scalars(
        sa.select(Event)
        .where(Event.kind == EventKind.REVERSE_MISSION,
               sa.or_(Event.host_region_id == region.id, Event.id.in_(invited)))
        .order_by(Event.starts_at.desc(), Event.id.desc())
    ).all()
    upcoming = [e for e in reversed(events) if e.ends_at >= now]
    past = [e for e in events if e.ends_at < now][:PAST_MISSIONS]
    lines = {e.id: MissionLine(e, hosted=e.host_region_id == region.id, upcoming=e.ends_at >= now)
             for e in [*upcoming, *past]}
    if not lines:
        return []
    ours = sa.case((Person.region_id == region.id, 1))
    for event_id, status, every, own in db.session.execute(
        sa.select(MissionGuest.event_id, MissionGuest.status, sa.func.count(), sa.func.count(ours))
        .join(Person, Person.id == MissionGuest.person_id)
        .where(MissionGuest.event_id.in_(lines))
        .group_by(MissionGuest.event_id, MissionGuest.status)
    ):
        line = lines[event_id]
        n = every if line.hosted else own
        line.guests += n
        if status is GuestStatus.ACCEPTED:
            line.accepted += n
        elif status is GuestStatus.DECLINED:
            line.declined += n
        else:
            line.not_answered += n
    return list(lines.values())


def _delegation_steps(line: DelegationLine) -> list[NextStep]:
    """What a delegation still needs, while coordinators may change it."""
    if not line.editable or line.quota == 0:
        return []
    title, steps = line.event.title, []
    if line.deadline_days is not None:
        steps.append(NextStep(
            _("Delegation deadline for %(title)s %(when)s: %(used)s of %(quota)s places used.",
              title=title, when=in_days(line.deadline_days), used=line.used, quota=line.quota),
            _("Complete the delegation"), line.link, urgent=line.deadline_days <= SOON_DAYS))
    if line.used == 0:
        steps.append(NextStep(
            ngettext("No delegate registered yet for %(title)s (%(num)d place in your quota).",
                     "No delegate registered yet for %(title)s (%(num)d places in your quota).",
                     line.quota, title=title),
            _("Add delegates"), line.link))
    elif not line.heads:
        steps.append(NextStep(_("No head of delegation named for %(title)s.", title=title),
                              _("Name the head of delegation"), line.link))
    if line.without_email:
        steps.append(NextStep(
            ngettext("%(num)d delegate of %(title)s without an email: they get no "
                     "confirmation and no calendar invitation.",
                     "%(num)d delegates of %(title)s without an email: they get no "
                     "confirmation and no calendar invitation.", line.without_email, title=title),
            _("Add their emails"), line.link))
    if line.waitlisted:
        steps.append(NextStep(
            ngettext("%(num)d delegate of %(title)s on the waiting list.",
                     "%(num)d delegates of %(title)s on the waiting list.", line.waitlisted,
                     title=title),
            _("See the delegation"), line.link))
    return steps


def _mission_steps(line: MissionLine) -> list[NextStep]:
    """What a coming mission needs from its host, or what an invitation asks of the region."""
    if not line.upcoming or line.event.status is EventStatus.CANCELLED:
        return []
    title = line.event.title
    guests = Link("missions.guests", {"mission_id": line.event.id})
    if line.hosted and line.guests == 0:
        return [NextStep(_("Nobody is invited yet to %(title)s.", title=title),
                         _("Invite guests"), guests)]
    if line.hosted and line.not_answered:
        return [NextStep(ngettext("%(num)d guest of %(title)s has not answered yet.",
                                  "%(num)d guests of %(title)s have not answered yet.",
                                  line.not_answered, title=title),
                         _("Record their answers"), guests)]
    if not line.hosted and line.link is not None:
        return [NextStep(ngettext("%(num)d person of your region invited to %(title)s.",
                                  "%(num)d people of your region invited to %(title)s.",
                                  line.guests, title=title),
                         _("Read the timetable"), line.link)]
    return []


def coordinator_home(region_id: int, now: datetime) -> CoordinatorHome:
    """The start page of a coordinator of `region_id`, as of `now`."""
    region = db.session.scalars(
        sa.select(Region).where(Region.id == region_id)
        .options(selectinload(Region.membership_entries))
    ).one()
    today = now.date()
    engagement = review(today, region_id=region.id)
    row = engagement.matrix.rows[0] if engagement.matrix.rows else None
    flags = row.flags if row else []
    delegations = _delegations(region, now)
    missions = _missions(region, now)
    steps = []
    if flags:
        steps.append(NextStep(
            _("%(region)s is flagged by the engagement policy: %(flags)s.", region=region.name,
              flags=", ".join(str(flag.title) for flag in flags)),
            _("Read the notice"), Link("regions.detail", {"slug": region.slug}), urgent=True))
    for line in delegations:
        steps += _delegation_steps(line)
    for mission in missions:
        steps += _mission_steps(mission)
    steps.sort(key=lambda step: not step.urgent)  # stable: urgent ones first, else in order
    return CoordinatorHome(
        today=today, region=region, status=region.status_on(today), flags=flags,
        warnings=[e for e in region.membership_entries if e.kind is MembershipKind.WARNED],
        engagement=row.engagement_label if row else None,
        engagement_illustrative=bool(row) and any(cell.illustrative for cell in row.cells),
        delegations=delegations,
        missions=missions, next_steps=steps,
    )
