"""The secretariat's start page: forums open for registration with their seats, flagged
regions, overdue fees, mail that failed or waits, and the latest audit entries, each with the
page that acts on it, in a fixed number of queries (fourteen at most with the default policy)
whatever the amount of data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, load_only, selectinload

from webapp.extensions import db
from webapp.home.common import Link
from webapp.models import (
    AnnualFee,
    AuditEntry,
    Delegation,
    Event,
    OutboxMessage,
    OutboxStatus,
    Region,
    Registration,
    RegistrationStatus,
    User,
)
from webapp.models.event import registration_open_clause
from webapp.participation.fees import overdue_fees
from webapp.participation.matrix import MatrixRow
from webapp.participation.services import review

LATEST_FAILED = 5
LATEST_AUDIT = 8


@dataclass(frozen=True)
class AudienceSeats:
    """Seats of one audience of an open forum."""

    label: str
    capacity: int
    taken: int
    waitlisted: int

    @property
    def left(self) -> int:
        """Seats still free."""
        return max(self.capacity - self.taken, 0)


@dataclass(frozen=True)
class OpenForum:
    """An event taking registrations now, with its seats per audience."""

    event: Event
    audiences: list[AudienceSeats]


@dataclass(frozen=True)
class MailState:
    """The outbox in numbers: failed, waiting (queued or being sent), and since when."""

    failed: int
    waiting: int
    waiting_since: datetime | None
    latest_failed: list[OutboxMessage]


@dataclass(frozen=True)
class AuditLine:
    """An audit entry and the page of what it changed (the audit log when there is none)."""

    entry: AuditEntry
    link: Link


@dataclass(frozen=True)
class SecretariatHome:
    """Everything the secretariat's start page shows."""

    today: date
    open_forums: list[OpenForum]
    flagged: list[MatrixRow]
    overdue: list[AnnualFee]
    mail: MailState
    audit: list[AuditLine]


def open_forums(now: datetime) -> list[OpenForum]:
    """Events taking registrations at `now`, with seats taken and waitlisted per audience
    (three queries: seats taken are kept on the capacity rows, waitlists are counted)."""
    events = db.session.scalars(
        sa.select(Event).options(selectinload(Event.capacities))
        .where(registration_open_clause(now)).order_by(Event.starts_at, Event.id)
    ).all()
    if not events:
        return []
    waiting = dict(((event_id, audience), n) for event_id, audience, n in db.session.execute(
        sa.select(Registration.event_id, Registration.audience, sa.func.count())
        .where(Registration.event_id.in_([e.id for e in events]),
               Registration.status == RegistrationStatus.WAITLISTED)
        .group_by(Registration.event_id, Registration.audience)
    ))
    return [OpenForum(event, [
        AudienceSeats(c.label, c.capacity, c.seats_taken, waiting.get((event.id, c.audience), 0))
        for c in event.capacities
    ]) for event in events]


def mail_state() -> MailState:
    """Failed and waiting messages (two queries; bodies stay in the database)."""
    counts, since = {}, None
    for status, n, oldest in db.session.execute(
        sa.select(OutboxMessage.status, sa.func.count(), sa.func.min(OutboxMessage.created_at))
        .group_by(OutboxMessage.status)
    ):
        counts[status] = n
        if status in (OutboxStatus.QUEUED, OutboxStatus.SENDING) and oldest is not None:
            since = oldest if since is None else min(since, oldest)
    latest = db.session.scalars(
        sa.select(OutboxMessage)
        .options(load_only(OutboxMessage.to_address, OutboxMessage.subject,
                           OutboxMessage.attempts, OutboxMessage.last_error,
                           OutboxMessage.created_at))
        .where(OutboxMessage.status == OutboxStatus.FAILED)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(LATEST_FAILED)
    ).all() if counts.get(OutboxStatus.FAILED) else []
    return MailState(
        failed=counts.get(OutboxStatus.FAILED, 0),
        waiting=counts.get(OutboxStatus.QUEUED, 0) + counts.get(OutboxStatus.SENDING, 0),
        waiting_since=since, latest_failed=list(latest),
    )


def _ids(entries: list[AuditEntry], target_type: str) -> set[int]:
    """Target ids of one type among the entries."""
    return {e.target_id for e in entries if e.target_type == target_type and e.target_id}


def audit_lines(limit: int = LATEST_AUDIT) -> list[AuditLine]:
    """The latest audit entries, each linked to its target's page: one query, and one more
    per kind of target that needs a lookup (regions, delegations, fees) among them."""
    entries = db.session.scalars(
        sa.select(AuditEntry).outerjoin(User, AuditEntry.actor_id == User.id)
        .options(contains_eager(AuditEntry.actor))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    ).all()
    regions: dict[int, str] = {}
    delegations: dict[int, tuple[int, str]] = {}
    fees: dict[int, int] = {}
    if ids := _ids(entries, "region"):
        regions = dict(db.session.execute(
            sa.select(Region.id, Region.slug).where(Region.id.in_(ids))).all())
    if ids := _ids(entries, "delegation"):
        delegations = {d_id: (event_id, slug) for d_id, event_id, slug in db.session.execute(
            sa.select(Delegation.id, Delegation.event_id, Region.slug)
            .join(Region, Region.id == Delegation.region_id).where(Delegation.id.in_(ids)))}
    if ids := _ids(entries, "annual_fee"):
        fees = dict(db.session.execute(
            sa.select(AnnualFee.id, AnnualFee.year).where(AnnualFee.id.in_(ids))).all())

    def link(entry: AuditEntry) -> Link:
        """The page that shows (and acts on) what the entry changed."""
        kind, target = entry.target_type, entry.target_id
        if kind == "region" and target in regions:
            return Link("participation.region", {"slug": regions[target]})
        if kind == "delegation" and target in delegations:
            event_id, slug = delegations[target]
            return Link("delegations.delegation", {"event_id": event_id, "slug": slug})
        if kind == "annual_fee" and target in fees:
            return Link("participation.fees", {"year": fees[target]})
        if kind == "event" and target:
            return Link("events.detail", {"event_id": target})
        if kind == "user_account" and target:
            return Link("users_admin.edit_user", {"user_id": target})
        if kind == "engagement_rule":
            return Link("participation.policy")
        return Link("users_admin.audit", {"action": entry.action})

    return [AuditLine(entry, link(entry)) for entry in entries]


def secretariat_home(now: datetime) -> SecretariatHome:
    """The secretariat's start page as of `now`."""
    today = now.date()
    return SecretariatHome(
        today=today, open_forums=open_forums(now), flagged=review(today).flagged_rows,
        overdue=overdue_fees(today), mail=mail_state(), audit=audit_lines(),
    )
