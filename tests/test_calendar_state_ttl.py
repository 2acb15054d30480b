"""CALENDAR_STATE_TTL: public feeds' 304s from a fingerprint a few seconds old, bounded."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests import test_calendar_feeds
from webapp.calendars import responses
from webapp.extensions import db
from webapp.models import utcnow

register = test_calendar_feeds.register  # the fixture, shared with the feed tests


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        """The current reading."""
        return self.now


@pytest.fixture
def clock(app, monkeypatch) -> Clock:
    """The app with a 2-second state TTL and a hand-moved clock (on SQLite without the
    data_version cache, which takes precedence over the TTL)."""
    app.config["CALENDAR_STATE_TTL"] = 2
    app.config["CALENDAR_DATA_VERSION_CACHE"] = False
    fake = Clock()
    monkeypatch.setattr(responses.time, "monotonic", fake)
    return fake


def test_off_by_default(app):
    """Without the setting every request asks the database."""
    assert responses.state_cache(app) is None


def test_within_the_ttl_a_304_needs_no_query_and_a_change_shows_after_it(
    client, clock, count_queries, make_event
):
    """Repeated polls inside the TTL answer from memory; a change made meanwhile is seen
    once the TTL has passed, never later."""
    event = make_event()
    db.session.commit()
    etag = client.get("/calendar/network.ics").headers["ETag"]
    with count_queries() as polls:
        for _ in range(3):
            assert client.get("/calendar/network.ics",
                              headers={"If-None-Match": etag}).status_code == 304
    assert polls.count == 0
    event.starts_at += timedelta(hours=1)
    event.ends_at += timedelta(hours=1)
    event.updated_at = utcnow() + timedelta(seconds=2)
    db.session.commit()
    clock.now += 1.9
    assert client.get("/calendar/network.ics", headers={"If-None-Match": etag}).status_code == 304
    clock.now += 0.2
    changed = client.get("/calendar/network.ics", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_personal_feeds_always_ask_the_database(client, clock, count_queries, make_event,
                                                make_person, register):
    """A reset token stops working at once, TTL or not."""
    person = make_person()
    register(person, make_event())
    db.session.commit()
    url = f"/calendar/p/{person.calendar_token}.ics"
    etag = client.get(url).headers["ETag"]
    with count_queries() as poll:
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert poll.count == 1
    client.post(f"/calendar/p/{person.calendar_token}/reset", data={"confirmed": "1"})
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 404


@pytest.mark.parametrize(("raw", "expected"), [(None, 0), ("0", 0), ("2.5", 2.5), ("10", 10)])
def test_state_ttl_setting(tmp_path, monkeypatch, raw, expected):
    """CALENDAR_STATE_TTL comes from the environment, in seconds."""
    from webapp.config import Config

    monkeypatch.setenv("SECRET_KEY", "x")
    if raw is None:
        monkeypatch.delenv("CALENDAR_STATE_TTL", raising=False)
    else:
        monkeypatch.setenv("CALENDAR_STATE_TTL", raw)
    ttl = Config(tmp_path).CALENDAR_STATE_TTL
    assert ttl == expected


@pytest.mark.parametrize("raw", ["soon", "-1", "11"])
def test_bad_state_ttl_stops_start_up(tmp_path, monkeypatch, raw):
    """Not a number, negative, or more than a few seconds: one clear line at start-up."""
    from webapp.config import Config, ConfigError

    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.setenv("CALENDAR_STATE_TTL", raw)
    with pytest.raises(ConfigError, match="CALENDAR_STATE_TTL"):
        Config(tmp_path)
