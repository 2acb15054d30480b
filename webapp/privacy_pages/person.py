"""A person's own data: the notice, and from their signed registration link or their
account: see it, download it, change consents, ask for erasure."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.auth.access import require_login
from webapp.clock import today
from webapp.extensions import db
from webapp.models import Person, User
from webapp.privacy.anonymise import active_roles
from webapp.privacy.consents import set_consents, ticked
from webapp.privacy.notice import notice_text, paragraphs
from webapp.privacy.registry import collect_export
from webapp.privacy.requests import ErasureError, latest_request, request_erasure
from webapp.privacy_pages import bp
from webapp.privacy_pages.export import audit_export, json_response, labelled, shown
from webapp.privacy_pages.forms import AskErasureForm
from webapp.registrations.tokens import RegistrationLinkError, read_registration_token


@bp.get("/privacy")
def notice():
    """The privacy notice: what is stored, why, who sees it, how long, and one's rights."""
    return render_template("privacy/notice.html", paragraphs=paragraphs(notice_text()))


def _from_link(token: str):
    """(registration, None) for a valid link, else (None, the 'link not valid' page)."""
    try:
        return read_registration_token(token), None
    except RegistrationLinkError as exc:
        return None, (render_template("registrations/link_invalid.html", reason=str(exc)), 400)


def _own_person() -> Person:
    """The person record of the signed-in account's email, or a stand-in (not saved) that
    finds what is held under the email when there is none."""
    user: User = current_user._get_current_object()
    person = db.session.scalars(sa.select(Person).where(Person.email == user.email)).one_or_none()
    return person or Person(full_name=user.full_name, email=user.email)


def _data_page(person: Person, *, json_url: str, erase_url: str, back_url: str):
    """The readable export (audited as viewed)."""
    sections = collect_export(person)
    audit_export(person, "page", _via(), _actor())
    db.session.commit()
    return render_template(
        "privacy/my_data.html", person=person, sections=sections, json_url=json_url,
        erase_url=erase_url, back_url=back_url, labelled=labelled, shown=shown,
        erasure=latest_request(person) if person.id else None)


def _via() -> str:
    """How the person reached their data, for the audit log."""
    return ("their account page" if request.endpoint.startswith("privacy.account")
            else "their registration link")


def _actor() -> User | None:
    """The account exporting its own data, or nobody (a signed link)."""
    if request.endpoint.startswith("privacy.account") and current_user.is_authenticated:
        return current_user._get_current_object()
    return None


def _json(person: Person):
    """The export as a file (audited as downloaded)."""
    response = json_response(person)
    audit_export(person, "json", _via(), _actor())
    db.session.commit()
    return response


@bp.get("/registration/<token>/my-data")
def link_data(token: str):
    """Everything held about the link's person, as a page."""
    registration, error = _from_link(token)
    if error:
        return error
    return _data_page(registration.person,
                      json_url=url_for("privacy.link_data_json", token=token),
                      erase_url=url_for("privacy.link_erase", token=token),
                      back_url=url_for("public_registration.manage", token=token))


@bp.get("/registration/<token>/my-data.json")
def link_data_json(token: str):
    """Everything held about the link's person, as JSON to download."""
    registration, error = _from_link(token)
    return error or _json(registration.person)


@bp.post("/registration/<token>/consents")
def link_consents(token: str):
    """The person gives or withdraws their optional consents for this registration."""
    registration, error = _from_link(token)
    if error:
        return error
    changes = set_consents(registration, ticked(request.form))
    db.session.commit()
    flash(_("Saved: consent %(changes)s", changes="; ".join(changes)) if changes
          else _("Nothing changed."), "success")
    return redirect(url_for("public_registration.manage", token=token))


def _erase(person: Person, via: str, back_url: str, confirm_url: str):
    """The confirmation step, then the request (a post without the confirmation asks)."""
    form = AskErasureForm()
    if request.method == "POST" and form.confirmed.data == "yes" and form.validate():
        if person.id is None:  # an account with no record yet: the request needs one
            db.session.add(person)
            db.session.flush()
        try:
            request_erasure(person, via)
            db.session.commit()
            flash(_("Your request is recorded. The secretariat answers it by email and on "
                    "this page."), "success")
        except ErasureError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        return redirect(back_url)
    return render_template("privacy/erase_confirm.html", form=form, person=person,
                           roles=active_roles(person, today()),
                           back_url=back_url, confirm_url=confirm_url,
                           erasure=latest_request(person) if person.id else None)


@bp.route("/registration/<token>/erase", methods=["GET", "POST"])
def link_erase(token: str):
    """Ask for one's data to be erased, from the signed link (asks first)."""
    registration, error = _from_link(token)
    if error:
        return error
    return _erase(registration.person, "link", url_for("privacy.link_data", token=token),
                  url_for("privacy.link_erase", token=token))


@bp.get("/account/my-data")
@require_login
def account_data():
    """Everything held about the signed-in person, as a page."""
    return _data_page(_own_person(), json_url=url_for("privacy.account_data_json"),
                      erase_url=url_for("privacy.account_erase"),
                      back_url=url_for("auth.account"))


@bp.get("/account/my-data.json")
@require_login
def account_data_json():
    """Everything held about the signed-in person, as JSON to download."""
    return _json(_own_person())


@bp.route("/account/erase", methods=["GET", "POST"])
@require_login
def account_erase():
    """Ask for one's data to be erased, from the account page (asks first)."""
    return _erase(_own_person(), "account", url_for("privacy.account_data"),
                  url_for("privacy.account_erase"))
