"""Sign-in, sign-out, invitations, password resets and one's own account."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_user, logout_user

from webapp.auth.access import require_login, safe_next
from webapp.auth.forms import ChangePasswordForm, ForgotPasswordForm, LoginForm, NewPasswordForm
from webapp.auth.services import (
    ThrottledError,
    authenticate,
    request_password_reset,
    set_new_password,
)
from webapp.auth.tokens import INVITATION, PASSWORD_RESET, TokenError, read_token
from webapp.extensions import db

bp = Blueprint("auth", __name__)

THROTTLED = "Too many failed sign-in attempts. Wait 15 minutes, or reset your password."
BAD_LOGIN = "That email and password do not match an active account."


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Email + password sign-in, throttled, with a safe `next` redirect."""
    if current_user.is_authenticated:
        return redirect(safe_next(url_for("core.home")))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = authenticate(form.email.data, form.password.data)
        except ThrottledError:
            user, status = None, 429
            form.form_errors.append(THROTTLED)
        db.session.commit()  # failures are recorded even though sign-in fails
        if user is not None:
            login_user(user, remember=form.remember.data)
            flash(f"Welcome, {user.full_name}.", "success")
            return redirect(safe_next(url_for("core.home")))
        if status != 429:
            status = 401
            form.form_errors.append(BAD_LOGIN)
    elif form.is_submitted():
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout():
    """Sign out (POST, so a link elsewhere cannot sign people out)."""
    logout_user()
    flash("You are signed out.", "success")
    return redirect(url_for("core.home"))


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    """Ask for a reset link; the answer is the same whether the account exists or not."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        request_password_reset(form.email.data)
        db.session.commit()
        flash("If an account uses that email, a link to reset the password is on its way. "
              "It works for one hour.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form), 400 if form.is_submitted() else 200


def _password_from_link(token: str, purpose: str, action: str, template: str, done: str):
    """Shared flow of invitation and reset links: check the link, set the password, sign in."""
    try:
        user = read_token(token, purpose)
    except TokenError as exc:
        return render_template("auth/link_invalid.html", reason=str(exc)), 400
    form = NewPasswordForm()
    if form.validate_on_submit():
        set_new_password(user, form.password.data, action)
        db.session.commit()
        login_user(user)
        flash(done, "success")
        return redirect(url_for("core.home"))
    return render_template(template, form=form, user=user), 400 if form.is_submitted() else 200


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    """Accept an invitation by choosing a password."""
    return _password_from_link(token, INVITATION, "user.invitation_accepted",
                               "auth/accept_invitation.html", "Your account is ready.")


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password from an emailed link."""
    return _password_from_link(token, PASSWORD_RESET, "user.password_reset",
                               "auth/reset_password.html", "Your password has been changed.")


@bp.route("/account", methods=["GET", "POST"])
@require_login
def account():
    """One's own account: details and password change (signs out other sessions)."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if not user.check_password(form.current.data):
            form.current.errors.append("This is not your current password.")
        else:
            set_new_password(user, form.password.data, "user.password_changed")
            db.session.commit()
            login_user(user)  # keep this session, under the new session version
            flash("Password changed. Other devices have been signed out.", "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form), 400 if form.errors else 200
