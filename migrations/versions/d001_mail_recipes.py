"""registration surge: mail written at delivery (recipes); seat counts kept by triggers

Revision ID: d001
Revises: f001
Create Date: 2026-11-27 01:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd001'
down_revision = 'f001'
branch_labels = None
depends_on = None


# A snapshot of webapp/models/seats.py at this revision (revisions never import the app).
SEAT_TRIGGERS = {
    "sqlite": [
        """CREATE TRIGGER registration_seat_taken AFTER INSERT ON registration
        WHEN NEW.status = 'confirmed'
        BEGIN
            UPDATE event_capacity SET seats_taken = seats_taken + 1
            WHERE event_id = NEW.event_id AND audience = NEW.audience;
        END""",
        """CREATE TRIGGER registration_seat_freed AFTER DELETE ON registration
        WHEN OLD.status = 'confirmed'
        BEGIN
            UPDATE event_capacity SET seats_taken = seats_taken - 1
            WHERE event_id = OLD.event_id AND audience = OLD.audience;
        END""",
        """CREATE TRIGGER registration_seat_moved AFTER UPDATE OF status, audience, event_id
        ON registration
        WHEN OLD.status = 'confirmed' OR NEW.status = 'confirmed'
        BEGIN
            UPDATE event_capacity SET seats_taken = seats_taken - 1
            WHERE OLD.status = 'confirmed' AND event_id = OLD.event_id
              AND audience = OLD.audience;
            UPDATE event_capacity SET seats_taken = seats_taken + 1
            WHERE NEW.status = 'confirmed' AND event_id = NEW.event_id
              AND audience = NEW.audience;
        END""",
        """CREATE TRIGGER event_capacity_counts_seats AFTER INSERT ON event_capacity
        BEGIN
            UPDATE event_capacity SET seats_taken = (
                SELECT count(*) FROM registration
                WHERE event_id = NEW.event_id AND audience = NEW.audience
                  AND status = 'confirmed')
            WHERE id = NEW.id;
        END""",
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION registration_seats() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'INSERT' THEN
                IF OLD.status = 'confirmed' THEN
                    UPDATE event_capacity SET seats_taken = seats_taken - 1
                    WHERE event_id = OLD.event_id AND audience = OLD.audience;
                END IF;
            END IF;
            IF TG_OP <> 'DELETE' THEN
                IF NEW.status = 'confirmed' THEN
                    UPDATE event_capacity SET seats_taken = seats_taken + 1
                    WHERE event_id = NEW.event_id AND audience = NEW.audience;
                END IF;
            END IF;
            RETURN NULL;
        END $$""",
        """CREATE TRIGGER registration_seats
        AFTER INSERT OR DELETE OR UPDATE OF status, audience, event_id ON registration
        FOR EACH ROW EXECUTE FUNCTION registration_seats()""",
        """CREATE OR REPLACE FUNCTION event_capacity_counts_seats() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            NEW.seats_taken := (
                SELECT count(*) FROM registration
                WHERE event_id = NEW.event_id AND audience = NEW.audience
                  AND status = 'confirmed');
            RETURN NEW;
        END $$""",
        """CREATE TRIGGER event_capacity_counts_seats BEFORE INSERT ON event_capacity
        FOR EACH ROW EXECUTE FUNCTION event_capacity_counts_seats()""",
    ],
}
DROP_TRIGGERS = {
    "sqlite": ["DROP TRIGGER registration_seat_taken", "DROP TRIGGER registration_seat_freed",
               "DROP TRIGGER registration_seat_moved", "DROP TRIGGER event_capacity_counts_seats"],
    "postgresql": ["DROP TRIGGER registration_seats ON registration",
                   "DROP TRIGGER event_capacity_counts_seats ON event_capacity",
                   "DROP FUNCTION registration_seats()",
                   "DROP FUNCTION event_capacity_counts_seats()"],
}


def upgrade():
    with op.batch_alter_table('event_capacity', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seats_taken', sa.Integer(), server_default='0',
                                      nullable=False))
        batch_op.create_check_constraint(
            op.f('ck_event_capacity_seats_taken_not_negative'), 'seats_taken >= 0')
    op.execute(
        "UPDATE event_capacity SET seats_taken = (SELECT count(*) FROM registration"
        " WHERE registration.event_id = event_capacity.event_id"
        " AND registration.audience = event_capacity.audience"
        " AND registration.status = 'confirmed')"
    )
    for statement in SEAT_TRIGGERS.get(op.get_bind().dialect.name, ()):
        op.execute(statement)
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recipe', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('recipe_args', sa.JSON(), nullable=True))
        batch_op.alter_column('body_text', existing_type=sa.Text(), nullable=True)
        batch_op.create_check_constraint(
            op.f('ck_outbox_message_has_text_or_recipe'), 'body_text IS NOT NULL OR recipe IS NOT NULL')


def downgrade():
    for statement in DROP_TRIGGERS.get(op.get_bind().dialect.name, ()):
        op.execute(statement)
    with op.batch_alter_table('event_capacity', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_event_capacity_seats_taken_not_negative'),
                                 type_='check')
        batch_op.drop_column('seats_taken')
    # Unrendered rows have no text to keep: render them (`flask mail send`) before going back.
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_outbox_message_has_text_or_recipe'), type_='check')
        batch_op.alter_column('body_text', existing_type=sa.Text(), nullable=False)
        batch_op.drop_column('recipe_args')
        batch_op.drop_column('recipe')
