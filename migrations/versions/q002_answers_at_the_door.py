"""questions: an answer can be shown to the door staff at check-in

Revision ID: q002
Revises: k001
Create Date: 2026-12-03 07:00:00

Accessibility needs matter as the person comes in: the secretariat marks such a question and
the scan result shows the answer. Existing questions are not shown.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'q002'
down_revision = 'k001'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('registration_question', sa.Column(
        'shown_at_door', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('registration_question', schema=None) as batch_op:
        batch_op.drop_column('shown_at_door')
