"""Events: the list by year and an event's page with its agenda."""

from __future__ import annotations

from itertools import groupby

import sqlalchemy as sa
from flask import Blueprint, render_template, request
from sqlalchemy.orm import selectinload

from webapp.extensions import db
from webapp.models import Delegation, Event, EventKind, utcnow
from webapp.search import matches_any, query_text

bp = Blueprint("events", __name__, url_prefix="/events")


def get_event(event_id: int) -> Event:
    """Load an event with its host, capacities, agenda and delegations, or answer 404."""
    return db.one_or_404(
        sa.select(Event)
        .where(Event.id == event_id)
        .options(
            selectinload(Event.host_region),
            selectinload(Event.capacities),
            selectinload(Event.agenda_items),
            selectinload(Event.delegations).selectinload(Delegation.region),
        ),
        description=f"There is no event number {event_id}.",
    )


@bp.get("/")
def index():
    """All public events grouped by year, filterable by kind and searchable by title or place."""
    kind = request.args.get("kind", "")
    q = query_text(request.args, "q")
    order = "asc" if request.args.get("order") == "asc" else "desc"
    query = sa.select(Event).options(selectinload(Event.host_region)).where(Event.is_public)
    if kind in {k.value for k in EventKind}:
        query = query.where(Event.kind == EventKind(kind))
    else:
        kind = ""
    if q:
        query = query.where(matches_any(q, Event.title, Event.place, Event.theme))
    column = Event.starts_at.asc() if order == "asc" else Event.starts_at.desc()
    events = db.session.scalars(query.order_by(column, Event.id)).all()
    years = [(year, list(items)) for year, items in groupby(events, key=lambda e: e.year)]
    return render_template(
        "events/index.html", years=years, kind=kind, q=q, order=order, kinds=EventKind,
        total=len(events),
    )


@bp.get("/<int:event_id>")
def detail(event_id: int):
    """An event: host, dates in its local time, capacities, delegations and agenda by day."""
    event = get_event(event_id)
    days = [
        (day, list(items))
        for day, items in groupby(event.agenda_items, key=lambda item: item.local_start.date())
    ]
    return render_template("events/detail.html", event=event, days=days,
                           registration_open=event.registration_is_open(utcnow()))
