"""Seat counts kept by the database: triggers on `registration` maintain
`event_capacity.seats_taken`, whatever changes a registration (the ORM, a bulk UPDATE, an
import, a hand-written fix), so the count is never out of step with the rows.

Taking a seat then reads one row under its lock instead of counting up to 10,000 index
entries inside the section every registration waits for. A new capacity row starts from
the count of what is already confirmed.

The same SQL is in migration d001 (revisions never import the app); `db.create_all()` gets it
from the listener below."""

from __future__ import annotations

import sqlalchemy as sa

from webapp.extensions import db

SQLITE = [
    """CREATE TRIGGER IF NOT EXISTS registration_seat_taken AFTER INSERT ON registration
    WHEN NEW.status = 'confirmed'
    BEGIN
        UPDATE event_capacity SET seats_taken = seats_taken + 1
        WHERE event_id = NEW.event_id AND audience = NEW.audience;
    END""",
    """CREATE TRIGGER IF NOT EXISTS registration_seat_freed AFTER DELETE ON registration
    WHEN OLD.status = 'confirmed'
    BEGIN
        UPDATE event_capacity SET seats_taken = seats_taken - 1
        WHERE event_id = OLD.event_id AND audience = OLD.audience;
    END""",
    """CREATE TRIGGER IF NOT EXISTS registration_seat_moved
    AFTER UPDATE OF status, audience, event_id ON registration
    WHEN OLD.status = 'confirmed' OR NEW.status = 'confirmed'
    BEGIN
        UPDATE event_capacity SET seats_taken = seats_taken - 1
        WHERE OLD.status = 'confirmed' AND event_id = OLD.event_id AND audience = OLD.audience;
        UPDATE event_capacity SET seats_taken = seats_taken + 1
        WHERE NEW.status = 'confirmed' AND event_id = NEW.event_id AND audience = NEW.audience;
    END""",
    """CREATE TRIGGER IF NOT EXISTS event_capacity_counts_seats AFTER INSERT ON event_capacity
    BEGIN
        UPDATE event_capacity SET seats_taken = (
            SELECT count(*) FROM registration
            WHERE event_id = NEW.event_id AND audience = NEW.audience AND status = 'confirmed')
        WHERE id = NEW.id;
    END""",
]

POSTGRESQL = [
    """CREATE OR REPLACE FUNCTION registration_seats() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            IF OLD.status = 'confirmed' THEN
                UPDATE event_capacity SET seats_taken = seats_taken - 1
                WHERE event_id = OLD.event_id AND audience = OLD.audience;
            END IF;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            IF NEW.status = 'confirmed' THEN
                UPDATE event_capacity SET seats_taken = seats_taken + 1
                WHERE event_id = NEW.event_id AND audience = NEW.audience;
            END IF;
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE OR REPLACE TRIGGER registration_seats
    AFTER INSERT OR DELETE OR UPDATE OF status, audience, event_id ON registration
    FOR EACH ROW EXECUTE FUNCTION registration_seats()""",
    """CREATE OR REPLACE FUNCTION event_capacity_counts_seats() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        NEW.seats_taken := (
            SELECT count(*) FROM registration
            WHERE event_id = NEW.event_id AND audience = NEW.audience
              AND status = 'confirmed');
        RETURN NEW;
    END $$""",
    """CREATE OR REPLACE TRIGGER event_capacity_counts_seats BEFORE INSERT ON event_capacity
    FOR EACH ROW EXECUTE FUNCTION event_capacity_counts_seats()""",
]

STATEMENTS = {"sqlite": SQLITE, "postgresql": POSTGRESQL}


@sa.event.listens_for(db.metadata, "after_create")
def install_seat_triggers(_metadata, connection, **_kw) -> None:
    """create_all(): the triggers, once every table exists."""
    for statement in STATEMENTS.get(connection.dialect.name, ()):
        connection.exec_driver_sql(statement)
