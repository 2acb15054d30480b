"""User administration and the audit log (secretariat only)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import contains_eager, selectinload

from webapp.auth import admin_bp as bp
from webapp.auth.audit import action_words, actor_words
from webapp.auth.forms import EditUserForm, InviteForm, chosen_region, region_choices
from webapp.auth.services import describe, invite_user, send_invitation, update_account
from webapp.extensions import db
from webapp.loaders import get_user
from webapp.models import AuditEntry, Role, User
from webapp.search import matches_any, page_number, query_text

PAGE_SIZE = 50
USER_SORTS = {
    "name": User.full_name,
    "email": User.email,
    "role": User.role,
    "last_login": User.last_login_at.desc(),
}


def change_words(change: str, before: str, after: str) -> str:
    """One change update_account reports (in English, for the audit log) in the page's
    language; `before` and `after` are the user's role in words."""
    if change.startswith("role "):
        return _("role %(change)s", change=f"{before} → {after}")
    return {"reactivated": _("reactivated"), "deactivated": _("deactivated")}.get(change, change)


@bp.get("/users")
def users():
    """All accounts: search by name or email, filter by role, sort."""
    q = query_text(request.args, "q")
    role = request.args.get("role", "")
    sort = request.args.get("sort", "name")
    query = sa.select(User).options(selectinload(User.region))
    if q:
        query = query.where(matches_any(q, User.full_name, User.email))
    if role in {r.value for r in Role}:
        query = query.where(User.role == Role(role))
    else:
        role = ""
    query = query.order_by(USER_SORTS.get(sort, User.full_name), User.id)
    accounts = db.session.scalars(query).all()
    return render_template("admin/users.html", users=accounts, q=q, role=role, sort=sort,
                           roles=Role)


@bp.route("/users/invite", methods=["GET", "POST"])
def invite():
    """Invite a coordinator (or another user) by email."""
    form = InviteForm()
    form.region_id.choices = region_choices()
    if form.validate_on_submit():
        user = invite_user(current_user._get_current_object(), form.email.data, form.full_name.data,
                           Role(form.role.data), chosen_region(form.region_id.data))
        db.session.commit()
        flash(_("Invitation sent to %(email)s. The link works for 7 days.", email=user.email),
              "success")
        return redirect(url_for("users_admin.users"))
    return render_template("admin/invite.html", form=form), 400 if form.errors else 200


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int):
    """Change a user's role and region, or (after confirmation) deactivate the account."""
    user = get_user(user_id)
    current = {"role": user.role.value, "region_id": str(user.region_id or ""),
               "enabled": user.is_enabled}
    form = EditUserForm(data=None if request.method == "POST" else current)
    form.region_id.choices = region_choices()
    if form.validate_on_submit():
        actor = current_user._get_current_object()
        if user.id == actor.id and (
            not form.enabled.data or form.role.data != Role.SECRETARIAT.value
        ):
            form.role.errors = [*form.role.errors,
                                _("You cannot remove your own secretariat access.")]
        elif not form.enabled.data and user.is_enabled and not request.form.get("confirmed"):
            return render_template("admin/confirm_deactivate.html", user=user, form=form)
        else:
            before = describe(user.role, user.region)
            changes = update_account(actor, user, Role(form.role.data),
                                     chosen_region(form.region_id.data), form.enabled.data)
            after = describe(user.role, user.region)
            db.session.commit()
            flash(_("%(email)s: %(changes)s", email=user.email,
                    changes="; ".join(change_words(c, before, after) for c in changes))
                  if changes
                  else _("%(email)s: nothing changed.", email=user.email), "success")
            return redirect(url_for("users_admin.users"))
    return render_template("admin/edit_user.html", form=form, user=user), (
        400 if form.errors else 200
    )


@bp.post("/users/<int:user_id>/resend")
def resend_invitation(user_id: int):
    """Send a fresh invitation link to someone who has not set a password yet."""
    user = get_user(user_id)
    if user.password_hash is not None:
        flash(_("%(email)s has already set a password.", email=user.email), "error")
    else:
        send_invitation(user)
        db.session.commit()
        flash(_("A new invitation is on its way to %(email)s.", email=user.email), "success")
    return redirect(url_for("users_admin.users"))


@bp.get("/audit")
def audit():
    """The audit log, newest first, paginated; search who or what, filter by action."""
    q = query_text(request.args, "q")
    actions = db.session.scalars(
        sa.select(AuditEntry.action).distinct().order_by(AuditEntry.action)).all()
    action = request.args.get("action", "")
    action = action if action in actions else ""
    page = page_number(request.args.get("page"))
    query = (sa.select(AuditEntry)
             .outerjoin(User, AuditEntry.actor_id == User.id)
             .options(contains_eager(AuditEntry.actor))
             .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()))
    if action:
        query = query.where(AuditEntry.action == action)
    if q:
        query = query.where(matches_any(q, AuditEntry.summary, User.email, User.full_name))
    entries = db.session.scalars(
        query.limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)).all()
    return render_template("admin/audit.html", entries=entries[:PAGE_SIZE], page=page,
                           has_next=len(entries) > PAGE_SIZE, q=q, action=action,
                           actions=sorted(actions, key=action_words), words=action_words,
                           who=actor_words)
