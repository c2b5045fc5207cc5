"""Reviewed days locked by the database itself; each review keeps the audit chain's head (issue 12).

``day_reviews`` gains ``audit_head_id``/``audit_head_hash``: the chain's head at the moment of
the review (0 and '' for reviews made before this revision: unknown). Added in place (SQLite
ALTER TABLE ADD COLUMN), so the table's frozen triggers from 0006 stay.

Triggers (SQLite and PostgreSQL) refuse, whoever writes:

- an UPDATE of a visit's registration (the fields ``app.core.day_lock.FROZEN_VISIT_FIELDS`` names,
  plus its number and creation time) or its voiding, when the visit's day has been reviewed
  and the visit was created before that review — unless the newest correction (``addenda``,
  highest id) is of this very visit: ``LedgerService.correct`` inserts the addendum first;
- a DELETE of such a visit, and of the ratings, notices and complaints of a reviewed day that
  existed at its review, of the status history of a locked visit up to the review, and of
  the signatures on such a notice or rating or on a reviewed ledger.

A later migration that rebuilds a table on SQLite (batch mode) must drop these triggers first
and create them again after: the rebuild drops a table's own triggers, and SQLite refuses the
final RENAME while a trigger on another table names the table being rebuilt ("error in trigger
visits_locked_update: no such table: main.day_reviews") — visits, day_reviews, addenda, notices,
ratings, complaints, visit_transitions and signatures are all named. ``downgrade`` below shows
the order; ``tests/db/test_migrations.py`` lists every trigger that must exist at head.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

# What the chief signed about a visit (app/core/day_lock.py FROZEN_VISIT_FIELDS), and what no path
# of the program ever changes (its number and creation time).
FROZEN_VISIT_COLUMNS = (
    'citizen_name', 'id_type', 'id_number', 'phone', 'service_version_id', 'channel',
    'summary', 'in_scope', 'first_officer_id', 'arrived_at', 'local_date',
    'serial', 'year', 'seq', 'created_at',
)


def _reviewed(day: str, at: str) -> str:
    """A record of ``day`` that existed at its day's review (``at`` <= reviewed_at)."""
    return f"EXISTS (SELECT 1 FROM day_reviews r WHERE r.day = {day} AND {at} <= r.reviewed_at)"


VISIT_LOCKED = _reviewed('OLD.local_date', 'OLD.created_at')
# The newest correction is of this visit: LedgerService.correct is changing it.
CORRECTING = (
    "EXISTS (SELECT 1 FROM addenda a WHERE a.id = (SELECT max(id) FROM addenda)"
    " AND a.entity_type = 'visit' AND a.entity_id = OLD.id)"
)
DELETE_LOCKED = {
    'visits': VISIT_LOCKED,
    'ratings': _reviewed('OLD.local_date', 'OLD.rated_at'),
    'notices': _reviewed('OLD.local_date', 'OLD.issued_at'),
    'complaints': _reviewed('OLD.received_on', 'OLD.recorded_at'),
    'visit_transitions': (
        "EXISTS (SELECT 1 FROM visits v JOIN day_reviews r ON r.day = v.local_date"
        " WHERE v.id = OLD.visit_id AND v.created_at <= r.reviewed_at"
        " AND OLD.at <= r.reviewed_at)"
    ),
    'signatures': (
        "OLD.document_type = 'ledger'"
        " OR (OLD.document_type = 'notice' AND EXISTS (SELECT 1 FROM notices n"
        " JOIN day_reviews r ON r.day = n.local_date"
        " WHERE n.id = OLD.document_id AND n.issued_at <= r.reviewed_at))"
        " OR (OLD.document_type = 'rating' AND EXISTS (SELECT 1 FROM ratings g"
        " JOIN day_reviews r ON r.day = g.local_date"
        " WHERE g.id = OLD.document_id AND g.rated_at <= r.reviewed_at))"
    ),
}


def _registration_changed(distinct: str) -> str:
    changed = [f"OLD.{c} {distinct} NEW.{c}" for c in FROZEN_VISIT_COLUMNS]
    changed.append("(NEW.status = 'voided' AND OLD.status <> 'voided')")
    return "(" + " OR ".join(changed) + ")"


def upgrade() -> None:
    with op.batch_alter_table('day_reviews', schema=None) as batch_op:
        batch_op.add_column(sa.Column('audit_head_id', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('audit_head_hash', sa.String(length=64), nullable=False, server_default=''))
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        _sqlite_triggers()
    elif dialect == 'postgresql':
        _postgresql_triggers()


def _sqlite_triggers() -> None:
    op.execute(
        "CREATE TRIGGER visits_locked_update BEFORE UPDATE ON visits"
        f" WHEN {_registration_changed('IS NOT')} AND {VISIT_LOCKED} AND NOT {CORRECTING}"
        " BEGIN SELECT RAISE(ABORT, 'visits of a reviewed day are locked'); END"
    )
    for table, locked in DELETE_LOCKED.items():
        op.execute(
            f"CREATE TRIGGER {table}_locked_delete BEFORE DELETE ON {table} WHEN {locked}"
            f" BEGIN SELECT RAISE(ABORT, '{table} of a reviewed day are locked'); END"
        )


def _postgresql_triggers() -> None:
    # A trigger's WHEN cannot hold a subquery in PostgreSQL: the functions test the lock.
    op.execute(
        "CREATE FUNCTION visits_locked_update() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        f" IF {VISIT_LOCKED} AND NOT {CORRECTING} THEN"
        " RAISE EXCEPTION 'visits of a reviewed day are locked'; END IF;"
        " RETURN NEW; END $$"
    )
    op.execute(
        "CREATE TRIGGER visits_locked_update BEFORE UPDATE ON visits FOR EACH ROW"
        f" WHEN {_registration_changed('IS DISTINCT FROM')}"
        " EXECUTE FUNCTION visits_locked_update()"
    )
    for table, locked in DELETE_LOCKED.items():
        op.execute(
            f"CREATE FUNCTION {table}_locked_delete() RETURNS trigger LANGUAGE plpgsql AS $$"
            f" BEGIN IF {locked} THEN"
            f" RAISE EXCEPTION '{table} of a reviewed day are locked'; END IF;"
            " RETURN OLD; END $$"
        )
        op.execute(
            f"CREATE TRIGGER {table}_locked_delete BEFORE DELETE ON {table} FOR EACH ROW"
            f" EXECUTE FUNCTION {table}_locked_delete()"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    names = ['visits_locked_update', *(f'{t}_locked_delete' for t in DELETE_LOCKED)]
    for name in names:
        table = name.rsplit('_locked_', 1)[0]
        if dialect == 'postgresql':
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    with op.batch_alter_table('day_reviews', schema=None) as batch_op:
        batch_op.drop_column('audit_head_hash')
        batch_op.drop_column('audit_head_id')
    if dialect == 'sqlite':
        # Dropping a column rebuilds the table on SQLite, and its triggers go with it.
        for event in ('UPDATE', 'DELETE'):
            op.execute(f"DROP TRIGGER IF EXISTS day_reviews_no_{event.lower()}")
            op.execute(
                f"CREATE TRIGGER day_reviews_no_{event.lower()} BEFORE {event} ON day_reviews "
                "BEGIN SELECT RAISE(ABORT, 'day_reviews are frozen'); END"
            )
