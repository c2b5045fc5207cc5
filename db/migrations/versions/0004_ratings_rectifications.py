"""On-site and phone ratings, rectifications, rating settings (issue 5, first part).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('declined', sa.Boolean(), nullable=False),
    sa.Column('overall', sa.Integer(), nullable=True),
    sa.Column('dimensions_json', sa.Text(), nullable=False),
    sa.Column('comment', sa.String(length=500), nullable=False),
    sa.Column('rated_at', sa.DateTime(), nullable=False),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('rated_officer_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('on_site', 'phone', 'home', 'follow_up')", name=op.f('ck_ratings_kind')),
    sa.CheckConstraint('overall IS NULL OR (overall BETWEEN 1 AND 5)', name=op.f('ck_ratings_overall')),
    sa.ForeignKeyConstraint(['rated_officer_id'], ['officers.id'], name=op.f('fk_ratings_rated_officer_id_officers')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['officers.id'], name=op.f('fk_ratings_recorded_by_id_officers')),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_ratings_visit_id_visits')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ratings'))
    )
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ratings_local_date'), ['local_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_ratings_rated_officer_id'), ['rated_officer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ratings_visit_id'), ['visit_id'], unique=False)
        batch_op.create_index('uq_ratings_on_site_visit', ['visit_id'], unique=True, sqlite_where=sa.text("kind = 'on_site'"), postgresql_where=sa.text("kind = 'on_site'"))

    op.create_table('rectifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=30), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('rating_id', sa.Integer(), nullable=False),
    sa.Column('rated_officer_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('verify_due', sa.Date(), nullable=False),
    sa.Column('rectify_due', sa.Date(), nullable=False),
    sa.Column('verified_at', sa.DateTime(), nullable=True),
    sa.Column('cause', sa.Text(), nullable=False),
    sa.Column('action', sa.Text(), nullable=False),
    sa.Column('result', sa.Text(), nullable=False),
    sa.Column('follow_up_rating_id', sa.Integer(), nullable=True),
    sa.Column('appeal_text', sa.Text(), nullable=False),
    sa.Column('appeal_decision', sa.String(length=12), nullable=False),
    sa.Column('appeal_reason', sa.Text(), nullable=False),
    sa.Column('appeal_decided_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.CheckConstraint("state IN ('open', 'verified', 'rectified', 'closed')", name=op.f('ck_rectifications_state')),
    sa.ForeignKeyConstraint(['appeal_decided_by_id'], ['officers.id'], name=op.f('fk_rectifications_appeal_decided_by_id_officers')),
    sa.ForeignKeyConstraint(['follow_up_rating_id'], ['ratings.id'], name=op.f('fk_rectifications_follow_up_rating_id_ratings')),
    sa.ForeignKeyConstraint(['owner_id'], ['officers.id'], name=op.f('fk_rectifications_owner_id_officers')),
    sa.ForeignKeyConstraint(['rated_officer_id'], ['officers.id'], name=op.f('fk_rectifications_rated_officer_id_officers')),
    sa.ForeignKeyConstraint(['rating_id'], ['ratings.id'], name=op.f('fk_rectifications_rating_id_ratings')),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_rectifications_visit_id_visits')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rectifications')),
    sa.UniqueConstraint('number', name=op.f('uq_rectifications_number')),
    sa.UniqueConstraint('rating_id', name=op.f('uq_rectifications_rating_id')),
    sa.UniqueConstraint('year', 'seq', name='uq_rectifications_year_seq')
    )
    with op.batch_alter_table('rectifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rectifications_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rectifications_visit_id'), ['visit_id'], unique=False)

    with op.batch_alter_table('stations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rating_dimensions', sa.String(length=200), nullable=False, server_default='办事效率,服务态度,办理结果,规范廉洁'))
        batch_op.add_column(sa.Column('verify_days', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('rectify_days', sa.Integer(), nullable=False, server_default='5'))



def downgrade() -> None:
    with op.batch_alter_table('stations', schema=None) as batch_op:
        batch_op.drop_column('rectify_days')
        batch_op.drop_column('verify_days')
        batch_op.drop_column('rating_dimensions')

    with op.batch_alter_table('rectifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rectifications_visit_id'))
        batch_op.drop_index(batch_op.f('ix_rectifications_owner_id'))

    op.drop_table('rectifications')
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.drop_index('uq_ratings_on_site_visit', sqlite_where=sa.text("kind = 'on_site'"), postgresql_where=sa.text("kind = 'on_site'"))
        batch_op.drop_index(batch_op.f('ix_ratings_visit_id'))
        batch_op.drop_index(batch_op.f('ix_ratings_rated_officer_id'))
        batch_op.drop_index(batch_op.f('ix_ratings_local_date'))

    op.drop_table('ratings')
