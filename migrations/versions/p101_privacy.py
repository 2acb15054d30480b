"""personal data: the privacy notice, optional consents, erasure requests, erased people

Revision ID: p101
Revises: m001
Create Date: 2026-12-03 06:29:16

The notice is kept as versions (the newest is shown); consents are per registration with when
they were given and withdrawn; a person asks for erasure and the secretariat decides; an
anonymised person keeps their row (the participation counts) with the time of erasure.
person.erased_at is added in place: no table is rebuilt.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'p101'
down_revision = 'm001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('erasure_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('asked_via', sa.String(length=20), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Enum('pending', 'erased', 'refused', name='erasure_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.CheckConstraint("status <> 'refused' OR reason IS NOT NULL", name=op.f('ck_erasure_request_refusal_has_reason')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_erasure_request_decided_by_id_user_account')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_erasure_request_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_erasure_request'))
    )
    with op.batch_alter_table('erasure_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_erasure_request_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_erasure_request_status'), ['status'], unique=False)
        batch_op.create_index('uq_erasure_request_pending', ['person_id'], unique=True, sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))

    op.create_table('privacy_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('saved_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['saved_by_id'], ['user_account.id'], name=op.f('fk_privacy_notice_saved_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_privacy_notice'))
    )
    op.create_table('consent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('given_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('withdrawn_at IS NULL OR withdrawn_at >= given_at', name=op.f('ck_consent_withdrawn_after_given')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_consent_person_id_person')),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_consent_registration_id_registration')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consent'))
    )
    with op.batch_alter_table('consent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consent_person_id'), ['person_id'], unique=False)
        batch_op.create_index('uq_consent_standing', ['registration_id', 'kind'], unique=True, sqlite_where=sa.text('withdrawn_at IS NULL'), postgresql_where=sa.text('withdrawn_at IS NULL'))

    op.add_column('person', sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True))



def downgrade():
    op.drop_column('person', 'erased_at')

    with op.batch_alter_table('consent', schema=None) as batch_op:
        batch_op.drop_index('uq_consent_standing', sqlite_where=sa.text('withdrawn_at IS NULL'), postgresql_where=sa.text('withdrawn_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_consent_person_id'))

    op.drop_table('consent')
    op.drop_table('privacy_notice')
    with op.batch_alter_table('erasure_request', schema=None) as batch_op:
        batch_op.drop_index('uq_erasure_request_pending', sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))
        batch_op.drop_index(batch_op.f('ix_erasure_request_status'))
        batch_op.drop_index(batch_op.f('ix_erasure_request_person_id'))

    op.drop_table('erasure_request')
