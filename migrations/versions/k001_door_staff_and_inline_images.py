"""door staff and tickets in mail: a door-staff role with check-in rights per forum, and
inline images (the ticket's QR) referenced by Content-ID from the HTML part

Revision ID: k001
Revises: b001
Create Date: 2026-12-04 08:00:00

The role column is a VARCHAR with a CHECK listing the roles: the CHECK is replaced to admit
'door_staff' (on SQLite by copying user_account, a table without triggers). door_staff holds
one row per account and forum. An outbox attachment may carry a Content-ID so the HTML part
can show it; existing attachments have none.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'k001'
down_revision = 'b001'
branch_labels = None
depends_on = None

OLD_ROLES = ('secretariat', 'coordinator', 'participant')
NEW_ROLES = (*OLD_ROLES, 'door_staff')


def _replace_role_check(roles):
    """The CHECK listing the roles, replaced (SQLite: by copying the table)."""
    listed = ", ".join(f"'{role}'" for role in roles)
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_user_account_role'), type_='check')
        batch_op.create_check_constraint(op.f('ck_user_account_role'), f"role IN ({listed})")


def upgrade():
    _replace_role_check(NEW_ROLES)
    op.create_table(
        'door_staff',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('added_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['added_by_id'], ['user_account.id'],
                                name=op.f('fk_door_staff_added_by_id_user_account')),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], ondelete='CASCADE',
                                name=op.f('fk_door_staff_event_id_event')),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                                name=op.f('fk_door_staff_user_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_door_staff')),
        sa.UniqueConstraint('event_id', 'user_id', name=op.f('uq_door_staff_event_id_user_id')),
    )
    op.create_index(op.f('ix_door_staff_user_id'), 'door_staff', ['user_id'], unique=False)
    op.add_column('outbox_attachment',
                  sa.Column('content_id', sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_attachment', schema=None) as batch_op:
        batch_op.drop_column('content_id')
    op.drop_index(op.f('ix_door_staff_user_id'), table_name='door_staff')
    op.drop_table('door_staff')
    # Door-staff accounts may be named in the audit log: kept, as participants.
    op.execute("UPDATE user_account SET role = 'participant' WHERE role = 'door_staff'")
    _replace_role_check(OLD_ROLES)
