"""窗口号: which counter each visit, step, notice and rating was made at (issue 13).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

TABLES = ('visits', 'visit_transitions', 'notices', 'ratings')


def upgrade() -> None:
    # ADD COLUMN with a constant default: no table rebuild on either engine, so the tables'
    # triggers (day locks) and the rows' content are untouched.
    for table in TABLES:
        op.add_column(
            table, sa.Column('counter', sa.String(length=16), nullable=False, server_default='')
        )


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, recreate='never') as batch:
            batch.drop_column('counter')
