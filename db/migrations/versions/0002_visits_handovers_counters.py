"""Visits, their transitions, handovers and gap-free counters (issue 3).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('counters',
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_no', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'year', name=op.f('pk_counters'))
    )
    op.create_table('visits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('serial', sa.String(length=30), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('arrived_at', sa.DateTime(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('citizen_name', sa.String(length=40), nullable=False),
    sa.Column('id_type', sa.String(length=16), nullable=False),
    sa.Column('id_number', sa.String(length=30), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('service_version_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=12), nullable=False),
    sa.Column('summary', sa.String(length=200), nullable=False),
    sa.Column('in_scope', sa.Boolean(), nullable=False),
    sa.Column('first_officer_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('accepted_at', sa.DateTime(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('due_assumed', sa.Boolean(), nullable=False),
    sa.Column('paused_at', sa.DateTime(), nullable=True),
    sa.Column('remaining_days', sa.Integer(), nullable=True),
    sa.Column('result', sa.String(length=500), nullable=False),
    sa.Column('guided_unit', sa.String(length=100), nullable=False),
    sa.Column('guided_address', sa.String(length=200), nullable=False),
    sa.Column('guided_phone', sa.String(length=40), nullable=False),
    sa.Column('refusal_reason', sa.Text(), nullable=False),
    sa.Column('refusal_redress', sa.Text(), nullable=False),
    sa.Column('void_reason', sa.String(length=200), nullable=False),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("channel IN ('window', 'phone', 'appointment', 'home')", name=op.f('ck_visits_channel')),
    sa.CheckConstraint("status IN ('registered', 'in_progress', 'waiting_materials', 'completed', 'guided', 'refused', 'answered', 'voided')", name=op.f('ck_visits_status')),
    sa.ForeignKeyConstraint(['first_officer_id'], ['officers.id'], name=op.f('fk_visits_first_officer_id_officers')),
    sa.ForeignKeyConstraint(['owner_id'], ['officers.id'], name=op.f('fk_visits_owner_id_officers')),
    sa.ForeignKeyConstraint(['service_version_id'], ['service_item_versions.id'], name=op.f('fk_visits_service_version_id_service_item_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visits')),
    sa.UniqueConstraint('serial', name=op.f('uq_visits_serial')),
    sa.UniqueConstraint('year', 'seq', name='uq_visits_year_seq')
    )
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.create_index('ix_visits_citizen_name', ['citizen_name'], unique=False)
        batch_op.create_index('ix_visits_id_number', ['id_number'], unique=False)
        batch_op.create_index('ix_visits_local_date', ['local_date'], unique=False)
        batch_op.create_index('ix_visits_arrived', ['arrived_at', 'id'], unique=False)
        batch_op.create_index('ix_visits_status_arrived', ['status', 'arrived_at'], unique=False)
        batch_op.create_index('ix_visits_first_officer', ['first_officer_id'], unique=False)
        batch_op.create_index('ix_visits_owner_status', ['owner_id', 'status'], unique=False)
        batch_op.create_index('ix_visits_phone', ['phone'], unique=False)
        batch_op.create_index('ix_visits_service_version', ['service_version_id'], unique=False)
        batch_op.create_index('ix_visits_status_due', ['status', 'due_date'], unique=False)

    op.create_table('handovers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('from_officer_id', sa.Integer(), nullable=False),
    sa.Column('to_officer_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decline_reason', sa.String(length=200), nullable=False),
    sa.CheckConstraint("state IN ('pending', 'accepted', 'declined', 'cancelled')", name=op.f('ck_handovers_state')),
    sa.ForeignKeyConstraint(['from_officer_id'], ['officers.id'], name=op.f('fk_handovers_from_officer_id_officers')),
    sa.ForeignKeyConstraint(['to_officer_id'], ['officers.id'], name=op.f('fk_handovers_to_officer_id_officers')),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_handovers_visit_id_visits')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handovers'))
    )
    with op.batch_alter_table('handovers', schema=None) as batch_op:
        batch_op.create_index('ix_handovers_state', ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_handovers_to_officer_id'), ['to_officer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_handovers_visit_id'), ['visit_id'], unique=False)

    op.create_table('visit_transitions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=False),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], name=op.f('fk_visit_transitions_officer_id_officers')),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_visit_transitions_visit_id_visits')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visit_transitions'))
    )
    with op.batch_alter_table('visit_transitions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visit_transitions_visit_id'), ['visit_id'], unique=False)


    op.create_table('print_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('copy_no', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], name=op.f('fk_print_records_officer_id_officers')),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_print_records_visit_id_visits')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_print_records')),
    sa.UniqueConstraint('visit_id', 'kind', 'copy_no', name='uq_print_records_visit_kind_copy')
    )
    with op.batch_alter_table('print_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_print_records_visit_id'), ['visit_id'], unique=False)

def downgrade() -> None:
    op.drop_table('print_records')
    with op.batch_alter_table('visit_transitions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visit_transitions_visit_id'))

    op.drop_table('visit_transitions')
    with op.batch_alter_table('handovers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handovers_visit_id'))
        batch_op.drop_index(batch_op.f('ix_handovers_to_officer_id'))
        batch_op.drop_index('ix_handovers_state')

    op.drop_table('handovers')
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.drop_index('ix_visits_status_due')
        batch_op.drop_index('ix_visits_service_version')
        batch_op.drop_index('ix_visits_phone')
        batch_op.drop_index('ix_visits_owner_status')
        batch_op.drop_index('ix_visits_first_officer')
        batch_op.drop_index('ix_visits_status_arrived')
        batch_op.drop_index('ix_visits_arrived')
        batch_op.drop_index('ix_visits_local_date')
        batch_op.drop_index('ix_visits_id_number')
        batch_op.drop_index('ix_visits_citizen_name')

    op.drop_table('visits')
    op.drop_table('counters')
