"""Calendar files are served without the session; everything else keeps it."""

from __future__ import annotations

from tests.conftest import PASSWORD
from webapp.extensions import db
from webapp.sessions import is_calendar_path


def test_every_ics_route_is_a_get_only_calendar_route(app):
    """The session is skipped by path (it opens before routing): only calendar routes, all
    GET, may end in .ics, and no calendar route needs a login."""
    ics = [rule for rule in app.url_map.iter_rules() if is_calendar_path(rule.rule)]
    assert ics and {rule.endpoint.split(".")[0] for rule in ics} == {"calendars"}
    assert all(rule.methods <= {"GET", "HEAD", "OPTIONS"} for rule in ics)


def test_a_feed_neither_reads_nor_writes_the_session(client, auth, make_user, make_event):
    """Signed in, a feed download sets no cookie and varies on none, keeps its security
    headers, and the login survives it."""
    user = make_user()
    make_event()
    db.session.commit()
    auth.login(user.email, PASSWORD)
    feed = client.get("/calendar/network.ics")
    assert feed.status_code == 200
    assert "Set-Cookie" not in feed.headers and "Cookie" not in feed.headers.get("Vary", "")
    assert feed.headers["X-Content-Type-Options"] == "nosniff"
    assert feed.headers["Content-Security-Policy"]
    not_modified = client.get("/calendar/network.ics",
                              headers={"If-None-Match": feed.headers["ETag"]})
    assert not_modified.status_code == 304 and "Set-Cookie" not in not_modified.headers
    assert not_modified.headers["X-Frame-Options"] == "DENY"
    page = client.get("/")
    assert "Cookie" in page.headers.get("Vary", "")  # other pages still use the session
    assert "Sign out" in page.get_data(as_text=True)  # still signed in


def test_a_missing_feed_is_a_plain_404(client):
    """An unknown event's calendar: 404 page, no session involved."""
    response = client.get("/events/999999.ics")
    assert response.status_code == 404 and "Set-Cookie" not in response.headers
