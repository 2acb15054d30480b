"""a delegate's details as their region entered them

Revision ID: a001
Revises: s001
Create Date: 2026-11-28 10:00:00

People are one record per email, and several regions may send the same person: a
coordinator's correction of a delegate's name, organisation or title went to that shared
record and so rewrote another region's delegate. Each delegation row now carries its own
entry. Existing rows keep NULL (the person's record applies, as before); nothing is copied.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a001'
down_revision = 's001'
branch_labels = None
depends_on = None

COLUMNS = ("delegate_name", "delegate_organisation", "delegate_job_title")


# Plain ALTER TABLE, not a batch: a batch copies the table on SQLite, which would drop the
# seat-count triggers (SQLite drops a column in place since 3.35).
def upgrade():
    for column in COLUMNS:
        op.add_column('registration', sa.Column(column, sa.String(length=200), nullable=True))


def downgrade():
    for column in reversed(COLUMNS):
        op.drop_column('registration', column)
