"""Languages: the order a page's language is chosen in, the switcher and <html lang>, and the
catalogs compiled at start-up from their sources (tested with catalogs of the test's own)."""

from __future__ import annotations

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

import tests.conftest as shared
from webapp import create_app
from webapp.extensions import db
from webapp.i18n import use_forum_language, use_language
from webapp.i18n.catalogs import compile_catalogs

HOME = {"da": "Hjem", "de": "Startseite", "pt_BR": "Início"}


def write_catalogs(directory, translations: dict[str, str]) -> None:
    """A catalog per language translating the navigation's "Home"."""
    for code, home in translations.items():
        catalog = Catalog(locale=code)
        catalog.add("Home", home)
        target = directory / code / "LC_MESSAGES"
        target.mkdir(parents=True)
        with (target / "messages.po").open("wb") as po:
            write_po(po, catalog)


@pytest.fixture
def app(tmp_path):
    """The app with catalogs for Danish, German and Brazilian Portuguese."""
    write_catalogs(tmp_path / "translations", HOME)
    app = create_app({
        "TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
        "SQLALCHEMY_DATABASE_URI": shared.test_database_url(tmp_path), "BASE_URL": "http://localhost",
        "MAIL_DELIVER_ON_COMMIT": False, "TRANSLATIONS_DIR": str(tmp_path / "translations"),
    })
    app.test_client_class = shared.RequestIsolatingClient
    with app.app_context():
        shared.reset_schema()
        yield app
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def home_link(html: str) -> str:
    """The navigation's first link text."""
    return html.split('aria-label="Main">', 1)[1].split("</a>", 1)[0].rsplit(">", 1)[1]


def test_start_up_compiles_each_catalog_once(tmp_path):
    """.mo files are built from the .po sources when missing or older, not otherwise."""
    write_catalogs(tmp_path, {"da": "Hjem"})
    assert compile_catalogs(tmp_path) == ["da"]
    assert (tmp_path / "da" / "LC_MESSAGES" / "messages.mo").exists()
    assert compile_catalogs(tmp_path) == []


def test_english_without_a_choice(client):
    """No Accept-Language, no choice: English, and <html lang="en">."""
    html = client.get("/regions/").get_data(as_text=True)
    assert '<html lang="en">' in html and home_link(html) == "Home"


def test_the_browser_s_language_is_used(client):
    """Accept-Language picks the best shipped language, region variants included."""
    html = client.get("/regions/", headers={"Accept-Language": "da-DK,da;q=0.9"}).get_data(True)
    assert '<html lang="da">' in html and home_link(html) == "Hjem"
    html = client.get("/regions/", headers={"Accept-Language": "pt-BR"}).get_data(True)
    assert '<html lang="pt-BR">' in html and home_link(html) == "Início"


def test_a_lang_choice_beats_the_browser_and_is_kept(client):
    """?lang=de is kept in the session for the following pages."""
    danish = {"Accept-Language": "da"}
    assert home_link(client.get("/regions/?lang=de", headers=danish).get_data(True)) == "Startseite"
    assert home_link(client.get("/events/", headers=danish).get_data(True)) == "Startseite"


def test_an_unknown_lang_is_ignored(client):
    """?lang=xx (not shipped) changes nothing, and is no error."""
    page = client.get("/regions/?lang=%3Cscript%3E")
    assert page.status_code == 200 and home_link(page.get_data(True)) == "Home"


def test_the_person_s_saved_language_beats_everything(app):
    """A view that knows the person uses their saved language; unknown codes fall through."""
    from flask_babel import get_locale
    with app.test_request_context("/?lang=de", headers={"Accept-Language": "da"}):
        app.preprocess_request()
        assert str(get_locale()) == "de"
        use_language("pt-br")
        assert str(get_locale()) == "pt_BR"
        use_language("xx")
        assert str(get_locale()) == "de"


def test_the_forum_s_language_applies_when_the_browser_names_none_we_ship(app):
    """After the session and Accept-Language, the forum's default, then English."""
    from flask_babel import get_locale
    with app.test_request_context("/", headers={"Accept-Language": "ja"}):
        use_forum_language("da")
        assert str(get_locale()) == "da"
        use_forum_language(None)
        assert str(get_locale()) == "en"


def test_the_switcher_and_hreflang_name_every_language(client):
    """Every shipped language has a switcher link and an alternate link, in its own name."""
    html = client.get("/regions/").get_data(as_text=True)
    for tag, name in [("en", "English"), ("da", "Dansk"), ("de", "Deutsch"),
                      ("pt-BR", "Português (Brasil)")]:
        assert f'hreflang="{tag}" lang="{tag}"' in html and f">{name}</a>" in html
        assert f'<link rel="alternate" hreflang="{tag}"' in html
    assert 'lang="en" aria-current="true">English' in html
