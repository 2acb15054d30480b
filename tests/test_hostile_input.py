"""Hostile and malformed input on every page and every form: an answer, never a server error.

Generated from app.url_map and from the forms the pages themselves render, so a new page or
field is covered without being listed here."""

from __future__ import annotations

from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin

import pytest
import sqlalchemy as sa
from flask import url_for
from werkzeug.routing import IntegerConverter

from tests.test_access_matrix import build_url, world  # noqa: F401 - world is a fixture
from webapp.extensions import db
from webapp.models import Event, EventCapacity, EventKind, EventStatus
from webapp.registrations.services import PersonData, register_person
from webapp.registrations.tokens import make_registration_token

HOSTILE = [
    "",
    " ",
    "\x00",
    "<script>alert(1)</script>",
    '=HYPERLINK("http://x";"y")',
    "' OR 1=1 --",
    "x" * 3000,
    "-1",
    "99999999999999999999999",
    "2026-02-30",
    "2026-13-01T25:61",
    "1e309",
    "NaN",
    "Ærø 😀 \u202e",
    "²",  # a digit to str.isdigit, not to int()
    "9" * 5000,  # more digits than int() converts
    "a\r\nX-Injected: 1",
    "søren@example.org",  # non-ASCII before the @: the outbox cannot address it
    "9999-12-31T23:59",  # a year whose dates overflow once a zone or a buffer is added
]
# The values most likely to get past a form's checks into services and the database.
ONE_AT_A_TIME = ["\x00", "x" * 3000, "99999999999999999999999", "9" * 5000, "-1",
                 "2026-02-30", "=1+1", "Ærø 😀", "²", "Evil Forum\r\nBcc: victim@example.org",
                 "søren@example.org", "9999-12-31T23:59"]
# For query parameters, the values that differ for a parser of numbers, dates and text.
QUERY_VALUES = ["", "\x00", "x" * 3000, "99999999999999999999999", "9" * 5000, "-1",
                "2026-02-30", "²", "<script>alert(1)</script>", "Ærø 😀 \u202e", "9999-12-31"]
# Every query parameter a view reads (grep request.args), and a few it might.
QUERY_NAMES = ["q", "sort", "order", "page", "print", "kind", "year", "from_year", "to_year",
               "status", "role", "on", "as_of", "region", "audience", "next"]


class _Forms(HTMLParser):
    """The POST forms of a page: action, and each field's name with the value a browser
    would send as the page stands (checked boxes, selected options, textarea text)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []
        self._fields: dict[str, str] | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        name = attributes.get("name")
        if tag == "form" and attributes.get("method", "get").lower() == "post":
            self._fields = {}
            self.forms.append((attributes.get("action", ""), self._fields))
        elif self._fields is None:
            return
        elif tag == "input" and name and attributes.get("type") != "file":
            kind = attributes.get("type", "text")
            checked = kind not in ("checkbox", "radio") or "checked" in attributes
            self._fields.setdefault(name, "")
            if checked and kind not in ("submit", "button"):
                self._fields[name] = attributes.get("value", "on")
        elif tag == "select" and name:
            self._select = name
            self._fields.setdefault(name, "")
        elif tag == "option" and self._select:
            if "selected" in attributes or not self._fields[self._select]:
                self._fields[self._select] = attributes.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self._fields[name] = ""

    def handle_data(self, data):
        if self._textarea and self._fields is not None:
            self._fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._fields = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def post_forms(page_url: str, html: str) -> list[tuple[str, dict[str, str]]]:
    """(absolute action URL, {field: value as shown}) of each POST form on the page."""
    parser = _Forms()
    parser.feed(html)
    return [(urljoin(page_url, action or page_url), fields) for action, fields in parser.forms]


def _answer(client, method: str, url: str, **kwargs) -> str | None:
    """None when the app answered below 500; else what went wrong."""
    try:
        response = client.open(url, method=method, **kwargs)
    except Exception as exc:  # noqa: BLE001 - the finding is the exception itself
        sent = repr(kwargs.get("data", ""))[:200]
        return f"{method} {url[:120]} {sent}: {type(exc).__name__}: {str(exc)[:300]}"
    if response.status_code >= 500:
        return f"{method} {url[:120]}: {response.status_code}"
    return None


def sweep(app, client, arguments: dict, sign_in, *, one_at_a_time: bool = True,
          only_about: frozenset[str] | None = None) -> list[str]:
    """Every GET page (or those whose URL names one of `only_about`) with hostile query
    parameters; then every POST form it renders, posted with each hostile value in every
    field, and with one field at a time hostile and the others as the page filled them in.
    What went wrong (empty when nothing did)."""
    failures = []
    pages = sorted(rule.endpoint for rule in app.url_map.iter_rules()
                   if "GET" in rule.methods and rule.endpoint != "static"
                   and (only_about is None or only_about & rule.arguments))
    for endpoint in pages:
        sign_in()  # again: a form (an account's, a user's) may have signed the visitor out
        url = build_url(app, endpoint, arguments)
        for value in QUERY_VALUES:
            query = urlencode(dict.fromkeys(QUERY_NAMES, value))
            failures.append(_answer(client, "GET", f"{url}?{query}"))
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.content_type:
            continue
        for action, shown in post_forms("http://localhost" + url, response.text):
            if action.endswith("/logout"):
                continue
            for value in HOSTILE:  # every field at once
                failures.append(_answer(client, "POST", action,
                                        data=dict.fromkeys(shown, value)))
            # One field at a time, the others as the page shows them: past the other checks.
            for name in shown if one_at_a_time else ():
                for value in ONE_AT_A_TIME:
                    failures.append(_answer(client, "POST", action,
                                            data={**shown, name: value}))
    return [failure for failure in failures if failure]


@pytest.mark.parametrize("visitor", ["secretariat", "coordinator", "anonymous"])
def test_hostile_input_never_breaks_a_page(app, world, visitor, auth, client):  # noqa: F811
    """Every page and form of the access matrix's world, as three kinds of visitor."""
    users, arguments = world
    # A coordinator's forms are the secretariat's, fewer: all-fields-hostile is enough there.
    failures = sweep(app, client, arguments, lambda: visitor == "anonymous"
                     or auth.login(users[visitor]), one_at_a_time=visitor != "coordinator")
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:40])


@pytest.mark.parametrize("visitor", ["secretariat", "anonymous"])
def test_hostile_input_on_an_open_forum(app, world, visitor, auth, client):  # noqa: F811
    """The same on a forum open for registration, with a real registration link, for the
    pages about the forum or a registration: the public form, the person's own page, the
    forum's set-up, lists and check-in."""
    users, arguments = world
    forum = Event(slug="forum-2030", kind=EventKind.FORUM, title="Forum 2030", place="Aarhus",
                  timezone="Europe/Copenhagen", status=EventStatus.CONFIRMED,
                  starts_at=datetime(2030, 5, 7, 7, tzinfo=UTC),
                  ends_at=datetime(2030, 5, 9, 15, tzinfo=UTC),
                  registration_opens_at=datetime(2020, 1, 1, tzinfo=UTC),
                  default_delegation_quota=3)
    forum.capacities.append(EventCapacity(audience="guest", label="Guests", capacity=2))
    db.session.add(forum)
    db.session.commit()
    guest = register_person(forum, PersonData("Guest One", "guest1@example.org"), "guest")
    db.session.commit()
    with app.test_request_context():
        token = make_registration_token(guest)
    arguments = {**arguments, "event_id": forum.id, "registration_id": guest.id,
                 "token": token}
    failures = sweep(app, client, arguments, lambda: visitor == "anonymous"
                     or auth.login(users[visitor]),
                     only_about=frozenset({"event_id", "registration_id", "token"}))
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:40])


def test_a_control_character_is_refused_with_the_input_kept(client):
    """The sign-in form with a NUL in the email (PostgreSQL refuses NUL; the lookup would
    fail): the form comes back saying which character, with what was typed still there."""
    response = client.post("/login", data={"email": "ann\x00@example.org", "password": "x" * 9})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "invisible control character (U+0000)" in page
    assert 'value="ann\x00@example.org"' in page


@pytest.mark.parametrize(("raw", "page"), [
    (None, 1), ("", 1), ("3", 3), ("0", 1), ("-4", 1), ("x", 1), ("1e3", 1),
    ("99999999999999999999999", 1_000_000),
])
def test_page_numbers_from_the_query_string(raw, page):
    """Odd page numbers mean the first page; huge ones stop where every database's integer
    still holds the offset."""
    from webapp.search import page_number

    assert page_number(raw) == page


@pytest.mark.parametrize("region_id", ["Flanders", "-1", "99999999999999999999999", "1e3", "²"])
def test_a_forged_region_choice_is_an_unknown_region(client, auth, make_user, region_id):
    """The invitation form's region is a choice; a forged value (a word, a huge number) is
    answered like a region that does not exist, with the rest of the form kept."""
    auth.login(make_user())
    response = client.post("/admin/users/invite", data={
        "full_name": "Ann Coordinator", "email": "ann@example.org", "role": "coordinator",
        "region_id": region_id})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Unknown region." in page and 'value="Ann Coordinator"' in page


@pytest.mark.parametrize("host_region_id", ["Flanders", "-1", "99999999999999999999999"])
def test_a_forged_host_region_is_refused_on_the_forum_set_up(client, auth, make_user,
                                                             host_region_id):
    """The forum's host is a choice too: anything not offered is refused, nothing saved."""
    auth.login(make_user())
    response = client.post("/forums/new", data={
        "title": "Forum 2031", "place": "Aarhus", "timezone": "Europe/Copenhagen",
        "host_region_id": host_region_id,
        "starts_local": "2031-05-07T09:00", "ends_local": "2031-05-08T17:00"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Choose one of the regions offered." in page and 'value="Forum 2031"' in page
    assert db.session.scalar(sa.select(sa.func.count(Event.id))) == 0


def test_numbers_in_paths_too_big_for_an_id_are_no_page(app, client, auth, make_user):
    """Every route with a number in its path, given one no id column holds: 404, not an
    overflow in the database."""
    auth.login(make_user())
    failures = []
    for rule in app.url_map.iter_rules():
        numbers = {name for name, converter in rule._converters.items()
                   if isinstance(converter, IntegerConverter)}
        if not numbers:
            continue
        # Distinct small numbers, so each one is found (and replaced) in the URL alone.
        values = {name: 11 + index for index, name in enumerate(sorted(rule.arguments))}
        values |= {"slug": "x", "token": "x", "receipt": "x", "filename": "x"}
        with app.test_request_context():
            url = url_for(rule.endpoint, **{name: values[name] for name in rule.arguments})
        for name in numbers:
            huge = url.replace(f"/{values[name]}", "/99999999999999999999999", 1)
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                status = client.open(huge, method=method).status_code
                if status != 404:
                    failures.append(f"{method} {huge}: {status}")
    assert not failures, "\n".join(failures)


def test_a_host_header_that_cannot_be_read_gets_a_plain_400(client):
    """A Host too long to be a name (gunicorn lets 8 KB through): the error page's links
    cannot be built for it, so the answer is a short plain-text 400, not a failure."""
    response = client.get("/", headers={"Host": "x" * 300})
    assert response.status_code == 400
    assert response.mimetype == "text/plain" and "400 Bad Request" in response.text


@pytest.mark.parametrize(("text", "maximum", "number"), [
    ("0", 10, 0), ("10", 10, 10), ("11", 10, None), ("007", 10, None), ("", 10, None),
    ("-1", 10, None), ("²", 10, None), ("١٢", 100, None), (" 5", 10, None),
    ("9" * 5000, 2**31 - 1, None), ("2147483647", 2**31 - 1, 2**31 - 1),
])
def test_plain_numbers(text, maximum, number):
    """Digits 0-9 up to a maximum; anything else (other digits, signs, more digits than
    int() converts) is no number rather than an exception."""
    from webapp.forms import plain_number

    assert plain_number(text, maximum) == number
