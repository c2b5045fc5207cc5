"""Idle lock and backup settings; the record of every backup written (issue 12).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('stations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('idle_lock_minutes', sa.Integer(), nullable=False, server_default='5'))
        batch_op.add_column(sa.Column('backup_folder', sa.String(length=400), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('backup_keep', sa.Integer(), nullable=False, server_default='30'))
    op.create_table('backup_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=True),
    sa.Column('path', sa.String(length=600), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(length=400), nullable=False),
    sa.CheckConstraint("reason IN ('manual', 'after_review', 'daily', 'before_restore')", name=op.f('ck_backup_records_reason')),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], name=op.f('fk_backup_records_officer_id_officers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_backup_records'))
    )
    with op.batch_alter_table('backup_records', schema=None) as batch_op:
        batch_op.create_index('ix_backup_records_ok_at', ['ok', 'at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('backup_records', schema=None) as batch_op:
        batch_op.drop_index('ix_backup_records_ok_at')
    op.drop_table('backup_records')
    with op.batch_alter_table('stations', schema=None) as batch_op:
        batch_op.drop_column('backup_keep')
        batch_op.drop_column('backup_folder')
        batch_op.drop_column('idle_lock_minutes')
