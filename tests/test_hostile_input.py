"""Hostile and malformed input on every page and every form: an answer, never a server error.

Generated from app.url_map and from the forms the pages themselves render, so a new page or
field is covered without being listed here."""

from __future__ import annotations

from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin

import pytest

from tests.test_access_matrix import ACCESS, build_url, world  # noqa: F401 - the fixture
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
    "a\r\nX-Injected: 1",
]
# Every query parameter a view reads (grep request.args), and a few it might.
QUERY_NAMES = ["q", "sort", "order", "page", "print", "kind", "year", "from_year", "to_year",
               "status", "role", "on", "as_of", "region", "audience", "next"]


class _Forms(HTMLParser):
    """The POST forms of a page: action and field names."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, list[str]]] = []
        self._current: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and (attributes.get("method") or "get").lower() == "post":
            self._current = (attributes.get("action") or "", [])
            self.forms.append(self._current)
        elif (tag in ("input", "select", "textarea") and self._current
              and attributes.get("name") and attributes.get("type") != "file"):
            self._current[1].append(attributes["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def post_forms(page_url: str, html: str) -> list[tuple[str, list[str]]]:
    """(absolute action URL, field names) of each POST form on the page."""
    parser = _Forms()
    parser.feed(html)
    return [(urljoin(page_url, action or page_url), sorted(set(names)))
            for action, names in parser.forms]


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


def sweep(app, client, arguments: dict, sign_in) -> list[str]:
    """Every GET page with hostile query parameters, then every POST form it renders posted
    with each hostile value in every field; what went wrong (empty when nothing did)."""
    failures = []
    pages = sorted(endpoint for endpoint, (method, _) in ACCESS.items()
                   if method == "GET" and endpoint != "static")
    for endpoint in pages:
        sign_in()  # again: a form (an account's, a user's) may have signed the visitor out
        url = build_url(app, endpoint, arguments)
        for value in HOSTILE:
            query = urlencode(dict.fromkeys(QUERY_NAMES, value))
            failures.append(_answer(client, "GET", f"{url}?{query}"))
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.content_type:
            continue
        for action, names in post_forms("http://localhost" + url, response.text):
            if action.endswith("/logout"):
                continue
            for value in HOSTILE:
                failures.append(_answer(client, "POST", action,
                                        data=dict.fromkeys(names, value)))
    return [failure for failure in failures if failure]


@pytest.mark.parametrize("visitor", ["secretariat", "coordinator", "anonymous"])
def test_hostile_input_never_breaks_a_page(app, world, visitor, auth, client):  # noqa: F811
    """Every page and form of the access matrix's world, as three kinds of visitor."""
    users, arguments = world
    failures = sweep(app, client, arguments, lambda: visitor == "anonymous"
                     or auth.login(users[visitor]))
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:40])


@pytest.mark.parametrize("visitor", ["secretariat", "anonymous"])
def test_hostile_input_on_an_open_forum(app, world, visitor, auth, client):  # noqa: F811
    """The same on a forum open for registration, with a real registration link: the public
    form, the person's own page, the forum's set-up, lists and check-in."""
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
                     or auth.login(users[visitor]))
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:40])


def test_a_control_character_is_refused_with_the_input_kept(client):
    """The sign-in form with a NUL in the email (PostgreSQL refuses NUL; the lookup would
    fail): the form comes back saying which character, with what was typed still there."""
    response = client.post("/login", data={"email": "ann\x00@example.org", "password": "x" * 9})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Remove the control character U+0000 from this text" in page
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


@pytest.mark.parametrize("region_id", ["Flanders", "-1", "99999999999999999999999", "1e3"])
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
