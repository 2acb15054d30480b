"""visa invitation letters: a forum's letterhead, registrants' passport details, issued letters

Revision ID: b001
Revises: p101
Create Date: 2026-12-03 08:00:00

A registrant who needs a visa gives their passport details on their registration page; the
secretariat (or the host region's coordinator) issues a letter on the forum's letterhead.
Each letter keeps what it said as issued and a unique reference the public verify page
looks up. New tables and one new column on event: the registration table is not rebuilt.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b001'
down_revision = 'p101'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('event', sa.Column('letterhead_text', sa.Text(), nullable=True))
    op.create_table('passport_details',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('nationality', sa.String(length=100), nullable=False),
    sa.Column('passport_number', sa.String(length=40), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('expiry_date', sa.Date(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_passport_details_registration_id_registration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_passport_details')),
    sa.UniqueConstraint('registration_id', name=op.f('uq_passport_details_registration_id'))
    )
    op.create_table('visa_letter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=40), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('content_json', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['issued_by_id'], ['user_account.id'], name=op.f('fk_visa_letter_issued_by_id_user_account')),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_visa_letter_registration_id_registration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visa_letter')),
    sa.UniqueConstraint('reference', name=op.f('uq_visa_letter_reference'))
    )
    op.create_index(op.f('ix_visa_letter_registration_id'), 'visa_letter', ['registration_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_visa_letter_registration_id'), table_name='visa_letter')
    op.drop_table('visa_letter')
    op.drop_table('passport_details')
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_column('letterhead_text')
