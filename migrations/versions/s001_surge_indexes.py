"""registration surge: fewer index writes per public registration

Revision ID: s001
Revises: d001
Create Date: 2026-11-27 03:45:00

Two registration indexes repeated the first column of others (event_id of
ix_registration_event_audience_status, person_id of ix_registration_calendar_state); three
indexed columns are NULL for everyone who registers through the public form (delegation,
predecessor, region) and are now indexed only where set.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 's001'
down_revision = 'd001'
branch_labels = None
depends_on = None

PARTIAL = [
    ("registration", "delegation_id"),
    ("registration", "replaces_registration_id"),
    ("person", "region_id"),
]


def upgrade():
    op.drop_index("ix_registration_event_id", table_name="registration")
    op.drop_index("ix_registration_person_id", table_name="registration")
    for table, column in PARTIAL:
        op.drop_index(f"ix_{table}_{column}", table_name=table)
        op.create_index(f"ix_{table}_{column}", table, [column],
                        sqlite_where=sa.text(f"{column} IS NOT NULL"),
                        postgresql_where=sa.text(f"{column} IS NOT NULL"))


def downgrade():
    for table, column in PARTIAL:
        op.drop_index(f"ix_{table}_{column}", table_name=table)
        op.create_index(f"ix_{table}_{column}", table, [column])
    op.create_index("ix_registration_person_id", "registration", ["person_id"])
    op.create_index("ix_registration_event_id", "registration", ["event_id"])
