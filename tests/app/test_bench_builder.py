"""The benchmark station builder leaves a database the app accepts and can keep using."""

from __future__ import annotations

import hashlib
import sqlite3
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from app.core.audit import verify_chain
from app.core.database import open_database
from app.core.identity import IdType, mask_id
from app.core.passwords import PasswordHashing
from app.services import build_services
from app.visits.dto import NewVisit
from db.models import Complaint, Signature, Visit
from db.sealed import cipher_of

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


def _file_bytes(path: Path) -> bytes:
    """The database file and its write-ahead log, as they lie on disk."""
    wal = Path(f"{path}-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def test_personal_data_is_sealed_as_the_services_seal_it(station: Path) -> None:
    db = open_database(station)
    try:
        cipher = cipher_of(db.engine.dialect)
        with db.sessions() as session:  # the ORM opens the sealed columns
            visits = session.scalars(
                select(Visit).where(Visit.id <= 2_000).order_by(Visit.id)
            ).all()
            citizens = [
                (v.id, v.id_number, v.phone, v.id_number_hash, v.phone_hash, v.phone_tail)
                for v in visits
            ]
            complainant_phones = [
                c.complainant_phone
                for c in session.scalars(select(Complaint))
                if c.complainant_phone
            ]
            signatures = [
                (s.strokes_json, s.png, s.image_sha256)
                for s in session.scalars(select(Signature).order_by(Signature.id).limit(50))
            ]
    finally:
        db.dispose()
    assert len(citizens) == 2_000 and complainant_phones and signatures
    # The lookup columns hold what the Visit mapper's _visit_lookup_hashes writes.
    for _id, number, phone, number_hash, phone_hash, tail in citizens:
        assert number and phone
        assert number_hash == cipher.blind("id", number)
        assert phone_hash == cipher.blind("phone", phone)
        assert tail == phone[-4:]
    for strokes, png, image_sha in signatures:
        assert png.startswith(b"\x89PNG") and strokes.startswith("[[")
        assert image_sha == hashlib.sha256(strokes.encode("utf-8") + b"|" + png).hexdigest()

    con = sqlite3.connect(station)
    try:
        unsealed = con.execute(
            "SELECT count(*) FROM visits WHERE id <= 2000 AND (id_number NOT LIKE 'sd1:%'"
            " OR phone NOT LIKE 'sd1:%')"
        ).fetchone()[0]
        assert unsealed == 0
        assert con.execute(
            "SELECT count(*) FROM complaints"
            " WHERE complainant_phone != '' AND complainant_phone NOT LIKE 'sd1:%'"
        ).fetchone() == (0,)
        assert con.execute(
            "SELECT count(*) FROM signatures WHERE strokes_json NOT LIKE 'sd1:%'"
            " OR substr(png, 1, 4) != CAST('sd1:' AS BLOB)"
        ).fetchone() == (0,)
        # A fresh nonce for every row: a returning citizen's number, and a scribble of the
        # small pool, look different in every row.
        for sql in (
            "SELECT count(DISTINCT id_number), count(DISTINCT id_number_hash) FROM visits",
            "SELECT count(DISTINCT png), count(DISTINCT image_sha256) FROM signatures",
        ):
            sealed, clear = con.execute(sql).fetchone()
            assert sealed > clear
        assert con.execute("SELECT count(DISTINCT png) = count(*) FROM signatures").fetchone() == (
            1,
        )
    finally:
        con.close()
    assert len({c[1] for c in citizens}) < len(citizens)  # returning citizens in the sample

    # Nothing personal lies in the file in clear.
    data = _file_bytes(station)
    some = citizens[:: len(citizens) // 40]
    for _id, number, phone, *_hashes in some:
        assert number.encode() not in data, number
        assert phone.encode() not in data, phone
    for phone in complainant_phones[:20]:
        assert phone.encode() not in data, phone
    for strokes, png, _sha in signatures[:5]:
        assert strokes.encode() not in data
        assert png not in data


def test_the_app_finds_a_citizen_by_id_number_and_by_phone(station: Path) -> None:
    db = open_database(station)
    try:
        services = build_services(db.sessions, hashing=PasswordHashing(1, 1024, 1))
        officer = services.auth.login("031011", "Demo2026")
        with db.sessions() as session:
            visits = [
                (v.id, v.id_number, v.phone, v.arrived_at)
                for v in session.scalars(select(Visit).where(Visit.status != "voided"))
            ]
        # The citizen who came most often (a returning citizen), and their last visit.
        number, times = Counter(v[1] for v in visits).most_common(1)[0]
        assert times > 1
        mine = [v for v in visits if v[1] == number]
        last = max(mine, key=lambda v: v[3])
        hint = services.visits.find_citizen(officer, id_number=number)
        assert hint is not None
        assert (hint.matched_by, hint.visit_id, hint.visits) == ("id", last[0], times)
        assert hint.id_number_masked == mask_id(number)

        phone = last[2]
        by_phone = [v for v in visits if v[2] == phone]
        hint = services.visits.find_citizen(officer, phone=phone)
        assert hint is not None
        assert (hint.matched_by, hint.visit_id, hint.visits) == (
            "phone",
            max(by_phone, key=lambda v: v[3])[0],
            len(by_phone),
        )
        assert services.visits.find_citizen(officer, id_number=number[:-4] + "0000") is None
    finally:
        db.dispose()


def test_the_whole_check_passes_with_the_bulk_rows_counted_as_before_binding(
    station: Path,
) -> None:
    from app.integrity.service import check_database

    db = open_database(station, create=False, migrate=False)
    try:
        report = check_database(db)
    finally:
        db.dispose()
    assert report.ok, "\n".join(report.lines)
    [line] = [line for line in report.lines if line.startswith("业务记录绑定")]
    assert "启用审计绑定之前的记录" in line


def test_a_reviewed_day_reads_and_prints_as_one_the_app_reviewed(station: Path) -> None:
    """The stored ledgers have the app's sections: as many cells in a row as the section has
    columns (the 窗口 column of migration 0018 included), so the chief's reprint renders."""
    import datetime as dt

    from app.ledger.pdf import ledger_document
    from app.printing.register_pdf import render_register

    with sqlite3.connect(station) as con:
        (day,) = con.execute("SELECT max(day) FROM day_reviews").fetchone()
    db = open_database(station)
    try:
        services = build_services(db.sessions, hashing=PasswordHashing(1, 1024, 1))
        chief = services.auth.login("031001", "Demo2026")
        stored = services.ledger.ledger(chief, dt.date.fromisoformat(day))
        live = services.ledger.ledger(chief, dt.date.fromisoformat(day) + dt.timedelta(days=7))
        tz = services.station.settings().timezone
        pdf = render_register(ledger_document(stored, tz, dt.datetime.now(dt.UTC)))
    finally:
        db.dispose()
    assert stored.locked and stored.sections[0].rows
    assert [(s.key, s.columns) for s in stored.sections] == [
        (s.key, s.columns) for s in live.sections
    ]
    for section in stored.sections:
        assert {len(r.cells) for r in section.rows} <= {len(section.columns)}, section.key
    assert pdf.startswith(b"%PDF")
