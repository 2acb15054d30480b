"""Reverse missions: create and edit, guests, the planner, timetable, itineraries, host view.

Who may do what (the access matrix tests it):
- planning pages (create, edit, guests, items, planner, host view, any guest's itinerary): the
  secretariat, or a coordinator of the mission's host region;
- the timetable (no guest names, only group sizes): public, like the other event pages,
  while the mission is public;
- a guest's own itinerary: whoever holds the signed link mailed to that guest.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.auth.access import require_region, require_role
from webapp.auth.audit import changes_between, quoted
from webapp.auth.services import record_audit
from webapp.extensions import db
from webapp.loaders import get_mission
from webapp.missions import bp, layout
from webapp.missions.forms import MissionForm, to_local, to_utc, zone_choices
from webapp.missions.services import (
    active_items,
    create_mission,
    mission_warnings,
)
from webapp.models import Event, Region, Role
from webapp.text import one_line

planners_only = require_role(Role.SECRETARIAT, Role.COORDINATOR)


def _actor():
    """The signed-in user as a model object (for audit entries)."""
    return current_user._get_current_object()


def can_plan(event: Event) -> bool:
    """Whether the signed-in user may plan this mission."""
    return current_user.is_authenticated and (
        current_user.is_secretariat or current_user.coordinates(event.host_region_id)
    )


def planned_mission(mission_id: int) -> Event:
    """A mission the signed-in user may plan (secretariat or host coordinator), else 403/404."""
    event = get_mission(mission_id)
    require_region(event.host_region_id)
    return event


def _host_choices() -> list[tuple[str, str, dict]]:
    """Regions the user may host for: all for the secretariat, their own for a coordinator;
    each option carries its region's zone (mission_form.js follows the host with it)."""
    query = sa.select(Region.id, Region.name, Region.timezone).order_by(Region.name)
    if not current_user.is_secretariat:
        query = query.where(Region.id == current_user.region_id)
    return [(str(rid), name, {"data-zone": zone})
            for rid, name, zone in db.session.execute(query)]


def _mission_fields(form: MissionForm) -> dict:
    """The form's values as model fields (times to aware UTC)."""
    zone = form.timezone.data
    return {
        "title": one_line(form.title.data) or "Reverse mission",
        "place": one_line(form.place.data),
        "theme": one_line(form.theme.data) or None,
        "description": (form.description.data or "").strip() or None,
        "timezone": zone, "starts_at": to_utc(form.starts_at.data, zone),
        "ends_at": to_utc(form.ends_at.data, zone),
        "travel_buffer_minutes": form.travel_buffer_minutes.data,
    }


@bp.route("/new", methods=["GET", "POST"])
@planners_only
def new_mission():
    """Create a reverse mission (secretariat, or a coordinator for their own region)."""
    form = MissionForm()
    form.host_region_id.choices = _host_choices()
    form.timezone.choices = zone_choices()
    if request.method == "GET" and form.host_region_id.choices:
        # The mission's zone is its host's: the first region offered is the one selected.
        form.timezone.data = form.host_region_id.choices[0][2]["data-zone"]
    if form.validate_on_submit():
        region = db.session.get(Region, int(form.host_region_id.data))
        require_region(region.id)
        fields = _mission_fields(form)
        event = create_mission(region, **fields)
        record_audit(_actor(), "mission.created", event, f"{event.title}, hosted by "
                     f"{region.name}, {quoted(event.starts_at)} to {quoted(event.ends_at)}")
        db.session.commit()
        flash(_("Reverse mission “%(title)s” created. Invite guests and add the agenda.",
                title=event.title), "success")
        return redirect(url_for("missions.plan", mission_id=event.id))
    return render_template("missions/mission_form.html", form=form, event=None), (
        400 if form.errors else 200
    )


@bp.route("/<int:mission_id>/edit", methods=["GET", "POST"])
@planners_only
def edit_mission(mission_id: int):
    """Change a mission's facts, dates and travel buffer."""
    event = planned_mission(mission_id)
    data = None
    if request.method == "GET":
        data = {"title": event.title, "host_region_id": str(event.host_region_id),
                "place": event.place, "theme": event.theme, "description": event.description,
                "timezone": event.timezone,
                "starts_at": to_local(event.starts_at, event.timezone),
                "ends_at": to_local(event.ends_at, event.timezone),
                "travel_buffer_minutes": event.travel_buffer_minutes}
    form = MissionForm(data=data)
    form.host_region_id.choices = [(str(event.host_region_id), event.host_region.name)]
    form.timezone.choices = zone_choices()
    if form.validate_on_submit():
        fields = _mission_fields(form)
        changes = changes_between({name: getattr(event, name) for name in fields}, fields)
        for name, value in fields.items():
            setattr(event, name, value)
        if changes:
            record_audit(_actor(), "mission.updated", event,
                         f"{event.title}: " + "; ".join(changes))
        db.session.commit()
        flash(_("Mission saved."), "success")
        return redirect(url_for("missions.plan", mission_id=event.id))
    return render_template("missions/mission_form.html", form=form, event=event), (
        400 if form.errors else 200
    )


@bp.get("/<int:mission_id>/plan")
@planners_only
def plan(mission_id: int):
    """The planner: the agenda by day with parallel lanes and every warning next to its items."""
    event = planned_mission(mission_id)
    warnings = mission_warnings(event)
    items = active_items(event)
    cancelled = [item for item in event.agenda_items if item.is_cancelled]
    return render_template(
        "missions/plan.html", event=event, days=layout.by_day(items, event.timezone),
        warnings=warnings, warnings_by_item=layout.warnings_by_item(warnings),
        cancelled=cancelled, attending=[g for g in event.guests if g.is_attending],
        who=layout.who_attends(items, event.guests),
        item_titles={item.id: item.title for item in event.agenda_items},
    )


@bp.get("/<int:mission_id>/timetable")
def timetable(mission_id: int):
    """Day-by-day timetable, parallel items side by side; `?print=1` is the print layout."""
    event = get_mission(mission_id)
    planner = can_plan(event)
    if not event.is_public and not planner:
        abort(404, description=_("There is no reverse mission number %(num)s.", num=mission_id))
    items = active_items(event)
    return render_template(
        "missions/timetable.html", event=event, days=layout.by_day(items, event.timezone),
        who=layout.who_attends(items, event.guests), can_plan=planner,
        print_layout=request.args.get("print") == "1",
    )


@bp.get("/<int:mission_id>/hosts")
@planners_only
def hosts(mission_id: int):
    """Each host organisation: which guests come when, with the contact person."""
    event = planned_mission(mission_id)
    items = active_items(event)
    return render_template(
        "missions/hosts.html", event=event, hosts=layout.by_host(items),
        who=layout.who_attends(items, event.guests),
    )
