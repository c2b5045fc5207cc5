"""A keyed audit chain and business rows bound to it (issue 18).

``audit_events.seals``: SHA-256 over the rows a transaction left behind, covered by its last
event's keyed hash. ``audit_seals``: those rows, one hash each. ``audit_head`` gains the event
the chain is keyed from, the highest row of each business table at that moment, and an HMAC
over the head with the station's audit key (set when a counter holding the key first opens the
file; the key never lives in the database).

``audit_seals`` is append-only as ``audit_events`` is.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seals', sa.String(length=64), nullable=False, server_default=''))
    with op.batch_alter_table('audit_head', schema=None) as batch_op:
        batch_op.add_column(sa.Column('keyed_from', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('sealed_from', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('mac', sa.String(length=64), nullable=False, server_default=''))
    op.create_table('audit_seals',
    sa.Column('event_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('table_name', sa.String(length=40), nullable=False),
    sa.Column('row_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('row_hash', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('event_id', 'table_name', 'row_id', name=op.f('pk_audit_seals'))
    )
    with op.batch_alter_table('audit_seals', schema=None) as batch_op:
        batch_op.create_index('ix_audit_seals_row', ['table_name', 'row_id', 'event_id'], unique=False)
    if op.get_bind().dialect.name == 'sqlite':
        for verb in ('UPDATE', 'DELETE'):
            op.execute(
                f"CREATE TRIGGER audit_seals_no_{verb.lower()} BEFORE {verb} ON audit_seals "
                "BEGIN SELECT RAISE(ABORT, 'audit seals are append-only'); END"
            )
    else:
        op.execute(
            "CREATE FUNCTION audit_seals_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'audit seals are append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_seals_append_only BEFORE UPDATE OR DELETE ON audit_seals "
            "FOR EACH ROW EXECUTE FUNCTION audit_seals_append_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        op.execute("DROP TRIGGER IF EXISTS audit_seals_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_seals_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_seals_append_only ON audit_seals")
        op.execute("DROP FUNCTION IF EXISTS audit_seals_append_only()")
    with op.batch_alter_table('audit_seals', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_seals_row')
    op.drop_table('audit_seals')
    with op.batch_alter_table('audit_head', schema=None) as batch_op:
        batch_op.drop_column('mac')
        batch_op.drop_column('sealed_from')
        batch_op.drop_column('keyed_from')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_column('seals')
