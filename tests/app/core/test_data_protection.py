"""Personal data sealed at rest: no ID number or phone in the file, lookups by keyed hash,
the station key outside the database, recovery codes, and old databases sealed on upgrade."""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import select, text

from app import cli
from app.core import station_key
from app.core.clock import FixedClock
from app.core.crypto import (
    StationCipher,
    new_key,
    parse_recovery_code,
    recovery_groups,
    recovery_qr_text,
)
from app.core.database import Database, open_database
from app.core.dto import SessionUser
from app.core.errors import PermissionDenied, ValidationError
from app.core.identity import IdType
from app.core.passwords import PasswordHashing
from app.core.roles import Role
from app.core.station_key import StationKeyNeeded
from app.demo import build_demo
from app.services import Services, build_services
from app.station.key_service import KeyService
from app.visits.dto import NewVisit
from db.migrate import alembic_config, current_revision, head_revision, migrating
from db.models import Complaint, Signature, Visit

NOW = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)
HASHING = PasswordHashing(1, 1024, 1)
VALID_ID = "11010519491231002X"


@pytest.fixture
def key_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's own key folder (a computer of its own)."""
    folder = tmp_path / "keys"
    monkeypatch.setenv(station_key.KEY_DIR_ENV, str(folder))
    return folder


def demo_file(path: Path) -> list[tuple[str, str]]:
    """A demo station of a few days at ``path``; its citizens' ID numbers and phones."""
    db = open_database(path)
    try:
        build_demo(db.sessions, days=3, now=NOW, hashing=HASHING)
        with db.sessions() as session:
            rows = session.execute(select(Visit.id_number, Visit.phone)).all()
            complaints = session.scalars(select(Complaint.complainant_phone)).all()
        return [(str(n), str(p)) for n, p in rows] + [("", str(p)) for p in complaints]
    finally:
        db.dispose()


def file_bytes(path: Path) -> bytes:
    """The database file and whatever its write-ahead log still holds."""
    data = path.read_bytes()
    for extra in (Path(f"{path}-wal"), Path(f"{path}-journal")):
        if extra.exists():
            data += extra.read_bytes()
    return data


def test_strings_on_the_demo_file_finds_no_id_number_or_phone(
    tmp_path: Path, key_dir: Path
) -> None:
    path = tmp_path / "demo.sqlite3"
    people = demo_file(path)
    numbers = {n for n, _p in people if n}
    phones = {p for _n, p in people if p}
    assert len(numbers) > 20 and len(phones) > 20  # the demo has citizens to hide

    raw = file_bytes(path)
    found = [v for v in numbers | phones if v.encode() in raw]
    # Nor the part of a number that is not shown masked (birth date and sequence).
    middles = [n[6:14] + n[14:17] for n in numbers if len(n) == 18]
    found += [m for m in middles if m.encode() in raw]

    assert found == []


def test_the_stored_values_are_sealed_and_read_back_in_clear(tmp_path: Path, key_dir: Path) -> None:
    path = tmp_path / "demo.sqlite3"
    people = demo_file(path)
    con = sqlite3.connect(path)
    try:
        stored = con.execute(
            "SELECT id_number, phone, id_number_hash, phone_tail FROM visits"
            " WHERE id_number != '' AND phone != '' LIMIT 50"
        ).fetchall()
        signatures = con.execute("SELECT strokes_json, png FROM signatures").fetchall()
    finally:
        con.close()

    assert stored and all(n.startswith("sd1:") and p.startswith("sd1:") for n, p, _h, _t in stored)
    assert all(len(h) == 32 and len(t) == 4 and t.isdigit() for _n, _p, h, t in stored)
    assert signatures and all(
        s.startswith("sd1:") and bytes(p).startswith(b"sd1:") for s, p in signatures
    )
    assert any(n and len(n) == 18 for n, _p in people)  # read back in clear through the key


def test_a_sealed_column_cannot_be_compared_in_sql() -> None:
    with pytest.raises(TypeError, match="keyed hash"):
        select(Visit.id).where(Visit.id_number == VALID_ID)
    with pytest.raises(TypeError):
        select(Visit.id).where(Visit.phone.endswith("0011"))
    select(Visit.id).where(Visit.phone != "")  # "was a phone given" needs no key


# ---- the key: outside the database, recognised, recovered ----------------------------------


def test_the_key_is_kept_outside_the_database_owner_only(tmp_path: Path, key_dir: Path) -> None:
    path = tmp_path / "station.sqlite3"
    db = open_database(path)
    db.dispose()

    files = list(key_dir.glob("*.key"))
    assert len(files) == 1
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(key_dir.stat().st_mode) == 0o700
    key = station_key._decode(files[0].read_text())
    assert key is not None and key not in path.read_bytes()


def test_another_computer_without_the_key_asks_for_the_recovery_code(
    tmp_path: Path, key_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "station.sqlite3"
    people = demo_file(path)
    key_file = next(key_dir.glob("*.key"))
    key = station_key._decode(key_file.read_text())
    assert key is not None
    monkeypatch.setenv(station_key.KEY_DIR_ENV, str(tmp_path / "new-pc-keys"))

    with pytest.raises(StationKeyNeeded) as caught:
        open_database(path)
    assert "密钥恢复单" in caught.value.message

    db = open_database(path, migrate=False)  # read-only: opens, but cannot unseal
    try:
        other = StationCipher(new_key())
        with pytest.raises(ValidationError, match="不符"):
            station_key.import_recovery_code(db.engine, " ".join(recovery_groups(new_key())))
        del other
        station_key.import_recovery_code(db.engine, " ".join(recovery_groups(key)))
    finally:
        db.dispose()
    assert (tmp_path / "new-pc-keys" / key_file.name).exists()

    db = open_database(path)  # the key is kept on this computer from now on
    try:
        with db.sessions() as session:
            numbers = set(session.scalars(select(Visit.id_number)))
        assert {n for n, _p in people if n} <= numbers
    finally:
        db.dispose()


def test_a_key_file_holding_another_key_is_not_taken_for_the_station_key(
    tmp_path: Path, key_dir: Path
) -> None:
    path = tmp_path / "station.sqlite3"
    open_database(path).dispose()
    key_file = next(key_dir.glob("*.key"))
    key_file.write_text(station_key._encode(new_key()))

    with pytest.raises(StationKeyNeeded):
        open_database(path)


def test_a_recovery_code_round_trips_and_a_typo_names_its_group() -> None:
    key = new_key()
    groups = recovery_groups(key)
    assert len(groups) == 16 and all(len(g) == 6 and g.isdigit() for g in groups)

    assert parse_recovery_code(" ".join(groups)) == key
    assert parse_recovery_code("-".join(groups)) == key
    assert parse_recovery_code(recovery_qr_text(key)) == key
    wrong = groups.copy()
    wrong[6] = wrong[6][:2] + str((int(wrong[6][2]) + 1) % 10) + wrong[6][3:]
    with pytest.raises(ValidationError, match="第 7 组"):
        parse_recovery_code(" ".join(wrong))
    swapped = [groups[1], groups[0], *groups[2:]]
    with pytest.raises(ValidationError, match="第 1 组"):
        parse_recovery_code("".join(swapped))
    with pytest.raises(ValidationError, match="96 位"):
        parse_recovery_code(" ".join(groups[:-1]))


# ---- lookups through the keyed hashes ------------------------------------------------------


def test_exact_numbers_and_phone_endings_are_found_without_clear_text(
    services: Services, make_officer: Callable[[Role], SessionUser]
) -> None:
    officer = make_officer(Role.WINDOW)
    item = services.catalogue.list_items("SFZ-SL")[0]
    a = services.visits.register(
        officer, NewVisit("李四光", IdType.RESIDENT, VALID_ID, "13805710011", item.item_id)
    )

    hint = services.visits.find_citizen(officer, id_number=VALID_ID.lower())
    assert hint is not None and hint.visit_id == a.row.id
    hint = services.visits.find_citizen(officer, phone="138-0571-0011")
    assert hint is not None and hint.matched_by == "phone"
    match = services.visits.match_numbers
    assert match(officer, [a.row.id], "710011") == {a.row.id}
    assert match(officer, [a.row.id], "810011") == set()  # the same last four, another ending


# ---- a database from before encryption ------------------------------------------------------


def test_an_old_database_is_sealed_on_upgrade_after_a_backup(tmp_path: Path, key_dir: Path) -> None:
    path = tmp_path / "station.sqlite3"
    db = open_database(path)
    build_demo(db.sessions, days=2, now=NOW, hashing=HASHING)
    with db.sessions() as session:
        clear = session.execute(select(Visit.id, Visit.id_number, Visit.phone)).all()
        complaints = session.execute(select(Complaint.id, Complaint.complainant_phone)).all()
        signatures = session.execute(
            select(Signature.id, Signature.strokes_json, Signature.png)
        ).all()
    cfg = alembic_config()
    with migrating(db.engine) as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0010")
        # As release 0010 stored them: in clear.
        conn.execute(text("DROP TRIGGER signatures_frozen"))
        for visit_id, number, phone in clear:
            conn.execute(
                text("UPDATE visits SET id_number = :n, phone = :p WHERE id = :id"),
                {"n": number, "p": phone, "id": visit_id},
            )
        for complaint_id, phone in complaints:
            conn.execute(
                text("UPDATE complaints SET complainant_phone = :p WHERE id = :id"),
                {"p": phone, "id": complaint_id},
            )
        for signature_id, strokes, png in signatures:
            conn.execute(
                text("UPDATE signatures SET strokes_json = :s, png = :p WHERE id = :id"),
                {"s": strokes, "p": png, "id": signature_id},
            )
        conn.execute(
            text(
                "CREATE TRIGGER signatures_frozen BEFORE UPDATE ON signatures "
                "BEGIN SELECT RAISE(ABORT, 'signatures are frozen'); END"
            )
        )
    db.dispose()
    for key_file in key_dir.glob("*.key"):
        key_file.unlink()  # 0010 had no key
    some = next(n for _i, n, _p in clear if n)
    assert some.encode() in file_bytes(path)

    db = open_database(path)
    try:
        assert current_revision(db.engine) == head_revision()
        assert db.backup is not None
        with db.sessions() as session:
            assert session.execute(select(Visit.id, Visit.id_number, Visit.phone)).all() == clear
            assert (
                session.execute(select(Signature.id, Signature.strokes_json, Signature.png)).all()
                == signatures
            )
        officer = build_services(db.sessions, FixedClock(NOW), HASHING).auth.login(
            "031011", "Demo2026"
        )
        hint = build_services(db.sessions, FixedClock(NOW), HASHING).visits.find_citizen(
            officer, id_number=some
        )
        assert hint is not None
    finally:
        db.dispose()
    # Nothing of the clear values is left, not even in freed pages (secure_delete).
    assert some.encode() not in file_bytes(path)
    assert len(list(key_dir.glob("*.key"))) == 1
    assert os.path.exists(path)


# ---- the recovery sheet ----------------------------------------------------------------------


def test_only_the_chief_prints_the_recovery_sheet_and_each_print_is_counted(
    db: Database,
    clock: FixedClock,
    chief: SessionUser,
    make_officer: Callable[[Role], SessionUser],
    audit_log: Callable[[], list[dict[str, object]]],
    tmp_path: Path,
) -> None:
    keys = KeyService(db.sessions, clock)
    with pytest.raises(PermissionDenied, match="所长"):
        keys.recovery_sheet(make_officer(Role.ADMIN))

    first = keys.recovery_sheet(chief)
    keys.recovery_sheet(chief)

    assert first.startswith(b"%PDF")
    status = keys.status(chief)
    assert status.sheets_printed == 2
    printed = [e for e in audit_log() if e["action"] == "key_sheet_printed"]
    assert [e["after"] for e in printed] == [{"copy": 1}, {"copy": 2}]
    # What the sheet prints is the key: typed back, it unlocks the database.
    pdf = tmp_path / "sheet.pdf"
    pdf.write_bytes(first)
    words = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    key_part = words.split("恢复密钥（16 组", 1)[1].split("使用与保管说明", 1)[0]
    groups = re.findall(r"\b\d{6}\b", key_part)
    assert len(groups) == 16
    assert StationCipher(parse_recovery_code(" ".join(groups))).key_id == status.key_id
    assert status.key_id in words and "第 1 次打印" in words


# ---- a backup restored on a new computer; the key entered at a counter ----------------------


def backed_up_demo(tmp_path: Path) -> tuple[Path, Path, bytes]:
    """A demo database, its backup, and the key (then taken off this computer)."""
    path = tmp_path / "station.sqlite3"
    demo_file(path)
    folder = tmp_path / "usb"
    folder.mkdir()
    assert cli.main(["backup", "--to", str(folder), "--db", str(path), "--badge", "031001"]) == 0
    [backup] = list(folder.iterdir())
    key_dir = Path(os.environ[station_key.KEY_DIR_ENV])
    [key_file] = list(key_dir.glob("*.key"))
    key = station_key._decode(key_file.read_text())
    assert key is not None
    return path, backup, key


def test_a_backup_restored_on_a_new_computer_needs_the_recovery_code(
    tmp_path: Path,
    key_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("STATIONDESK_PASSWORD", "Demo2026")
    _path, backup, key = backed_up_demo(tmp_path)
    capsys.readouterr()
    monkeypatch.setenv(station_key.KEY_DIR_ENV, str(tmp_path / "new-pc"))
    target = tmp_path / "new-pc.sqlite3"
    restore = ["restore", str(backup), "--db", str(target), "--badge", "031001"]

    assert cli.main(restore) == 1
    assert "密钥恢复单" in capsys.readouterr().err
    assert cli.main([*restore, "--recovery-code", " ".join(recovery_groups(new_key()))]) == 1
    assert "不符" in capsys.readouterr().err
    assert not target.exists() and not (tmp_path / "new-pc").exists()

    assert cli.main([*restore, "--recovery-code", recovery_qr_text(key)]) == 0
    db = open_database(target)  # opens on this computer from now on
    db.dispose()


def test_a_second_counter_enters_the_key_once_by_the_command_line(
    tmp_path: Path,
    key_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("STATIONDESK_PASSWORD", "Demo2026")
    path = tmp_path / "station.sqlite3"
    demo_file(path)
    sheet = tmp_path / "恢复单.pdf"
    assert (
        cli.main(["key", "sheet", "--db", str(path), "--out", str(sheet), "--badge", "031011"]) == 1
    )
    assert "所长" in capsys.readouterr().err
    assert (
        cli.main(["key", "sheet", "--db", str(path), "--out", str(sheet), "--badge", "031001"]) == 0
    )
    assert sheet.read_bytes().startswith(b"%PDF")
    [key_file] = list(key_dir.glob("*.key"))
    key = station_key._decode(key_file.read_text())
    assert key is not None
    monkeypatch.setenv(station_key.KEY_DIR_ENV, str(tmp_path / "counter-2"))
    capsys.readouterr()

    code = cli.main(["key", "enter", "--db", str(path), "--recovery-code", "123456"])
    assert (code, capsys.readouterr().err.count("\n")) == (1, 1)
    code = cli.main(
        ["key", "enter", "--db", str(path), "--recovery-code", "-".join(recovery_groups(key))]
    )

    assert code == 0
    assert "本机已保存" in capsys.readouterr().out
    open_database(path).dispose()


# ---- files for the officer's eyes only -------------------------------------------------------


def test_what_the_program_creates_is_owner_only(tmp_path: Path, key_dir: Path) -> None:
    path = tmp_path / "demo.sqlite3"
    script = "import sys, main; sys.exit(main.main(['demo', '--db', sys.argv[1], '--days', '1']))"
    subprocess.run(
        [sys.executable, "-c", script, str(path)],
        check=True,
        capture_output=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        cwd=Path(__file__).resolve().parents[3],
    )

    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_an_older_world_readable_database_is_made_owner_only_on_opening(
    tmp_path: Path, key_dir: Path
) -> None:
    path = tmp_path / "old.sqlite3"
    open_database(path).dispose()
    os.chmod(path, 0o644)

    open_database(path).dispose()

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
