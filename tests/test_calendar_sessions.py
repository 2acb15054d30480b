"""Calendar files and the session: a feed never writes the session cookie."""

from __future__ import annotations

from tests.conftest import PASSWORD
from webapp.extensions import db


def test_a_feed_writes_no_session_cookie(client, auth, make_user, make_event):
    """Signed in, a feed download (200 or 304) sets no cookie, keeps its security headers,
    and the login survives it. Nothing in a feed request changes the session, so Flask's
    own session needs no special case for `.ics`."""
    user = make_user()
    make_event()
    db.session.commit()
    auth.login(user.email, PASSWORD)
    feed = client.get("/calendar/network.ics")
    assert feed.status_code == 200 and "Set-Cookie" not in feed.headers
    assert feed.headers["X-Content-Type-Options"] == "nosniff"
    assert feed.headers["Content-Security-Policy"]
    not_modified = client.get("/calendar/network.ics",
                              headers={"If-None-Match": feed.headers["ETag"]})
    assert not_modified.status_code == 304 and "Set-Cookie" not in not_modified.headers
    assert not_modified.headers["X-Frame-Options"] == "DENY"
    assert "Sign out" in client.get("/").get_data(as_text=True)  # still signed in


def test_a_missing_feed_is_a_plain_404(client):
    """An unknown event's calendar: 404 page, no cookie."""
    response = client.get("/events/999999.ics")
    assert response.status_code == 404 and "Set-Cookie" not in response.headers
