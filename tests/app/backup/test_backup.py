"""Backups and restores: checked copies, rotation, the due warning, and every kind of bad input.

Real SQLite files throughout; a full disk is a real write limit (RLIMIT_FSIZE in a child
process, or a tiny tmpfs where mounting is allowed), an unwritable folder a real permission
(or, for root, a read-only mount).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

import main as entry
from app import cli
from app.backup.restore import restore
from app.backup.service import BackupService
from app.core.clock import FixedClock
from app.core.database import Database, open_database
from app.core.dto import SessionUser
from app.core.errors import (
    AuthenticationError,
    DatabaseProblem,
    PermissionDenied,
    StationDeskError,
    ValidationError,
)
from app.core.passwords import PasswordHashing
from app.core.roles import Role
from app.demo import DEMO_PASSWORD, build_demo
from app.integrity.service import check_database
from app.officers.dto import NewOfficer
from app.services import Services, build_services
from app.station.dto import StationSettings
from db import pg_backup
from db.base import Base
from db.models import AuditEvent, BackupRecord
from tests.app.helpers import has_chinese
from tests.pg_server import PgServer, pg_server  # noqa: F401  (the fixture)

CHEAP = PasswordHashing(time_cost=1, memory_cost_kib=1024, parallelism=1)
NOW = dt.datetime(2025, 9, 26, 10, 0, tzinfo=dt.UTC)  # Friday 18:00 in Beijing
CHIEF, ADMIN, WINDOW = "031001", "031099", "031011"
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo station with three days of history, built once per module."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    db = open_database(path)
    try:
        build_demo(db.sessions, days=3, now=NOW, hashing=CHEAP)
    finally:
        db.dispose()
    return path


@dataclass
class Station:
    path: Path
    db: Database
    services: Services
    clock: FixedClock
    chief: SessionUser

    @property
    def backups(self) -> BackupService:
        return self.services.backup

    def records(self) -> list[BackupRecord]:
        with self.db.sessions() as session:
            return list(session.scalars(select(BackupRecord).order_by(BackupRecord.id)))

    def actions(self) -> list[str]:
        with self.db.sessions() as session:
            return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))

    def configure(self, **changes: Any) -> None:
        settings = dataclasses.replace(self.services.station.settings(), **changes)
        self.services.station.update_settings(self.chief, settings)


@pytest.fixture
def station(demo_file: Path, tmp_path: Path) -> Iterator[Station]:
    """A private copy of the demo station, open, its chief logged in."""
    path = tmp_path / "counter" / "stationdesk.sqlite3"
    path.parent.mkdir()
    shutil.copy2(demo_file, path)
    db = open_database(path)
    clock = FixedClock(NOW)
    services = build_services(db.sessions, clock, CHEAP)
    yield Station(path, db, services, clock, services.auth.login(CHIEF, DEMO_PASSWORD))
    db.dispose()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    made = tmp_path / "usb"
    made.mkdir()
    return made


def snapshot(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table of the models (and the revision), row for row in primary-key order."""
    con = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        tables = {"alembic_version": con.execute("SELECT * FROM alembic_version").fetchall()}
        for table in Base.metadata.sorted_tables:
            keys = ", ".join(f'"{c.name}"' for c in table.primary_key.columns)
            tables[table.name] = con.execute(
                f'SELECT * FROM "{table.name}" ORDER BY {keys}'
            ).fetchall()
        return tables
    finally:
        con.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def leftovers(folder: Path) -> list[str]:
    """Temporary or side files a failed operation must not leave."""
    return sorted(
        p.name for p in folder.iterdir() if p.name.startswith(".") or "-journal" in p.name
    )


def one_sentence(exc: pytest.ExceptionInfo[StationDeskError]) -> str:
    message = exc.value.message
    assert has_chinese(message) and "\n" not in message
    return message


# ---- writing backups ---------------------------------------------------------------------


def test_a_backup_is_a_checked_owner_only_copy_named_by_station_and_time(
    station: Station, folder: Path
) -> None:
    result = station.backups.backup(station.chief, folder)

    assert result.path == folder / "QNL-20250926-180000-manual.sqlite3"
    assert result.size_bytes == result.path.stat().st_size
    assert result.sha256 == digest(result.path)
    assert result.path.stat().st_mode & 0o777 == 0o600
    assert leftovers(folder) == []
    con = sqlite3.connect(result.path)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one file, no -wal
    con.close()
    [record] = station.records()
    assert (record.ok, record.reason, record.path) == (True, "manual", str(result.path))
    assert (record.size_bytes, record.sha256) == (result.size_bytes, result.sha256)
    assert record.officer_id == station.chief.officer_id
    assert station.actions()[-1] == "backup_written"
    assert station.backups.last_good_backup() is not None


def test_a_backup_killed_halfway_leaves_a_hidden_copy_the_next_backup_removes(
    station: Station, folder: Path
) -> None:
    killed = folder / ".QNL-20250925-180000-daily.sqlite3.k2j4.part"
    killed.write_bytes(b"half a database")
    os.utime(killed, (1_000_000, 1_000_000))  # long ago
    running = folder / ".QNL-20250926-175959-manual.sqlite3.x9q1.part"
    running.write_bytes(b"another counter's backup under way")
    other = folder / ".notes.txt.part"
    other.write_bytes(b"not ours")
    os.utime(other, (1_000_000, 1_000_000))

    station.backups.backup(station.chief, folder)

    assert not killed.exists()
    assert running.exists() and other.exists()  # too young to be a leftover; not ours


def test_two_backups_in_the_same_second_keep_both(station: Station, folder: Path) -> None:
    first = station.backups.backup(station.chief, folder)
    second = station.backups.backup(station.chief, folder)

    assert second.path.name == "QNL-20250926-180000-manual-2.sqlite3"
    assert first.path.exists() and second.path.exists()


def test_backup_then_restore_into_a_new_place_gives_every_table_row_for_row(
    station: Station, folder: Path, tmp_path: Path
) -> None:
    before = snapshot(station.path)
    assert sum(len(rows) for rows in before.values()) > 500  # three days of a real counter

    result = station.backups.backup(station.chief, folder)
    target = tmp_path / "new-pc" / "stationdesk.sqlite3"
    target.parent.mkdir()
    restored = restore(result.path, target, CHIEF, DEMO_PASSWORD, hashing=CHEAP)

    assert restored.replaced is None
    assert (restored.station_code, restored.officer_name) == ("QNL", "王建国")
    assert snapshot(target) == before
    assert target.stat().st_mode & 0o777 == 0o600
    assert leftovers(target.parent) == []


def test_only_the_chief_and_the_administrator_back_up(station: Station, folder: Path) -> None:
    window = station.services.auth.login(WINDOW, DEMO_PASSWORD)
    with pytest.raises(PermissionDenied):
        station.backups.backup(window, folder)
    with pytest.raises(PermissionDenied):
        station.backups.backup(None, folder, "manual")  # a manual backup has someone behind it
    admin = station.services.auth.login(ADMIN, DEMO_PASSWORD)

    assert station.backups.backup(admin, folder).path.exists()
    assert station.backups.backup(None, folder, "daily").reason == "daily"


def test_rotation_removes_the_oldest_automatic_backups_and_never_a_manual_one(
    station: Station, folder: Path
) -> None:
    station.configure(backup_folder=str(folder), backup_keep=3)
    other_station = folder / "XYZ-20200101-000000-daily.sqlite3"
    other_station.write_bytes(b"someone else's")
    manual = station.backups.backup(station.chief, folder).path
    written = []
    for reason in ("daily", "after_review", "daily", "after_review", "daily"):
        station.clock.advance(dt.timedelta(hours=6))
        written.append(station.backups.backup(None, None, reason))

    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [manual.name, other_station.name, *(r.path.name for r in written[-3:])]
    )
    assert [p.name for p in written[-1].removed] == [written[1].path.name]
    assert len(station.records()) == 6


def test_the_due_warning_speaks_when_the_last_good_backup_is_over_a_day_old(
    station: Station, folder: Path
) -> None:
    backups, chief = station.backups, station.chief
    assert "还没有一份成功的备份" in backups.backup_due_warning(chief)

    backups.backup(chief, folder)
    assert backups.backup_due_warning(chief) == ""
    assert backups.backup_due_warning(chief, NOW + dt.timedelta(hours=23)) == ""
    late = backups.backup_due_warning(chief, NOW + dt.timedelta(hours=25))
    assert "最近一次成功的备份在 2025-09-26 18:00，已超过一天" in late
    window = station.services.auth.login(WINDOW, DEMO_PASSWORD)
    assert backups.backup_due_warning(window, NOW + dt.timedelta(days=9)) == ""

    with pytest.raises(ValidationError):
        backups.backup(None, folder / "unplugged", "after_review")
    failed = backups.backup_due_warning(chief)
    assert "审核后自动备份失败" in failed and "unplugged" in failed


def test_the_daily_backup_runs_once_a_day_to_the_configured_folder(
    station: Station, folder: Path
) -> None:
    station.configure(backup_folder=str(folder))

    first = station.backups.daily_backup_if_due()
    again = station.backups.daily_backup_if_due()
    station.clock.advance(dt.timedelta(hours=7))  # 01:00 the next day in Beijing
    tomorrow = station.backups.daily_backup_if_due()

    assert first is not None and first.path.parent == folder and first.reason == "daily"
    assert again is None
    assert tomorrow is not None and tomorrow.path.name.startswith("QNL-20250927-010000-daily")
    assert station.records()[0].officer_id is None  # the system, not an officer


def test_without_a_configured_folder_backups_go_beside_the_database(station: Station) -> None:
    result = station.backups.backup(None, None, "after_review")

    assert result.path.parent == station.path.parent


# ---- a backup that cannot be written -------------------------------------------------------


def assert_failure_recorded(station: Station, note: str) -> None:
    [record] = station.records()
    assert not record.ok
    assert note in record.note
    assert (record.size_bytes, record.sha256) == (0, "")
    assert station.actions()[-1] == "backup_failed"


def test_a_folder_that_does_not_exist_is_refused_and_recorded(
    station: Station, folder: Path
) -> None:
    with pytest.raises(ValidationError) as exc:
        station.backups.backup(station.chief, folder / "E盘" / "台账备份")

    assert "备份文件夹不存在" in one_sentence(exc)
    assert_failure_recorded(station, "备份文件夹不存在")
    assert not (folder / "E盘").exists()  # never created: it may be an unplugged drive's mount


def test_a_file_in_the_folder_s_place_is_refused(station: Station, folder: Path) -> None:
    not_a_folder = folder / "notes.txt"
    not_a_folder.write_text("x")

    with pytest.raises(ValidationError) as exc:
        station.backups.backup(station.chief, not_a_folder)

    assert "备份文件夹不存在" in one_sentence(exc)
    assert_failure_recorded(station, str(not_a_folder))


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder nobody may write: by its mode, or for root (who ignores modes) by a mount."""
    made = tmp_path / "readonly"
    made.mkdir()
    if os.geteuid() != 0:
        made.chmod(0o500)
        yield made
        made.chmod(0o700)
        return
    with mounted(made, "ro,size=1m"):
        yield made


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 128 KB file system: smaller than the database."""
    made = tmp_path / "tiny"
    made.mkdir()
    with mounted(made, "size=128k"):
        yield made


@contextlib.contextmanager
def mounted(where: Path, options: str) -> Iterator[None]:
    """A tmpfs mounted at ``where`` for the test (root only; skipped where it is not allowed)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a test file system needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"mount is not permitted here: {done.stderr.decode().strip()}")
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def test_a_folder_that_cannot_be_written_is_refused_and_recorded(
    station: Station, read_only_folder: Path
) -> None:
    with pytest.raises(ValidationError) as exc:
        station.backups.backup(station.chief, read_only_folder)

    assert "没有权限写入备份文件夹" in one_sentence(exc)
    assert_failure_recorded(station, "没有权限")
    assert list(read_only_folder.iterdir()) == []


def test_a_disk_too_small_for_the_copy_is_refused_before_writing(
    station: Station, tiny_disk: Path
) -> None:
    with pytest.raises(ValidationError) as exc:
        station.backups.backup(station.chief, tiny_disk)

    assert "磁盘空间不足" in one_sentence(exc)
    assert_failure_recorded(station, "磁盘空间不足")
    assert list(tiny_disk.iterdir()) == []


FULL_DISK_RUN = """
import json, resource, signal, sys
from pathlib import Path
from app.core.clock import FixedClock
from app.core.database import open_database
from app.core.errors import StationDeskError
from app.core.passwords import PasswordHashing
from app.services import build_services
import datetime as dt
db = open_database(sys.argv[1])
services = build_services(db.sessions, FixedClock(dt.datetime(2025, 9, 26, 10, tzinfo=dt.UTC)),
                          PasswordHashing(1, 1024, 1))
chief = services.auth.login("031001", "Demo2026")
# The disk fills up when the copy is a third written: writes past 200 KB fail from here on.
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, resource.RLIM_INFINITY))
try:
    services.backup.backup(chief, Path(sys.argv[2]))
    print(json.dumps({"ok": True}))
except StationDeskError as exc:
    print(json.dumps({"error": type(exc).__name__, "message": exc.message}))
sys.stdout.flush()
import os
os._exit(0)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_a_disk_that_fills_up_during_the_copy_leaves_no_file_and_is_recorded(
    station: Station, folder: Path
) -> None:
    assert station.path.stat().st_size > 3 * 200_000
    station.db.dispose()  # the child process has the database to itself

    child = subprocess.run(
        [sys.executable, "-c", FULL_DISK_RUN, str(station.path), str(folder)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert child.returncode == 0, child.stderr
    outcome = json.loads(child.stdout.strip().splitlines()[-1])
    assert outcome["error"] == "ValidationError"
    assert "备份未完成" in outcome["message"] and has_chinese(outcome["message"])
    assert list(folder.iterdir()) == []  # no half-written copy, no temporary file
    [record] = station.records()
    assert not record.ok and "备份未完成" in record.note


# ---- restoring -----------------------------------------------------------------------------


@pytest.fixture
def good_backup(station: Station, folder: Path) -> Path:
    return station.backups.backup(station.chief, folder).path


def untouched(path: Path) -> tuple[str, list[str]]:
    """What must not change when a restore is refused: the file and its folder's names."""
    return digest(path), sorted(p.name for p in path.parent.iterdir())


def test_a_restore_over_a_database_keeps_the_replaced_one_aside(
    station: Station, good_backup: Path
) -> None:
    station.services.auth.login(CHIEF, DEMO_PASSWORD)  # a change after the backup (audited)
    station.db.dispose()
    replaced_rows = snapshot(station.path)

    result = restore(good_backup, station.path, CHIEF, DEMO_PASSWORD, hashing=CHEAP)

    assert result.replaced is not None
    aside = Path(result.replaced)
    assert aside.name.startswith("stationdesk.sqlite3.replaced-")
    assert snapshot(aside) == replaced_rows  # the old database, whole, in one file
    assert not aside.with_name(aside.name + "-wal").exists()
    replaced_sha = digest(aside)
    assert leftovers(station.path.parent) == []
    db = open_database(station.path)
    try:
        assert check_database(db).ok
        with db.sessions() as session:
            record = session.scalars(select(BackupRecord).order_by(BackupRecord.id.desc())).first()
            assert record is not None
            assert (record.reason, record.path, record.sha256) == (
                "before_restore",
                str(aside),
                replaced_sha,
            )
            last = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
            assert last is not None and last.action == "database_restored"
    finally:
        db.dispose()


def test_a_restore_over_a_broken_database_works_and_keeps_the_broken_one(
    station: Station, good_backup: Path
) -> None:
    station.db.dispose()
    data = bytearray(station.path.read_bytes())
    data[4096 * 3 : 4096 * 6] = b"\xff" * (4096 * 3)  # pages overwritten, header intact
    station.path.write_bytes(bytes(data))

    result = restore(good_backup, station.path, CHIEF, DEMO_PASSWORD, hashing=CHEAP)

    assert result.replaced is not None
    kept = Path(result.replaced).read_bytes()
    # Whole; only its 100-byte header says it now stands alone (a rollback journal).
    assert kept[100:] == bytes(data[100:])
    assert sqlite3.connect(station.path).execute("PRAGMA integrity_check").fetchone() == ("ok",)


def refused_restore(
    backup: Path,
    target: Path,
    error: type[StationDeskError] = DatabaseProblem,
    badge: str = CHIEF,
    password: str = DEMO_PASSWORD,
) -> str:
    """Restore ``backup`` over ``target`` expecting a refusal that changes nothing."""
    before = untouched(target) if target.exists() else None
    with pytest.raises(error) as exc:
        restore(backup, target, badge, password, hashing=CHEAP)
    message = one_sentence(exc)  # type: ignore[arg-type]
    assert "未作任何改动" in message or "未作恢复" in message
    if before is not None:
        assert untouched(target) == before
    assert leftovers(target.parent) == []
    return message


def test_a_truncated_backup_is_refused(station: Station, good_backup: Path, tmp_path: Path) -> None:
    station.db.dispose()
    cut = tmp_path / "cut.sqlite3"
    data = good_backup.read_bytes()
    cut.write_bytes(data[: len(data) // 2])

    message = refused_restore(cut, station.path)

    assert "已损坏或不完整" in message


def test_a_file_that_is_not_a_database_is_refused(station: Station, tmp_path: Path) -> None:
    station.db.dispose()
    text = tmp_path / "台账.sqlite3"
    text.write_text("这不是数据库\n" * 200, encoding="utf-8")

    assert "不是 StationDesk 备份" in refused_restore(text, station.path)


def test_a_backup_of_another_station_is_refused_naming_both(
    services: Services, chief: SessionUser, db_path: Path, db: Database, good_backup: Path
) -> None:
    db.dispose()  # the other station (和平路派出所, HPL) at the conftest's db_path

    message = refused_restore(good_backup, db_path, ValidationError)

    assert "示例市公安局城南分局青年路派出所" in message and "QNL" in message
    assert "测试市公安局测试分局和平路派出所" in message and "HPL" in message


def test_a_backup_from_a_newer_program_is_refused(
    station: Station, good_backup: Path, tmp_path: Path
) -> None:
    station.db.dispose()
    newer = tmp_path / "newer.sqlite3"
    shutil.copy2(good_backup, newer)
    con = sqlite3.connect(newer)
    con.execute("UPDATE alembic_version SET version_num = '0099_from_the_future'")
    con.commit()
    con.close()

    message = refused_restore(newer, station.path)

    assert "更新版本的 StationDesk" in message and "0099_from_the_future" in message


def test_a_wrong_password_or_a_window_officer_cannot_restore(
    station: Station, good_backup: Path
) -> None:
    station.db.dispose()

    wrong = refused_restore(good_backup, station.path, AuthenticationError, password="Wrong2026")
    window = refused_restore(good_backup, station.path, PermissionDenied, badge=WINDOW)

    assert "备份中所长或系统管理员" in wrong
    assert "窗口民警无权恢复数据库" in window


def test_a_database_still_open_is_not_replaced(station: Station, good_backup: Path) -> None:
    station.services.station.settings()  # the counter's connection is open

    message = refused_restore(good_backup, station.path)

    assert "数据库正被使用" in message


def test_a_file_that_is_not_a_database_is_not_replaced_by_a_restore(
    good_backup: Path, tmp_path: Path
) -> None:
    letter = tmp_path / "letter.txt"
    letter.write_text("重要的信", encoding="utf-8")

    message = refused_restore(good_backup, letter, ValidationError)

    assert "不是 SQLite 数据库" in message


def test_a_new_station_s_empty_database_may_be_replaced(good_backup: Path, tmp_path: Path) -> None:
    empty = tmp_path / "fresh.sqlite3"
    open_database(empty).dispose()  # migrated, never set up

    result = restore(good_backup, empty, ADMIN, DEMO_PASSWORD, hashing=CHEAP)

    assert result.station_code == "QNL" and result.replaced is not None


def test_an_uninitialised_backup_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.sqlite3"
    open_database(empty).dispose()

    message = refused_restore(empty, tmp_path / "target.sqlite3")

    assert "没有单位信息" in message


# ---- the command line ----------------------------------------------------------------------


@pytest.fixture
def password_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cli.LOGIN_PASSWORD_ENV, DEMO_PASSWORD)


def one_line(text: str) -> str:
    lines = text.splitlines()
    assert len(lines) == 1 and has_chinese(lines[0]) and "Traceback" not in text, text
    return lines[0]


def test_the_command_line_backs_up_and_restores(
    station: Station,
    folder: Path,
    tmp_path: Path,
    password_env: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Through main.py's dispatch, as the stationdesk script runs it.
    code = entry.main(["backup", "--to", str(folder), "--db", str(station.path), "--badge", CHIEF])

    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    [written] = list(folder.iterdir())
    assert one_line(out).startswith(f"已备份并核对：{written}（")
    target = tmp_path / "restored.sqlite3"

    code = cli.main(["restore", str(written), "--db", str(target), "--badge", ADMIN])

    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert one_line(out) == (
        f"已恢复：{target}（示例市公安局城南分局青年路派出所，来自 {written}，由周强恢复）；"
        "原处没有数据库。"
    )
    assert snapshot(target) == snapshot(written)


def test_the_command_line_says_one_chinese_line_when_a_backup_fails(
    station: Station, folder: Path, password_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = folder / "没插好的U盘"

    code = cli.main(["backup", "--to", str(missing), "--db", str(station.path), "--badge", CHIEF])

    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert one_line(err).startswith(f"stationdesk：备份文件夹不存在：{missing}")
    assert not station.records()[-1].ok


def test_the_command_line_refuses_a_bad_restore_in_one_line(
    station: Station,
    good_backup: Path,
    tmp_path: Path,
    password_env: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    station.db.dispose()
    cut = tmp_path / "cut.sqlite3"
    cut.write_bytes(good_backup.read_bytes()[:50_000])
    before = untouched(station.path)

    code = cli.main(["restore", str(cut), "--db", str(station.path), "--badge", CHIEF])
    no_badge = cli.main(["restore", str(good_backup), "--db", str(station.path)])

    out, err = capsys.readouterr()
    assert (code, no_badge, out) == (1, 2, "")
    first, second = err.splitlines()
    assert "备份文件已损坏或不完整" in one_line(first) and "未作任何改动" in first
    assert "--badge" in one_line(second)
    assert untouched(station.path) == before


# ---- PostgreSQL: pg_dump and pg_restore against a real server ------------------------------


def pg_rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every table of the models (and the revision), row for row in primary-key order."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            tables = {"alembic_version": list(conn.execute(text("SELECT * FROM alembic_version")))}
            for table in Base.metadata.sorted_tables:
                keys = ", ".join(f'"{c.name}"' for c in table.primary_key.columns)
                query = text(f'SELECT * FROM "{table.name}" ORDER BY {keys}')
                tables[table.name] = [tuple(r) for r in conn.execute(query)]
        return tables
    finally:
        engine.dispose()


def test_the_server_password_reaches_the_tools_only_in_the_environment() -> None:
    url = make_url("postgresql+psycopg://desk:s3cret-pw@db.station.local:5433/ledger")

    args, env = pg_backup._connection(url)

    assert "s3cret-pw" not in " ".join(args)
    assert env["PGPASSWORD"] == "s3cret-pw"
    assert args[:1] == ["--no-password"] and args[3:5] == ["--port", "5433"]


def test_postgres_backup_restores_row_for_row_and_keeps_the_replaced_database(
    pg_server: PgServer,  # noqa: F811  (the fixture)
    folder: Path,
) -> None:
    url = pg_server.new_database("station")
    db = open_database(url)
    try:
        build_demo(db.sessions, days=2, now=NOW, hashing=CHEAP)
        services = build_services(db.sessions, FixedClock(NOW), CHEAP)
        chief = services.auth.login(CHIEF, DEMO_PASSWORD)
        before = pg_rows(url)

        result = services.backup.backup(chief, folder)

        assert result.path == folder / "QNL-20250926-180000-manual.dump"
        assert result.path.stat().st_mode & 0o777 == 0o600
        assert services.backup.last_good_backup() is not None
        services.auth.login(CHIEF, DEMO_PASSWORD)  # a change after the backup
    finally:
        db.dispose()
    fresh = pg_server.new_database("fresh")

    into_fresh = restore(result.path, fresh, CHIEF, DEMO_PASSWORD, hashing=CHEAP)
    over_itself = restore(result.path, url, ADMIN, DEMO_PASSWORD, hashing=CHEAP)

    assert into_fresh.replaced is None
    assert pg_rows(fresh) == before
    assert over_itself.replaced is not None
    aside = Path(over_itself.replaced)
    assert aside.parent == folder and aside.suffix == ".dump" and ".replaced-" in aside.name
    restored = pg_rows(url)
    record = restored["backup_records"][-1]
    assert (record[2], record[4]) == ("before_restore", str(aside))  # reason, path
    assert restored["audit_events"][: len(before["audit_events"])] == before["audit_events"]
    assert len(restored["audit_events"]) == len(before["audit_events"]) + 1  # the restore
    # The restore's own event seals its backup record.
    assert restored["audit_seals"][: len(before["audit_seals"])] == before["audit_seals"]
    unchanged = set(before) - {"audit_events", "audit_seals", "audit_head", "backup_records"}
    assert {t: restored[t] for t in unchanged} == {t: before[t] for t in unchanged}


def test_postgres_refuses_another_station_s_dump_and_a_damaged_one(
    pg_server: PgServer,  # noqa: F811  (the fixture)
    station: Station,
    folder: Path,
    tmp_path: Path,
) -> None:
    url = pg_server.new_database("qnl")
    db = open_database(url)
    try:
        build_demo(db.sessions, days=1, now=NOW, hashing=CHEAP)
        services = build_services(db.sessions, FixedClock(NOW), CHEAP)
        dump = services.backup.backup(services.auth.login(CHIEF, DEMO_PASSWORD), folder).path
    finally:
        db.dispose()
    other = pg_server.new_database("hpl")
    db = open_database(other)
    try:
        build_services(db.sessions, FixedClock(NOW), CHEAP).station.initialize(
            StationSettings(name="测试市公安局测试分局和平路派出所", code="HPL"),
            NewOfficer("100001", "王所长", Role.CHIEF, DEMO_PASSWORD),
        )
    finally:
        db.dispose()
    before = pg_rows(other)
    cut = tmp_path / "cut.dump"
    cut.write_bytes(dump.read_bytes()[: dump.stat().st_size // 2])

    with pytest.raises(ValidationError) as foreign:
        restore(dump, other, CHIEF, DEMO_PASSWORD, hashing=CHEAP)
    with pytest.raises(DatabaseProblem) as damaged:
        restore(cut, url, CHIEF, DEMO_PASSWORD, hashing=CHEAP)
    with pytest.raises(ValidationError) as sqlite_into_server:
        restore(station.backups.backup(station.chief, folder).path, url, CHIEF, DEMO_PASSWORD)

    assert "和平路派出所" in one_sentence(foreign) and "QNL" in foreign.value.message
    assert "已损坏或不完整" in one_sentence(damaged)
    assert "只能恢复为 SQLite 数据库文件" in one_sentence(sqlite_into_server)
    assert pg_rows(other) == before
    assert sorted(p.suffix for p in folder.iterdir()) == [".dump", ".sqlite3"]
