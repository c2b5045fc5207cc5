"""The statement counter the performance guards rely on counts what it should."""

from __future__ import annotations

from sqlalchemy import text

from app.core.database import Database
from tests.conftest import StatementCounter


def test_the_counter_counts_only_inside_its_block(db: Database, sql: StatementCounter) -> None:
    with db.engine.connect() as conn:
        conn.execute(text("SELECT 1"))
        with sql:
            conn.execute(text("SELECT 1"))
            conn.execute(text("SELECT 2"))
        conn.execute(text("SELECT 3"))
    assert sql.count == 2
