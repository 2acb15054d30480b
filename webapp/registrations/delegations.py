"""A region's delegation to a forum: delegates, quota, substitution, withdrawal, CSV import.

Coordinators see and change their own region's delegation only, until the deadline; the
secretariat any, at any time. Every change is audited."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from webapp.auth.access import require_region, require_role
from webapp.auth.services import record_audit
from webapp.extensions import db
from webapp.loaders import get_delegate, get_delegate_import, get_forum_event, get_quota_region
from webapp.models import DelegateImport, Delegation, Registration, RegistrationStatus, Role
from webapp.questions.fields import form_answers, with_questions
from webapp.questions.services import delegate_questions
from webapp.registrations import delegations_bp as bp
from webapp.registrations.common import audience_labels, may_change_delegation
from webapp.registrations.delegates import add_delegate, record_details, replace_delegate
from webapp.registrations.forms import DelegateDetailsForm, DelegateForm, ImportForm, ReasonForm
from webapp.registrations.imports import (
    ImportFileError,
    import_delegates,
    load_preview,
    parse_delegates_csv,
    save_preview,
)
from webapp.registrations.quotas import delegation_audience, get_or_create_delegation, quota_for
from webapp.registrations.services import PersonData, RegistrationError, cancel_registration
from webapp.registrations.words import STATUS_WORDS

staff_only = require_role(Role.SECRETARIAT, Role.COORDINATOR)
MAX_UPLOAD_BYTES = 2 * 1024 * 1024


def _actor():
    """The signed-in user as a model object (for audit entries)."""
    return current_user._get_current_object()


def _delegation_url(registration: Registration) -> str:
    """The delegation page a delegate belongs to."""
    return url_for("delegations.delegation", event_id=registration.event_id,
                   slug=registration.delegation.region.slug)


def _load_delegate(registration_id: int) -> Registration:
    """A delegate (a registration in a delegation) the user may manage, or 404/403."""
    registration = get_delegate(registration_id)
    require_region(registration.delegation.region_id)
    return registration


def heads_of_delegation(delegation: Delegation) -> list[str]:
    """The names of the delegation's active delegates marked head of delegation."""
    return [reg.name for reg in db.session.scalars(
        sa.select(Registration).where(Registration.delegation_id == delegation.id,
                                      Registration.is_head_of_delegation,
                                      Registration.status != RegistrationStatus.CANCELLED)
        .options(selectinload(Registration.person)).order_by(Registration.id))]


def _warn_of_two_heads(delegation: Delegation) -> None:
    """A delegation has one head: say so when a change leaves it with more."""
    heads = heads_of_delegation(delegation)
    if len(heads) > 1:
        flash(_("%(region)s's delegation now has %(n)s heads of delegation (%(names)s). A "
                "delegation has one head: edit the others and untick “Head of delegation”.",
                region=delegation.region.name, n=len(heads), names=", ".join(heads)), "warning")


def _refuse_after_deadline(event, target: str):
    """Redirect with an explanation when coordinators may no longer change the delegation."""
    if may_change_delegation(event):
        return None
    flash(_("The delegation deadline has passed: only the secretariat can change it now."),
          "error")
    return redirect(target)


@bp.route("/events/<int:event_id>/delegations/<slug>", methods=["GET", "POST"])
@staff_only
def delegation(event_id: int, slug: str):
    """The delegation page: delegates, quota used, and a form to add one."""
    event, region = get_forum_event(event_id), get_quota_region(slug)
    require_region(region.id)
    quota = quota_for(event, region)
    form = with_questions(DelegateForm, delegate_questions(event.id))()
    editable = may_change_delegation(event) and quota > 0
    if request.method == "POST":
        if not editable:
            return _refuse_after_deadline(event, request.path) or abort(403)
        if form.validate_on_submit():
            try:
                delegation_row = get_or_create_delegation(event, region)
                reg = add_delegate(event, delegation_row, form.person_data(),
                                   delegation_audience(event), is_head=form.is_head.data,
                                   answers=form_answers(form))
                record_audit(_actor(), "delegation.delegate_added", delegation_row,
                             f"{region.name} → {event.title}: added {reg.person.email} "
                             f"({reg.status.value})")
                db.session.commit()
                flash(_("%(name)s added (%(status)s).", name=reg.name,
                        status=STATUS_WORDS.get(reg.status, reg.status.value)), "success")
                _warn_of_two_heads(delegation_row)
                return redirect(request.path)
            except (RegistrationError, IntegrityError) as exc:
                db.session.rollback()
                message = str(exc) if isinstance(exc, RegistrationError) else (
                    _("This email was registered at the same moment; reload the page."))
                form.email.errors = [*form.email.errors, message]
    delegation_row = db.session.scalars(
        sa.select(Delegation).where(Delegation.event_id == event.id,
                                    Delegation.region_id == region.id)
    ).one_or_none()
    delegates = []
    if delegation_row is not None:
        delegates = db.session.scalars(
            sa.select(Registration)
            .where(Registration.delegation_id == delegation_row.id)
            .options(selectinload(Registration.person), selectinload(Registration.replaces)
                     .selectinload(Registration.person))
            .order_by(Registration.status, Registration.registered_at, Registration.id)
        ).all()
    active = [d for d in delegates if d.is_active]
    return render_template(
        "registrations/delegation.html", event=event, region=region, quota=quota,
        used=len(active), active=active, history=[d for d in delegates if not d.is_active],
        heads=[d for d in active if d.is_head_of_delegation],
        form=form, editable=editable, labels=audience_labels(event),
    ), 400 if form.errors else 200


@bp.route("/delegates/<int:registration_id>/edit", methods=["GET", "POST"])
@staff_only
def edit_delegate(registration_id: int):
    """Correct a delegate's name, organisation or title, as this delegation has them (another
    region sending the same person keeps its own entry)."""
    registration = _load_delegate(registration_id)
    form = DelegateDetailsForm(data=None if request.method == "POST" else {
        "full_name": registration.name, "organisation": registration.organisation,
        "job_title": registration.job_title, "is_head": registration.is_head_of_delegation})
    if form.validate_on_submit():
        refusal = _refuse_after_deadline(registration.event, _delegation_url(registration))
        if refusal:
            return refusal
        changes = record_details(registration, PersonData(
            form.full_name.data, registration.person.email or "", form.organisation.data,
            form.job_title.data))
        if form.is_head.data != registration.is_head_of_delegation:
            registration.is_head_of_delegation = form.is_head.data
            changes.append("head of delegation: no → yes" if form.is_head.data
                           else "head of delegation: yes → no")
        if changes:
            record_audit(_actor(), "delegation.delegate_edited", registration.delegation,
                         f"{registration.person.email}: changed " + ", ".join(changes))
        db.session.commit()
        flash(_("Saved.") if changes else _("Nothing changed."), "success")
        _warn_of_two_heads(registration.delegation)
        return redirect(_delegation_url(registration))
    return render_template("registrations/delegate_edit.html", registration=registration,
                           form=form), 400 if form.errors else 200


@bp.route("/delegates/<int:registration_id>/substitute", methods=["GET", "POST"])
@staff_only
def substitute_delegate(registration_id: int):
    """Replace a delegate by someone who keeps the seat; the history shows both."""
    registration = _load_delegate(registration_id)
    form = DelegateForm()
    if form.validate_on_submit():
        refusal = _refuse_after_deadline(registration.event, _delegation_url(registration))
        if refusal:
            return refusal
        try:
            replacement = replace_delegate(registration, form.person_data(), _actor())
            record_audit(_actor(), "delegation.delegate_substituted", registration.delegation,
                         f"{registration.person.email} replaced by {replacement.person.email}")
            db.session.commit()
            flash(_("%(new)s replaces %(old)s.", new=replacement.name, old=registration.name),
                  "success")
            return redirect(_delegation_url(registration))
        except (RegistrationError, IntegrityError) as exc:
            db.session.rollback()
            form.email.errors = [*form.email.errors, str(exc) if isinstance(
                exc, RegistrationError) else _("This email was registered meanwhile.")]
    return render_template("registrations/delegate_substitute.html",
                           registration=registration, form=form), 400 if form.errors else 200


@bp.post("/delegates/<int:registration_id>/withdraw")
@staff_only
def withdraw_delegate(registration_id: int):
    """Withdraw a delegate with a reason; the freed seat goes to the waitlist's first."""
    registration = _load_delegate(registration_id)
    target = _delegation_url(registration)
    refusal = _refuse_after_deadline(registration.event, target)
    if refusal:
        return refusal
    form = ReasonForm()
    if not form.validate() and not (form.reason.data or "").strip():
        flash(_("Give a reason to withdraw a delegate."), "error")
        return redirect(target)
    if form.errors:
        # The page again with the reason typed and what is wrong with it, not a redirect
        # that would lose the text.
        return render_template(
            "registrations/reason.html", form=form, registration=registration,
            heading=_("Withdraw %(name)s", name=registration.person.full_name), back=target,
            back_label=_("Delegation of %(region)s", region=registration.delegation.region.name),
            action=request.path, next=None), 400
    try:
        cancel_registration(registration, _actor(), form.reason.data)
        record_audit(_actor(), "delegation.delegate_withdrawn", registration.delegation,
                     f"{registration.person.email} withdrawn: {form.reason.data.strip()}")
        db.session.commit()
        flash(_("%(name)s withdrawn.", name=registration.name), "success")
    except RegistrationError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    return redirect(target)


@bp.route("/events/<int:event_id>/delegations/<slug>/import", methods=["GET", "POST"])
@staff_only
def import_upload(event_id: int, slug: str):
    """Upload a delegate CSV; it is checked and shown as a preview, nothing saved yet."""
    event, region = get_forum_event(event_id), get_quota_region(slug)
    require_region(region.id)
    form = ImportForm()
    if form.validate_on_submit():
        refusal = _refuse_after_deadline(event, url_for(
            "delegations.delegation", event_id=event.id, slug=region.slug))
        if refusal:
            return refusal
        data = form.file.data.read(MAX_UPLOAD_BYTES + 1)
        try:
            if len(data) > MAX_UPLOAD_BYTES:
                raise ImportFileError(_("The file is larger than 2 MB; split it."))
            preview = parse_delegates_csv(data, event=event, region=region)
        except ImportFileError as exc:
            form.file.errors = [*form.file.errors, str(exc)]
        else:
            draft = save_preview(preview, event=event, region=region, by=_actor(),
                                 filename=form.file.data.filename)
            db.session.commit()
            return redirect(url_for("delegations.import_preview", import_id=draft.id))
    return render_template("registrations/import_upload.html", event=event, region=region,
                           form=form), 400 if form.errors else 200


def _load_draft(import_id: int) -> DelegateImport:
    """An import preview of a region the user manages, or 404/403."""
    draft = get_delegate_import(import_id)
    require_region(draft.region_id)
    return draft


@bp.get("/delegate-imports/<int:import_id>")
@staff_only
def import_preview(import_id: int):
    """The preview: every row with its line number, and why bad rows will be skipped."""
    draft = _load_draft(import_id)
    rows = load_preview(draft)
    return render_template("registrations/import_preview.html", draft=draft, rows=rows,
                           good=[r for r in rows if r.ok], bad=[r for r in rows if not r.ok],
                           quota=quota_for(draft.event, draft.region))


@bp.post("/delegate-imports/<int:import_id>/confirm")
@staff_only
def import_confirm(import_id: int):
    """Import the preview's good rows, now."""
    draft = _load_draft(import_id)
    target = url_for("delegations.delegation", event_id=draft.event_id, slug=draft.region.slug)
    refusal = _refuse_after_deadline(draft.event, target)
    if refusal:
        return refusal
    try:
        imported, skipped = import_delegates(draft, _actor())
        record_audit(_actor(), "delegation.imported", draft,
                     f"{draft.region.name} → {draft.event.title}: {imported} delegates "
                     f"imported from {draft.filename}")
        db.session.commit()
    except RegistrationError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(target)
    message = ngettext("%(num)d delegate imported.", "%(num)d delegates imported.", imported)
    if skipped:
        message += " " + _("Skipped now: %(lines)s", lines="; ".join(
            _("line %(line)s: %(error)s", line=row.line, error=row.errors[-1])
            for row in skipped[:10]))
    flash(message, "success")
    return redirect(target)
