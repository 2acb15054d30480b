"""Events: the list by year, an event's page with its agenda, and its status (confirm or
cancel: the secretariat, or a coordinator of a reverse mission's host region)."""

from __future__ import annotations

from itertools import groupby

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.orm import selectinload

from webapp.auth.access import require_role
from webapp.auth.services import record_audit
from webapp.events import bp
from webapp.events.forms import CANCEL, EventStatusForm
from webapp.events.services import StatusError, cancel, concerned, confirm, may_change_status
from webapp.extensions import db
from webapp.i18n import use_forum_language
from webapp.loaders import get_event
from webapp.models import Event, EventKind, Role, utcnow
from webapp.registrations.common import public_choices
from webapp.search import matches_any, query_text


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
    use_forum_language(event.default_language)
    days = [
        (day, list(items))
        for day, items in groupby(event.agenda_items, key=lambda item: item.local_start.date())
    ]
    return render_template("events/detail.html", event=event, days=days,
                           # A delegates-only forum is open to the delegations, not to the
                           # public: no Register button leading to a closed form.
                           registration_open=(event.registration_is_open(utcnow())
                                              and bool(public_choices(event))),
                           can_change_status=may_change_status(current_user, event))


def managed_event(event_id: int) -> Event:
    """An event whose status the signed-in user may change, else 404/403."""
    event = get_event(event_id)
    if not may_change_status(current_user, event):
        abort(403)
    return event


def _status_page(event: Event, form: EventStatusForm, status: int = 200):
    """The status page: where the event stands, and the forms to confirm or cancel it."""
    return render_template("events/status.html", event=event, form=form,
                           concerned=concerned(event)), status


# One rule for both methods: two rules on one path make werkzeug answer 405, not 404, to a
# POST whose number is too big for an id.
@bp.route("/<int:event_id>/status", methods=["GET", "POST"])
@require_role(Role.SECRETARIAT, Role.COORDINATOR)
def status(event_id: int):
    """Confirm a planned event or cancel it, each with a reason: asked first (what will be
    sent to whom), then done and audited."""
    event = managed_event(event_id)
    if request.method == "GET":
        return _status_page(event, EventStatusForm(formdata=None))
    form = EventStatusForm()
    if not form.validate():
        return _status_page(event, form, 400)
    if not form.confirmed.data:
        return render_template("events/confirm_status.html", event=event, form=form,
                               concerned=concerned(event))
    actor, reason = current_user._get_current_object(), form.reason_text
    try:
        if form.action.data == CANCEL:
            told = cancel(event, reason)
            record_audit(actor, "event.cancelled", event, f"Cancelled {event.title}: {reason}")
            # English says "1 cancellations" as it always has; the catalogs may count.
            news = ngettext("%(title)s is cancelled; %(num)d cancellations queued.",
                            "%(title)s is cancelled; %(num)d cancellations queued.", told,
                            title=event.title)
        else:
            told = confirm(event)
            record_audit(actor, "event.confirmed", event,
                         f"Confirmed {event.title}" + (f": {reason}" if reason else ""))
            news = ngettext("%(title)s is confirmed; calendar updates queued for %(num)d people.",
                            "%(title)s is confirmed; calendar updates queued for %(num)d people.",
                            told, title=event.title)
    except StatusError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("events.status", event_id=event_id))
    db.session.commit()
    flash(news, "success")
    return redirect(url_for("events.detail", event_id=event_id))
