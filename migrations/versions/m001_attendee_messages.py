"""messages to attendees: the message as written, and each recipient linked to its outbox row

Revision ID: m001
Revises: q001
Create Date: 2026-12-03 09:00:00

Two new tables (no existing table is rebuilt). A recipient is unique per (message, person),
so no message reaches a person twice; a message's form key is unique, so a second submit of
the same form cannot send it again.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'm001'
down_revision = 'q001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'attendee_message',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('scope', sa.Enum('registrations', 'guests', name='message_scope',
                                   native_enum=False, create_constraint=True, length=13),
                  nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('selection', sa.String(length=60), nullable=False),
        sa.Column('selection_argument', sa.String(length=200), nullable=True),
        sa.Column('selection_words', sa.String(length=300), nullable=False),
        sa.Column('send_key', sa.String(length=64), nullable=False),
        sa.Column('recipient_count', sa.Integer(), nullable=False),
        sa.Column('skipped_count', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint('recipient_count >= 0 AND skipped_count >= 0',
                           name=op.f('ck_attendee_message_counts_not_negative')),
        sa.ForeignKeyConstraint(['author_id'], ['user_account.id'],
                                name=op.f('fk_attendee_message_author_id_user_account')),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], ondelete='CASCADE',
                                name=op.f('fk_attendee_message_event_id_event')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_attendee_message')),
        sa.UniqueConstraint('send_key', name=op.f('uq_attendee_message_send_key')),
    )
    op.create_index(op.f('ix_attendee_message_event_id'), 'attendee_message', ['event_id'])
    op.create_table(
        'message_recipient',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('registration_id', sa.Integer(), nullable=True),
        sa.Column('guest_id', sa.Integer(), nullable=True),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('outbox_message_id', sa.Integer(), nullable=True),
        sa.Column('skip_reason', sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(['message_id'], ['attendee_message.id'], ondelete='CASCADE',
                                name=op.f('fk_message_recipient_message_id_attendee_message')),
        sa.ForeignKeyConstraint(['person_id'], ['person.id'],
                                name=op.f('fk_message_recipient_person_id_person')),
        sa.ForeignKeyConstraint(['registration_id'], ['registration.id'],
                                name=op.f('fk_message_recipient_registration_id_registration')),
        sa.ForeignKeyConstraint(['guest_id'], ['mission_guest.id'], ondelete='SET NULL',
                                name=op.f('fk_message_recipient_guest_id_mission_guest')),
        sa.ForeignKeyConstraint(['outbox_message_id'], ['outbox_message.id'],
                                ondelete='SET NULL',
                                name=op.f('fk_message_recipient_outbox_message_id_outbox_message')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_message_recipient')),
        sa.UniqueConstraint('message_id', 'person_id',
                            name=op.f('uq_message_recipient_message_id_person_id')),
    )
    op.create_index(op.f('ix_message_recipient_person_id'), 'message_recipient', ['person_id'])
    op.create_index(op.f('ix_message_recipient_outbox_message_id'), 'message_recipient',
                    ['outbox_message_id'])
    for column in ('registration_id', 'guest_id'):
        op.create_index(f'ix_message_recipient_{column}', 'message_recipient', [column],
                        sqlite_where=sa.text(f'{column} IS NOT NULL'),
                        postgresql_where=sa.text(f'{column} IS NOT NULL'))


def downgrade():
    op.drop_table('message_recipient')
    op.drop_table('attendee_message')
