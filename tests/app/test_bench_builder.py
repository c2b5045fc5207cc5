"""The benchmark station builder leaves a database the app accepts and can keep using."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest

from app.audit import verify_chain
from app.database import open_database
from app.identity import IdType
from app.passwords import PasswordHashing
from app.services import build_services
from app.visit_dto import NewVisit

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from build_station import TABLES, build_station

HISTORY_TABLES = (*TABLES, "audit_events", "signatures", "counters", "officers")


@pytest.fixture(scope="module")
def station(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bench") / "station.sqlite3"
    build_station(
        path, 2_000, jobs=1, quiet=True, hashing=PasswordHashing(1, 1024, 1), scratch=path.parent
    )
    return path


def test_the_audit_chain_verifies(station: Path) -> None:
    db = open_database(station)
    try:
        with db.sessions() as session:
            verdict = verify_chain(session)
    finally:
        db.dispose()
    assert verdict.ok, verdict.reason
    assert verdict.events > 2_000 * 4


def test_every_history_table_has_rows_and_the_file_is_sound(station: Path) -> None:
    con = sqlite3.connect(station)
    try:
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in HISTORY_TABLES}
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        con.close()
    assert all(counts.values()), {t: n for t, n in counts.items() if not n}
    assert counts["visits"] == 2_000


def test_the_app_registers_the_next_visit_without_a_gap(station: Path) -> None:
    db = open_database(station)
    try:
        services = build_services(db.sessions, hashing=PasswordHashing(1, 1024, 1))
        officer = services.auth.login("031011", "Demo2026")
        item = services.catalogue.list_items("SFZ-HL")[0].item_id
        with sqlite3.connect(station) as con:
            year, last = con.execute(
                "SELECT year, max(seq) FROM visits GROUP BY year ORDER BY year DESC LIMIT 1"
            ).fetchone()
        visit = services.visits.register(
            officer, NewVisit("李四", IdType.RESIDENT, "11010519491231002X", "13805710011", item)
        )
        assert visit.row.serial == f"QNL-{year}-{last + 1:06d}"
        with db.sessions() as session:
            assert verify_chain(session).ok
    finally:
        db.dispose()
