"""Regions: the list with each region's status, and a region's page."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import render_template, request
from flask_login import current_user
from sqlalchemy.orm import selectinload

from webapp.extensions import db
from webapp.loaders import get_region
from webapp.models import (
    Delegation,
    Event,
    MembershipKind,
    Region,
    RegionStatus,
    utcnow,
)
from webapp.participation.facts import CELL_LEGEND
from webapp.participation.services import review
from webapp.regions import bp
from webapp.search import matches_any, parse_day, query_text

SORTS = {
    "name": lambda r, _on: r.name.casefold(),
    "country": lambda r, _on: (r.country.casefold(), r.name.casefold()),
    "continent": lambda r, _on: (r.continent, r.name.casefold()),
    "status": lambda r, on: (r.status_on(on) is not RegionStatus.MEMBER, r.name.casefold()),
}


@bp.get("/")
def index():
    """All regions with their status on a chosen day (today by default), searchable."""
    on, date_error = parse_day(request.args.get("on"), default=utcnow().date())
    q = query_text(request.args, "q")
    sort = request.args.get("sort", "name")
    if sort not in SORTS:
        sort = "name"
    query = sa.select(Region).options(selectinload(Region.membership_entries))
    if q:
        query = query.where(matches_any(q, Region.name, Region.country, Region.local_name))
    regions = sorted(db.session.scalars(query).all(), key=lambda r: SORTS[sort](r, on))
    return render_template(
        "regions/index.html",
        regions=regions,
        on=on,
        date_error=date_error,
        q=q,
        sort=sort,
        statuses=RegionStatus,
    )


@bp.get("/<slug>")
def detail(slug: str):
    """A region: its status, membership timeline, representatives, fees and events."""
    region = get_region(slug)
    today: date = utcnow().date()
    hosted = db.session.scalars(
        sa.select(Event).where(Event.host_region_id == region.id).order_by(Event.starts_at)
    ).all()
    delegations = db.session.scalars(
        sa.select(Delegation)
        .join(Delegation.event)
        .where(Delegation.region_id == region.id)
        .options(selectinload(Delegation.event))
        .order_by(Event.starts_at)
    ).all()
    engagement = review(today, region_id=region.id)
    row = engagement.matrix.rows[0] if engagement.matrix.rows else None
    concerned = current_user.is_authenticated and (
        current_user.is_secretariat or current_user.coordinates(region.id)
    )
    return render_template(
        "regions/detail.html",
        region=region,
        status=region.status_on(today),
        today=today,
        hosted=hosted,
        delegations=delegations,
        exclusion=region.last_entry(MembershipKind.EXCLUDED),
        engagement=engagement,
        engagement_row=row,
        flags=row.flags if row and concerned else [],
        warnings=[e for e in region.membership_entries if e.kind is MembershipKind.WARNED],
        legend=CELL_LEGEND,
    )
