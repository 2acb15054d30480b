"""A registrant's language: taken from the page they registered on, chosen on their signed
pages, beating their browser, and used for every later email, also those written at delivery
(with catalogs of the test's own, so the shipped translations do not matter here)."""

from __future__ import annotations

import email
from email import policy

import pytest
import sqlalchemy as sa

from tests.i18n_check import app_with_catalogs
from tests.registrations.helpers import person
from webapp.extensions import db
from webapp.mail.delivery import deliver_due
from webapp.models import AuditEntry, OutboxMessage, Registration, Role
from webapp.registrations.services import cancel_registration, register_person
from webapp.registrations.tokens import make_registration_token

TRANSLATIONS = {
    "da": {"Home": "Hjem", "Registration confirmed: %(title)s": "Tilmelding bekræftet: %(title)s"},
    "de": {"Home": "Startseite",
           "Registration confirmed: %(title)s": "Anmeldung bestätigt: %(title)s",
           "A seat is yours: %(title)s": "Ein Platz ist frei für Sie: %(title)s"},
    "fr": {"Home": "Accueil"},
}


@pytest.fixture
def app(tmp_path):
    """The app with small Danish, German and French catalogs."""
    yield from app_with_catalogs(tmp_path, TRANSLATIONS)


def link(app, registration) -> str:
    """The registration's signed page."""
    with app.test_request_context():
        return f"/registration/{make_registration_token(registration)}"


def home_link(html: str) -> str:
    """The navigation's first link text."""
    return html.split('aria-label="Main">', 1)[1].split("</a>", 1)[0].rsplit(">", 1)[1]


def received(smtp_server) -> list[email.message.EmailMessage]:
    """What the SMTP server got, parsed."""
    return [email.message_from_bytes(m.data, policy=policy.default) for m in smtp_server.messages]


def test_the_public_form_keeps_the_page_s_language(make_forum, client):
    """Registered on a German page: German is kept with the registration."""
    forum = make_forum()
    form = {"full_name": "Anna Berg", "email": "anna@example.org", "audience": "guest"}
    client.post(f"/events/{forum.id}/register", data=form, headers={"Accept-Language": "de"})
    assert db.session.scalars(sa.select(Registration.language)).one() == "de"


def test_the_saved_language_beats_the_browser_and_the_session(app, make_forum, client):
    """Saved Danish: the registration page is Danish for a German browser that chose
    French on another page."""
    registration = register_person(make_forum(), person(1), "guest", language="da")
    db.session.commit()
    client.get("/privacy?lang=fr")
    html = client.get(link(app, registration), headers={"Accept-Language": "de"}).get_data(True)
    assert '<html lang="da">' in html and home_link(html) == "Hjem"


def test_lang_on_the_registration_page_is_saved_and_audited(app, make_forum, client):
    """?lang=de (the switcher's link) becomes the person's language, said in the log."""
    registration = register_person(make_forum(), person(1), "guest", language="da")
    db.session.commit()
    html = client.get(link(app, registration) + "?lang=de").get_data(True)
    assert home_link(html) == "Startseite"
    db.session.refresh(registration)
    assert registration.language == "de"
    entry = db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.action == "registration.language_changed")).one()
    assert entry.summary == ("p1@example.org (Creativity World Forum 2030) chose Deutsch for "
                             "their pages and emails (was Dansk)")
    ticket = client.get(link(app, registration) + "/ticket").get_data(True)
    assert '<html lang="de">' in ticket


def test_the_chooser_saves_the_language(app, make_forum, client):
    """The form on the registration page: only the shipped languages, chosen one saved."""
    registration = register_person(make_forum(), person(1), "guest")
    db.session.commit()
    page = client.get(link(app, registration)).get_data(True)
    assert f'action="{link(app, registration)}/language"' in page
    assert '<option value="fr">Français</option>' in page
    answer = client.post(link(app, registration) + "/language", data={"language": "fr"})
    assert answer.status_code == 302
    db.session.refresh(registration)
    assert registration.language == "fr"
    client.post(link(app, registration) + "/language", data={"language": "xx"})
    db.session.refresh(registration)
    assert registration.language == "fr"


def test_a_german_registrant_s_mail_is_written_in_german_at_delivery(make_forum, smtp_server):
    """Queued in an English request, written by delivery: German subject, dates and
    Content-Language; the English registrant's mail is as before."""
    forum = make_forum({"guest": 2})
    register_person(forum, person(1), "guest", language="de")
    register_person(forum, person(2), "guest")
    db.session.commit()
    assert deliver_due().sent == 2
    german, english = sorted(received(smtp_server), key=lambda m: m["To"])
    assert german["Subject"] == "Anmeldung bestätigt: Creativity World Forum 2030"
    assert german["Content-Language"] == "de"
    assert "7.–9. Mai 2030" in german.get_body(("plain",)).get_content()
    assert english["Subject"] == "Registration confirmed: Creativity World Forum 2030"
    assert "7–9 May 2030" in english.get_body(("plain",)).get_content()


def test_a_promotion_from_a_staff_member_s_danish_page_is_in_the_person_s_language(
        app, make_forum, make_user, smtp_server):
    """The secretariat cancels (on a Danish page); the waitlisted German gets German."""
    forum = make_forum({"guest": 1})
    first = register_person(forum, person(1), "guest", language="da")
    register_person(forum, person(2), "guest", language="de")
    db.session.commit()
    with app.test_request_context("/", headers={"Accept-Language": "da"}):
        cancel_registration(first, make_user(Role.SECRETARIAT), "Ill")
        db.session.commit()
    deliver_due()
    subjects = [(m["To"].addresses[0].addr_spec, m["Subject"]) for m in received(smtp_server)]
    assert ("p2@example.org", "Ein Platz ist frei für Sie: Creativity World Forum 2030") in subjects
    assert ("p1@example.org", "Tilmelding bekræftet: Creativity World Forum 2030") in subjects


def test_the_forum_s_default_language_is_set_up_and_used(make_forum, make_user, client, auth):
    """Set at forum set-up; a browser asking for no shipped language gets it on the form."""
    forum = make_forum()
    auth.login(make_user(Role.SECRETARIAT))
    data = {"title": forum.title, "place": forum.place, "timezone": forum.timezone,
            "starts_local": "2030-05-07T09:00", "ends_local": "2030-05-09T17:00",
            "opens_local": "2020-01-01T00:00", "default_language": "de",
            "capacities-0-audience": "guest", "capacities-0-label": "Guests",
            "capacities-0-capacity": "2"}
    assert client.post(f"/events/{forum.id}/setup", data=data).status_code == 302
    db.session.refresh(forum)
    assert forum.default_language == "de"
    auth.logout()
    html = client.get(f"/events/{forum.id}/register",
                      headers={"Accept-Language": "ja"}).get_data(True)
    assert '<html lang="de">' in html
    # The event page is everyone's: English and Danish only, so the German default falls through.
    html = client.get(f"/events/{forum.id}", headers={"Accept-Language": "ja"}).get_data(True)
    assert '<html lang="en">' in html
    assert db.session.scalar(sa.select(OutboxMessage.id)) is None
