"""The command line: demo, init and check; one Chinese line and an exit code on every failure."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import shutil
import sqlite3
from pathlib import Path

import openpyxl
import pytest

from app import cli
from app.cli import PASSWORD_ENV, main
from app.core.clock import SystemClock
from app.core.database import open_database
from app.core.passwords import PasswordHashing
from app.core.roles import Role
from app.demo import DEMO_OFFICERS, DEMO_PASSWORD
from app.services import build_services
from app.statistics.reports import ReportService
from tests.app.helpers import has_chinese

CHEAP = PasswordHashing(time_cost=1, memory_cost_kib=1024, parallelism=1)
CHIEF_BADGE = next(badge for badge, _n, role, _p in DEMO_OFFICERS if role is Role.CHIEF)
AUXILIARY_BADGE = next(b for b, _n, role, _p in DEMO_OFFICERS if role is Role.AUXILIARY)


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One demo database per module (real Argon2 parameters make it take a moment)."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    with contextlib.redirect_stdout(io.StringIO()):
        # A month is enough here (the default half year takes a minute or two).
        assert main(["demo", "--db", str(path), "--days", "30"]) == 0
    return path


@pytest.fixture
def demo_copy(demo_file: Path, tmp_path: Path) -> Path:
    """A private copy of the demo database that a test may spoil."""
    copy = tmp_path / "demo.sqlite3"
    shutil.copy2(demo_file, copy)
    return copy


@pytest.fixture
def chief_login(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The demo chief's --badge, with the password in the environment as CI gives it."""
    monkeypatch.setenv(cli.LOGIN_PASSWORD_ENV, DEMO_PASSWORD)
    return ["--badge", CHIEF_BADGE]


def init_args(target: Path) -> list[str]:
    return [
        "init",
        "--db",
        str(target),
        "--station",
        "测试派出所",
        "--admin-badge",
        "A001",
        "--admin-name",
        "周强",
    ]


def one_chinese_line(text: str) -> str:
    lines = text.splitlines()
    assert len(lines) == 1, text
    assert has_chinese(lines[0]), text
    assert "Traceback" not in text
    return lines[0]


def test_demo_builds_a_station_and_prints_the_logins(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "demo.sqlite3"

    code = main(["demo", "--db", str(target), "--days", "3"])

    out, err = capsys.readouterr()
    assert code == 0
    assert err == ""
    assert str(target) in out
    for badge, name, _role, _phone in DEMO_OFFICERS:
        assert f"警号 {badge}" in out
        assert name in out
    assert f"密码 {DEMO_PASSWORD}" in out
    db = open_database(target, create=False)
    try:
        services = build_services(db.sessions, hashing=CHEAP)
        assert services.station.settings().code == "QNL"
        assert services.auth.login("031001", DEMO_PASSWORD).role is Role.CHIEF
        assert services.auth.login("f03121", DEMO_PASSWORD).role is Role.AUXILIARY
        jzz = services.catalogue.list_items("JZZ-SL")[0]
        assert jzz.version_no == 3  # the demo edits one matter twice
    finally:
        db.dispose()


def test_a_second_demo_on_the_same_file_is_refused(
    demo_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original = demo_copy.read_bytes()

    code = main(["demo", "--db", str(demo_copy)])

    out, err = capsys.readouterr()
    assert code == 1
    assert out == ""
    line = one_chinese_line(err)
    assert line.startswith("stationdesk：")
    assert "已经初始化过" in line
    assert demo_copy.read_bytes() == original


def test_check_passes_on_the_demo_database(
    demo_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["check", "--db", str(demo_copy)])

    out, err = capsys.readouterr()
    assert code == 0
    assert err == ""
    assert "审计链：完整" in out
    assert out.rstrip().endswith("结论：正常")


def test_check_fails_after_tampering_and_names_the_event(
    demo_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    con = sqlite3.connect(demo_copy)
    con.execute("DROP TRIGGER audit_events_no_update")
    con.execute("UPDATE audit_events SET after_json = '{}' WHERE id = 3")
    con.commit()
    con.close()

    code = main(["check", "--db", str(demo_copy)])

    out, _err = capsys.readouterr()
    assert code == 1
    assert "第 3 号" in out
    assert "结论：发现问题" in out


def test_check_on_a_missing_file_fails_without_creating_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "nowhere.sqlite3"

    code = main(["check", "--db", str(target)])

    _out, err = capsys.readouterr()
    assert code == 1
    assert "找不到" in one_chinese_line(err)
    assert not target.exists()


def test_check_on_a_file_that_is_not_a_database_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "notes.txt"
    target.write_text("hello", encoding="utf-8")

    code = main(["check", "--db", str(target)])

    assert code == 1
    assert "不是" in one_chinese_line(capsys.readouterr().err)


def test_init_creates_a_station_whose_administrator_can_log_in(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "Admin2026x")
    target = tmp_path / "new.sqlite3"

    code = main(
        [
            "init",
            "--db",
            str(target),
            "--station",
            "测试市公安局测试分局和平路派出所",
            "--code",
            "hpl",
            "--admin-badge",
            "a001",
            "--admin-name",
            "周强",
        ]
    )

    out, err = capsys.readouterr()
    assert code == 0, err
    assert "已创建" in out
    assert "警号 A001" in out
    db = open_database(target, create=False)
    try:
        services = build_services(db.sessions, hashing=CHEAP)
        assert services.station.settings().code == "HPL"
        user = services.auth.login("A001", "Admin2026x")
        assert (user.name, user.role) == ("周强", Role.ADMIN)
        assert len(services.catalogue.list_items()) >= 15
    finally:
        db.dispose()


@pytest.mark.parametrize(
    ("password", "expected"),
    [("abc1", "至少 8 位"), ("abcdefghij", "字母和数字")],
)
def test_init_with_a_bad_password_fails_and_leaves_no_station(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    password: str,
    expected: str,
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, password)
    target = tmp_path / "new.sqlite3"

    code = main(init_args(target))

    _out, err = capsys.readouterr()
    assert code == 1
    assert expected in one_chinese_line(err)
    # Refused before any file was created.
    assert not target.exists()


def test_init_without_a_password_and_without_a_terminal_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    target = tmp_path / "new.sqlite3"

    code = main(init_args(target))

    assert code == 1
    assert PASSWORD_ENV in one_chinese_line(capsys.readouterr().err)
    assert not target.exists()


def test_demo_with_an_absurd_number_of_days_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "demo.sqlite3"

    code = main(["demo", "--db", str(target), "--days", "0"])

    assert code == 1
    assert "--days" in one_chinese_line(capsys.readouterr().err)
    assert not target.exists()


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--bogus"], "无法识别的参数"),
        (["check"], "缺少必需的参数"),
        (["frobnicate", "--db", "x"], "无效的选项"),
        (["demo", "--db", "x", "--days", "many"], "--days"),
        (["print", "register", "--from", "2025-13-01", "--db", "x", "--out", "r.pdf"], "不是日期"),
        (["print", "bogus", "1", "--db", "x", "--out", "r.pdf"], "无效的选项"),
    ],
    ids=[
        "unknown_option",
        "missing_db",
        "unknown_command",
        "days_not_a_number",
        "register_date_not_a_date",
        "unknown_print_kind",
    ],
)
def test_a_bad_argument_exits_2_with_one_chinese_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], expected: str
) -> None:
    with pytest.raises(SystemExit) as caught:
        main(argv)

    assert caught.value.code == 2
    _out, err = capsys.readouterr()
    line = one_chinese_line(err)
    assert "参数错误" in line
    assert expected in line


def test_check_reads_without_changing_the_database_file(
    demo_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = hashlib.sha256(demo_copy.read_bytes()).hexdigest()

    assert cli.main(["check", "--db", str(demo_copy)]) == 0

    assert hashlib.sha256(demo_copy.read_bytes()).hexdigest() == before


def test_no_command_is_refused_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    args = cli.build_parser().parse_args([])

    assert cli.run(args) == 2
    assert "请给出命令" in capsys.readouterr().err


def test_print_register_of_a_day_without_ratings_says_so(
    demo_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], chief_login: list[str]
) -> None:
    out = tmp_path / "register.pdf"
    argv = ["print", "register", "--from", "2000-01-01", "--db", str(demo_copy), "--out", str(out)]

    code = cli.main([*argv, *chief_login])

    assert code == 0
    assert "现场回访登记簿（2000年1月1日，0 条）" in capsys.readouterr().out
    assert out.read_bytes().startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["print", "rectification"], "请给出要打印的整改督办单的编号"),
        (["print", "receipt", "X-2025-000001", "--from", "2025-09-29"], "只用于 register"),
    ],
    ids=["rectification_without_number", "from_with_a_slip"],
)
def test_print_arguments_that_do_not_fit_the_kind_fail_in_one_chinese_line(
    demo_copy: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    expected: str,
    chief_login: list[str],
) -> None:
    out = tmp_path / "x.pdf"

    assert cli.main([*argv, "--db", str(demo_copy), "--out", str(out), *chief_login]) == 1

    assert expected in one_chinese_line(capsys.readouterr().err)
    assert not out.exists()


def _station_today(db_file: Path) -> dt.date:
    db = open_database(str(db_file), create=False)
    try:
        return ReportService(db.sessions, SystemClock()).today()
    finally:
        db.dispose()


def _last_event(db_file: Path) -> tuple[str, int | None, dict[str, object]]:
    with sqlite3.connect(db_file) as con:
        action, officer, after = con.execute(
            "SELECT action, officer_id, after_json FROM audit_events ORDER BY id DESC LIMIT 1"
        ).fetchone()
    return action, officer, json.loads(after) if after else {}


def _officer_id(db_file: Path, badge: str) -> int:
    with sqlite3.connect(db_file) as con:
        (officer_id,) = con.execute(
            "SELECT id FROM officers WHERE badge_no = ?", (badge,)
        ).fetchone()
    return int(officer_id)


def _events(db_file: Path, action: str) -> list[tuple[int | None, dict[str, object]]]:
    with sqlite3.connect(db_file) as con:
        rows = con.execute(
            "SELECT officer_id, after_json FROM audit_events WHERE action = ? ORDER BY id",
            (action,),
        ).fetchall()
    return [(officer, json.loads(after) if after else {}) for officer, after in rows]


def test_export_statistics_writes_a_workbook_and_audits_it(
    demo_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], chief_login: list[str]
) -> None:
    today = _station_today(demo_copy)
    start = today - dt.timedelta(days=29)
    out = tmp_path / "统计.xlsx"
    argv = ["export", "statistics", "--from", start.isoformat(), "--to", today.isoformat()]

    assert cli.main([*argv, "--db", str(demo_copy), "--out", str(out), *chief_login]) == 0

    line = one_chinese_line(capsys.readouterr().out)
    assert line.startswith("已导出统计表（") and str(out) in line
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["按民警", "按事项", "趋势", "红黑榜", "指标说明"]
    names = [r[0] for r in book["按民警"].iter_rows(min_row=5, values_only=True) if r[0]]
    assert {login[1] for login in DEMO_OFFICERS if login[2] == Role.WINDOW} <= set(names)
    action, officer, after = _last_event(demo_copy)
    chief = _officer_id(demo_copy, CHIEF_BADGE)
    assert (action, officer, after["via"]) == ("statistics_exported", chief, "cli")
    assert after["from"] == start.isoformat() and after["file"] == str(out)


def test_export_audit_writes_the_period_as_csv_and_audits_it(
    demo_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], chief_login: list[str]
) -> None:
    today = _station_today(demo_copy)
    start = today - dt.timedelta(days=6)
    out = tmp_path / "审计日志.csv"
    argv = ["export", "audit", "--from", start.isoformat(), "--to", today.isoformat()]

    assert cli.main([*argv, "--db", str(demo_copy), "--out", str(out), *chief_login]) == 0

    line = one_chinese_line(capsys.readouterr().out)
    assert line.startswith("已导出审计日志（") and str(out) in line
    lines = out.read_bytes().decode("utf-8-sig").splitlines()
    assert lines[1].split(",")[:3] == ["编号", "时间", "人员"]
    action, officer, after = _last_event(demo_copy)
    assert (action, officer, after["via"]) == (
        "audit_exported",
        _officer_id(demo_copy, CHIEF_BADGE),
        "cli",
    )
    assert after["rows"] == len(lines) - 2 > 0 and after["path"] == str(out)


def test_print_shift_reprints_a_shift_record_and_audits_it(
    demo_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], chief_login: list[str]
) -> None:
    # A record confirmed without printing, or a jammed printer, is printed again by number.
    from app.core.database import open_database
    from app.services import build_services

    db = open_database(demo_copy)
    try:
        services = build_services(db.sessions)
        officer = services.auth.login(DEMO_OFFICERS[2][0], DEMO_PASSWORD)
        review = services.shifts.review(officer)
        kept = {i.ref_id: None for i in review.items if i.needs_decision}
        number = services.shifts.hand_over(officer, kept).number
    finally:
        db.dispose()
    out = tmp_path / "交接班.pdf"
    argv = ["print", "shift", number.lower(), "--db", str(demo_copy), "--out", str(out)]

    assert cli.main([*argv, *chief_login]) == 0

    assert "交接班记录" in one_chinese_line(capsys.readouterr().out)
    assert out.read_bytes().startswith(b"%PDF-")
    action, officer_id, after = _last_event(demo_copy)
    assert (action, officer_id, after) == (
        "shift_record_printed",
        _officer_id(demo_copy, CHIEF_BADGE),
        {"via": "cli"},
    )


def test_print_monthly_writes_the_report(
    demo_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], chief_login: list[str]
) -> None:
    month = _station_today(demo_copy).replace(day=1)
    out = tmp_path / "通报.pdf"
    key = f"{month.year}-{month.month:02d}"
    argv = ["print", "monthly", key, "--db", str(demo_copy), "--out", str(out)]

    assert cli.main([*argv, *chief_login]) == 0

    title = f"{month.year}年{month.month}月窗口服务情况通报"
    assert title in one_chinese_line(capsys.readouterr().out)
    assert out.read_bytes().startswith(b"%PDF-")
    action, officer, after = _last_event(demo_copy)
    assert (action, officer, after) == (
        "monthly_report_printed",
        _officer_id(demo_copy, CHIEF_BADGE),
        {"month": key, "file": str(out), "via": "cli", "copy_no": 1},  # the first print
    )


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["export", "statistics", "--from", "2025-09-30", "--to", "2025-09-01"], "早于"),
        (["export", "statistics", "--to", "2025-09-01"], "--from"),
        (["export", "audit", "--from", "2025-09-30", "--to", "2025-09-01"], "早于"),
        (["print", "monthly", "2025-13"], "YYYY-MM"),
        (["print", "monthly"], "YYYY-MM"),
        (["print", "monthly", "2999-01"], "尚未开始"),
        (["print", "monthly", "2025-09", "--from", "2025-09-01"], "不用 --from"),
    ],
    ids=[
        "reversed",
        "no_start",
        "audit_reversed",
        "bad_month",
        "no_month",
        "future_month",
        "monthly_with_from",
    ],
)
def test_bad_export_and_monthly_arguments_fail_in_one_chinese_line(
    demo_copy: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    expected: str,
    chief_login: list[str],
) -> None:
    suffix = ".xlsx" if argv[0] == "export" else ".pdf"
    out = tmp_path / f"x{suffix}"

    assert cli.main([*argv, "--db", str(demo_copy), "--out", str(out), *chief_login]) == 1

    assert expected in one_chinese_line(capsys.readouterr().err)
    assert not out.exists() and not list(tmp_path.glob(".*.part"))


@pytest.mark.parametrize("where", ["missing_folder", "wrong_suffix", "a_folder"])
def test_export_to_an_unwritable_path_fails_and_leaves_nothing(
    demo_copy: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    where: str,
    chief_login: list[str],
) -> None:
    out = {
        "missing_folder": tmp_path / "没有" / "统计.xlsx",
        "wrong_suffix": tmp_path / "统计.csv",
        "a_folder": tmp_path,
    }[where]
    argv = ["export", "statistics", "--from", "2025-09-01", "--db", str(demo_copy)]

    assert cli.main([*argv, "--out", str(out), *chief_login]) == 1

    line = one_chinese_line(capsys.readouterr().err)
    assert "文件夹" in line or ".xlsx" in line
    assert not (tmp_path / "没有").exists() and not (tmp_path / "统计.csv").exists()
    assert not list(tmp_path.glob(".*.part"))


# ---- print and export log in ----------------------------------------------------------------


def _receipt_serial(db_file: Path) -> str:
    """A demo matter accepted and not finished on the spot: it has a receipt."""
    with sqlite3.connect(db_file) as con:
        (serial,) = con.execute(
            "SELECT serial FROM visits WHERE accepted_at IS NOT NULL"
            " AND status IN ('in_progress', 'waiting_materials') ORDER BY id LIMIT 1"
        ).fetchone()
    return str(serial)


def _failed_attempts(db_file: Path, badge: str) -> int:
    with sqlite3.connect(db_file) as con:
        (count,) = con.execute(
            "SELECT failed_attempts FROM officers WHERE badge_no = ?", (badge,)
        ).fetchone()
    return int(count)


@pytest.mark.parametrize(
    "argv",
    [
        ["print", "receipt", "QNL-2025-000001"],
        ["print", "ledger", "2025-09-29"],
        ["export", "statistics", "--from", "2025-09-01"],
    ],
    ids=["receipt", "ledger", "export"],
)
def test_print_and_export_without_a_badge_are_refused_with_exit_2(
    demo_copy: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
) -> None:
    monkeypatch.setenv(cli.LOGIN_PASSWORD_ENV, DEMO_PASSWORD)
    out = tmp_path / ("x.xlsx" if argv[0] == "export" else "x.pdf")
    before = _last_event(demo_copy)

    assert cli.main([*argv, "--db", str(demo_copy), "--out", str(out)]) == 2

    line = one_chinese_line(capsys.readouterr().err)
    assert "--badge" in line and cli.LOGIN_PASSWORD_ENV in line
    assert not out.exists() and _last_event(demo_copy) == before


def test_a_wrong_password_is_refused_and_counts_toward_the_lock_out(
    demo_copy: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    badge = "031011"  # a window officer
    out = tmp_path / "r.pdf"
    argv = ["print", "receipt", _receipt_serial(demo_copy), "--db", str(demo_copy)]
    argv += ["--out", str(out), "--badge", badge]
    monkeypatch.setenv(cli.LOGIN_PASSWORD_ENV, "not-the-password")
    printed_before = len(_events(demo_copy, "slip_printed") + _events(demo_copy, "slip_reprinted"))

    for attempt in range(1, 5):
        assert cli.main(argv) == 1
        assert "还可再试" in one_chinese_line(capsys.readouterr().err)
        assert _failed_attempts(demo_copy, badge) == attempt
    assert cli.main(argv) == 1  # the fifth: locked, as in the GUI
    assert "锁定" in one_chinese_line(capsys.readouterr().err)

    # Locked: even the right password is refused now.
    monkeypatch.setenv(cli.LOGIN_PASSWORD_ENV, DEMO_PASSWORD)
    assert cli.main(argv) == 1
    assert "已锁定" in one_chinese_line(capsys.readouterr().err)
    officer = _officer_id(demo_copy, badge)
    assert [o for o, _ in _events(demo_copy, "login_failed")][-5:] == [officer] * 5
    assert _events(demo_copy, "login_refused")[-1] == (
        officer,
        {"reason": "locked", "badge_no": badge},
    )
    printed = _events(demo_copy, "slip_printed") + _events(demo_copy, "slip_reprinted")
    assert len(printed) == printed_before and not out.exists()


def test_the_right_password_prints_and_the_audit_names_the_officer(
    demo_copy: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    badge = "031012"
    serial = _receipt_serial(demo_copy)
    out = tmp_path / "r.pdf"
    monkeypatch.setenv(cli.LOGIN_PASSWORD_ENV, DEMO_PASSWORD)

    argv = ["print", "receipt", serial, "--db", str(demo_copy), "--out", str(out)]
    assert cli.main([*argv, "--badge", badge]) == 0

    assert "受理回执" in one_chinese_line(capsys.readouterr().out)
    assert out.read_bytes().startswith(b"%PDF-")
    with sqlite3.connect(demo_copy) as con:
        action, officer, entity, after = con.execute(
            "SELECT action, officer_id, entity_id, after_json FROM audit_events"
            " ORDER BY id DESC LIMIT 1"
        ).fetchone()
        (recorded_by,) = con.execute(
            "SELECT officer_id FROM print_records ORDER BY id DESC LIMIT 1"
        ).fetchone()
    assert action in ("slip_printed", "slip_reprinted") and entity == serial
    assert officer == recorded_by == _officer_id(demo_copy, badge)
    assert json.loads(after)["via"] == "cli"


def test_an_auxiliary_officer_may_not_print_the_ledger(
    demo_copy: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(cli.LOGIN_PASSWORD_ENV, DEMO_PASSWORD)
    day = _station_today(demo_copy).isoformat()
    out = tmp_path / "台账.pdf"
    argv = ["print", "ledger", day, "--db", str(demo_copy), "--out", str(out)]

    assert cli.main([*argv, "--badge", AUXILIARY_BADGE]) == 1

    assert "所长、副所长" in one_chinese_line(capsys.readouterr().err)
    assert not out.exists() and _events(demo_copy, "ledger_printed") == []
    monthly = ["print", "monthly", day[:7], "--db", str(demo_copy), "--out", str(out)]
    assert cli.main([*monthly, "--badge", AUXILIARY_BADGE]) == 1
    capsys.readouterr()
    assert not out.exists() and _events(demo_copy, "monthly_report_printed") == []

    assert cli.main([*argv, "--badge", CHIEF_BADGE]) == 0
    assert _events(demo_copy, "ledger_printed") == [
        (_officer_id(demo_copy, CHIEF_BADGE), {"format": "pdf", "via": "cli", "copy_no": 1})
    ]


def test_without_the_password_variable_and_no_terminal_nothing_is_asked(
    demo_copy: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(cli.LOGIN_PASSWORD_ENV, raising=False)
    monkeypatch.setattr(cli.sys, "stdin", io.StringIO(""))  # as in CI: not a terminal
    out = tmp_path / "台账.pdf"
    argv = ["print", "ledger", "2025-09-29", "--db", str(demo_copy), "--out", str(out)]

    assert cli.main([*argv, "--badge", CHIEF_BADGE]) == 1

    assert cli.LOGIN_PASSWORD_ENV in one_chinese_line(capsys.readouterr().err)
    assert not out.exists()
