"""One-time notices, their items, signatures and breaches (issue 4).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('signatures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_type', sa.String(length=20), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('signer_name', sa.String(length=40), nullable=False),
    sa.Column('signed_at', sa.DateTime(), nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('strokes_json', sa.Text(), nullable=False),
    sa.Column('png', sa.LargeBinary(), nullable=False),
    sa.Column('image_sha256', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signatures')),
    sa.UniqueConstraint('document_type', 'document_id', name='uq_signatures_document')
    )
    op.create_table('notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=30), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('snapshot_json', sa.Text(), nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('supplement_deadline', sa.Date(), nullable=True),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('fulfilled_at', sa.DateTime(), nullable=True),
    sa.Column('voided_at', sa.DateTime(), nullable=True),
    sa.Column('void_reason', sa.String(length=200), nullable=False),
    sa.Column('signature_declined_note', sa.String(length=200), nullable=False),
    sa.Column('return_visits', sa.Integer(), nullable=False),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('notice', 'pledge')", name=op.f('ck_notices_kind')),
    sa.CheckConstraint("state IN ('open', 'fulfilled', 'voided')", name=op.f('ck_notices_state')),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], name=op.f('fk_notices_officer_id_officers')),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_notices_visit_id_visits')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notices')),
    sa.UniqueConstraint('number', name=op.f('uq_notices_number')),
    sa.UniqueConstraint('year', 'seq', name='uq_notices_year_seq')
    )
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notices_local_date'), ['local_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_notices_officer_id'), ['officer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notices_visit_id'), ['visit_id'], unique=False)

    op.create_table('notice_breaches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('item_name', sa.String(length=100), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('issuer_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['issuer_id'], ['officers.id'], name=op.f('fk_notice_breaches_issuer_id_officers')),
    sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], name=op.f('fk_notice_breaches_notice_id_notices')),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], name=op.f('fk_notice_breaches_officer_id_officers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_breaches'))
    )
    with op.batch_alter_table('notice_breaches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notice_breaches_issuer_id'), ['issuer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notice_breaches_local_date'), ['local_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_notice_breaches_notice_id'), ['notice_id'], unique=False)

    op.create_table('notice_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('copies', sa.Integer(), nullable=False),
    sa.Column('form', sa.String(length=10), nullable=False),
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.Column('is_key', sa.Boolean(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('extra', sa.Boolean(), nullable=False),
    sa.Column('arrived_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("state IN ('provided', 'missing', 'correction')", name=op.f('ck_notice_items_state')),
    sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], name=op.f('fk_notice_items_notice_id_notices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_items')),
    sa.UniqueConstraint('notice_id', 'position', name='uq_notice_items_notice_position')
    )
    with op.batch_alter_table('notice_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notice_items_notice_id'), ['notice_id'], unique=False)


    _frozen_content_triggers()


def _frozen_content_triggers() -> None:
    """An issued notice's content and hash can never be rewritten, by the app or by hand."""
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(
            "CREATE TRIGGER notices_content_frozen BEFORE UPDATE OF snapshot_json, content_sha256 "
            "ON notices BEGIN SELECT RAISE(ABORT, 'issued notices are frozen'); END"
        )
        op.execute(
            "CREATE TRIGGER signatures_frozen BEFORE UPDATE ON signatures "
            "BEGIN SELECT RAISE(ABORT, 'signatures are frozen'); END"
        )
    elif dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION stationdesk_frozen() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'frozen record'; END $$"
        )
        op.execute(
            "CREATE TRIGGER notices_content_frozen BEFORE UPDATE OF snapshot_json, content_sha256 "
            "ON notices FOR EACH ROW EXECUTE FUNCTION stationdesk_frozen()"
        )
        op.execute(
            "CREATE TRIGGER signatures_frozen BEFORE UPDATE ON signatures "
            "FOR EACH ROW EXECUTE FUNCTION stationdesk_frozen()"
        )

def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.execute("DROP TRIGGER IF EXISTS notices_content_frozen" + (" ON notices" if dialect == "postgresql" else ""))
    op.execute("DROP TRIGGER IF EXISTS signatures_frozen" + (" ON signatures" if dialect == "postgresql" else ""))
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS stationdesk_frozen()")
    with op.batch_alter_table('notice_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notice_items_notice_id'))

    op.drop_table('notice_items')
    with op.batch_alter_table('notice_breaches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notice_breaches_notice_id'))
        batch_op.drop_index(batch_op.f('ix_notice_breaches_local_date'))
        batch_op.drop_index(batch_op.f('ix_notice_breaches_issuer_id'))

    op.drop_table('notice_breaches')
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notices_visit_id'))
        batch_op.drop_index(batch_op.f('ix_notices_officer_id'))
        batch_op.drop_index(batch_op.f('ix_notices_local_date'))

    op.drop_table('notices')
    op.drop_table('signatures')
