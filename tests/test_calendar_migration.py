"""Revision c001 on a database that already holds people (the token must be backfilled)."""

from __future__ import annotations

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from tests.test_migrations import drop_everything, schema_differences
from webapp.extensions import db

ROWS = """
INSERT INTO region (id, slug, name, country, country_code, continent, timezone, created_at)
VALUES (1, 'karnataka', 'Karnataka', 'India', 'IN', 'Asia', 'Asia/Kolkata', :now);
INSERT INTO person (id, full_name, email, region_id, created_at)
VALUES (1, 'Ulla Diderichsen', 'ulla@example.org', 1, :now),
       (2, 'Conny Jensen', NULL, 1, :now);
INSERT INTO event (id, slug, kind, title, place, starts_at, ends_at, timezone, date_precision,
                   status, is_public, sequence, created_at, updated_at)
VALUES (1, 'cwf-2030', 'forum', 'CWF 2030', 'Bengaluru', :now, :later, 'Asia/Kolkata', 'day',
        'confirmed', :yes, 0, :now, :now);
INSERT INTO registration (id, event_id, person_id, audience, status, is_head_of_delegation,
                          registered_at, is_demo)
VALUES (1, 1, 1, 'guest', 'confirmed', :no, :now, :no);
"""


def test_upgrade_gives_existing_people_distinct_tokens_and_downgrades_with_data(app):
    """People created before c001 get a secret each; referenced rows survive both ways."""
    from datetime import UTC, datetime, timedelta

    directory = app.extensions["migrate"].directory
    drop_everything()
    upgrade(directory=directory, revision="0002")
    now = datetime(2030, 1, 1, tzinfo=UTC)
    with db.engine.begin() as conn:
        for statement in filter(str.strip, ROWS.split(";")):
            conn.execute(sa.text(statement), {"now": now, "later": now + timedelta(days=1),
                                              "yes": True, "no": False})
    upgrade(directory=directory)
    with db.engine.connect() as conn:
        tokens = conn.execute(sa.text("SELECT calendar_token FROM person")).scalars().all()
    assert len(tokens) == 2 and len(set(tokens)) == 2 and all(len(t) >= 43 for t in tokens)
    assert schema_differences() == []
    downgrade(directory=directory, revision="0002")
    with db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM registration")).scalar() == 1
        columns = {c["name"] for c in sa.inspect(conn).get_columns("person")}
    assert "calendar_token" not in columns
    upgrade(directory=directory)
