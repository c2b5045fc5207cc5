"""交接班记录: what an officer left open at the end of a shift (issue 16).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op



revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'shift_handovers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=30), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('officer_id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('local_date', sa.Date(), nullable=False),
        sa.Column('items_json', sa.Text(), nullable=False),
        sa.Column('kept', sa.Integer(), nullable=False),
        sa.Column('handed', sa.Integer(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ['officer_id'], ['officers.id'], name=op.f('fk_shift_handovers_officer_id_officers')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_shift_handovers')),
        sa.UniqueConstraint('number', name=op.f('uq_shift_handovers_number')),
        sa.UniqueConstraint('year', 'seq', name='uq_shift_handovers_year_seq'),
    )
    op.create_index(
        op.f('ix_shift_handovers_local_date'), 'shift_handovers', ['local_date'], unique=False
    )
    op.create_index(
        op.f('ix_shift_handovers_officer_id'), 'shift_handovers', ['officer_id'], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f('ix_shift_handovers_officer_id'), table_name='shift_handovers')
    op.drop_index(op.f('ix_shift_handovers_local_date'), table_name='shift_handovers')
    op.drop_table('shift_handovers')
