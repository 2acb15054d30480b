"""registration questions: what a forum asks at registration, and the answers given

Revision ID: q001
Revises: t001
Create Date: 2026-12-04 09:00:00

The secretariat sets up questions per forum (dietary needs, a visa letter, workshops...);
the public form, delegates' forms, CSV imports and the signed registration page collect the
answers. Two new tables; the registration table is not touched (its seat-count triggers stay).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'q001'
down_revision = 't001'
branch_labels = None
depends_on = None

KINDS = ('short_text', 'long_text', 'one_choice', 'several_choices', 'yes_no', 'number')
AUDIENCES = ('public', 'delegates', 'both')


def upgrade():
    op.create_table(
        'registration_question',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum(*KINDS, name='question_kind', native_enum=False,
                                  create_constraint=True, length=15), nullable=False),
        sa.Column('label', sa.String(length=200), nullable=False),
        sa.Column('help_text', sa.Text(), nullable=True),
        sa.Column('choices', sa.Text(), server_default='', nullable=False),
        sa.Column('required', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('audience', sa.Enum(*AUDIENCES, name='question_audience', native_enum=False,
                                      create_constraint=True, length=9), nullable=False),
        sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'],
                                name=op.f('fk_registration_question_event_id_event'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_question')),
    )
    op.create_index(op.f('ix_registration_question_event_id'), 'registration_question',
                    ['event_id'], unique=False)
    op.create_table(
        'registration_answer',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('registration_id', sa.Integer(), nullable=False),
        sa.Column('question_id', sa.Integer(), nullable=False),
        sa.Column('value', sa.Text(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['question_id'], ['registration_question.id'],
                                name=op.f('fk_registration_answer_question_id_registration_question')),
        sa.ForeignKeyConstraint(['registration_id'], ['registration.id'],
                                name=op.f('fk_registration_answer_registration_id_registration'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_answer')),
        sa.UniqueConstraint('registration_id', 'question_id',
                            name=op.f('uq_registration_answer_registration_id_question_id')),
    )
    op.create_index(op.f('ix_registration_answer_question_id'), 'registration_answer',
                    ['question_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_registration_answer_question_id'), table_name='registration_answer')
    op.drop_table('registration_answer')
    op.drop_index(op.f('ix_registration_question_event_id'), table_name='registration_question')
    op.drop_table('registration_question')
