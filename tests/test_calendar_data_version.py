"""SQLite: feed fingerprints kept until anything is committed, checked by PRAGMA data_version.

Each test first makes the cache hold a fingerprint, then changes the database some way, and
checks that the very next request sees it (a stale cache answers 304 and fails the test)."""

from __future__ import annotations

import os
import sqlite3
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests import test_calendar_feeds
from webapp import create_app
from webapp.calendars import feeds
from webapp.calendars.responses import feed_cache
from webapp.calendars.versions import versioned_states
from webapp.extensions import db
from webapp.models import AgendaItem, Event, RegistrationStatus

register = test_calendar_feeds.register  # the fixture, shared with the feed tests
add_agenda = test_calendar_feeds.add_agenda
PRAGMA = "PRAGMA data_version"


@pytest.fixture(autouse=True)
def sqlite_only(request):
    """Tests on the app's database need SQLite: PostgreSQL has no data_version (there every
    request runs the validator query); the settings tests run on both."""
    if "app" in request.fixturenames:
        request.getfixturevalue("app")
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite's PRAGMA data_version")


@pytest.fixture
def feed_urls(make_event, make_region, make_person, register) -> dict[str, str]:
    """One feed of each kind, with something in it."""
    region, person = make_region(), make_person()
    event = make_event(host_region=region)
    add_agenda(event, 2)
    register(person, event)
    db.session.commit()
    return {
        "network": "/calendar/network.ics",
        "region": f"/regions/{region.slug}/calendar.ics",
        "event": f"/events/{event.id}.ics",
        "personal": f"/calendar/p/{person.calendar_token}.ics",
    }


def etag_of(client, url: str) -> str:
    """The feed's current ETag (a full request; it also fills the cache)."""
    response = client.get(url)
    assert response.status_code == 200
    return response.headers["ETag"]


def conditional(client, url: str, etag: str):
    """A subscribed calendar's poll."""
    return client.get(url, headers={"If-None-Match": etag})


def other_connection(app) -> sqlite3.Connection:
    """A plain sqlite3 connection to the same file: another worker, the CLI, a DBA."""
    return sqlite3.connect(db.engine.url.database)


def test_an_unchanged_database_answers_each_304_with_the_pragma_alone(
    client, feed_urls, count_queries
):
    """Every kind of feed, personal ones included: one statement, and it is the PRAGMA."""
    etags = {name: etag_of(client, url) for name, url in feed_urls.items()}
    for name, url in feed_urls.items():
        with count_queries() as poll:
            assert conditional(client, url, etags[name]).status_code == 304
        assert poll.statements == [PRAGMA], name


def test_an_orm_change_in_this_process_shows_at_once(client, feed_urls, count_queries):
    """The test's own session commits (another connection of the same engine)."""
    etag = etag_of(client, feed_urls["event"])
    event = db.session.scalars(sa.select(Event)).one()
    event.starts_at += timedelta(hours=1)
    event.ends_at += timedelta(hours=1)
    db.session.commit()
    changed = conditional(client, feed_urls["event"], etag)
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    with count_queries() as poll:
        assert conditional(client, feed_urls["event"], changed.headers["ETag"]).status_code == 304
    assert poll.statements == [PRAGMA]


def test_a_commit_by_another_connection_shows_at_once(client, app, feed_urls):
    """Another process's commit, made with sqlite3 alone (no SQLAlchemy, no app code)."""
    etags = {name: etag_of(client, url) for name, url in feed_urls.items()}
    with other_connection(app) as raw:
        raw.execute("UPDATE event SET sequence = sequence + 1")
    raw.close()
    for name in ("network", "region", "event", "personal"):
        changed = conditional(client, feed_urls[name], etags[name])
        assert changed.status_code == 200 and changed.headers["ETag"] != etags[name], name


def test_a_core_bulk_update_shows_at_once(client, feed_urls):
    """A Core UPDATE, which no ORM event sees."""
    etag = etag_of(client, feed_urls["event"])
    with db.engine.begin() as conn:
        conn.execute(sa.update(AgendaItem).values(sequence=AgendaItem.sequence + 1))
    changed = conditional(client, feed_urls["event"], etag)
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_a_reset_token_answers_404_at_once(client, feed_urls, count_queries):
    """The old address stops working on the very next poll; the new one works."""
    url = feed_urls["personal"]
    etag = etag_of(client, url)
    assert conditional(client, url, etag).status_code == 304  # answered from the cache
    token = url.removeprefix("/calendar/p/").removesuffix(".ics")
    moved = client.post(f"/calendar/p/{token}/reset", data={"confirmed": "1"})
    assert conditional(client, url, etag).status_code == 404
    assert client.get(url).status_code == 404
    new_token = moved.headers["Location"].rsplit("/", 1)[-1]
    assert client.get(f"/calendar/p/{new_token}.ics").status_code == 200


def test_a_cancelled_registration_leaves_the_personal_feed_at_once(client, feed_urls):
    """A change only the personal fingerprint sees."""
    from webapp.models import Registration, utcnow

    etag = etag_of(client, feed_urls["personal"])
    registration = db.session.scalars(sa.select(Registration)).one()
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at, registration.cancel_reason = utcnow(), "Cannot travel"
    db.session.commit()
    changed = conditional(client, feed_urls["personal"], etag)
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_a_miss_costs_the_pragma_and_the_state_query(client, feed_urls, count_queries,
                                                     make_person):
    """A commit anywhere (here an unrelated person) makes each feed ask once more: a
    constant two statements, still a 304 when the feed did not change; then one again."""
    etags = {name: etag_of(client, url) for name, url in feed_urls.items()}
    make_person()
    db.session.commit()
    for name, url in feed_urls.items():
        with count_queries() as miss:
            assert conditional(client, url, etags[name]).status_code == 304
        assert miss.count == 2 and miss.statements[0] == PRAGMA, (name, miss.statements)
        with count_queries() as hit:
            assert conditional(client, url, etags[name]).status_code == 304
        assert hit.statements == [PRAGMA], name


def test_a_body_built_while_a_commit_lands_is_not_kept(client, app, feed_urls, monkeypatch):
    """The body cache keeps a body only if nothing was committed between the fingerprint
    and the end of the build; else the next request builds the new version."""
    build = feeds.network_body

    def build_then_commit(base_url: str) -> bytes:
        """Build the feed, then another process commits a change to it."""
        body = build(base_url)
        with other_connection(app) as raw:
            raw.execute("UPDATE event SET sequence = sequence + 1")
        raw.close()
        return body

    monkeypatch.setattr(feeds, "network_body", build_then_commit)
    first = client.get(feed_urls["network"])
    assert first.status_code == 200
    assert feed_cache(app).get(first.headers["ETag"].strip('"')) is None
    monkeypatch.setattr(feeds, "network_body", build)
    second = client.get(feed_urls["network"])
    assert second.headers["ETag"] != first.headers["ETag"]
    assert feed_cache(app).get(second.headers["ETag"].strip('"')) == second.data


def test_validator_queries_and_the_pragma_run_outside_any_transaction(
    client, feed_urls, count_queries
):
    """No statement of a feed request runs in a transaction: each sees the database as of
    its own start, never a snapshot older than the version read before it."""
    seen: list[tuple[str, bool]] = []

    def record(conn, _cursor, statement, *_args) -> None:
        """Note whether the DBAPI connection was inside a transaction."""
        seen.append((statement, conn.connection.driver_connection.in_transaction))

    sa.event.listen(db.engine, "after_cursor_execute", record)
    try:
        for url in feed_urls.values():
            client.get(url)  # a miss: the PRAGMA, the validator query, the build
    finally:
        sa.event.remove(db.engine, "after_cursor_execute", record)
    assert len(seen) > 8 and any(statement == PRAGMA for statement, _ in seen)
    assert [statement for statement, in_transaction in seen if in_transaction] == []


def test_a_forked_process_watches_with_its_own_connection(app, client, feed_urls,
                                                          count_queries):
    """Versions from two connections are not comparable (fresh ones start alike): a child
    opens its own watching connection and starts with an empty cache; the parent's is
    untouched."""
    etag = etag_of(client, feed_urls["network"])
    exact = versioned_states(app)
    parent_watch = exact._watch
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report through the pipe, never return into pytest
        try:
            state = exact.load(("network",), lambda: "computed in the child")
            own = exact._watch is not parent_watch
            os.write(write, b"fresh" if state == "computed in the child" and own else b"stale")
        finally:
            os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    assert os.read(read, 16) == b"fresh"
    os.close(read)
    assert exact._watch is parent_watch
    with count_queries() as poll:
        assert conditional(client, feed_urls["network"], etag).status_code == 304
    assert poll.statements == [PRAGMA]


def test_a_broken_watching_connection_falls_back_then_reopens(app, client, feed_urls,
                                                              count_queries):
    """If the PRAGMA fails, this request asks the database; the next opens a new connection
    and starts a new cache."""
    etag = etag_of(client, feed_urls["network"])
    exact = versioned_states(app)
    exact._watch.connection.driver_connection.close()
    with count_queries() as fallback:
        assert conditional(client, feed_urls["network"], etag).status_code == 304
    assert fallback.statements[-1] != PRAGMA  # the validator query answered
    with count_queries() as reopened:
        assert conditional(client, feed_urls["network"], etag).status_code == 304
    assert reopened.count == 2 and reopened.statements[0] == PRAGMA
    with count_queries() as poll:
        assert conditional(client, feed_urls["network"], etag).status_code == 304
    assert poll.statements == [PRAGMA]


def test_it_takes_precedence_over_the_state_ttl(app, client, feed_urls):
    """With CALENDAR_STATE_TTL set too, a change still shows at once on SQLite."""
    app.config["CALENDAR_STATE_TTL"] = 5
    etag = etag_of(client, feed_urls["network"])
    with other_connection(app) as raw:
        raw.execute("UPDATE event SET sequence = sequence + 1")
    raw.close()
    assert conditional(client, feed_urls["network"], etag).status_code == 200


def test_off_by_setting(app, client, feed_urls, count_queries):
    """CALENDAR_DATA_VERSION_CACHE=False: the validator query on every request."""
    app.config["CALENDAR_DATA_VERSION_CACHE"] = False
    app.extensions.pop("calendar_versioned_states", None)
    etag = etag_of(client, feed_urls["network"])
    with count_queries() as poll:
        assert conditional(client, feed_urls["network"], etag).status_code == 304
    assert poll.count == 1 and poll.statements != [PRAGMA]
    assert versioned_states(app) is None


def test_not_for_an_in_memory_database():
    """Another connection would open another, empty database: nothing to watch."""
    memory = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"})
    with memory.app_context():
        assert versioned_states(memory) is None


@pytest.mark.parametrize(("raw", "expected"), [(None, True), ("1", True), ("off", False)])
def test_data_version_setting(tmp_path, monkeypatch, raw, expected):
    """CALENDAR_DATA_VERSION_CACHE comes from the environment, on unless turned off."""
    from webapp.config import Config

    monkeypatch.setenv("SECRET_KEY", "x")
    if raw is None:
        monkeypatch.delenv("CALENDAR_DATA_VERSION_CACHE", raising=False)
    else:
        monkeypatch.setenv("CALENDAR_DATA_VERSION_CACHE", raw)
    assert Config(tmp_path).CALENDAR_DATA_VERSION_CACHE is expected
