"""languages: a registration's language, a forum's default language, a message's language

Revision ID: l001
Revises: q002
Create Date: 2026-12-04 07:00:00

A registrant's language is kept with their registration and every later email to them is
written in it, also by the mail worker at delivery (the outbox row keeps the language it is
to be written in). A forum may name the language its public pages fall back to. Existing
rows have none: English, as before.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'l001'
down_revision = 'q002'
branch_labels = None
depends_on = None


def upgrade():
    # add_column only: the registration table's seat-count triggers forbid a batch rebuild.
    op.add_column('registration', sa.Column('language', sa.String(length=10), nullable=True))
    op.add_column('event', sa.Column('default_language', sa.String(length=10), nullable=True))
    op.add_column('outbox_message', sa.Column('language', sa.String(length=10), nullable=True))


def downgrade():
    op.drop_column('outbox_message', 'language')
    op.drop_column('event', 'default_language')
    op.drop_column('registration', 'language')
