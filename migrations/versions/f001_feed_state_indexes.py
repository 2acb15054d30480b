"""calendars: indexes for the feeds' validator queries

Revision ID: f001
Revises: r001
Create Date: 2026-11-27 01:30:00

A feed's 304 is one aggregate query. Over `event` it read every row of the table; with these
it reads the public, exactly dated events' index entries and one entry for the newest change.
The agenda's covering index puts updated_at second, so an event's newest agenda change is
one index entry instead of an aggregate over the whole agenda.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'f001'
down_revision = 'r001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('agenda_item', schema=None) as batch_op:
        batch_op.drop_index('ix_agenda_item_calendar_state')
        batch_op.create_index('ix_agenda_item_calendar_state', ['event_id', 'updated_at', 'id', 'sequence'], unique=False)

    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.create_index('ix_event_calendar_state', ['is_public', 'date_precision', 'id', 'sequence'], unique=False)
        batch_op.create_index('ix_event_updated_at', ['updated_at'], unique=False)


def downgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_index('ix_event_updated_at')
        batch_op.drop_index('ix_event_calendar_state')

    with op.batch_alter_table('agenda_item', schema=None) as batch_op:
        batch_op.drop_index('ix_agenda_item_calendar_state')
        batch_op.create_index('ix_agenda_item_calendar_state', ['event_id', 'id', 'sequence', 'updated_at'], unique=False)
