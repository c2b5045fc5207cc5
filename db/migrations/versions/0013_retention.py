"""Retention of citizens' contact data, and the purge the locks let through (issue 12).

``stations.retain_contact_years`` (default 3): how long the ID number and phone of a finished
matter, a closed complaint's phone and the citizen's signature images are kept (app/retention/service.py).
The purge blanks those values in place; the locks of a reviewed day and of a signature let
exactly that through (every other column unchanged), and nothing else.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

# As 0012 names them.
FROZEN_VISIT_COLUMNS = (
    'citizen_name', 'id_type', 'id_number', 'phone', 'service_version_id', 'channel',
    'summary', 'in_scope', 'first_officer_id', 'arrived_at', 'local_date',
    'serial', 'year', 'seq', 'created_at',
)
VISIT_LOCKED = (
    "EXISTS (SELECT 1 FROM day_reviews r WHERE r.day = OLD.local_date"
    " AND OLD.created_at <= r.reviewed_at)"
)
CORRECTING = (
    "EXISTS (SELECT 1 FROM addenda a WHERE a.id = (SELECT max(id) FROM addenda)"
    " AND a.entity_type = 'visit' AND a.entity_id = OLD.id)"
)
SIGNATURE_KEPT = (
    'id', 'document_type', 'document_id', 'signer_name', 'signed_at', 'content_sha256',
    'image_sha256',
)


def _registration_changed(distinct: str) -> str:
    changed = [f"OLD.{c} {distinct} NEW.{c}" for c in FROZEN_VISIT_COLUMNS]
    changed.append("(NEW.status = 'voided' AND OLD.status <> 'voided')")
    return "(" + " OR ".join(changed) + ")"


def _purging(same: str) -> str:
    """The update blanks the ID number and phone and changes nothing else of the registration."""
    kept = [f"OLD.{c} {same} NEW.{c}" for c in FROZEN_VISIT_COLUMNS if c not in ('id_number', 'phone')]
    return (
        "(NEW.id_number = '' AND NEW.phone = '' AND NEW.status = OLD.status AND "
        + " AND ".join(kept) + ")"
    )


def _signature_purge(same: str, empty_bytes: str) -> str:
    kept = [f"OLD.{c} {same} NEW.{c}" for c in SIGNATURE_KEPT]
    return f"(NEW.png = {empty_bytes} AND NEW.strokes_json = '' AND " + " AND ".join(kept) + ")"


def upgrade() -> None:
    with op.batch_alter_table('stations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retain_contact_years', sa.Integer(), nullable=False, server_default='3'))
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        op.execute("DROP TRIGGER visits_locked_update")
        op.execute(
            "CREATE TRIGGER visits_locked_update BEFORE UPDATE ON visits"
            f" WHEN {_registration_changed('IS NOT')} AND NOT {_purging('IS')}"
            f" AND {VISIT_LOCKED} AND NOT {CORRECTING}"
            " BEGIN SELECT RAISE(ABORT, 'visits of a reviewed day are locked'); END"
        )
        op.execute("DROP TRIGGER signatures_frozen")
        op.execute(
            "CREATE TRIGGER signatures_frozen BEFORE UPDATE ON signatures"
            f" WHEN NOT {_signature_purge('IS', 'X' + repr(''))}"
            " BEGIN SELECT RAISE(ABORT, 'signatures are frozen'); END"
        )
    elif dialect == 'postgresql':
        op.execute("DROP TRIGGER visits_locked_update ON visits")
        op.execute(
            "CREATE TRIGGER visits_locked_update BEFORE UPDATE ON visits FOR EACH ROW"
            f" WHEN ({_registration_changed('IS DISTINCT FROM')}"
            f" AND NOT {_purging('IS NOT DISTINCT FROM')})"
            " EXECUTE FUNCTION visits_locked_update()"
        )
        op.execute("DROP TRIGGER signatures_frozen ON signatures")
        op.execute(
            "CREATE TRIGGER signatures_frozen BEFORE UPDATE ON signatures FOR EACH ROW"
            f" WHEN (NOT {_signature_purge('IS NOT DISTINCT FROM', repr('') + '::bytea')})"
            " EXECUTE FUNCTION stationdesk_frozen()"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        op.execute("DROP TRIGGER signatures_frozen")
        op.execute(
            "CREATE TRIGGER signatures_frozen BEFORE UPDATE ON signatures "
            "BEGIN SELECT RAISE(ABORT, 'signatures are frozen'); END"
        )
        op.execute("DROP TRIGGER visits_locked_update")
        op.execute(
            "CREATE TRIGGER visits_locked_update BEFORE UPDATE ON visits"
            f" WHEN {_registration_changed('IS NOT')} AND {VISIT_LOCKED} AND NOT {CORRECTING}"
            " BEGIN SELECT RAISE(ABORT, 'visits of a reviewed day are locked'); END"
        )
    elif dialect == 'postgresql':
        op.execute("DROP TRIGGER signatures_frozen ON signatures")
        op.execute(
            "CREATE TRIGGER signatures_frozen BEFORE UPDATE ON signatures "
            "FOR EACH ROW EXECUTE FUNCTION stationdesk_frozen()"
        )
        op.execute("DROP TRIGGER visits_locked_update ON visits")
        op.execute(
            "CREATE TRIGGER visits_locked_update BEFORE UPDATE ON visits FOR EACH ROW"
            f" WHEN {_registration_changed('IS DISTINCT FROM')}"
            " EXECUTE FUNCTION visits_locked_update()"
        )
    # stations is named by no trigger: dropping the column may rebuild it.
    with op.batch_alter_table('stations', schema=None) as batch_op:
        batch_op.drop_column('retain_contact_years')
