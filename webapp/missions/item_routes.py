"""Agenda items of a mission: add, edit (with warnings before and after saving), cancel."""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from webapp.auth.audit import changes_between, quoted
from webapp.auth.services import record_audit
from webapp.extensions import db
from webapp.loaders import get_item
from webapp.missions import bp
from webapp.missions.conflicts import ItemSlot, PlanWarning, warnings_for_item
from webapp.missions.forms import ItemForm, to_local, to_utc
from webapp.missions.routes import _actor, planned_mission, planners_only
from webapp.missions.services import (
    MissionError,
    active_items,
    cancel_item,
    frame_of,
    mission_warnings,
    save_item,
    slot_of,
    stays_of,
)
from webapp.models import AgendaItem, AgendaKind, Event
from webapp.text import one_line


def _item_form(event: Event, item: AgendaItem | None) -> ItemForm:
    """The item form, filled from the item on GET, with this mission's guests to tick."""
    data = None
    if request.method == "GET" and item is not None:
        data = {
            "kind": item.kind.value, "title": item.title, "description": item.description,
            "host_organisation": item.host_organisation, "contact_name": item.contact_name,
            "contact_email": item.contact_email, "contact_phone": item.contact_phone,
            "address": item.address, "capacity": item.capacity,
            "starts_at": to_local(item.starts_at, event.timezone),
            "ends_at": to_local(item.ends_at, event.timezone),
            "attendance": "all" if item.all_guests else "some",
            "guest_ids": [g.id for g in item.selected_guests],
        }
    elif request.method == "GET":
        local_start = to_local(event.starts_at, event.timezone)
        data = {"starts_at": local_start, "ends_at": None, "attendance": "all"}
    form = ItemForm(data=data)
    form.local_zone = event.timezone
    form.guest_ids.choices = [
        (g.id, f"{g.person.full_name}" + (f" ({g.person.region.name})" if g.person.region else ""))
        for g in event.guests if g.is_attending
    ]
    return form


def _item_fields(form: ItemForm, event: Event) -> dict:
    """The form's values as model fields (times to aware UTC)."""
    return {
        "kind": AgendaKind(form.kind.data), "title": one_line(form.title.data) or "Untitled",
        "description": (form.description.data or "").strip() or None,
        "host_organisation": one_line(form.host_organisation.data) or None,
        "contact_name": one_line(form.contact_name.data) or None,
        "contact_email": one_line(form.contact_email.data) or None,
        "contact_phone": one_line(form.contact_phone.data) or None,
        "address": one_line(form.address.data) or None, "capacity": form.capacity.data,
        "starts_at": to_utc(form.starts_at.data, event.timezone),
        "ends_at": to_utc(form.ends_at.data, event.timezone),
        "all_guests": form.attendance.data != "some",
    }


def _proposed_warnings(event: Event, item: AgendaItem | None, form: ItemForm) -> list[PlanWarning]:
    """Warnings the item would have if saved as the form says (nothing is written)."""
    fields = _item_fields(form, event)
    proposed = ItemSlot(
        id=item.id if item else None, title=fields["title"], starts_at=fields["starts_at"],
        ends_at=fields["ends_at"], host_organisation=fields["host_organisation"],
        address=fields["address"], capacity=fields["capacity"],
        guest_ids=None if fields["all_guests"] else frozenset(form.guest_ids.data or []),
        is_transport=fields["kind"] is AgendaKind.TRANSPORT,
    )
    others = [slot_of(i) for i in active_items(event) if item is None or i.id != item.id]
    return warnings_for_item(frame_of(event), proposed, others, stays_of(event))


def _record_saved(event: Event, item: AgendaItem, before: dict | None, fields: dict) -> None:
    """An audit entry for an item added, or changed (before → after)."""
    if before is None:
        record_audit(_actor(), "agenda.item_added", item,
                     f"{event.title}: “{item.title}” {quoted(item.starts_at)} to "
                     f"{quoted(item.ends_at)}")
    elif changes := changes_between(before, fields):
        record_audit(_actor(), "agenda.item_changed", item,
                     f"{event.title}, “{item.title}”: " + "; ".join(changes))


def _item_page(event: Event, item: AgendaItem | None):
    """Shared by add and edit: check (no save), or save and show the planner."""
    form = _item_form(event, item)
    warnings: list[PlanWarning] | None = None
    if form.validate_on_submit():
        if request.form.get("action") == "check":
            warnings = _proposed_warnings(event, item, form)
        else:
            fields = _item_fields(form, event)
            before = {name: getattr(item, name) for name in fields} if item else None
            try:
                saved = save_item(event, item, fields, form.guest_ids.data)
            except MissionError as exc:
                db.session.rollback()
                form.form_errors.append(str(exc))
            else:
                _record_saved(event, saved, before, fields)
                db.session.commit()
                concerning = [w for w in mission_warnings(event) if w.concerns_item(saved.id)]
                if concerning:
                    flash(ngettext("Saved “%(title)s”. %(num)d warning concerns it: see the "
                                   "planner below (you decide whether to change it).",
                                   "Saved “%(title)s”. %(num)d warnings concern it: see the "
                                   "planner below (you decide whether to change it).",
                                   len(concerning), title=saved.title), "warning")
                else:
                    flash(_("Saved “%(title)s”. No planning conflicts.", title=saved.title),
                          "success")
                return redirect(url_for("missions.plan", mission_id=event.id,
                                        _anchor=f"item-{saved.id}"))
    elif item is not None and request.method == "GET" and not item.is_cancelled:
        warnings = [w for w in mission_warnings(event) if w.concerns_item(item.id)]
    status = 400 if form.errors or form.form_errors else 200
    return render_template("missions/item_form.html", event=event, item=item, form=form,
                           warnings=warnings, item_titles=_titles(event)), status


def _titles(event: Event) -> dict[int, str]:
    """Each item's title by id, for the links from a warning to the items it names."""
    return {i.id: i.title for i in event.agenda_items}


@bp.route("/<int:mission_id>/items/new", methods=["GET", "POST"])
@planners_only
def new_item(mission_id: int):
    """Add an agenda item; “Check” shows its warnings before saving."""
    return _item_page(planned_mission(mission_id), None)


@bp.route("/<int:mission_id>/items/<int:item_id>", methods=["GET", "POST"])
@planners_only
def edit_item(mission_id: int, item_id: int):
    """Edit an item; saving a move tells exactly the guests concerned."""
    event = planned_mission(mission_id)
    return _item_page(event, get_item(event, item_id))


@bp.post("/<int:mission_id>/items/<int:item_id>/cancel")
@planners_only
def cancel(mission_id: int, item_id: int):
    """Call an item off; the guests who were to attend get a cancellation by email."""
    event = planned_mission(mission_id)
    item = get_item(event, item_id)
    told = cancel_item(item)
    record_audit(_actor(), "agenda.item_cancelled", item,
                 f"{event.title}: “{item.title}” cancelled; {told} guest(s) notified")
    db.session.commit()
    flash(ngettext("“%(title)s” is cancelled; %(num)d guest notified.",
                   "“%(title)s” is cancelled; %(num)d guests notified.", told, title=item.title),
          "success")
    return redirect(url_for("missions.plan", mission_id=event.id))


@bp.post("/<int:mission_id>/items/check")
@planners_only
def check_item(mission_id: int):
    """JSON for agenda.js: the warnings the item in the form would have (nothing is saved)."""
    event = planned_mission(mission_id)
    item_id = request.form.get("item_id", type=int)
    item = next((i for i in event.agenda_items if i.id == item_id), None) if item_id else None
    form = _item_form(event, item)
    if not form.validate():
        return jsonify(ok=False, errors=form.errors, warnings=[])
    titles = _titles(event)
    return jsonify(ok=True, errors={}, warnings=[
        {"rule": w.rule.value, "label": str(w.rule.label), "message": w.message,
         "items": [{"title": titles[i], "url": url_for("missions.plan", mission_id=event.id,
                                                       _anchor=f"item-{i}")}
                   for i in dict.fromkeys(w.item_ids) if i in titles]}
        for w in _proposed_warnings(event, item, form)
    ])
