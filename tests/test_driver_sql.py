"""DriverStatement: the registration's statements run on the driver's cursor give what
SQLAlchemy gives, and keep its events, defaults and errors."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from webapp.driver_sql import DriverStatement
from webapp.extensions import db
from webapp.mail.services import INSERT_ONE as OUTBOX_INSERT
from webapp.models import (
    DatePrecision,
    EventCapacity,
    EventStatus,
    OutboxMessage,
    OutboxStatus,
    Person,
    Registration,
    RegistrationStatus,
)
from webapp.registrations.open_registration import (
    NEW_PERSON,
    NEW_REGISTRATION,
    SEATS_AND_FACTS,
)

people = Person.__table__
WHEN = datetime(2031, 5, 4, 3, 2, 1, 123456, tzinfo=UTC)
# The outbox insert of webapp.mail.services, run the way the registration runs its own.
INSERT_ONE = DriverStatement(OUTBOX_INSERT)


@pytest.fixture
def forum(make_event):
    """An open forum with one audience of 2 seats."""
    event = make_event(registration_opens_at=datetime(2020, 1, 1, tzinfo=UTC))
    event.capacities = [EventCapacity(audience="guest", label="Guests", capacity=2)]
    db.session.commit()
    return event


def test_a_select_gives_the_rows_and_types_sqlalchemy_gives(forum):
    """Same values, same Python types (enums, aware datetimes) as Connection.execute."""
    connection = db.session.connection()
    params = {"event_id": forum.id, "audience": "guest"}
    ours = SEATS_AND_FACTS.rows(connection, params)
    theirs = [tuple(row) for row in connection.execute(SEATS_AND_FACTS.statement, params)]
    assert ours == theirs
    capacity, taken, title, status, precision, opens_at, closes_at = ours[0]
    assert (capacity, taken, title) == (2, 0, forum.title)
    assert status is EventStatus(forum.status) and isinstance(status, EventStatus)
    assert isinstance(precision, DatePrecision)
    assert opens_at == datetime(2020, 1, 1, tzinfo=UTC) and opens_at.tzinfo is not None
    assert closes_at is None
    assert SEATS_AND_FACTS.first(connection, {"event_id": forum.id, "audience": "x"}) is None


def test_inserts_fill_python_defaults_and_convert_values(forum):
    """Column defaults (a calendar token, a send time) are made as the ORM would make them;
    enums and aware datetimes are stored as SQLAlchemy stores them."""
    connection = db.session.connection()
    insert_person = NEW_PERSON[connection.dialect.name]
    person_id, name = insert_person.first(connection, {
        "full_name": "Zoë, \"Ny\"; Linje\nTo", "email": "zoe@example.org",
        "organisation": None, "job_title": None})
    assert name == "Zoë, \"Ny\"; Linje\nTo"
    assert insert_person.first(connection, {
        "full_name": "Someone else", "email": "zoe@example.org",
        "organisation": None, "job_title": None}) is None  # ON CONFLICT DO NOTHING
    (registration_id,) = NEW_REGISTRATION.first(connection, {
        "event_id": forum.id, "person_id": person_id, "audience": "guest",
        "status": RegistrationStatus.CONFIRMED, "registered_at": WHEN})
    (message_id,) = INSERT_ONE.first(connection, {
        "message_id": "<m1@example.org>", "to_address": "zoe@example.org", "to_name": None,
        "subject": "Subject", "recipe": "registration", "recipe_args": {"id": 1, "ø": "å"}})
    db.session.commit()

    person = db.session.get(Person, person_id)
    assert person.email == "zoe@example.org" and len(person.calendar_token) >= 40
    registration = db.session.get(Registration, registration_id)
    assert registration.status is RegistrationStatus.CONFIRMED
    assert registration.registered_at == WHEN
    assert forum.capacities[0].seats_taken == 1  # the seat trigger ran
    message = db.session.get(OutboxMessage, message_id)
    assert message.recipe_args == {"id": 1, "ø": "å"}
    assert message.status is OutboxStatus.QUEUED and message.attempts == 0
    assert message.created_at.tzinfo is not None
    assert abs((message.next_attempt_at - datetime.now(UTC)).total_seconds()) < 60


def test_statement_events_see_every_run(forum, count_queries):
    """Query counters (before_cursor_execute) count these statements like any other."""
    params = {"event_id": forum.id, "audience": "guest"}
    connection = db.session.connection()
    with count_queries() as counter:
        SEATS_AND_FACTS.first(connection, params)
        SEATS_AND_FACTS.first(connection, params)
    assert counter.count == 2, counter.statements
    assert all("event_capacity" in statement for statement in counter.statements)


def test_database_errors_are_sqlalchemy_errors(forum):
    """A unique violation is sqlalchemy.exc.IntegrityError (what the form's race handling
    catches), and the transaction can be rolled back and used again."""
    connection = db.session.connection()
    row = {"message_id": "<same@example.org>", "to_address": "a@example.org", "to_name": None,
           "subject": "S", "recipe": "registration", "recipe_args": {"id": 1}}
    INSERT_ONE.first(connection, row)
    with pytest.raises(sa.exc.IntegrityError) as raised:
        INSERT_ONE.first(connection, row)
    assert "message_id" in str(raised.value.orig) or "unique" in str(raised.value.orig).lower()
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


def test_what_it_cannot_run_is_refused_up_front(forum):
    """IN-lists, values nobody gave and defaults that read SQLAlchemy's execution context
    raise ValueError before anything runs."""
    connection = db.session.connection()
    in_list = DriverStatement(sa.select(people.c.id).where(
        people.c.id.in_(sa.bindparam("ids", expanding=True))))
    with pytest.raises(ValueError, match="IN-lists"):
        in_list.rows(connection, {"ids": [1, 2]})
    missing = DriverStatement(sa.select(people.c.id).where(people.c.email == sa.bindparam("e")))
    with pytest.raises(ValueError, match="no value"):
        missing.rows(connection, {})
    table = sa.Table("t", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("v", sa.Integer, default=lambda context: context.x))
    with pytest.raises(ValueError, match="execution context"):
        DriverStatement(sa.insert(table)).rows(connection, {"id": 1})
