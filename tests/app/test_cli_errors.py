"""Every bad command line ends in one Chinese line and a non-zero exit code (issue 18, item 3).

The table runs each command against each kind of bad database (damaged, truncated, not a
database, empty, a folder, missing, in a missing folder, a PostgreSQL server that is down),
plus bad arguments, bad output places and bad logins, through the real entry point
(``main.main``): in this process with the root logger as a fresh process has it (so a log
record that would reach the terminal reaches it here too), and a few end to end in a
subprocess (``screenshots`` always: it starts Qt). The terminal gets exactly one Chinese line
and no English; details go to the log file only; a file that is not sound is left byte for
byte as it was.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import random
import re
import shutil
import sqlite3
import struct
import subprocess
import sys
import types
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import main as entry
from app import cli
from app.core import database
from app.core.errors import DatabaseProblem
from app.core.roles import Role
from app.demo import DEMO_OFFICERS, DEMO_PASSWORD
from tests.app.helpers import has_chinese

ROOT = Path(__file__).resolve().parents[2]
CHIEF = next(badge for badge, _n, role, _p in DEMO_OFFICERS if role is Role.CHIEF)
AUXILIARY = next(badge for badge, _n, role, _p in DEMO_OFFICERS if role is Role.AUXILIARY)
SERIAL = "QNL-2026-000001"  # any serial: the good database is not reached in these cases

# Databases that no command but ``check`` may use (``check`` reports on them, read-only).
BAD_DATABASES = (
    "damaged",
    "corrupt",
    "scrambled",
    "truncated",
    "text",
    "empty",
    "folder",
    "missing",
    "no_parent",
    "pg",
)
# Files whose bytes no command may change.
KEPT_AS_THEY_ARE = ("damaged", "corrupt", "scrambled", "truncated", "text", "empty")

LOGIN = f"--badge {CHIEF}"
PER_DATABASE = {
    "check": "check --db {db}",
    "print_receipt": f"print receipt {SERIAL} --db {{db}} --out {{tmp}}/r.pdf {LOGIN}",
    "print_ledger": f"print ledger 2026-01-05 --db {{db}} --out {{tmp}}/l.pdf {LOGIN}",
    "print_monthly": f"print monthly 2026-01 --db {{db}} --out {{tmp}}/m.pdf {LOGIN}",
    "export": f"export statistics --from 2026-01-01 --db {{db}} --out {{tmp}}/s.xlsx {LOGIN}",
    "backup": f"backup --to {{tmp}} --db {{db}} {LOGIN}",
    "key_sheet": f"key sheet --db {{db}} --out {{tmp}}/k.pdf {LOGIN}",
    "key_enter": "key enter --db {db} --recovery-code 1234",
    "purge": f"purge --db {{db}} --dry-run {LOGIN}",
    "restore_from": f"restore {{db}} --db {{tmp}}/restored.sqlite3 {LOGIN}",
    "init": "init --db {db} --station 测试派出所 --admin-badge A001 --admin-name 周强",
    "demo": "demo --db {db} --days 1",
    "screenshots": "screenshots --db {db} --out {tmp}/shots",
}
# init and demo may create a station in a missing or empty file: that is their job.
CREATES = {"init": ("missing", "empty"), "demo": ("missing", "empty")}
# screenshots starts Qt: always in a subprocess, so on fewer kinds of file (each costs 2-3 s;
# the others meet the same checks as every command's).
SCREENSHOTS_ON = ("damaged", "scrambled", "text", "empty", "pg")
# Also in a subprocess: the classics of the issue, as the stationdesk script runs them.
END_TO_END = {
    ("check", "corrupt"),
    ("check", "damaged"),
    ("check", "empty"),
    ("check", "pg"),
    ("print_receipt", "damaged"),
    ("print_receipt", "corrupt"),
    ("export", "corrupt"),
}

# Bad arguments, output places and logins, with the good database where one is needed.
OTHER_CASES = {
    # argparse
    "no_such_command": "bogus",
    "no_such_option": "--bogus",
    "ambiguous_option": "--d {good}",
    "flag_with_a_value": "--demo=1",
    "check_without_db": "check",
    "check_db_without_value": "check --db",
    "check_extra_argument": "check --db {good} --bogus",
    "print_without_kind": "print",
    "print_unknown_kind": f"print bogus 1 --db {{good}} --out {{tmp}}/o.pdf {LOGIN}",
    "print_without_out": f"print receipt {SERIAL} --db {{good}} {LOGIN}",
    "print_register_bad_date": (
        f"print register --from 2026-13-01 --db {{good}} --out {{tmp}}/o.pdf {LOGIN}"
    ),
    "demo_days_not_a_number": "demo --db {tmp}/new.sqlite3 --days abc",
    "demo_days_zero": "demo --db {tmp}/new.sqlite3 --days 0",
    "export_unknown_kind": "export bogus --from 2026-01-01 --db {good} --out {tmp}/o.xlsx",
    "export_without_from": f"export statistics --db {{good}} --out {{tmp}}/o.xlsx {LOGIN}",
    "export_period_reversed": (
        f"export statistics --from 2026-02-01 --to 2026-01-01 --db {{good}} "
        f"--out {{tmp}}/o.xlsx {LOGIN}"
    ),
    "key_without_action": "key --db {good}",
    "key_unknown_action": "key open --db {good}",
    "key_sheet_without_out": f"key sheet --db {{good}} {LOGIN}",
    "screenshots_bad_font_size": "screenshots --db {good} --out {tmp}/shots --font-size huge",
    "init_without_station": "init --db {tmp}/new.sqlite3",
    "init_bad_code": (
        "init --db {tmp}/new.sqlite3 --station 测试派出所 --code ! --admin-badge A001 "
        "--admin-name 周强"
    ),
    "init_on_a_station": (
        "init --db {good} --station 测试派出所 --admin-badge A001 --admin-name 周强"
    ),
    "demo_on_a_station": "demo --db {good} --days 1",
    "restore_without_file": f"restore {LOGIN}",
    "bad_url": "check --db bogus://nowhere",
    "unknown_driver": "check --db mysql+nosuchdriver://u:p@127.0.0.1/x",
    # what the officer asks for
    "print_without_number": f"print receipt --db {{good}} --out {{tmp}}/o.pdf {LOGIN}",
    "print_unknown_serial": (
        f"print receipt QNL-2026-999999 --db {{good}} --out {{tmp}}/o.pdf {LOGIN}"
    ),
    "print_ledger_bad_day": f"print ledger 2026-02-30 --db {{good}} --out {{tmp}}/o.pdf {LOGIN}",
    "print_monthly_bad_month": f"print monthly 2026-13 --db {{good}} --out {{tmp}}/o.pdf {LOGIN}",
    "print_register_with_number": (
        f"print register 1 --from 2026-01-01 --db {{good}} --out {{tmp}}/o.pdf {LOGIN}"
    ),
    # output places
    "print_out_not_pdf": f"print receipt {SERIAL} --db {{good}} --out {{tmp}}/o.txt {LOGIN}",
    "print_out_no_folder": f"print receipt {SERIAL} --db {{good}} --out {{tmp}}/nope/o.pdf {LOGIN}",
    "print_out_denied": f"print ledger 2026-01-05 --db {{good}} --out /proc/o.pdf {LOGIN}",
    "export_out_no_folder": (
        f"export statistics --from 2026-01-01 --db {{good}} --out {{tmp}}/nope/o.xlsx {LOGIN}"
    ),
    "export_out_not_xlsx": (
        f"export statistics --from 2026-01-01 --db {{good}} --out {{tmp}}/o.csv {LOGIN}"
    ),
    "export_out_denied": (
        f"export statistics --from 2026-01-01 --db {{good}} --out /proc/o.xlsx {LOGIN}"
    ),
    "export_out_is_a_folder": (
        f"export statistics --from 2026-01-01 --db {{good}} --out {{folder}} {LOGIN}"
    ),
    "backup_to_missing_folder": f"backup --to {{tmp}}/nope --db {{good}} {LOGIN}",
    "backup_to_a_file": f"backup --to {{text}} --db {{good}} {LOGIN}",
    "backup_to_denied": f"backup --to /proc --db {{good}} {LOGIN}",
    "key_sheet_out_denied": f"key sheet --db {{good}} --out /proc/k.pdf {LOGIN}",
    "restore_into_no_parent": f"restore {{good}} --db {{no_parent}} {LOGIN}",
    "restore_sqlite_into_server": f"restore {{good}} --db {{pg}} {LOGIN}",
    # logins
    "unknown_badge": "print ledger 2026-01-05 --db {good} --out {tmp}/o.pdf --badge 999999",
    "without_badge": "purge --db {good} --dry-run",
    "auxiliary_prints_the_ledger": (
        f"print ledger 2026-01-05 --db {{good}} --out {{tmp}}/o.pdf --badge {AUXILIARY}"
    ),
    "auxiliary_backs_up": f"backup --to {{tmp}} --db {{good}} --badge {AUXILIARY}",
}
WRONG_PASSWORD = {"wrong_password": f"purge --db {{good}} --dry-run {LOGIN}"}
NO_PASSWORD = {
    "no_password_no_terminal": f"purge --db {{good}} --dry-run {LOGIN}",
    "init_no_password_no_terminal": (
        "init --db {tmp}/new.sqlite3 --station 测试派出所 --admin-badge A001 --admin-name 周强"
    ),
}
OTHER_END_TO_END = {"no_such_command", "print_out_denied", "bad_url", "screenshots_bad_font_size"}


@dataclass(frozen=True)
class Case:
    """One bad command line."""

    name: str
    template: str
    end_to_end: bool = False
    env: tuple[tuple[str, str], ...] = ()


def all_cases() -> list[Case]:
    """The whole table: each command on each bad database, then the other cases."""
    cases = [
        Case(
            f"{command}-{kind}",
            template.replace("{db}", "{" + kind + "}"),
            (command, kind) in END_TO_END or command == "screenshots",
        )
        for command, template in PER_DATABASE.items()
        for kind in BAD_DATABASES
        if kind not in CREATES.get(command, ())
        and (command != "screenshots" or kind in SCREENSHOTS_ON)
    ]
    cases += [Case(n, t, n in OTHER_END_TO_END) for n, t in OTHER_CASES.items()]
    wrong = ((cli.LOGIN_PASSWORD_ENV, "Wrong-2026"),)
    cases += [Case(n, t, env=wrong) for n, t in WRONG_PASSWORD.items()]
    cases += [
        Case(n, t, env=((cli.LOGIN_PASSWORD_ENV, ""), (cli.PASSWORD_ENV, "")))
        for n, t in NO_PASSWORD.items()
    ]
    return cases


CASES = all_cases()


def make_files(folder: Path, demo: Path) -> dict[str, str]:
    """The files of one case in ``folder``; the placeholders of the templates."""
    folder.mkdir(parents=True, exist_ok=True)
    good = folder / "good.sqlite3"
    shutil.copyfile(demo, good)
    size = good.stat().st_size
    corrupt = folder / "corrupt.sqlite3"
    shutil.copyfile(demo, corrupt)
    overwrite_page(corrupt, "visits", leftmost=False)
    scrambled = folder / "scrambled.sqlite3"
    shutil.copyfile(demo, scrambled)
    with scrambled.open("r+b") as fh:  # pages in the middle overwritten: the header is fine
        fh.seek((size // 2) & ~4095)
        fh.write(random.Random(1).randbytes(32768))
    truncated = folder / "truncated.sqlite3"
    shutil.copyfile(demo, truncated)
    with truncated.open("r+b") as fh:
        fh.truncate(size // 2)
    damaged = folder / "damaged.sqlite3"
    shutil.copyfile(demo, damaged)
    overwrite_page(damaged, "audit_events", leftmost=True)
    text = folder / "notes.txt"
    text.write_text("这不是数据库\nnot a database\n", encoding="utf-8")
    empty = folder / "empty.sqlite3"
    empty.touch()
    (folder / "folder.xlsx").mkdir()
    return {
        "tmp": str(folder),
        "good": str(good),
        "damaged": str(damaged),
        "corrupt": str(corrupt),
        "scrambled": str(scrambled),
        "truncated": str(truncated),
        "text": str(text),
        "empty": str(empty),
        "folder": str(folder / "folder.xlsx"),
        "missing": str(folder / "missing.sqlite3"),
        "no_parent": str(folder / "nope" / "station.sqlite3"),
        "pg": "postgresql+psycopg://u:p@127.0.0.1:1/x",
    }


def overwrite_page(path: Path, table: str, *, leftmost: bool) -> None:
    """Overwrite the root page of ``table``, or the first leaf (``leftmost``).

    Every command reads the root pages at the start. The first leaf of the audit events is
    read by no print or export: the file opens and every command works (before issue 18,
    ``print`` appended to it and exited 0); only SQLite's ``quick_check`` sees the damage.
    """
    con = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        page_size = con.execute("PRAGMA page_size").fetchone()[0]
        (root,) = con.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)
        ).fetchone()
    finally:
        con.close()
    with path.open("r+b") as fh:
        page = root
        while leftmost:
            fh.seek((page - 1) * page_size)
            if fh.read(12)[0] != 5:  # 5: an interior page of a table's b-tree
                break
            (cell,) = struct.unpack(">H", fh.read(2))  # the first cell's offset
            fh.seek((page - 1) * page_size + cell)
            (page,) = struct.unpack(">I", fh.read(4))  # its left child
        assert page != root or not leftmost, f"{table} fits in one page"
        fh.seek((page - 1) * page_size)
        fh.write(b"\xff" * 64)


def command_line(template: str, places: dict[str, str]) -> list[str]:
    """The arguments of ``template`` (split before the paths go in)."""
    return [word.format(**places) for word in template.split()]


# ASCII words that may stand in a Chinese message: command names, options, names of things.
# fmt: off
ALLOWED_WORDS = {
    "stationdesk", "StationDesk", "init", "demo", "check", "print", "export", "backup",
    "restore", "key", "sheet", "enter", "purge", "screenshots", "receipt", "guidance",
    "refusal", "notice", "rectification", "register", "ledger", "monthly", "statistics",
    "chief", "admin", "help", "SQLite", "PostgreSQL", "SQLAlchemy", "YYYY", "MM", "DD",
    "pdf", "PDF", "xlsx", "Excel", "sqlite", "sqlite3", "dump", "pip", "install", "postgres",
    "SHA", "QNL",
}
# fmt: on
OPTION_OR_NAME = re.compile(r"(\S*/\S*|--[a-z-]+|\bSTATIONDESK_[A-Z_]+|'[^']*')")


def english_words(line: str, argv: list[str]) -> list[str]:
    """The ASCII words of ``line`` other than what the user typed, paths, options and names."""
    for word in sorted(argv, key=len, reverse=True):
        line = re.sub(rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])", " ", line)
    line = OPTION_OR_NAME.sub(" ", line)
    return [w for w in re.findall(r"[A-Za-z]{2,}", line) if w not in ALLOWED_WORDS]


def problems(code: object, output: str, argv: list[str]) -> list[str]:
    """What is wrong with the terminal output of a bad command (nothing, when all is well).

    One Chinese line; ``check``'s report (a damaged file read and reported on) may have more,
    each of them Chinese.
    """
    found = []
    lines = output.splitlines()
    if code in (0, None):
        found.append(f"exit code {code}")
    if "Traceback" in output:
        found.append("traceback")
    report = bool(lines) and lines[0].startswith("检查数据库：")
    if len(lines) != 1 and not report:
        found.append(f"{len(lines)} lines")
    if not lines or not all(has_chinese(line) for line in lines):
        found.append("a line without Chinese")
    english = english_words(output, argv)
    if english:
        found.append(f"English {english[:6]}")
    return found


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo station (two days of history) that each case copies."""
    path = tmp_path_factory.mktemp("errors-demo") / "demo.sqlite3"
    with contextlib.redirect_stdout(io.StringIO()):
        assert cli.main(["demo", "--db", str(path), "--days", "2"]) == 0
    return path


@pytest.fixture(autouse=True)
def _collect_on_the_main_thread() -> Iterator[None]:
    """Not after each case (tests/conftest.py's collection took 0.3 s of each of 180 cases):
    nothing here makes a Qt object, and the next module's tests collect what is left."""
    yield


@contextlib.contextmanager
def fresh_process_logging() -> Iterator[None]:
    """The root logger and the warnings as a new process has them, restored afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    showwarning = warnings.showwarning
    root.handlers = []
    root.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for handler in root.handlers:
            handler.close()
        root.handlers = handlers
        root.setLevel(level)
        logging.captureWarnings(False)
        warnings.showwarning = showwarning


def environment(tmp: Path, case: Case) -> dict[str, str]:
    env = {
        cli.LOGIN_PASSWORD_ENV: DEMO_PASSWORD,
        cli.PASSWORD_ENV: DEMO_PASSWORD,
        # The log file, Qt settings and user data of the run stay in the case's folder.
        "XDG_STATE_HOME": str(tmp / "state"),
        "XDG_CONFIG_HOME": str(tmp / "config"),
        "XDG_DATA_HOME": str(tmp / "data"),
        "XDG_CACHE_HOME": str(tmp / "cache"),
    }
    env.update(case.env)
    return env


def run_case(
    case: Case,
    argv: list[str],
    env: dict[str, str],
    capsys: pytest.CaptureFixture[str] | None = None,
    monkeypatch: pytest.MonkeyPatch | None = None,
) -> tuple[object, str]:
    """Exit code and everything written to the terminal."""
    if case.end_to_end or capsys is None or monkeypatch is None:
        done = subprocess.run(
            [sys.executable, str(ROOT / "main.py"), *argv],
            cwd=ROOT,
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **env},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=120,
        )
        return done.returncode, done.stdout + done.stderr
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    capsys.readouterr()
    with fresh_process_logging():
        try:
            code: object = entry.main(argv)
        except SystemExit as exc:
            code = exc.code
    out, err = capsys.readouterr()
    return code, out + err


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_bad_command_line_says_one_chinese_line(
    case: Case,
    demo: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    places = make_files(tmp_path / "case", demo)
    before = {kind: Path(places[kind]).read_bytes() for kind in KEPT_AS_THEY_ARE}
    argv = command_line(case.template, places)

    code, output = run_case(case, argv, environment(tmp_path, case), capsys, monkeypatch)

    assert problems(code, output, argv) == [], output
    for kind, content in before.items():
        assert Path(places[kind]).read_bytes() == content, f"{kind} changed"


def run_here(
    argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[object, list[str]]:
    """``main.main(argv)`` in this process: exit code and the lines on the terminal."""
    code, output = run_case(Case("here", ""), argv, {}, capsys, monkeypatch)
    return code, output.splitlines()


@pytest.fixture
def quiet_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The case's own log folder (and the demo's password in the environment)."""
    for name, value in environment(tmp_path, Case("home", "")).items():
        monkeypatch.setenv(name, value)
    return tmp_path


def test_an_unexpected_error_is_one_line_naming_the_log_file_that_has_the_traceback(
    demo: Path,
    quiet_home: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(args: object, out: object) -> int:
        raise RuntimeError("something English went wrong")

    monkeypatch.setattr(cli, "_check", broken)

    code, lines = run_here(["check", "--db", str(demo)], capsys, monkeypatch)

    from app.core.logs import log_file

    log = log_file()
    assert code == 1
    assert log is not None and log.is_relative_to(quiet_home)
    assert lines == [
        f"stationdesk：发生意外错误，操作未完成（已保存的数据不受影响），详情已写入日志：{log}"
    ]
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text
    assert "RuntimeError: something English went wrong" in text


@pytest.mark.parametrize("command", ["export", "screenshots"])
def test_ctrl_c_is_one_chinese_line_and_exit_code_130(
    command: str,
    demo: Path,
    quiet_home: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def interrupted(*args: object) -> int:
        raise KeyboardInterrupt

    # screenshots: a stand-in for the Qt module, which the test does not need to start.
    fake = types.ModuleType("ui.screenshots")
    fake.take_screenshots = interrupted  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "ui.screenshots", fake)
    monkeypatch.setattr(cli, "_export", interrupted)
    argv = {
        "export": ["export", "statistics", "--from", "2026-01-01", "--db", str(demo)],
        "screenshots": ["screenshots", "--db", str(demo)],
    }[command] + ["--out", str(quiet_home / "out")]

    code, lines = run_here(argv, capsys, monkeypatch)

    assert (code, lines) == (130, ["stationdesk：已取消。"])


def test_screenshots_failing_unexpectedly_is_one_line_too(
    demo: Path,
    quiet_home: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: object) -> int:
        raise OSError("libEGL.so.1: cannot open shared object file")

    fake = types.ModuleType("ui.screenshots")
    fake.take_screenshots = broken  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "ui.screenshots", fake)

    code, lines = run_here(
        ["screenshots", "--db", str(demo), "--out", str(quiet_home / "out")], capsys, monkeypatch
    )

    assert code == 1
    assert len(lines) == 1 and "发生意外错误" in lines[0]
    assert english_words(lines[0], []) == []


def test_a_damaged_file_is_refused_by_print_and_reported_on_by_check(
    demo: Path,
    quiet_home: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    damaged = quiet_home / "damaged.sqlite3"
    shutil.copyfile(demo, damaged)
    overwrite_page(damaged, "audit_events", leftmost=True)
    before = damaged.read_bytes()
    out = quiet_home / "r.pdf"

    printed, print_lines = run_here(
        ["print", "receipt", SERIAL, "--db", str(damaged), "--out", str(out), *LOGIN.split()],
        capsys,
        monkeypatch,
    )
    checked, check_lines = run_here(["check", "--db", str(damaged)], capsys, monkeypatch)

    assert printed == 1
    assert print_lines == [
        f"stationdesk：数据库文件已损坏（SQLite 完整性检查未通过）：{damaged}。"
        "为免损坏扩大，本程序不写入该文件，文件未作任何改动。请改用最近的备份恢复，并联系系统管理员。"
    ]
    assert not out.exists()
    assert checked == 1
    assert check_lines[0] == f"检查数据库：{damaged}"
    assert check_lines[-1].startswith("结论：发现问题")
    # Not only "cannot read": what is damaged, what to do, and the command with the newest
    # backup beside the file filled in (no server mentioned for a file).
    said = "\n".join(check_lines)
    assert "数据库文件已损坏" in said and "服务器" not in said
    assert f"stationdesk restore --db {damaged} --badge" in said
    assert "数据库旁没有找到备份" in said
    older = quiet_home / "QNL-20251001-180000-daily.sqlite3"
    newer = quiet_home / "QNL-20251002-180000-after_review.sqlite3"
    for backup in (older, newer):
        shutil.copyfile(demo, backup)
    _checked, check_lines = run_here(["check", "--db", str(damaged)], capsys, monkeypatch)
    assert any(line.strip().endswith(str(newer)) for line in check_lines), check_lines
    assert damaged.read_bytes() == before
    wal = Path(f"{damaged}-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    from app.core.logs import log_file

    log = log_file()
    assert log is not None
    assert f"quick_check of {damaged} failed: database disk image is malformed" in log.read_text(
        encoding="utf-8"
    )


def test_a_big_file_is_quick_checked_only_by_the_commands_that_read_all_of_it(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    damaged = tmp_path / "damaged.sqlite3"
    shutil.copyfile(demo, damaged)
    overwrite_page(damaged, "audit_events", leftmost=True)
    monkeypatch.setattr(database, "QUICK_CHECK_LIMIT", damaged.stat().st_size - 1)

    with pytest.raises(DatabaseProblem, match="数据库文件已损坏"):
        database.open_database(damaged, create=False, check_all=True)
    # What a print does on a file this big: no check at the start (SQLite still refuses a
    # damaged page it meets, with the same advice).
    database.open_database(damaged, create=False).dispose()


def test_a_sound_file_is_quick_checked_once_until_it_changes(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sound = tmp_path / "sound.sqlite3"
    shutil.copyfile(demo, sound)
    checked: list[Path] = []
    real = database.quick_check_file

    def counted(path: Path) -> list[str] | None:
        checked.append(path)
        return real(path)

    monkeypatch.setattr(database, "quick_check_file", counted)

    database._refuse_damaged(sound, check_all=False)
    database._refuse_damaged(sound, check_all=False)
    with Path(f"{sound}-wal").open("ab") as wal:  # what a write leaves beside the file
        wal.write(b"\0" * 32)
    database._refuse_damaged(sound, check_all=False)

    assert checked == [sound, sound]
