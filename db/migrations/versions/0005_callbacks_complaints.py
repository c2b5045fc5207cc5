"""Phone callbacks and home visits (sampled, with attempts), complaints and praise (issue 5).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('callback_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_kind', sa.String(length=8), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('share', sa.Integer(), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.Column('eligible', sa.Integer(), nullable=False),
    sa.Column('sampled', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("period_kind IN ('day', 'month', 'custom')", name=op.f('ck_callback_batches_period_kind')),
    sa.CheckConstraint('share BETWEEN 1 AND 100', name=op.f('ck_callback_batches_share')),
    sa.ForeignKeyConstraint(['created_by_id'], ['officers.id'], name=op.f('fk_callback_batches_created_by_id_officers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_callback_batches')),
    sa.UniqueConstraint('period_start', 'period_end', name='uq_callback_batches_period')
    )
    op.create_table('complaints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=30), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('complainant_name', sa.String(length=40), nullable=False),
    sa.Column('complainant_phone', sa.String(length=40), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=True),
    sa.Column('visit_id', sa.Integer(), nullable=True),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('handler_id', sa.Integer(), nullable=True),
    sa.Column('verify_due', sa.Date(), nullable=True),
    sa.Column('handle_due', sa.Date(), nullable=True),
    sa.Column('reply_due', sa.Date(), nullable=True),
    sa.Column('finding', sa.String(length=8), nullable=False),
    sa.Column('verify_note', sa.Text(), nullable=False),
    sa.Column('verified_at', sa.DateTime(), nullable=True),
    sa.Column('outcome', sa.String(length=8), nullable=False),
    sa.Column('handle_note', sa.Text(), nullable=False),
    sa.Column('handled_at', sa.DateTime(), nullable=True),
    sa.Column('reply_method', sa.String(length=20), nullable=False),
    sa.Column('reply_text', sa.Text(), nullable=False),
    sa.Column('replied_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('complaint', 'praise')", name=op.f('ck_complaints_kind')),
    sa.CheckConstraint("state IN ('received', 'verified', 'handled', 'replied', 'closed')", name=op.f('ck_complaints_state')),
    sa.ForeignKeyConstraint(['handler_id'], ['officers.id'], name=op.f('fk_complaints_handler_id_officers')),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], name=op.f('fk_complaints_officer_id_officers')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['officers.id'], name=op.f('fk_complaints_recorded_by_id_officers')),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_complaints_visit_id_visits')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaints')),
    sa.UniqueConstraint('number', name=op.f('uq_complaints_number')),
    sa.UniqueConstraint('year', 'seq', name='uq_complaints_year_seq')
    )
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaints_handler_id'), ['handler_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_officer_id'), ['officer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_received_on'), ['received_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_visit_id'), ['visit_id'], unique=False)

    op.create_table('callbacks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('reason', sa.String(length=12), nullable=False),
    sa.Column('assigned_to_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('rating_id', sa.Integer(), nullable=True),
    sa.Column('pressure', sa.Boolean(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('phone', 'home')", name=op.f('ck_callbacks_kind')),
    sa.CheckConstraint("reason IN ('sample', 'bad', 'requested', 'dissatisfied', 'manual')", name=op.f('ck_callbacks_reason')),
    sa.CheckConstraint("state IN ('pending', 'reached', 'refused', 'unreachable')", name=op.f('ck_callbacks_state')),
    sa.ForeignKeyConstraint(['assigned_to_id'], ['officers.id'], name=op.f('fk_callbacks_assigned_to_id_officers')),
    sa.ForeignKeyConstraint(['batch_id'], ['callback_batches.id'], name=op.f('fk_callbacks_batch_id_callback_batches')),
    sa.ForeignKeyConstraint(['rating_id'], ['ratings.id'], name=op.f('fk_callbacks_rating_id_ratings')),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_callbacks_visit_id_visits')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_callbacks')),
    sa.UniqueConstraint('visit_id', 'kind', name='uq_callbacks_visit_kind')
    )
    with op.batch_alter_table('callbacks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_callbacks_assigned_to_id'), ['assigned_to_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_callbacks_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_callbacks_local_date'), ['local_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_callbacks_visit_id'), ['visit_id'], unique=False)

    op.create_table('callback_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('callback_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=14), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.CheckConstraint("outcome IN ('reached', 'no_answer', 'wrong_number', 'refused')", name=op.f('ck_callback_attempts_outcome')),
    sa.ForeignKeyConstraint(['callback_id'], ['callbacks.id'], name=op.f('fk_callback_attempts_callback_id_callbacks')),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], name=op.f('fk_callback_attempts_officer_id_officers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_callback_attempts'))
    )
    with op.batch_alter_table('callback_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_callback_attempts_callback_id'), ['callback_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_callback_attempts_local_date'), ['local_date'], unique=False)

    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('callback_requested', sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table('stations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('callback_share', sa.Integer(), nullable=False, server_default='10'))
        batch_op.add_column(sa.Column('callback_period', sa.String(length=8), nullable=False, server_default='day'))
        batch_op.add_column(sa.Column('complaint_verify_days', sa.Integer(), nullable=False, server_default='3'))
        batch_op.add_column(sa.Column('complaint_handle_days', sa.Integer(), nullable=False, server_default='10'))
        batch_op.add_column(sa.Column('complaint_reply_days', sa.Integer(), nullable=False, server_default='15'))



def downgrade() -> None:
    with op.batch_alter_table('stations', schema=None) as batch_op:
        batch_op.drop_column('complaint_reply_days')
        batch_op.drop_column('complaint_handle_days')
        batch_op.drop_column('complaint_verify_days')
        batch_op.drop_column('callback_period')
        batch_op.drop_column('callback_share')

    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.drop_column('callback_requested')

    with op.batch_alter_table('callback_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_callback_attempts_local_date'))
        batch_op.drop_index(batch_op.f('ix_callback_attempts_callback_id'))

    op.drop_table('callback_attempts')
    with op.batch_alter_table('callbacks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_callbacks_visit_id'))
        batch_op.drop_index(batch_op.f('ix_callbacks_local_date'))
        batch_op.drop_index(batch_op.f('ix_callbacks_batch_id'))
        batch_op.drop_index(batch_op.f('ix_callbacks_assigned_to_id'))

    op.drop_table('callbacks')
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaints_visit_id'))
        batch_op.drop_index(batch_op.f('ix_complaints_received_on'))
        batch_op.drop_index(batch_op.f('ix_complaints_officer_id'))
        batch_op.drop_index(batch_op.f('ix_complaints_handler_id'))

    op.drop_table('complaints')
    op.drop_table('callback_batches')
