"""The public registration side in the visitor's language (tested with catalogs of the test's
own): the form's labels and WTForms' own messages, the signed page's flashes, the default
privacy notice; the audit log stays English."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

import tests.conftest as shared
from tests.registrations.helpers import person
from webapp import create_app
from webapp.extensions import db
from webapp.models import AuditEntry
from webapp.privacy.notice import default_text
from webapp.registrations.services import register_person
from webapp.registrations.tokens import make_registration_token

DANISH = {
    "Register for %(title)s": "Tilmeld dig %(title)s",
    "Full name": "Fulde navn",
    "This field is required.": "Dette felt skal udfyldes.",
    "Show my name and organisation on the event's participants list":
        "Vis mit navn og min organisation på arrangementets deltagerliste",
    "given: %(consent)s": "givet: %(consent)s",
    "Saved: consent %(changes)s": "Gemt: samtykke %(changes)s",
    "Who we are": "Hvem vi er",
}
# German has a catalog of its own without WTForms' messages: WTForms' German ones show.
GERMAN = {"Full name": "Vollständiger Name"}


def write_catalogs(directory, catalogs: dict[str, dict[str, str]]) -> None:
    """One .po per language with the given translations."""
    for code, entries in catalogs.items():
        catalog = Catalog(locale=code)
        for msgid, text in entries.items():
            catalog.add(msgid, text)
        target = directory / code / "LC_MESSAGES"
        target.mkdir(parents=True)
        with (target / "messages.po").open("wb") as po:
            write_po(po, catalog)


@pytest.fixture
def app(tmp_path):
    """The app with small Danish and German catalogs."""
    write_catalogs(tmp_path / "translations", {"da": DANISH, "de": GERMAN})
    app = create_app({
        "TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
        "SQLALCHEMY_DATABASE_URI": shared.test_database_url(tmp_path),
        "BASE_URL": "http://localhost", "MAIL_DELIVER_ON_COMMIT": False,
        "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
        "TRANSLATIONS_DIR": str(tmp_path / "translations"),
    })
    app.test_client_class = shared.RequestIsolatingClient
    with app.app_context():
        shared.reset_schema()
        yield app
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def test_the_form_and_its_messages_in_danish(make_forum, client):
    """Heading, labels and WTForms' "required" come from the catalog; the input is kept."""
    forum = make_forum({"guest": 2})
    page = client.post(f"/events/{forum.id}/register", headers={"Accept-Language": "da"},
                       data={"email": "x@example.org", "audience": "guest"})
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "Tilmeld dig Creativity World Forum 2030" in html
    assert '<label for="full_name">Fulde navn</label>' in html
    assert "Dette felt skal udfyldes." in html and "This field is required." not in html
    assert 'value="x@example.org"' in html


def test_wtforms_own_catalog_fills_in(make_forum, client):
    """A language whose catalog lacks WTForms' messages shows WTForms' own translation."""
    forum = make_forum({"guest": 2})
    html = client.post(f"/events/{forum.id}/register", headers={"Accept-Language": "de"},
                       data={"email": "x@example.org", "audience": "guest"}).get_data(True)
    assert "Vollständiger Name" in html and "Dieses Feld wird benötigt." in html


def test_english_stays_as_it_was(make_forum, client):
    """Without a language choice the page reads as before."""
    forum = make_forum({"guest": 2})
    html = client.post(f"/events/{forum.id}/register",
                       data={"email": "x@example.org", "audience": "guest"}).get_data(True)
    assert "<h1>Register for Creativity World Forum 2030</h1>" in html
    assert "This field is required." in html


def test_consents_flash_in_danish_but_the_audit_log_is_english(app, make_forum, client):
    """The person reads their change in their language; the organisers' log stays English."""
    registration = register_person(make_forum({"guest": 2}), person(1), "guest")
    db.session.commit()
    with app.test_request_context():
        link = f"/registration/{make_registration_token(registration)}"
    page = client.post(link + "/consents", headers={"Accept-Language": "da"},
                       data={"consent_participants_list": "yes"}, follow_redirects=True)
    assert ("Gemt: samtykke givet: Vis mit navn og min organisation på arrangementets "
            "deltagerliste") in page.get_data(as_text=True)
    summary = db.session.scalars(sa.select(AuditEntry.summary).where(
        AuditEntry.action == "privacy.consent_changed")).one()
    assert summary == (f"Registration #{registration.id}: consent given: Show my name and "
                       "organisation on the event's participants list")


def test_the_default_notice_follows_the_language(app, client):
    """The default privacy notice is translated section by section; English is unchanged."""
    assert "<h2>Hvem vi er</h2>" in client.get(
        "/privacy", headers={"Accept-Language": "da"}).get_data(as_text=True)
    with app.test_request_context():
        english = default_text()
    assert english.startswith("Who we are\nThe secretariat of the Districts of Creativity "
                              "network runs this site and is responsible for the personal "
                              "data it holds.\n\nWhat we store\n")
    assert "anonymised 24 months after the event ended" in english and english.endswith(
        "complain to your data protection authority.\n")
