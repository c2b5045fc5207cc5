"""Covering indexes: a year of statistics reads index entries, not table rows (issue 11).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

# (table, index name, columns) — one line per index, kept in step with db/models.py. Each holds
# every column its statistics query reads, so a period's rows come from the index alone.
INDEXES = (
    # Registered in a period: who, which matter, and the three desk times with their stamps.
    ('visits', 'ix_visits_date_figures', [
        'local_date', 'status', 'first_officer_id', 'service_version_id', 'arrived_at',
        'started_at', 'ended_at', 'arrived_by_hand', 'started_by_hand', 'ended_by_hand',
    ]),
    # A visit by id from a finishing, rating, notice or callback: owner, matter, due date, status
    # (status last, so an IN over statuses is checked in the entry, not sought once per status).
    ('visits', 'ix_visits_id_figures', [
        'id', 'owner_id', 'service_version_id', 'due_date', 'status',
    ]),
    ('visit_transitions', 'ix_visit_transitions_status_at_visit', ['to_status', 'at', 'visit_id']),
    ('ratings', 'ix_ratings_kind_date_figures', [
        'kind', 'local_date', 'rated_officer_id', 'visit_id', 'declined', 'overall',
        'dimensions_json',
    ]),
)


# Made redundant by a wider index above that starts with the same columns.
REPLACED = (
    # by ix_visit_transitions_status_at_visit
    ('visit_transitions', 'ix_visit_transitions_to_status_at', ['to_status', 'at']),
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
