"""Delegations and their quotas: who may send how many delegates to which event."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from webapp.extensions import db
from webapp.models import (
    Delegation,
    DelegationQuota,
    Event,
    Region,
    Registration,
    RegistrationStatus,
)

DELEGATION_AUDIENCE = "international"
DELEGATES_ONLY = ("International participants are registered by their region's delegation: "
                  "ask your region's coordinator, or choose one of the audiences offered.")


def open_to_the_public(audience: str) -> bool:
    """Whether the public form may take a seat of this audience: the delegates' audience is
    filled by the regions' delegations only (the quota is the region's, not the first
    comer's)."""
    return audience != DELEGATION_AUDIENCE


def delegation_audience(event: Event) -> str | None:
    """The audience delegates register in: international participants, else the first one."""
    audiences = [capacity.audience for capacity in event.capacities]
    if DELEGATION_AUDIENCE in audiences:
        return DELEGATION_AUDIENCE
    return audiences[0] if audiences else None


def _quota(event: Event, region: Region, override: int | None) -> int:
    """The quota rule, given the region's override for the event (None: no override)."""
    if not region.is_member_on(event.local_first_day):
        return 0
    if override is not None:
        return override
    return event.default_delegation_quota or 0


def quota_for(event: Event, region: Region) -> int:
    """A region's delegate quota: none unless a member on the event's first day (excluded
    regions get none); an override when set, else the event's default."""
    if not region.is_member_on(event.local_first_day):
        return 0
    override = db.session.scalar(
        sa.select(DelegationQuota.quota).where(
            DelegationQuota.event_id == event.id, DelegationQuota.region_id == region.id
        )
    )
    return _quota(event, region, override)


def region_quotas(region: Region, events: Sequence[Event]) -> dict[int, int]:
    """quota_for of one region for many events, in one query: event id → quota."""
    if not events:
        return {}
    overrides = dict(db.session.execute(
        sa.select(DelegationQuota.event_id, DelegationQuota.quota).where(
            DelegationQuota.region_id == region.id,
            DelegationQuota.event_id.in_([event.id for event in events]),
        )
    ).all())
    return {event.id: _quota(event, region, overrides.get(event.id)) for event in events}


def quota_overrides(event_id: int) -> dict[int, int]:
    """region id → overriding quota, for one event."""
    rows = db.session.execute(
        sa.select(DelegationQuota.region_id, DelegationQuota.quota).where(
            DelegationQuota.event_id == event_id
        )
    ).all()
    return dict(rows)


def set_quota_overrides(event: Event, overrides: dict[int, int | None]) -> None:
    """Store per-region quotas (None removes the override, back to the default)."""
    current = {
        q.region_id: q
        for q in db.session.scalars(
            sa.select(DelegationQuota).where(DelegationQuota.event_id == event.id)
        )
    }
    for region_id, quota in overrides.items():
        row = current.get(region_id)
        if quota is None:
            if row is not None:
                db.session.delete(row)
        elif row is None:
            db.session.add(DelegationQuota(event_id=event.id, region_id=region_id, quota=quota))
        else:
            row.quota = quota
    db.session.flush()


def delegates_used(delegation_id: int) -> int:
    """Active (confirmed or waitlisted) delegates of a delegation."""
    return db.session.scalar(
        sa.select(sa.func.count(Registration.id)).where(
            Registration.delegation_id == delegation_id,
            Registration.status != RegistrationStatus.CANCELLED,
        )
    )


def get_or_create_delegation(event: Event, region: Region) -> Delegation:
    """The region's delegation to the event, created on first use."""
    delegation = db.session.scalars(
        sa.select(Delegation)
        .where(Delegation.event_id == event.id, Delegation.region_id == region.id)
        .options(selectinload(Delegation.region))
    ).one_or_none()
    if delegation is None:
        delegation = Delegation(event_id=event.id, region=region)
        db.session.add(delegation)
        db.session.flush()
    return delegation
