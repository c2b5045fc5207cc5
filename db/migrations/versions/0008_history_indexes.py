"""Indexes for ten years of history: every list, search, ledger and statistic bounded (issue 11).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

# (table, index name, columns) — one line per index, kept in step with db/models.py.
INDEXES = (
    ('visits', 'ix_visits_name_date', ['citizen_name', 'local_date']),
    ('visits', 'ix_visits_date_name', ['local_date', 'citizen_name']),
    ('visit_transitions', 'ix_visit_transitions_to_status_at', ['to_status', 'at']),
    ('visit_transitions', 'ix_visit_transitions_at', ['at']),
    ('handovers', 'ix_handovers_created_at', ['created_at']),
    ('handovers', 'ix_handovers_state_created', ['state', 'created_at']),
    ('notices', 'ix_notices_state_deadline', ['state', 'supplement_deadline']),
    ('rectifications', 'ix_rectifications_opened_at', ['opened_at']),
    ('rectifications', 'ix_rectifications_state_due', ['state', 'rectify_due']),
    ('rectifications', 'ix_rectifications_state_closed', ['state', 'closed_at']),
    ('callbacks', 'ix_callbacks_state_closed', ['state', 'closed_at']),
    ('callbacks', 'ix_callbacks_assignee_state', ['assigned_to_id', 'state', 'closed_at']),
    ('complaints', 'ix_complaints_recorded_at', ['recorded_at']),
    ('complaints', 'ix_complaints_state', ['state']),
)


# Made redundant by a wider index above that starts with the same column (and also answers
# "name in a date range", "date range with a name", "pending, oldest first" from the index).
REPLACED = (
    ('visits', 'ix_visits_local_date', ['local_date']),  # by ix_visits_date_name
    ('visits', 'ix_visits_citizen_name', ['citizen_name']),  # by ix_visits_name_date
    ('handovers', 'ix_handovers_state', ['state']),  # by ix_handovers_state_created
)


def upgrade() -> None:
    for table, name, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)
    for table, name, _columns in REPLACED:
        op.drop_index(name, table_name=table)


def downgrade() -> None:
    for table, name, columns in REPLACED:
        op.create_index(name, table, columns, unique=False)
    for table, name, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
