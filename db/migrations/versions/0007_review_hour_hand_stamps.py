"""Earliest hour to review today's ledger; which desk times an officer stamped by hand (issue 10).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('stations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_after', sa.String(length=5), nullable=False, server_default='17:30'))
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.add_column(sa.Column('arrived_by_hand', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('started_by_hand', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('ended_by_hand', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.drop_column('ended_by_hand')
        batch_op.drop_column('started_by_hand')
        batch_op.drop_column('arrived_by_hand')
    with op.batch_alter_table('stations', schema=None) as batch_op:
        batch_op.drop_column('review_after')
