"""不予受理告知书 with its legal basis and the redress bodies by name (issue 14, item 11).

- ``stations.redress_review_body`` / ``redress_court``: the station's default 复议机关 and the
  court for 行政诉讼, offered on every refusal form;
- ``visits.refusal_basis``, ``refusal_review_body``, ``refusal_court``: what a refusal cites
  and names, as the officer confirmed it; ``visits.refusal_unsigned``: why the citizen did not
  sign the refusal notice (the officer and a witness sign instead).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

# Nullable and without a default: rows from before keep NULL, which the row seals leave out
# (app/core/row_seals.py), so no record sealed before this migration reads as changed; NULL is
# what the program shows as 历史未记载.
COLUMNS = {
    'stations': (
        ('redress_review_body', sa.String(length=100)),
        ('redress_court', sa.String(length=100)),
    ),
    'visits': (
        ('refusal_basis', sa.Text()),
        ('refusal_review_body', sa.String(length=100)),
        ('refusal_court', sa.String(length=100)),
        ('refusal_unsigned', sa.String(length=200)),
    ),
}


def upgrade() -> None:
    # ADD COLUMN without a table rebuild on either engine: the tables' triggers (day locks)
    # and the rows' content are untouched.
    for table, columns in COLUMNS.items():
        for name, type_ in columns:
            op.add_column(table, sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table, recreate='never') as batch:
            for name, _type in reversed(columns):
                batch.drop_column(name)
