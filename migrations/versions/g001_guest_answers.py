"""mission guests answer themselves: a note, when and by whom the answer was given

Revision ID: g001
Revises: a002
Create Date: 2026-11-29 10:00:00

A guest now accepts or declines through their signed itinerary link and gives their stay
and a note (dietary or access needs). The planner sees when the answer came and whether the
guest gave it or an organiser recorded it. Existing guests keep no answer time.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'g001'
down_revision = 'a002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('mission_guest', schema=None) as batch_op:
        batch_op.add_column(sa.Column('note', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('answered_by_guest', sa.Boolean(),
                                      server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('mission_guest', schema=None) as batch_op:
        batch_op.drop_column('answered_by_guest')
        batch_op.drop_column('answered_at')
        batch_op.drop_column('note')
