"""Sign-in, sign-out, invitations, password resets and one's own account."""

from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user

from webapp.auth import bp
from webapp.auth.access import require_login, safe_next
from webapp.auth.forms import ChangePasswordForm, ForgotPasswordForm, LoginForm, NewPasswordForm
from webapp.auth.services import (
    ThrottledError,
    authenticate,
    count_sign_in_try,
    end_sessions,
    request_password_reset,
    set_new_password,
)
from webapp.auth.tokens import INVITATION, PASSWORD_RESET, TokenError, read_token
from webapp.extensions import db

THROTTLED = _l("Too many failed sign-in attempts. Wait 15 minutes, or reset your password.")
BAD_LOGIN = _l("That email and password do not match an active account.")


def sign_in(user, *, remember: bool = False) -> None:
    """Start the user's session with a fresh CSRF secret: a token seen before signing in
    (on a shared computer, in a page's source) is worth nothing afterwards."""
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    session.pop(field, None)
    g.pop(field, None)  # Flask-WTF's token for this request, made from the old secret
    login_user(user, remember=remember)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Email + password sign-in, throttled, with a safe `next` redirect."""
    if current_user.is_authenticated:
        return redirect(safe_next(url_for("core.home")))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        user = None
        try:
            count_sign_in_try(form.email.data)
        except ThrottledError:
            status = 429
            form.form_errors.append(str(THROTTLED))
        # The try is counted (committed) before the slow password check, so parallel tries
        # see it; a failure stays counted even though sign-in fails.
        db.session.commit()
        if status != 429:
            user = authenticate(form.email.data, form.password.data)
            db.session.commit()
        if user is not None:
            sign_in(user, remember=form.remember.data)
            flash(_("Welcome, %(name)s.", name=user.full_name), "success")
            return redirect(safe_next(url_for("core.home")))
        if status != 429:
            status = 401
            form.form_errors.append(str(BAD_LOGIN))
    elif form.is_submitted():
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout():
    """Sign out (POST, so a link elsewhere cannot sign people out), server-side: the session
    version moves on, so a copy of the session or remember-me cookie no longer signs in (on
    every device, as after a password change)."""
    if current_user.is_authenticated:
        end_sessions(current_user._get_current_object())
        db.session.commit()
    logout_user()
    flash(_("You are signed out, on every device."), "success")
    return redirect(url_for("core.home"))


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    """Ask for a reset link; the answer is the same whether the account exists or not."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        request_password_reset(form.email.data)
        db.session.commit()
        flash(_("If an account uses that email, a link to reset the password is on its way. "
                "It works for one hour."), "success")
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
        sign_in(user)
        flash(str(done), "success")
        return redirect(url_for("core.home"))
    return render_template(template, form=form, user=user), 400 if form.is_submitted() else 200


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    """Accept an invitation by choosing a password."""
    return _password_from_link(token, INVITATION, "user.invitation_accepted",
                               "auth/accept_invitation.html", _l("Your account is ready."))


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password from an emailed link."""
    return _password_from_link(token, PASSWORD_RESET, "user.password_reset",
                               "auth/reset_password.html",
                               _l("Your password has been changed."))


@bp.route("/account", methods=["GET", "POST"])
@require_login
def account():
    """One's own account: details and password change (signs out other sessions)."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if not user.check_password(form.current.data):
            form.current.errors.append(_("This is not your current password."))
        else:
            set_new_password(user, form.password.data, "user.password_changed")
            db.session.commit()
            sign_in(user)  # keep this session, under the new session version
            flash(_("Password changed. Other devices have been signed out."), "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form), 400 if form.errors else 200
