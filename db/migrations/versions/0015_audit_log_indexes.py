"""The audit log viewer reads a period newest first: everyone's, one officer's, one kind's (issue 16).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""

from alembic import op


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

# (index name, columns) on audit_events, kept in step with db/models.py.
INDEXES = (
    ('ix_audit_events_at', ['at', 'id']),
    ('ix_audit_events_officer_at', ['officer_id', 'at', 'id']),
    ('ix_audit_events_action_at', ['action', 'at', 'id']),
)


def upgrade() -> None:
    for name, columns in INDEXES:
        op.create_index(name, 'audit_events', columns, unique=False)


def downgrade() -> None:
    for name, _columns in reversed(INDEXES):
        op.drop_index(name, table_name='audit_events')
