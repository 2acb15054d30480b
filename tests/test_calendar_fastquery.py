"""FastQuery: the validator queries run as precompiled SQL give exactly what SQLAlchemy gives."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests import test_calendar_feeds
from tests.test_calendar_feeds import add_agenda
from webapp.calendars import feeds
from webapp.calendars.fastquery import FastQuery, validator_engine
from webapp.extensions import db
from webapp.models import Delegation, RegistrationStatus

register = test_calendar_feeds.register  # the fixture, shared with the feed tests


def through_sqlalchemy(query: FastQuery, **params) -> list[tuple]:
    """The same statement executed the ordinary way."""
    with db.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(query.statement, params).all()]


def test_state_queries_match_sqlalchemy(make_event, make_region, make_person, register):
    """Same values and the same Python types (aware datetimes, enums, ints) per column, and
    no row for an unknown subject."""
    region, other = make_region(), make_region()
    event = make_event(host_region=region)
    add_agenda(event, 3)
    visited = make_event(host_region=other)
    db.session.add(Delegation(event=visited, region=region))
    person = make_person()
    register(person, event)
    register(person, visited, RegistrationStatus.WAITLISTED)
    register(person, make_event(), RegistrationStatus.CANCELLED)
    db.session.commit()
    cases = [
        (feeds._NETWORK_STATE, {}),
        (feeds._EVENT_STATE, {"event_id": event.id}),
        (feeds._EVENT_STATE, {"event_id": 999_999}),
        (feeds._REGION_STATE, {"slug": region.slug}),
        (feeds._REGION_STATE, {"slug": "nowhere"}),
        (feeds._PERSONAL_STATE, {"token": person.calendar_token}),
        (feeds._PERSONAL_STATE, {"token": "x" * 43}),
        (feeds._MY_EVENT_VERSIONS, {"person_id": person.id}),
    ]
    for query, params in cases:
        fast = [tuple(row) for row in query.rows(**params)]
        assert fast == through_sqlalchemy(query, **params), params
        for fast_row, slow_row in zip(fast, through_sqlalchemy(query, **params), strict=True):
            assert [type(v) for v in fast_row] == [type(v) for v in slow_row], params
    assert feeds._EVENT_STATE.first(event_id=999_999) is None
    row = feeds._MY_EVENT_VERSIONS.rows(person_id=person.id)[0]
    assert row.event_id == event.id and row.guest_id is None  # readable by label too


def test_fast_query_is_one_counted_statement(count_queries, make_event):
    """It goes through the engine: query counters see it, once."""
    make_event()
    db.session.commit()
    with count_queries() as counter:
        feeds.network_state()
    assert counter.count == 1


def test_fast_query_refuses_in_lists(app):
    """An expanding IN would need per-call SQL; the validator queries have none."""
    query = FastQuery(sa.select(sa.literal(1)).where(
        sa.literal(1).in_(sa.bindparam("ids", expanding=True))))
    with pytest.raises(ValueError, match="IN-lists"):
        query.rows(ids=[1])


def test_fast_query_keeps_constants_inline_and_parameters_bound(app):
    """Constants from our code are written into the SQL; a caller's value never is."""
    text = str(feeds._PERSONAL_STATE.text(db.engine.dialect))
    assert "'cancelled'" in text and ":token" in text
    with pytest.raises(ValueError, match="percent"):
        FastQuery(sa.select(sa.literal_column("'5%'"))).rows()


def test_sqlite_runs_validators_on_the_apps_engine_a_server_on_a_companion(app):
    """SQLite needs no second engine; a server database gets one without the pre-ping."""
    engine = validator_engine(db.engine)
    if db.engine.dialect.name == "sqlite":
        assert engine is db.engine
    else:
        assert engine is not db.engine and engine.url == db.engine.url
        assert validator_engine(db.engine) is engine  # made once


def test_a_dropped_server_connection_is_retried_once(client, make_event):
    """Without a pre-ping, a pooled connection the server closed fails once, then the query
    runs on a fresh one: the subscriber never sees the error."""
    if db.engine.dialect.name == "sqlite":
        pytest.skip("SQLite has no server to drop a connection")
    make_event()
    db.session.commit()
    etag = client.get("/calendar/network.ics").headers["ETag"]
    with validator_engine(db.engine).connect() as conn:
        pids = conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
    with db.engine.connect() as admin:
        admin.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pids})
        admin.commit()
    again = client.get("/calendar/network.ics", headers={"If-None-Match": etag})
    assert again.status_code == 304


def test_companion_connections_use_generic_plans(app):
    """PostgreSQL: validator connections keep one plan per prepared query."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("a PostgreSQL setting")
    with validator_engine(db.engine).connect() as conn:
        assert conn.execute(sa.text("SHOW plan_cache_mode")).scalar_one() == "force_generic_plan"
        assert conn.execute(sa.text("SHOW transaction_isolation")).scalar_one()
        assert conn.connection.dbapi_connection.autocommit
