"""The personal data pages: the notice, consents on the form and the signed page, the
export from the link and the account, the request, the secretariat's answer."""

from __future__ import annotations

import json
from datetime import timedelta

import sqlalchemy as sa

from tests.privacy.conftest import AFTER_EVERYTHING, EMAIL, FORUM_START, NAME, open_forum
from webapp.extensions import db
from webapp.models import (
    AuditEntry,
    Consent,
    ErasureRequest,
    ErasureStatus,
    Person,
    Role,
)
from webapp.privacy.consents import set_consents
from webapp.registrations.services import PersonData, check_in, register_person
from webapp.registrations.tokens import make_registration_token

HOSTILE = '<script>alert("x")</script> =SUM(A1)'


def link(app, registration) -> str:
    """The signed registration page's path."""
    with app.test_request_context():
        return f"/registration/{make_registration_token(registration)}"


def actions() -> list[str]:
    """Audit actions in order."""
    return list(db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))


def test_the_form_links_the_notice_and_consents_start_unticked(app, make_event, client, clock):
    """The public form summarises the notice, links it, offers the consents unticked; a
    ticked one is stored with its time; a refused post keeps the tick."""
    clock.move_to(FORUM_START - timedelta(days=30))
    forum = open_forum(make_event, "Forum")
    db.session.commit()
    page = client.get(f"/events/{forum.id}/register").get_data(as_text=True)
    assert 'href="/privacy"' in page and "anonymised" in page
    assert 'name="consent_participants_list" value="yes"\n      >' in page  # not checked
    form = {"full_name": "Ola Nordmann", "email": "ola@example.org", "audience": "guest",
            "consent_participants_list": "yes"}
    refused = client.post(f"/events/{forum.id}/register", data={**form, "email": "not-mail"})
    assert refused.status_code == 400
    assert 'value="yes"\n      checked>' in refused.get_data(as_text=True)
    assert client.post(f"/events/{forum.id}/register", data=form).status_code == 302
    consent = db.session.scalars(sa.select(Consent)).one()
    assert consent.kind == "participants_list" and consent.withdrawn_at is None
    assert consent.given_at is not None and consent.registration.person.email == "ola@example.org"


def test_the_signed_page_changes_consents(app, make_event, client, clock):
    """The person withdraws and gives consents from their page; each change has its time and
    an audit entry without their name."""
    clock.move_to(FORUM_START - timedelta(days=30))
    forum = open_forum(make_event, "Forum")
    registration = register_person(forum, PersonData(NAME, EMAIL), "guest")
    db.session.commit()
    path = link(app, registration)
    page = client.get(path).get_data(as_text=True)
    assert "Your personal data" in page and f"{path}/my-data.json" in page
    client.post(f"{path}/consents", data={"consent_network_news": "yes"})
    client.post(f"{path}/consents", data={})
    rows = db.session.scalars(sa.select(Consent).order_by(Consent.id)).all()
    assert [(c.kind, c.withdrawn_at is not None) for c in rows] == [("network_news", True)]
    entries = db.session.scalars(sa.select(AuditEntry).filter_by(
        action="privacy.consent_changed")).all()
    assert len(entries) == 2 and not any(NAME in e.summary for e in entries)


def test_the_export_from_the_link_is_json_and_a_page_both_audited(app, rich_person, client,
                                                                   make_event, clock,
                                                                   count_queries):
    """The JSON downloads and parses; the page shows every section, escaped; both are in the
    audit log; the page's queries do not grow with the data."""
    clock.move_to(AFTER_EVERYTHING)
    rich_person.person.organisation = HOSTILE
    db.session.commit()
    path = link(app, rich_person.public)
    response = client.get(f"{path}/my-data.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["sections"]["person"]["data"]["organisation"] == HOSTILE
    with count_queries() as small:
        html = client.get(f"{path}/my-data").get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    for title in ("Registrations", "Delegations you belong to", "Check-ins at the door",
                  "Reverse mission invitations and stays", "Consents", "Emails sent to you",
                  "Audit log entries about you"):
        assert f"<h2>{title}</h2>" in html
    for n in range(4):  # more of her data: more forums, each with a check-in and a consent
        extra = register_person(open_forum(make_event, f"Extra {n}"),
                                PersonData(NAME, EMAIL), "guest")
        check_in(extra, None)
        set_consents(extra, {"network_news"})
    db.session.commit()
    with count_queries() as large:
        client.get(f"{path}/my-data")
    assert large.count == small.count
    assert actions().count("privacy.exported") == 3


def test_the_person_asks_the_secretariat_erases_and_the_link_says_so(
        app, rich_person, client, auth, make_user, clock):
    """Asking asks first; the request waits on the secretariat's page (linked from the start
    page); confirming erases; the link then says the data was erased."""
    clock.move_to(AFTER_EVERYTHING)
    path = link(app, rich_person.public)
    question = client.get(f"{path}/erase")
    assert question.status_code == 200 and "Erase your personal data?" in question.get_data(
        as_text=True)
    client.post(f"{path}/erase", data={})  # without the confirmation: only the question
    assert db.session.scalar(sa.select(sa.func.count(ErasureRequest.id))) == 0
    assert client.post(f"{path}/erase", data={"confirmed": "yes"}).status_code == 302
    client.post(f"{path}/erase", data={"confirmed": "yes"})  # twice: still one request
    request = db.session.scalars(sa.select(ErasureRequest)).one()
    assert request.status is ErasureStatus.PENDING

    auth.login(make_user(Role.SECRETARIAT))
    home = client.get("/").get_data(as_text=True)
    assert "1 erasure request waiting" in home and 'href="/admin/privacy/requests"' in home
    listing = client.get("/admin/privacy/requests").get_data(as_text=True)
    assert NAME in listing
    refused = client.post(f"/admin/privacy/requests/{request.id}/refuse", data={"reason": " "})
    assert refused.status_code == 400 and "Give the reason" in refused.get_data(as_text=True)
    assert client.post(f"/admin/privacy/requests/{request.id}/erase").status_code == 302
    db.session.expire_all()
    assert db.session.get(ErasureRequest, request.id).status is ErasureStatus.ERASED
    auth.logout()

    gone = client.get(path)
    assert gone.status_code == 400 and "was erased" in gone.get_data(as_text=True)
    assert client.get(f"{path}/my-data.json").status_code == 400
    assert {"privacy.erasure_requested", "privacy.erased"} <= set(actions())


def test_the_secretariat_refuses_with_a_reason_the_person_sees(app, rich_person, client, auth,
                                                               make_user, clock):
    """A refusal with a reason; the person's data page shows it."""
    clock.move_to(AFTER_EVERYTHING)
    path = link(app, rich_person.public)
    client.post(f"{path}/erase", data={"confirmed": "yes"})
    request = db.session.scalars(sa.select(ErasureRequest)).one()
    auth.login(make_user(Role.SECRETARIAT))
    detail = client.get(f"/admin/privacy/requests/{request.id}").get_data(as_text=True)
    assert "Registrations" in detail and "Erase this person" in detail
    assert client.post(f"/admin/privacy/requests/{request.id}/refuse",
                       data={"reason": "Your <b>invoice</b> is open"}).status_code == 302
    auth.logout()
    page = client.get(f"{path}/my-data").get_data(as_text=True)
    assert "Refused" in page and "Your &lt;b&gt;invoice&lt;/b&gt; is open" in page


def test_an_active_account_is_refused_with_the_reason(app, rich_person, client, auth,
                                                      make_user, clock):
    """From the account page: the data shows, the question says the account must end first;
    the secretariat's confirmation is refused with that reason."""
    clock.move_to(AFTER_EVERYTHING)
    account = make_user(Role.PARTICIPANT, email=EMAIL, full_name=NAME)
    auth.login(account)
    assert 'href="/account/my-data"' in client.get("/account").get_data(as_text=True)
    data = json.loads(client.get("/account/my-data.json").get_data(as_text=True))
    assert data["sections"]["account"]["data"][0]["role"] == "participant"
    assert len(data["sections"]["registrations"]["data"]) == 2
    question = client.get("/account/erase").get_data(as_text=True)
    assert "holds an active participant account" in question
    client.post("/account/erase", data={"confirmed": "yes"})
    auth.logout()
    request = db.session.scalars(sa.select(ErasureRequest)).one()
    assert request.asked_via == "account"
    auth.login(make_user(Role.SECRETARIAT))
    answer = client.post(f"/admin/privacy/requests/{request.id}/erase", follow_redirects=True)
    assert "Not erased. The person holds an active participant account" in answer.get_data(
        as_text=True)
    assert db.session.get(Person, rich_person.person.id).full_name == NAME


def test_the_notice_is_the_secretariats_text(app, client, auth, make_user):
    """The default says what, why, who, how long; the secretariat's edit replaces it (a new
    version, audited); an empty text is refused with the input kept."""
    default = client.get("/privacy").get_data(as_text=True)
    for heading in ("What we store", "Why", "Who sees it", "How long", "Your rights"):
        assert f"<h2>{heading}</h2>" in default
    assert "24 months" in default and "60 months" in default
    auth.login(make_user(Role.SECRETARIAT))
    empty = client.post("/admin/privacy/notice", data={"text": "   "})
    assert empty.status_code == 400 and "Write the notice" in empty.get_data(as_text=True)
    text = "What we store\nYour name & <email>.\n\nHow long\nTwo years."
    assert client.post("/admin/privacy/notice", data={"text": text}).status_code == 302
    shown = client.get("/privacy").get_data(as_text=True)
    assert "<h2>What we store</h2>" in shown and "Your name &amp; &lt;email&gt;." in shown
    assert "Your rights" not in shown
    assert "privacy.notice_changed" in actions()
