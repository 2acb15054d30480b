"""A forum's door staff (secretariat): give an account, existing or invited, the check-in of
this one forum, and take it back. Every change is in the audit log."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import joinedload
from wtforms import EmailField, StringField
from wtforms.validators import DataRequired, Length, Optional

from webapp.auth.services import invite_user, record_audit
from webapp.extensions import db
from webapp.forms import AppForm, EmailAddress
from webapp.loaders import get_forum_event, get_user
from webapp.models import DoorStaff, Event, Role, User
from webapp.registrations import admin_bp as bp


class DoorStaffForm(AppForm):
    """Who is to check people in: an account's email, and a name to invite a new one."""

    email = EmailField(_l("Email"), validators=[DataRequired(), EmailAddress(), Length(max=254)])
    full_name = StringField(_l("Full name (for someone without an account yet)"),
                            validators=[Optional(), Length(max=200)])


class DoorStaffError(Exception):
    """A refusal whose message can be shown as it is."""


def door_staff_of(event: Event) -> list[DoorStaff]:
    """The forum's door staff with their accounts, by name (one query)."""
    return db.session.scalars(
        sa.select(DoorStaff).join(DoorStaff.user).where(DoorStaff.event_id == event.id)
        .options(joinedload(DoorStaff.user)).order_by(User.full_name, User.id)
    ).all()


def add_door_staff(actor: User, event: Event, email: str, full_name: str | None
                   ) -> tuple[User, bool]:
    """Give the account with this email check-in rights at this forum, inviting it as door
    staff (no other access) when there is none; (the account, whether it was invited).
    Adds and flushes; the caller commits."""
    email = email.strip().lower()
    user = db.session.scalar(sa.select(User).where(User.email == email))
    invited = user is None
    if user is None:
        if not (full_name or "").strip():
            raise DoorStaffError(_("There is no account with this email yet: give their name "
                                   "and we invite them."))
        user = invite_user(actor, email, full_name, Role.DOOR_STAFF, None)
    elif user.is_secretariat:
        raise DoorStaffError(_("%(name)s is in the secretariat and may already check people "
                               "in at every forum.", name=user.full_name))
    elif db.session.scalar(sa.select(DoorStaff.id).where(
            DoorStaff.event_id == event.id, DoorStaff.user_id == user.id)) is not None:
        raise DoorStaffError(_("%(name)s is already door staff of %(title)s.",
                               name=user.full_name, title=event.title))
    db.session.add(DoorStaff(event_id=event.id, user_id=user.id, added_by_id=actor.id))
    db.session.flush()
    record_audit(actor, "door_staff.added", event,
                 f"{user.full_name} <{user.email}> may check people in at {event.title}")
    return user, invited


def remove_door_staff(actor: User, event: Event, user: User) -> bool:
    """Take back an account's check-in rights at this forum; False when it had none."""
    row = db.session.scalar(sa.select(DoorStaff).where(
        DoorStaff.event_id == event.id, DoorStaff.user_id == user.id))
    if row is None:
        return False
    db.session.delete(row)
    db.session.flush()
    record_audit(actor, "door_staff.removed", event,
                 f"{user.full_name} <{user.email}> may no longer check people in at "
                 f"{event.title}")
    return True


@bp.route("/events/<int:event_id>/door-staff", methods=["GET", "POST"])
def door_staff(event_id: int):
    """The forum's door staff: who may check people in here (and nothing else); add one."""
    event = get_forum_event(event_id)
    form = DoorStaffForm()
    if form.validate_on_submit():
        try:
            user, invited = add_door_staff(current_user._get_current_object(), event,
                                           form.email.data, form.full_name.data)
        except DoorStaffError as exc:
            db.session.rollback()
            form.email.errors = [*form.email.errors, str(exc)]
        else:
            db.session.commit()
            flash(_("%(name)s may now check people in at %(title)s.", name=user.full_name,
                    title=event.title)
                  + (" " + _("We emailed them an invitation to choose a password.") if invited
                     else ""), "success")
            return redirect(url_for("forum_admin.door_staff", event_id=event.id))
    return render_template("registrations/door_staff.html", event=event, form=form,
                           staff=door_staff_of(event), roles=Role), 400 if form.errors else 200


@bp.post("/events/<int:event_id>/door-staff/<int:user_id>/remove")
def remove_door_staff_view(event_id: int, user_id: int):
    """Take back one account's check-in rights at this forum."""
    event, user = get_forum_event(event_id), get_user(user_id)
    if remove_door_staff(current_user._get_current_object(), event, user):
        db.session.commit()
        flash(_("%(name)s may no longer check people in at %(title)s.", name=user.full_name,
                title=event.title), "success")
    else:
        flash(_("%(name)s was not door staff of %(title)s.", name=user.full_name,
                title=event.title), "info")
    return redirect(url_for("forum_admin.door_staff", event_id=event.id))
