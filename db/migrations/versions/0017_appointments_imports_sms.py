"""预约/上门服务, the Excel 台账 import, and SMS replies as callback outcomes (issue 16).

- ``appointments``: counter bookings and home-service requests (ID number, phone and address
  sealed, looked up by keyed hashes as a visit's);
- ``ledger_imports`` and ``ledger_import_visits``: each import of an earlier Excel ledger and
  the visits it created;
- ``stations.home_days_town`` / ``home_days_country``: the home-service promise in working days;
- ``callback_attempts.via`` and the rating kind ``sms``: a reply imported from the station's
  SMS platform is a callback outcome of its own kind, not a phone call.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op


revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ledger_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=30), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=260), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("sheet", sa.String(length=100), nullable=False),
        sa.Column("mapping_json", sa.Text(), nullable=False),
        sa.Column("rows_total", sa.Integer(), nullable=False),
        sa.Column("rows_imported", sa.Integer(), nullable=False),
        sa.Column("rows_rejected", sa.Integer(), nullable=False),
        sa.Column("date_from", sa.Date(), nullable=True),
        sa.Column("date_to", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["officers.id"], name=op.f("fk_ledger_imports_officer_id_officers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_imports")),
        sa.UniqueConstraint("number", name=op.f("uq_ledger_imports_number")),
        sa.UniqueConstraint("year", "seq", name="uq_ledger_imports_year_seq"),
    )
    op.create_table(
        "appointments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=30), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.String(length=12), nullable=False),
        sa.Column("area", sa.String(length=8), nullable=False),
        sa.Column("citizen_name", sa.String(length=40), nullable=False),
        sa.Column("id_type", sa.String(length=16), nullable=False),
        sa.Column("id_number", sa.Text(), nullable=False),
        sa.Column("phone", sa.Text(), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("id_number_hash", sa.String(length=32), nullable=False),
        sa.Column("phone_hash", sa.String(length=32), nullable=False),
        sa.Column("phone_tail", sa.String(length=4), nullable=False),
        sa.Column("service_version_id", sa.Integer(), nullable=False),
        sa.Column("summary", sa.String(length=200), nullable=False),
        sa.Column("slot_date", sa.Date(), nullable=False),
        sa.Column("slot_at", sa.DateTime(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=True),
        sa.Column("served_at", sa.DateTime(), nullable=True),
        sa.Column("result", sa.String(length=500), nullable=False),
        sa.Column("close_reason", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.CheckConstraint("area IN ('town', 'country')", name=op.f("ck_appointments_area")),
        sa.CheckConstraint("kind IN ('counter', 'home')", name=op.f("ck_appointments_kind")),
        sa.CheckConstraint(
            "reason IN ('elderly', 'disabled', 'ill', 'other')", name=op.f("ck_appointments_reason")
        ),
        sa.CheckConstraint(
            "state IN ('booked', 'registered', 'served', 'cancelled', 'missed')",
            name=op.f("ck_appointments_state"),
        ),
        sa.ForeignKeyConstraint(
            ["closed_by_id"], ["officers.id"], name=op.f("fk_appointments_closed_by_id_officers")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["officers.id"], name=op.f("fk_appointments_created_by_id_officers")
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["officers.id"], name=op.f("fk_appointments_officer_id_officers")
        ),
        sa.ForeignKeyConstraint(
            ["service_version_id"],
            ["service_item_versions.id"],
            name=op.f("fk_appointments_service_version_id_service_item_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_appointments_visit_id_visits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointments")),
        sa.UniqueConstraint("number", name=op.f("uq_appointments_number")),
        sa.UniqueConstraint("visit_id", name=op.f("uq_appointments_visit_id")),
        sa.UniqueConstraint("year", "seq", name="uq_appointments_year_seq"),
    )
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.create_index("ix_appointments_id_number_hash", ["id_number_hash"], unique=False)
        batch_op.create_index("ix_appointments_phone_hash", ["phone_hash"], unique=False)
        batch_op.create_index("ix_appointments_slot", ["slot_date", "slot_at"], unique=False)
        batch_op.create_index("ix_appointments_state_due", ["state", "due_date"], unique=False)

    op.create_table(
        "ledger_import_visits",
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("row_no", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["ledger_imports.id"],
            name=op.f("fk_ledger_import_visits_import_id_ledger_imports"),
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_ledger_import_visits_visit_id_visits")
        ),
        sa.PrimaryKeyConstraint("visit_id", name=op.f("pk_ledger_import_visits")),
    )
    with op.batch_alter_table("ledger_import_visits", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ledger_import_visits_import_id"), ["import_id"], unique=False
        )

    with op.batch_alter_table("callback_attempts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("via", sa.String(length=8), nullable=False, server_default="direct")
        )
        batch_op.create_check_constraint("via", "via IN ('direct', 'sms')")
    _rating_kinds("('on_site', 'phone', 'home', 'follow_up', 'sms')")

    with op.batch_alter_table("stations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("home_days_town", sa.Integer(), nullable=False, server_default="5")
        )
        batch_op.add_column(
            sa.Column("home_days_country", sa.Integer(), nullable=False, server_default="10")
        )


def downgrade() -> None:
    with op.batch_alter_table("stations", schema=None) as batch_op:
        batch_op.drop_column("home_days_country")
        batch_op.drop_column("home_days_town")

    op.execute("DELETE FROM ratings WHERE kind = 'sms'")
    _rating_kinds("('on_site', 'phone', 'home', 'follow_up')")
    with op.batch_alter_table("callback_attempts", schema=None) as batch_op:
        batch_op.drop_constraint("via", type_="check")
        batch_op.drop_column("via")

    with op.batch_alter_table("ledger_import_visits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_import_visits_import_id"))

    op.drop_table("ledger_import_visits")
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_index("ix_appointments_state_due")
        batch_op.drop_index("ix_appointments_slot")
        batch_op.drop_index("ix_appointments_phone_hash")
        batch_op.drop_index("ix_appointments_id_number_hash")

    op.drop_table("appointments")
    op.drop_table("ledger_imports")


def _rating_kinds(kinds: str) -> None:
    """Replace the CHECK on ``ratings.kind``.

    PostgreSQL alters the constraint. SQLite cannot: the table is rebuilt from its full
    definition here (batch mode does not carry CHECK constraints over from reflection), and
    its own triggers (the day lock), which a rebuild drops, are read first and made again.
    """
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.drop_constraint(op.f("ck_ratings_kind"), "ratings", type_="check")
        op.create_check_constraint(op.f("ck_ratings_kind"), "ratings", f"kind IN {kinds}")
        return
    triggers = [
        row[0]
        for row in bind.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'ratings'"
        )
    ]
    ratings = sa.Table(
        "ratings",
        sa.MetaData(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("declined", sa.Boolean(), nullable=False),
        sa.Column("overall", sa.Integer(), nullable=True),
        sa.Column("dimensions_json", sa.Text(), nullable=False),
        sa.Column("comment", sa.String(length=500), nullable=False),
        sa.Column("rated_at", sa.DateTime(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("rated_officer_id", sa.Integer(), nullable=False),
        sa.Column("callback_requested", sa.Boolean(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("id", name="pk_ratings"),
        sa.CheckConstraint(f"kind IN {kinds}", name="ck_ratings_kind"),
        sa.CheckConstraint(
            "overall IS NULL OR (overall BETWEEN 1 AND 5)", name="ck_ratings_overall"
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["officers.id"], name="fk_ratings_recorded_by_id_officers"
        ),
        sa.ForeignKeyConstraint(
            ["rated_officer_id"], ["officers.id"], name="fk_ratings_rated_officer_id_officers"
        ),
        sa.ForeignKeyConstraint(["visit_id"], ["visits.id"], name="fk_ratings_visit_id_visits"),
        sa.Index("ix_ratings_rated_officer_id", "rated_officer_id"),
        sa.Index("ix_ratings_local_date", "local_date"),
        sa.Index("ix_ratings_visit_id", "visit_id"),
        sa.Index(
            "ix_ratings_kind_date_figures",
            "kind",
            "local_date",
            "rated_officer_id",
            "visit_id",
            "declined",
            "overall",
            "dimensions_json",
        ),
        sa.Index(
            "uq_ratings_on_site_visit",
            "visit_id",
            unique=True,
            sqlite_where=sa.text("kind = 'on_site'"),
        ),
    )
    # Other tables' triggers name ``ratings`` (a signature's day lock): while it is dropped
    # and its copy renamed, SQLite must not re-check them (its schema-change procedure).
    bind.exec_driver_sql("PRAGMA legacy_alter_table=ON")
    try:
        with op.batch_alter_table("ratings", copy_from=ratings, recreate="always"):
            pass
    finally:
        bind.exec_driver_sql("PRAGMA legacy_alter_table=OFF")
    for sql in triggers:
        op.execute(sql)
