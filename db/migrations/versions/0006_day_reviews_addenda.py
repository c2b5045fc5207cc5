"""The chief's daily review (locks the day) and dated corrections of locked days (issue 6).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('addenda',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=30), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('made_on', sa.Date(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('entity_type', sa.String(length=20), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('entity_label', sa.String(length=40), nullable=False),
    sa.Column('field', sa.String(length=30), nullable=False),
    sa.Column('field_label', sa.String(length=30), nullable=False),
    sa.Column('old_value', sa.Text(), nullable=False),
    sa.Column('new_value', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], name=op.f('fk_addenda_officer_id_officers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_addenda')),
    sa.UniqueConstraint('number', name=op.f('uq_addenda_number')),
    sa.UniqueConstraint('year', 'seq', name='uq_addenda_year_seq')
    )
    with op.batch_alter_table('addenda', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_addenda_day'), ['day'], unique=False)
        batch_op.create_index(batch_op.f('ix_addenda_made_on'), ['made_on'], unique=False)

    op.create_table('day_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=False),
    sa.Column('reviewed_at', sa.DateTime(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('content_json', sa.Text(), nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['officers.id'], name=op.f('fk_day_reviews_reviewed_by_id_officers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_day_reviews')),
    sa.UniqueConstraint('day', name=op.f('uq_day_reviews_day'))
    )
    _frozen_triggers()


FROZEN = ("day_reviews", "addenda")


def _frozen_triggers() -> None:
    """A reviewed day and a correction are never rewritten or removed, by the app or by hand."""
    dialect = op.get_bind().dialect.name
    for table in FROZEN:
        for event in ("UPDATE", "DELETE"):
            name = f"{table}_no_{event.lower()}"
            if dialect == "sqlite":
                op.execute(
                    f"CREATE TRIGGER {name} BEFORE {event} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} are frozen'); END"
                )
            elif dialect == "postgresql":
                op.execute(
                    f"CREATE TRIGGER {name} BEFORE {event} ON {table} "
                    "FOR EACH ROW EXECUTE FUNCTION stationdesk_frozen()"
                )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in FROZEN:
        for event in ("update", "delete"):
            suffix = f" ON {table}" if dialect == "postgresql" else ""
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{event}{suffix}")
    op.drop_table('day_reviews')
    with op.batch_alter_table('addenda', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_addenda_made_on'))
        batch_op.drop_index(batch_op.f('ix_addenda_day'))

    op.drop_table('addenda')
