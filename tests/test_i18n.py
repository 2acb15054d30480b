"""Languages: the order a page's language is chosen in, the switcher and <html lang>, public
and staff pages' languages, dates written for the language, and the catalogs compiled at
start-up from their sources (tested with catalogs of the test's own)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale

from tests.i18n_check import app_with_catalogs, write_catalogs
from webapp.filters import event_dates, local_datetime, local_day_time, local_time, weekday_date
from webapp.i18n import use_forum_language, use_language
from webapp.i18n.catalogs import compile_catalogs
from webapp.models.types import DatePrecision, format_date

HOME = {"da": "Hjem", "de": "Startseite", "pt_BR": "Início"}
# A public page (the privacy notice) and a page of everyone's (the regions).
PUBLIC, EVERYONE = "/privacy", "/regions/"


@pytest.fixture
def app(tmp_path):
    """The app with catalogs for Danish, German and Brazilian Portuguese."""
    yield from app_with_catalogs(tmp_path, {code: {"Home": home} for code, home in HOME.items()})


def home_link(html: str) -> str:
    """The navigation's first link text."""
    return html.split('aria-label="Main">', 1)[1].split("</a>", 1)[0].rsplit(">", 1)[1]


def test_start_up_compiles_each_catalog_once(tmp_path):
    """.mo files are built from the .po sources when missing or older, not otherwise."""
    write_catalogs(tmp_path, {"da": {"Home": "Hjem"}})
    assert compile_catalogs(tmp_path) == ["da"]
    assert (tmp_path / "da" / "LC_MESSAGES" / "messages.mo").exists()
    assert compile_catalogs(tmp_path) == []


def test_english_without_a_choice(client):
    """No Accept-Language, no choice: English, and <html lang="en">."""
    html = client.get(EVERYONE).get_data(as_text=True)
    assert '<html lang="en">' in html and home_link(html) == "Home"


def test_the_browser_s_language_is_used(client):
    """Accept-Language picks the best shipped language, region variants included."""
    html = client.get(EVERYONE, headers={"Accept-Language": "da-DK,da;q=0.9"}).get_data(True)
    assert '<html lang="da">' in html and home_link(html) == "Hjem"
    html = client.get(PUBLIC, headers={"Accept-Language": "pt-BR"}).get_data(True)
    assert '<html lang="pt-BR">' in html and home_link(html) == "Início"


def test_a_lang_choice_beats_the_browser_and_is_kept(client):
    """?lang=de is kept in the session for the following pages."""
    danish = {"Accept-Language": "da"}
    assert home_link(client.get(PUBLIC + "?lang=de", headers=danish).get_data(True)) == "Startseite"
    assert home_link(client.get("/no-such-page", headers=danish).get_data(True)) == "Startseite"


def test_staff_pages_are_in_english_and_danish_only(client):
    """A German choice (or browser) on a page of everyone's falls through to the next
    language the page has: the browser's Danish, else English; the switcher offers only
    the page's languages, and the choice is still there on the next public page."""
    danish = {"Accept-Language": "de, da;q=0.5"}
    client.get(PUBLIC + "?lang=de")
    html = client.get(EVERYONE, headers=danish).get_data(True)
    assert '<html lang="da">' in html and home_link(html) == "Hjem"
    assert 'hreflang="da"' in html and 'hreflang="de"' not in html
    assert home_link(client.get(EVERYONE + "?lang=de").get_data(True)) == "Home"
    assert home_link(client.get(PUBLIC).get_data(True)) == "Startseite"


def test_an_unknown_lang_is_ignored(client):
    """?lang=xx (not shipped) changes nothing, and is no error."""
    page = client.get(EVERYONE + "?lang=%3Cscript%3E")
    assert page.status_code == 200 and home_link(page.get_data(True)) == "Home"


def test_the_person_s_saved_language_beats_everything(app):
    """A view that knows the person uses their saved language; unknown codes fall through."""
    from flask_babel import get_locale
    with app.test_request_context(PUBLIC + "?lang=de", headers={"Accept-Language": "da"}):
        app.preprocess_request()
        assert str(get_locale()) == "de"
        use_language("pt-br")
        assert str(get_locale()) == "pt_BR"
        use_language("xx")
        assert str(get_locale()) == "de"


def test_the_forum_s_language_applies_when_the_browser_names_none_we_ship(app):
    """After the session and Accept-Language, the forum's default, then English; a staff
    page names no German default."""
    from flask_babel import get_locale
    with app.test_request_context(PUBLIC, headers={"Accept-Language": "ja"}):
        app.preprocess_request()
        use_forum_language("de")
        assert str(get_locale()) == "de"
        use_forum_language(None)
        assert str(get_locale()) == "en"
    with app.test_request_context(EVERYONE, headers={"Accept-Language": "ja"}):
        app.preprocess_request()
        use_forum_language("de")
        assert str(get_locale()) == "en"
        use_forum_language("da")
        assert str(get_locale()) == "da"


def test_the_switcher_and_hreflang_name_every_language(client):
    """Every shipped language has a switcher link and an alternate link, in its own name."""
    html = client.get(PUBLIC).get_data(as_text=True)
    for tag, name in [("en", "English"), ("da", "Dansk"), ("de", "Deutsch"),
                      ("pt-BR", "Português (Brasil)")]:
        assert f'hreflang="{tag}" lang="{tag}"' in html and f">{name}</a>" in html
        assert f'<link rel="alternate" hreflang="{tag}"' in html
    assert 'lang="en" aria-current="true">English' in html


class _Event:
    """What event_dates reads of an event."""

    def __init__(self, start: datetime, end: datetime, precision=DatePrecision.DAY):
        self.local_start, self.local_end = start, end
        self.dates_approximate = precision != DatePrecision.DAY
        self.date_precision = precision


MORNING = datetime(2017, 10, 4, 7, 0, tzinfo=UTC)  # 09:00 in Aarhus (CEST)
ZONE = "Europe/Copenhagen"
MAY = _Event(datetime(2012, 5, 7, 9), datetime(2012, 5, 9, 17))


def test_english_dates_are_as_they_always_were(app):
    """English keeps the app's own wording, not CLDR's ('Oct 4, 2017')."""
    with app.test_request_context(PUBLIC):
        assert local_datetime(MORNING, ZONE) == "Wed 4 Oct 2017, 09:00 CEST"
        assert local_day_time(MORNING, ZONE) == "Wed 4 Oct, 09:00"
        assert local_time(MORNING, ZONE) == "09:00"
        assert event_dates(MAY) == "7–9 May 2012"
        assert format_date(date(2009, 10, 21)) == "21 October 2009"
        assert format_date(date(2010, 11, 1), DatePrecision.MONTH) == "November 2010"
        assert weekday_date(date(2012, 5, 7)) == "Monday 7 May 2012"


@pytest.mark.parametrize(("code", "when", "day", "may"), [
    ("da", "ons. 4. okt. 2017 kl. 09.00 CEST", "21. oktober 2009", "7.–9. maj 2012"),
    ("de", "Mi., 4. Okt. 2017 um 09:00 CEST", "21. Oktober 2009", "7.–9. Mai 2012"),
    ("fr", "mer. 4 oct. 2017 à 09:00 CEST", "21 octobre 2009", "7–9 mai 2012"),
    ("es", "mié, 4 oct 2017, 9:00 CEST", "21 de octubre de 2009", "7–9 de mayo de 2012"),
    ("zh_Hans", "2017年10月4日周三 09:00 CEST", "2009年10月21日", "2012年5月7日\u2009–\u20099日"),
])
def test_other_languages_write_dates_their_own_way(app, code, when, day, may):
    """Day, month and time in the language's order and words; the zone named as in English."""
    with app.test_request_context(PUBLIC), force_locale(code):
        assert local_datetime(MORNING, ZONE) == when
        assert format_date(date(2009, 10, 21)) == day
        assert event_dates(MAY) == may
        assert format_date(date(2004, 3, 1), DatePrecision.YEAR) == "2004"


def test_danish_months_days_and_times(app):
    """The month of an approximate date, a one-day event's hours, a time of day."""
    with app.test_request_context(PUBLIC), force_locale("da"):
        assert format_date(date(2010, 11, 1), DatePrecision.MONTH) == "november 2010"
        one_day = _Event(datetime(2017, 10, 4, 9), datetime(2017, 10, 4, 17))
        assert event_dates(one_day) == "4. oktober 2017, 09.00–17.00"
        assert local_time(MORNING, ZONE) == "09.00"
        assert local_day_time(MORNING, ZONE) == "ons. 4. okt. kl. 09.00"
        assert weekday_date(date(2012, 5, 7)) == "mandag den 7. maj 2012"
