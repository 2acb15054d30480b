"""The secretariat's pages: a forum's questions (list, add, edit, order, retire, delete) and
the summary of the answers."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from webapp.auth.audit import quoted
from webapp.auth.services import record_audit
from webapp.extensions import db
from webapp.loaders import get_forum_event, get_question
from webapp.models import Question
from webapp.questions import bp
from webapp.questions.answers import answer_counts, summarise
from webapp.questions.forms import QuestionForm
from webapp.questions.services import (
    AUDIENCE_WORDS,
    KIND_WORDS,
    QuestionError,
    add_question,
    delete_question,
    event_questions,
    has_answers,
    move_question,
    restore_question,
    retire_question,
    said_answer,
    update_question,
)


def _actor():
    """The signed-in user as a model object (for audit entries)."""
    return current_user._get_current_object()


def _list_url(question: Question) -> str:
    """The questions page of the question's forum."""
    return url_for("questions.index", event_id=question.event_id)


@bp.get("/events/<int:event_id>/questions")
def index(event_id: int):
    """A forum's questions in the order asked, with how many answers each has."""
    event = get_forum_event(event_id)
    questions = event_questions(event.id, include_retired=True)
    return render_template("questions/index.html", event=event, questions=questions,
                           answers=answer_counts([q.id for q in questions]),
                           kind_words=KIND_WORDS, audience_words=AUDIENCE_WORDS)


@bp.route("/events/<int:event_id>/questions/new", methods=["GET", "POST"])
def new(event_id: int):
    """Add a question, asked after the others."""
    event = get_forum_event(event_id)
    form = QuestionForm()
    if form.validate_on_submit():
        question = add_question(event, form.question_data())
        record_audit(_actor(), "question.added", question,
                     f"{event.title}: added {quoted(question.label)} ({question.kind.label}, "
                     f"{question.audience.label.lower()})")
        db.session.commit()
        flash(_("Question added: %(question)s", question=question.label), "success")
        return redirect(url_for("questions.index", event_id=event.id))
    return render_template("questions/form.html", event=event, form=form, question=None,
                           answered=False), 400 if form.errors else 200


@bp.route("/questions/<int:question_id>/edit", methods=["GET", "POST"])
def edit(question_id: int):
    """Change a question (one with answers keeps its kind)."""
    question = get_question(question_id)
    form = QuestionForm(data=None if request.method == "POST" else {
        "label": question.label, "kind": question.kind.value, "choices": question.choices,
        "help_text": question.help_text, "required": question.required,
        "audience": question.audience.value})
    answered = has_answers(question)
    if form.validate_on_submit():
        try:
            changes = update_question(question, form.question_data())
        except QuestionError as exc:
            form.kind.errors = [*form.kind.errors, str(exc)]
        else:
            if changes:
                record_audit(_actor(), "question.changed", question,
                             f"{question.event.title}: " + "; ".join(changes))
            db.session.commit()
            flash(_("Question saved.") if changes else _("Nothing changed."), "success")
            return redirect(_list_url(question))
    return render_template("questions/form.html", event=question.event, form=form,
                           question=question, answered=answered), 400 if form.errors else 200


@bp.post("/questions/<int:question_id>/move")
def move(question_id: int):
    """Move a question one place up or down."""
    question = get_question(question_id)
    step = {"up": -1, "down": 1}.get(request.form.get("direction", ""), 0)
    if move_question(question, step):
        record_audit(_actor(), "question.moved", question,
                     f"{question.event.title}: {quoted(question.label)} moved "
                     f"{'up' if step < 0 else 'down'} to place {question.position}")
        db.session.commit()
    return redirect(_list_url(question) + f"#question-{question.id}")


@bp.post("/questions/<int:question_id>/retire")
def retire(question_id: int):
    """Stop asking a question; its answers stay on the lists and in exports."""
    question = get_question(question_id)
    retire_question(question)
    record_audit(_actor(), "question.retired", question,
                 f"{question.event.title}: {quoted(question.label)} no longer asked")
    db.session.commit()
    flash(_("%(question)s is no longer asked; its answers are kept.", question=question.label),
          "success")
    return redirect(_list_url(question))


@bp.post("/questions/<int:question_id>/restore")
def restore(question_id: int):
    """Ask a retired question again."""
    question = get_question(question_id)
    restore_question(question)
    record_audit(_actor(), "question.restored", question,
                 f"{question.event.title}: {quoted(question.label)} asked again")
    db.session.commit()
    flash(_("%(question)s is asked again.", question=question.label), "success")
    return redirect(_list_url(question))


@bp.route("/questions/<int:question_id>/delete", methods=["GET", "POST"])
def delete(question_id: int):
    """Delete a question nobody has answered, after asking first."""
    question = get_question(question_id)
    answered = has_answers(question)
    if request.method == "POST" and not answered:
        event_title, label, target = question.event.title, question.label, _list_url(question)
        try:
            record_audit(_actor(), "question.deleted", question,
                         f"{event_title}: deleted {quoted(label)}")
            delete_question(question)
            db.session.commit()
        except (QuestionError, IntegrityError):  # answered meanwhile
            db.session.rollback()
            flash(_("%(question)s has answers now: retire it instead.", question=label), "error")
            return redirect(target)
        flash(_("Question deleted: %(question)s", question=label), "success")
        return redirect(target)
    return render_template("questions/confirm_delete.html", event=question.event,
                           question=question, answered=answered)


@bp.get("/events/<int:event_id>/questions/summary")
def summary(event_id: int):
    """What the answers add up to, per question (confirmed and waitlisted people)."""
    event = get_forum_event(event_id)
    questions = event_questions(event.id, include_retired=True)
    return render_template("questions/summary.html", event=event,
                           summaries=summarise(event.id, questions), shown=said_answer,
                           kind_words=KIND_WORDS)
