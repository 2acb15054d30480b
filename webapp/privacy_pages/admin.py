"""The secretariat's side: the notice's text, and the erasure requests to confirm or refuse."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload

from webapp.clock import today
from webapp.extensions import db
from webapp.models import ErasureRequest
from webapp.privacy.anonymise import ErasureRefused, active_roles
from webapp.privacy.notice import current_notice, notice_text, save_notice
from webapp.privacy.registry import collect_export
from webapp.privacy.requests import (
    ErasureError,
    confirm_erasure,
    decided_requests,
    pending_requests,
    refuse_erasure,
)
from webapp.privacy_pages import admin_bp as bp
from webapp.privacy_pages.forms import EmptyForm, NoticeForm, RefuseForm


@bp.route("/notice", methods=["GET", "POST"])
def edit_notice():
    """Edit the privacy notice (a new version each save; audited)."""
    form = NoticeForm()
    if not form.is_submitted():
        form.text.data = notice_text()
    if form.validate_on_submit():
        saved = save_notice(current_user._get_current_object(), form.text.data)
        db.session.commit()
        flash(_("The notice is saved.") if saved else _("Nothing changed."), "success")
        return redirect(url_for("privacy.notice"))
    return render_template("privacy/notice_edit.html", form=form, notice=current_notice()), \
        400 if form.errors else 200


@bp.get("/requests")
def requests():
    """Erasure requests waiting, oldest first, and the latest answered ones."""
    return render_template("privacy/requests.html", pending=pending_requests(),
                           decided=decided_requests())


def _request_or_404(request_id: int) -> ErasureRequest:
    """The request with its person, or 404."""
    return db.one_or_404(
        db.select(ErasureRequest).where(ErasureRequest.id == request_id)
        .options(joinedload(ErasureRequest.person)),
        description=_("There is no such erasure request."))


@bp.get("/requests/<int:request_id>")
def request_detail(request_id: int):
    """One request: what would be erased, what blocks it, and the two answers."""
    return _detail(_request_or_404(request_id), RefuseForm())


def _detail(erasure: ErasureRequest, refuse_form: RefuseForm):
    """The request's page, with the refusal form as typed (400 when it has errors)."""
    counts = [(section.title, len(data) if isinstance(data, list) else 1)
              for section, data in collect_export(erasure.person)]
    return render_template("privacy/request_detail.html", erasure=erasure, counts=counts,
                           roles=active_roles(erasure.person, today()),
                           erase_form=EmptyForm(), refuse_form=refuse_form), \
        400 if refuse_form.errors else 200


@bp.post("/requests/<int:request_id>/erase")
def erase(request_id: int):
    """Erase the person (refused, the request waiting, while they hold an active role)."""
    erasure = _request_or_404(request_id)
    detail = url_for("privacy_admin.request_detail", request_id=request_id)
    if not EmptyForm().validate_on_submit():
        return redirect(detail)
    try:
        confirm_erasure(current_user._get_current_object(), erasure)
        db.session.commit()
    except (ErasureRefused, ErasureError) as exc:
        db.session.rollback()
        flash(_("Not erased. %(why)s", why=exc), "error")
        return redirect(detail)
    flash(_("Person #%(id)s is erased: their records keep the counts, not who they were.",
            id=erasure.person_id), "success")
    return redirect(url_for("privacy_admin.requests"))


@bp.post("/requests/<int:request_id>/refuse")
def refuse(request_id: int):
    """Refuse the request with a reason the person is shown."""
    erasure = _request_or_404(request_id)
    form = RefuseForm()
    if not form.validate_on_submit():
        return _detail(erasure, form)
    try:
        refuse_erasure(current_user._get_current_object(), erasure, form.reason.data)
        db.session.commit()
    except ErasureError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("privacy_admin.request_detail", request_id=request_id))
    flash(_("Request #%(id)s refused; the person sees the reason.", id=erasure.id), "success")
    return redirect(url_for("privacy_admin.requests"))
