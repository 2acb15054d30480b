"""tickets: each registration gets a random reference its signed QR code names

Revision ID: t001
Revises: g001
Create Date: 2026-12-03 07:00:00

The QR on a ticket must not hold the email or the sequential id. Existing registrations get
a fresh random reference each; a unique index keeps references apart. The column stays
nullable in the schema: SQLite cannot tighten it in place without rebuilding the table under
its seat-count triggers, and the model fills it on every insert.
"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 't001'
down_revision = 'g001'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('registration', sa.Column('ticket_ref', sa.String(length=32), nullable=True))
    registration = sa.table('registration', sa.column('id', sa.Integer),
                            sa.column('ticket_ref', sa.String))
    connection = op.get_bind()
    ids = connection.execute(sa.select(registration.c.id)).scalars().all()
    if ids:
        connection.execute(
            registration.update().where(registration.c.id == sa.bindparam('rid'))
            .values(ticket_ref=sa.bindparam('ref')),
            [{'rid': rid, 'ref': secrets.token_urlsafe(12)} for rid in ids],
        )
    op.create_index('uq_registration_ticket_ref', 'registration', ['ticket_ref'], unique=True)


def downgrade():
    op.drop_index('uq_registration_ticket_ref', table_name='registration')
    op.drop_column('registration', 'ticket_ref')
