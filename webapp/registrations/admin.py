"""Secretariat pages: forum set-up, per-region quotas, attendee list and CSV export."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from webapp.auth.access import is_safe_next
from webapp.auth.audit import changes_between
from webapp.auth.forms import region_choices
from webapp.auth.services import record_audit
from webapp.calendars.event_news import send_invitations, send_update
from webapp.calendars.ical import in_calendars
from webapp.extensions import db
from webapp.forms import plain_number
from webapp.i18n import DEFAULT_LANGUAGE, LANGUAGE_NAMES, shipped
from webapp.loaders import get_forum_event, get_registration
from webapp.models import (
    DatePrecision,
    Event,
    EventCapacity,
    EventKind,
    EventStatus,
    Region,
    Registration,
    RegistrationStatus,
)
from webapp.questions.services import said_answer
from webapp.registrations import admin_bp as bp
from webapp.registrations.audit import forum_facts, quota_changes
from webapp.registrations.common import audience_labels
from webapp.registrations.forms import ForumForm, ReasonForm, timezone_choices
from webapp.registrations.lists import (
    ATTENDEE_SORTS,
    AttendeeFilters,
    attendee_answers,
    attendee_page,
    attendee_query,
    attendee_region,
    attendees_csv,
    counts_by_region,
)
from webapp.registrations.quotas import quota_overrides, set_quota_overrides
from webapp.registrations.services import (
    RegistrationError,
    audience_counts,
    cancel_registration,
    fill_free_seats,
    lock_audience,
)
from webapp.search import page_number

PAGE_SIZE = 100
EXPORT_LIMIT = 50_000


def to_utc(local: datetime | None, zone: str) -> datetime | None:
    """A wall-clock time typed in the forum's zone, as aware UTC."""
    return local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC) if local else None


def to_local(value: datetime | None, zone: str) -> datetime | None:
    """An aware time as the naive wall-clock time a datetime-local input shows."""
    return value.astimezone(ZoneInfo(zone)).replace(tzinfo=None) if value else None


def _unique_slug(title: str, year: int) -> str:
    """'creativity-world-forum-2031', with a suffix when taken."""
    base = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60] or "forum"
    if not base.endswith(str(year)):
        base = f"{base}-{year}"
    slug, n = base, 2
    while db.session.scalar(sa.select(Event.id).where(Event.slug == slug)):
        slug, n = f"{base}-{n}", n + 1
    return slug


def _form_data(event: Event) -> dict:
    """The forum's current values as the form shows them (local times); a forum whose
    exact days are not recorded shows empty dates, not its stand-in of 1 January."""
    zone = event.timezone
    exact = not event.dates_approximate
    return {
        "title": event.title, "theme": event.theme, "place": event.place, "venue": event.venue,
        "host_region_id": str(event.host_region_id or ""), "timezone": zone,
        "starts_local": to_local(event.starts_at, zone) if exact else None,
        "ends_local": to_local(event.ends_at, zone) if exact else None,
        "opens_local": to_local(event.registration_opens_at, zone),
        "closes_local": to_local(event.registration_closes_at, zone),
        "deadline_local": to_local(event.delegation_deadline, zone),
        "default_quota": event.default_delegation_quota,
        "letterhead_text": event.letterhead_text,
        "default_language": event.default_language or DEFAULT_LANGUAGE,
        "capacities": [{"audience": c.audience, "label": c.label, "capacity": c.capacity}
                       for c in event.capacities],
    }


def _apply_forum_form(form: ForumForm, event: Event) -> list[str]:
    """Copy the form onto the forum and its capacities; returns problems (nothing applied)."""
    zone = form.timezone.data
    wanted = {e.form.audience.data: e.form for e in form.capacities.entries
              if e.form.audience.data}
    counts = audience_counts(event.id) if event.id else {}
    used = {audience for (audience, _status) in counts}
    removed = [c for c in event.capacities if c.audience not in wanted]
    problems = [f"“{c.label}” has registrations and cannot be removed." for c in removed
                if c.audience in used]
    if problems:
        return problems
    event.title, event.theme = form.title.data.strip(), (form.theme.data or "").strip() or None
    event.place, event.venue = form.place.data.strip(), (form.venue.data or "").strip() or None
    event.host_region_id = int(form.host_region_id.data) if form.host_region_id.data else None
    event.timezone = zone
    if form.starts_local.data is not None:  # empty only on a forum whose days stay unknown
        event.starts_at, event.ends_at = to_utc(form.starts_local.data, zone), to_utc(
            form.ends_local.data, zone)
        if event.dates_approximate:  # the exact days are now known: into every calendar
            event.date_precision, event.date_note = DatePrecision.DAY, None
    event.registration_opens_at = to_utc(form.opens_local.data, zone)
    event.registration_closes_at = to_utc(form.closes_local.data, zone)
    event.delegation_deadline = to_utc(form.deadline_local.data, zone)
    event.default_delegation_quota = form.default_quota.data
    event.letterhead_text = (form.letterhead_text.data or "").strip() or None
    # English is what a forum without a language of its own falls back to anyway.
    event.default_language = (None if form.default_language.data == DEFAULT_LANGUAGE
                              else form.default_language.data)
    for capacity in removed:
        event.capacities.remove(capacity)
    existing = {c.audience: c for c in event.capacities}
    for audience, entry in wanted.items():
        row = existing.get(audience)
        if row is None:
            event.capacities.append(EventCapacity(audience=audience, label=entry.label.data.strip(),
                                                  capacity=entry.capacity.data))
        else:
            row.label, row.capacity = entry.label.data.strip(), entry.capacity.data
    db.session.add(event)
    db.session.flush()
    return []


def _forum_form(event: Event | None) -> ForumForm:
    """The set-up form with its choices, pre-filled from the forum on GET."""
    form = ForumForm(data=None if request.method == "POST" or event is None else _form_data(event))
    form.host_region_id.choices = region_choices()
    form.timezone.choices = timezone_choices()
    form.default_language.choices = [(code, LANGUAGE_NAMES[code]) for code in shipped()]
    form.dates_optional = event is not None and event.dates_approximate
    return form


@bp.route("/forums/new", methods=["GET", "POST"])
def new_forum():
    """Create a forum."""
    form = _forum_form(None)
    if form.validate_on_submit():
        event = Event(kind=EventKind.FORUM, slug=_unique_slug(form.title.data,
                                                               form.starts_local.data.year))
        _apply_forum_form(form, event)
        record_audit(current_user._get_current_object(), "forum.created", event,
                     f"Created {event.title}")
        db.session.commit()
        flash(_("%(title)s created.", title=event.title), "success")
        return redirect(url_for("events.detail", event_id=event.id))
    return render_template("registrations/forum_form.html", form=form, event=None), (
        400 if form.errors else 200)


def _tell_registrants(event: Event, sequence_before: int, published_before: bool) -> None:
    """After a saved set-up: invitations when the forum has just gone into calendars (its
    exact days given; nobody holds one yet), updates when a change people see was made.
    A cancelled forum stays cancelled in calendars: nobody is invited again."""
    if event.status is EventStatus.CANCELLED:
        return
    if not published_before and in_calendars(event):
        invited = send_invitations(event)
        flash(_("%(title)s is now in calendars: invitations queued for %(n)s registered "
                "people.", title=event.title, n=invited), "info")
    elif event.sequence != sequence_before:
        updates = send_update(event)
        flash(_("Calendar updates queued for %(n)s registered people.", n=updates), "info")


@bp.route("/events/<int:event_id>/setup", methods=["GET", "POST"])
def edit_forum(event_id: int):
    """Edit a forum: dates, venue, registration window, capacities, default quota."""
    event = get_forum_event(event_id)
    form = _forum_form(event)
    if form.validate_on_submit():
        sequence_before, published_before = event.sequence, in_calendars(event)
        facts_before = forum_facts(event)
        problems = _apply_forum_form(form, event)
        if not problems:
            db.session.flush()  # the flush listener raises SEQUENCE if dates or place changed
            _tell_registrants(event, sequence_before, published_before)
            for capacity in event.capacities:  # raised capacities admit the waitlist at once
                seats = lock_audience(event.id, capacity.audience)
                fill_free_seats(event.id, capacity.audience, seats)
            changes = changes_between(facts_before, forum_facts(event))
            if changes:
                record_audit(current_user._get_current_object(), "forum.updated", event,
                             f"{event.title}: " + "; ".join(changes))
            db.session.commit()
            flash(_("Forum saved."), "success")
            return redirect(url_for("events.detail", event_id=event.id))
        form.capacities.errors = problems
    return render_template("registrations/forum_form.html", form=form, event=event), (
        400 if form.errors else 200)


@bp.route("/events/<int:event_id>/quotas", methods=["GET", "POST"])
def quotas(event_id: int):
    """The delegate quota of each region: the default, or an override; excluded: none."""
    event = get_forum_event(event_id)
    regions = db.session.scalars(
        sa.select(Region).options(selectinload(Region.membership_entries)).order_by(Region.name)
    ).all()
    day = event.local_first_day
    errors: dict[int, str] = {}
    if request.method == "POST":
        overrides: dict[int, int | None] = {}
        for region in regions:
            raw = request.form.get(f"quota-{region.id}", "").strip()
            if not raw:
                overrides[region.id] = None
            elif (quota := plain_number(raw, 10_000)) is not None:
                overrides[region.id] = quota
            else:
                errors[region.id] = _("A whole number from 0 to 10,000, or empty for the default.")
        if not errors:
            changes = quota_changes(regions, quota_overrides(event.id), overrides,
                                    event.default_delegation_quota)
            set_quota_overrides(event, overrides)
            if changes:
                record_audit(current_user._get_current_object(), "forum.quotas_updated", event,
                             f"Delegation quotas of {event.title}: " + "; ".join(changes))
            db.session.commit()
            flash(_("Quotas saved."), "success")
            return redirect(request.path)
    return render_template(
        "registrations/quotas.html", event=event, day=day, errors=errors, form_values=request.form,
        rows=[(region, region.status_on(day)) for region in regions],
        overrides=quota_overrides(event.id),
    ), 400 if errors else 200


@bp.get("/events/<int:event_id>/attendees")
def attendees(event_id: int):
    """Everyone registered: filtered by region, audience and status, searched, sorted; with
    counts per region."""
    event = get_forum_event(event_id)
    labels = audience_labels(event)
    filters = AttendeeFilters.from_args(request.args, list(labels))
    page = page_number(request.args.get("page"))
    rows, has_next = attendee_page(event.id, filters, page, PAGE_SIZE)
    questions, answers = attendee_answers(event.id, rows)
    regions = db.session.execute(sa.select(Region.slug, Region.name).order_by(Region.name)).all()
    return render_template(
        "registrations/attendees.html", event=event, rows=rows, has_next=has_next, page=page,
        filters=filters, labels=labels, regions=regions, sorts=ATTENDEE_SORTS,
        by_region=counts_by_region(event.id, filters), totals=audience_counts(event.id),
        region_of=attendee_region, reg_statuses=RegistrationStatus,
        questions=questions, answers=answers, shown_answer=said_answer,
    )


@bp.get("/events/<int:event_id>/attendees.csv")
def export_attendees(event_id: int):
    """The filtered list as CSV for Excel and LibreOffice (UTF-8 BOM, formula-safe)."""
    event = get_forum_event(event_id)
    labels = audience_labels(event)
    filters = AttendeeFilters.from_args(request.args, list(labels))
    rows = db.session.scalars(
        attendee_query(event.id, filters).order_by(Registration.id).limit(EXPORT_LIMIT)
    ).all()
    return Response(
        attendees_csv(rows, labels, *attendee_answers(event.id)), mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{event.slug}-attendees.csv"'},
    )


@bp.post("/registrations/<int:registration_id>/cancel")
def cancel(registration_id: int):
    """The secretariat cancels a registration with a reason; the waitlist moves up."""
    registration = get_registration(registration_id)
    form = ReasonForm()
    target = request.form.get("next")
    if not is_safe_next(target):
        target = url_for("forum_admin.attendees", event_id=registration.event_id)
    if not form.validate() and not (form.reason.data or "").strip():
        flash(_("Give a reason to cancel a registration."), "error")
        return redirect(target)
    if form.errors:  # the page again, with the reason typed kept (see reason.html)
        return render_template(
            "registrations/reason.html", form=form, registration=registration,
            heading=_("Cancel %(name)s's registration", name=registration.person.full_name),
            back=target, back_label=_("Attendees"), action=request.path, next=target), 400
    try:
        promoted = cancel_registration(registration, current_user._get_current_object(),
                                       form.reason.data)
        record_audit(current_user._get_current_object(), "registration.cancelled",
                     registration, f"{registration.person.email}: {form.reason.data.strip()}")
        db.session.commit()
        flash(_("%(name)s's registration is cancelled.", name=registration.name)
              + (" " + _("%(name)s moves up from the waitlist.", name=promoted[0].name)
                 if promoted else ""), "success")
    except RegistrationError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    return redirect(target)
