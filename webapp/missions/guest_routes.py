"""Guests of a mission: the list and invitations (many at once), an organiser recording an
answer, itineraries, and the guest's own page where they answer through their signed link."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from webapp.auth.services import record_audit
from webapp.calendars.services import personal_feed_urls
from webapp.extensions import db
from webapp.loaders import get_guest, get_mission
from webapp.missions import bp, layout
from webapp.missions.forms import (
    GuestAnswerForm,
    GuestRecordForm,
    InviteGuestForm,
    day_label,
    to_local,
    to_utc,
)
from webapp.missions.guest_services import (
    InviteOutcome,
    invite_people,
    load_for_invites,
    mission_days,
    person_by_email,
    representatives_to_invite,
    update_guest,
)
from webapp.missions.routes import planned_mission, planners_only
from webapp.missions.services import MissionError, active_items, itinerary_link, mission_warnings
from webapp.missions.tokens import ItineraryLinkError, read_itinerary_token
from webapp.models import Event, GuestStatus, MissionGuest, Person, Region
from webapp.text import one_line


def _invite_choices(event: Event, form: InviteGuestForm) -> None:
    """People of the other regions not yet invited, and the regions a new guest may be from."""
    invited = {g.person_id for g in event.guests}
    people = db.session.execute(
        sa.select(Person.id, Person.full_name, Region.name)
        .join(Region, Person.region_id == Region.id)
        .where(Region.id != event.host_region_id)
        .order_by(Region.name, Person.full_name)
    ).all()
    form.person_ids.choices = [
        (pid, f"{name} ({region})") for pid, name, region in people if pid not in invited
    ]
    regions = db.session.execute(
        sa.select(Region.id, Region.name).where(Region.id != event.host_region_id)
        .order_by(Region.name)
    ).all()
    form.region_id.choices = [("", "— not known —")] + [(str(r), n) for r, n in regions]


def _people_chosen(event: Event, form: InviteGuestForm) -> list[Person]:
    """Everyone the one submit asks for: ticked people, the representatives, the email."""
    people = load_for_invites(form.person_ids.data or [])
    if form.all_representatives.data:
        people += representatives_to_invite(event)
    if form.email.data:
        region_id = form.region_id.data
        people.append(person_by_email(
            form.email.data, one_line(form.full_name.data),
            db.session.get(Region, int(region_id)) if region_id else None))
    if not people:
        raise MissionError(_("No representative of a member region (other than the host) is "
                             "in office on %(day)s, the mission's first day. Tick people or "
                             "invite them by email.", day=day_label(event.local_first_day)))
    return people


NAMES_IN_A_MESSAGE = 8  # longer lists end with "and N more" (the guest list has them all)


def _names(guests) -> str:
    """'Ann, Bo and Cy', or 'Ann, …, Hu and 4 more'."""
    names = [g.person.full_name if isinstance(g, MissionGuest) else g.full_name for g in guests]
    if len(names) > NAMES_IN_A_MESSAGE:
        return _("%(names)s and %(num)d more", names=", ".join(names[:NAMES_IN_A_MESSAGE]),
                 num=len(names) - NAMES_IN_A_MESSAGE)
    return names[0] if len(names) == 1 else _("%(names)s and %(last)s",
                                              names=", ".join(names[:-1]), last=names[-1])


def _flash_outcome(outcome: InviteOutcome) -> None:
    """Say who was invited, who got no email (and what to do), who was already on the list."""
    mailed = [g for g in outcome.invited if g not in outcome.without_email]
    if mailed:
        flash(ngettext("%(names)s is invited; an email with the itinerary link is on its way "
                       "to them.",
                       "%(names)s are invited; an email with their itinerary link is on its way "
                       "to each.", len(mailed), names=_names(mailed)), "success")
    if outcome.without_email:
        flash(ngettext("%(names)s is invited, but no email address is recorded for this "
                       "guest: nothing was sent. Pass on the itinerary link shown on the guest "
                       "list, or record their answer yourself.",
                       "%(names)s are invited, but no email address is recorded for them: "
                       "nothing was sent. Pass on the itinerary link shown on the guest list, "
                       "or record their answer yourself.", len(outcome.without_email),
                       names=_names(outcome.without_email)), "warning")
    if outcome.already:
        flash(_("Already on the guest list: %(names)s.", names=_names(outcome.already)), "info")


@bp.route("/<int:mission_id>/guests", methods=["GET", "POST"])
@planners_only
def guests(mission_id: int):
    """The guest list with answers, stays and notes, and the form to invite people."""
    event = planned_mission(mission_id)
    form = InviteGuestForm()
    _invite_choices(event, form)
    if form.validate_on_submit():
        try:
            outcome = invite_people(event, _people_chosen(event, form))
        except MissionError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            for guest in outcome.invited:
                record_audit(current_user._get_current_object(), "guest.invited", guest,
                             f"{guest.person.full_name} <{guest.person.email or 'no email'}> "
                             f"invited to {event.title}")
            db.session.commit()
            _flash_outcome(outcome)
            return redirect(url_for("missions.guests", mission_id=event.id))
    first, _last = mission_days(event)
    return render_template(
        "missions/guests.html", event=event, form=form, statuses=GuestStatus,
        links={g.id: itinerary_link(g) for g in event.guests}, first_day=day_label(first),
    ), 400 if form.errors or form.form_errors else 200


def _stay_data(guest: MissionGuest, event: Event) -> dict:
    """A guest's answer as the answer forms show it."""
    return {"status": guest.status.value, "note": guest.note,
            "starts_at": to_local(guest.arrives_at, event.timezone),
            "ends_at": to_local(guest.departs_at, event.timezone)}


def _save_answer(form, guest: MissionGuest, event: Event, *, by_guest: bool) -> list[str]:
    """Record what the form says (the route commits)."""
    return update_guest(
        guest, status=GuestStatus(form.status.data), note=form.note.data,
        arrives_at=to_utc(form.starts_at.data, event.timezone),
        departs_at=to_utc(form.ends_at.data, event.timezone),
        actor=None if by_guest else current_user._get_current_object(), by_guest=by_guest)


@bp.route("/<int:mission_id>/guests/<int:guest_id>", methods=["GET", "POST"])
@planners_only
def edit_guest(mission_id: int, guest_id: int):
    """Record a guest's answer (invited, accepted, declined), stay and note for them."""
    event = planned_mission(mission_id)
    guest = get_guest(event, guest_id)
    form = GuestRecordForm(data=_stay_data(guest, event) if request.method == "GET" else None)
    form.mission_days = mission_days(event)
    form.local_zone = event.timezone
    if form.validate_on_submit():
        _save_answer(form, guest, event, by_guest=False)
        db.session.commit()
        flash(_("%(name)s: saved.", name=guest.person.full_name), "success")
        return redirect(url_for("missions.guests", mission_id=event.id))
    return render_template("missions/guest_form.html", event=event, guest=guest, form=form,
                           days=[day_label(d) for d in form.mission_days]), (
        400 if form.errors else 200
    )


def _itinerary(event: Event, guest: MissionGuest, *, personal: bool, feed=None, form=None):
    """One guest's items by day, with the warnings that concern them."""
    items = layout.guest_items(active_items(event), guest)
    warnings = [w for w in mission_warnings(event) if w.concerns_guest(guest.id)]
    return render_template(
        "missions/itinerary.html", event=event, guest=guest,
        days=layout.by_day(items, event.timezone), warnings=warnings, personal=personal,
        print_layout=request.args.get("print") == "1", feed=feed, form=form,
        mission_days=[day_label(d) for d in mission_days(event)],
        item_titles={item.id: item.title for item in event.agenda_items},
    )


@bp.get("/<int:mission_id>/guests/<int:guest_id>/itinerary")
@planners_only
def itinerary(mission_id: int, guest_id: int):
    """A guest's personal itinerary, as the planners see it."""
    event = planned_mission(mission_id)
    return _itinerary(event, get_guest(event, guest_id), personal=False)


@bp.route("/itinerary/<token>", methods=["GET", "POST"])
def guest_itinerary(token: str):
    """A guest's own itinerary from the signed link: they accept or decline, give their stay
    and a note; the planner sees it at once."""
    try:
        guest_id, event_id = read_itinerary_token(token)
    except ItineraryLinkError as exc:
        return render_template("missions/link_invalid.html", reason=str(exc)), 400
    event = get_mission(event_id)
    guest = get_guest(event, guest_id)
    data = _stay_data(guest, event) if request.method == "GET" else None
    if data and guest.status is GuestStatus.INVITED:
        data["status"] = None  # not answered yet: neither choice is ticked
    form = GuestAnswerForm(data=data)
    form.mission_days = mission_days(event)
    form.local_zone = event.timezone
    if form.validate_on_submit():
        changed = _save_answer(form, guest, event, by_guest=True)
        db.session.commit()
        flash(_("Thank you: your answer is saved and the organisers see it now.")
              if changed else _("Your answer is as before: nothing changed."), "success")
        return redirect(url_for("missions.guest_itinerary", token=token, _anchor="answer"))
    page = _itinerary(event, guest, personal=True, feed=personal_feed_urls(guest.person),
                      form=form)
    return page, 400 if form.errors else 200
