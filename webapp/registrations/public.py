"""Open registration: a public form per forum and a signed link to see, change or cancel."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from webapp.calendars.services import personal_feed_urls
from webapp.extensions import db
from webapp.i18n import use_forum_language
from webapp.loaders import get_forum_event
from webapp.models import Event, utcnow
from webapp.privacy.consents import record_consents
from webapp.questions.fields import form_answers, with_questions
from webapp.questions.services import public_questions
from webapp.registrations import public_bp as bp
from webapp.registrations.answer_pages import answers_context
from webapp.registrations.audit import record_public_registration, record_self_cancellation
from webapp.registrations.common import (
    audience_labels,
    public_choices,
)
from webapp.registrations.forms import DetailsForm, PublicRegistrationForm, SelfCancelForm
from webapp.registrations.services import (
    AlreadyRegistered,
    PersonData,
    RegistrationError,
    cancel_registration,
    register_person,
    send_link_again,
    update_person_details,
)
from webapp.registrations.tokens import (
    RegistrationLinkError,
    make_receipt,
    read_receipt,
    read_registration_token,
)

SELF_CANCEL_REASON = "Cancelled by the person"


@bp.route("/events/<int:event_id>/register", methods=["GET", "POST"])
def register(event_id: int):
    """The public registration form: a seat while there are seats, else the waitlist."""
    event = get_forum_event(event_id)
    use_forum_language(event.default_language)
    form = with_questions(PublicRegistrationForm, public_questions(event.id))()
    form.audience.choices = public_choices(event)
    now = utcnow()
    is_open = event.registration_is_open(now) and bool(form.audience.choices)
    if is_open and form.validate_on_submit():
        answer = _register(event, form)
        if answer is not None:
            return answer
    status = 400 if form.errors else 200
    return render_template("registrations/register.html", event=event, form=form,
                           is_open=is_open, now=now), status


def _register(event: Event, form: PublicRegistrationForm):
    """Register the person, or email the link to whoever already holds a registration for
    the address; either way redirect to the same 'check your email' page. None, with the
    error on the form, when the registration is refused."""
    data = form.person_data()
    event_id = event.id
    for attempt in range(2):
        try:
            registration = register_person(event, data, form.audience.data,
                                           answers=form_answers(form),
                                           language=str(get_locale()))
            record_public_registration(registration, event, data.normalised_email)
            record_consents(registration, request.form)
        except AlreadyRegistered as exc:
            send_link_again(exc.registration)
        except IntegrityError:
            # The same address registered at this moment by another request: once that one
            # has committed, the second try finds its registration.
            db.session.rollback()
            if attempt == 0:
                continue
            form.email.errors = [*form.email.errors, _("Please send the form again.")]
            return None
        except RegistrationError as exc:
            db.session.rollback()
            form.audience.errors = [*form.audience.errors, str(exc)]
            return None
        db.session.commit()
        # The address goes in the redirect, signed, not in a flash: the post then reads the
        # session cookie (CSRF) but never rewrites it.
        return redirect(url_for("public_registration.registered", event_id=event_id,
                                receipt=make_receipt(event_id, data.normalised_email)))
    return None


@bp.get("/events/<int:event_id>/registered/<receipt>")
def registered(event_id: int, receipt: str):
    """Right after the form: where the person's link was sent (the same page whether or not
    the address was registered before)."""
    try:
        email = read_receipt(receipt, event_id)
    except RegistrationLinkError as exc:
        return render_template("registrations/link_invalid.html", reason=str(exc)), 404
    event = get_forum_event(event_id)
    use_forum_language(event.default_language)
    return render_template("registrations/registered.html", event=event, email=email)


def _registration_or_error(token: str):
    """The registration a link names, or the 'link not valid' page (400)."""
    try:
        return read_registration_token(token), None
    except RegistrationLinkError as exc:
        return None, (render_template("registrations/link_invalid.html", reason=str(exc)), 400)


@bp.route("/registration/<token>", methods=["GET", "POST"])
def manage(token: str):
    """A person's own registration: see it, correct the details, or cancel it."""
    registration, error = _registration_or_error(token)
    if error:
        return error
    person = registration.person
    form = DetailsForm(obj=person)
    if registration.is_active and form.validate_on_submit():
        changes = update_person_details(
            registration,
            PersonData(form.full_name.data, person.email or "", form.organisation.data,
                       form.job_title.data),
        )
        db.session.commit()
        flash(_("Saved: %(changes)s", changes=", ".join(changes)) if changes
              else _("Nothing changed."), "success")
        return redirect(url_for("public_registration.manage", token=token))
    return render_template(
        "registrations/manage.html", registration=registration, event=registration.event,
        form=form, token=token, feed=personal_feed_urls(person),
        labels=audience_labels(registration.event, one_person=True),
        **answers_context(registration),
    ), 400 if form.errors else 200


@bp.route("/registration/<token>/cancel", methods=["GET", "POST"])
def cancel_own(token: str):
    """A person cancels their own registration after confirming it on this page; their seat
    goes to the waitlist's first."""
    registration, error = _registration_or_error(token)
    if error:
        return error
    manage_url = url_for("public_registration.manage", token=token)
    if not registration.is_active:
        return redirect(manage_url)
    form = SelfCancelForm()
    confirmed = request.method == "POST" and form.confirmed.data == "yes"
    if confirmed and form.validate():
        try:
            cancel_registration(registration, None, form.reason.data or SELF_CANCEL_REASON)
            record_self_cancellation(registration)
            db.session.commit()
            flash(_("Your registration is cancelled. We sent you a confirmation."), "success")
        except RegistrationError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        return redirect(manage_url)
    # The first visit, a post from an older page without the confirmation, or a reason that
    # is too long: the question again, with what was typed.
    return render_template(
        "registrations/cancel_confirm.html", registration=registration,
        event=registration.event, form=form, token=token, manage_url=manage_url,
        labels=audience_labels(registration.event, one_person=True),
    ), 400 if form.errors else 200
