"""A person's answers to the forum's questions, through their signed registration link:
shown on their registration page, changed on their own page until registration closes."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from webapp.auth.services import record_audit
from webapp.extensions import db
from webapp.forms import AppForm
from webapp.models import Registration, utcnow
from webapp.questions.answers import answers_by_registration, save_answers, shown_answers
from webapp.questions.fields import answers_as_data, form_answers, with_questions
from webapp.questions.services import (
    answers_close_at,
    answers_editable,
    audience_of,
    event_questions,
)
from webapp.registrations import public_bp as bp
from webapp.registrations.tokens import RegistrationLinkError, read_registration_token


def answers_context(registration: Registration) -> dict:
    """What the registration page shows of the answers: each given, whether any question is
    asked, and whether they may still be changed."""
    asked = event_questions(registration.event_id, audience=audience_of(registration))
    return {"shown_answers": shown_answers(registration.id), "questions_asked": bool(asked),
            "answers_editable": bool(asked) and answers_editable(registration, utcnow()),
            "answers_close_at": answers_close_at(registration.event)}


@bp.route("/registration/<token>/answers", methods=["GET", "POST"])
def edit_answers(token: str):
    """A person changes their answers (until registration closes)."""
    try:
        registration = read_registration_token(token)
    except RegistrationLinkError as exc:
        return render_template("registrations/link_invalid.html", reason=str(exc)), 400
    manage_url = url_for("public_registration.manage", token=token)
    questions = event_questions(registration.event_id, audience=audience_of(registration))
    if not questions or not answers_editable(registration, utcnow()):
        flash(_("Your answers can no longer be changed: registration has closed."), "error")
        return redirect(manage_url)
    stored = answers_by_registration([registration.id]).get(registration.id, {})
    form_class = with_questions(AppForm, questions)
    form = form_class(data=None if request.method == "POST"
                      else answers_as_data(questions, stored))
    if form.validate_on_submit():
        changed = save_answers(registration.id, form_answers(form))
        if changed:
            labels = [q.label for q in questions if q.id in changed]
            record_audit(None, "registration.answers_changed", registration,
                         f"{registration.person.email} ({registration.event.title}) changed "
                         "their answers: " + ", ".join(f"“{label}”" for label in labels))
        db.session.commit()
        flash(_("Your answers are saved.") if changed else _("Nothing changed."), "success")
        return redirect(manage_url)
    return render_template("registrations/answers_edit.html", registration=registration,
                           event=registration.event, form=form, token=token,
                           manage_url=manage_url,
                           close_at=answers_close_at(registration.event)), (
        400 if form.errors else 200)

