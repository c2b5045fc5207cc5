"""Start-up imports only what it needs: ``--help`` and the login window load no heavy library.

Each check runs the real entry point in a fresh interpreter with ``-X importtime`` and reads
every module it imported from the report on stderr.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from app.core.dto import SessionUser
from tests.conftest import TEST_PASSWORD

ROOT = Path(__file__).resolve().parent.parent
# Loaded when first used (a print, a chart, an export, a catalogue edit, a migration).
HEAVY = (
    "matplotlib",
    "numpy",
    "openpyxl",
    "reportlab",
    "pypdfium2",
    "PIL",
    "pypinyin",
    "alembic",
)
IMPORTED = re.compile(r"^import time:\s+\d+ \|\s+\d+ \|\s*(\S+)\s*$", re.MULTILINE)


def imported_modules(args: list[str], tmp_path: Path, **env: str) -> set[str]:
    """The modules ``python -X importtime main.py *args`` imports (it must exit with 0)."""
    environment = dict(os.environ)
    environment.update(
        QT_QPA_PLATFORM="offscreen",
        # Logs and Qt settings of the run stay in the test's folder.
        XDG_STATE_HOME=str(tmp_path / "state"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        **env,
    )
    done = subprocess.run(
        [sys.executable, "-X", "importtime", str(ROOT / "main.py"), *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return set(IMPORTED.findall(done.stderr))


def heavy_in(modules: set[str], extra: tuple[str, ...] = ()) -> list[str]:
    """The heavy modules (or any of their submodules) among ``modules``."""
    names = HEAVY + extra
    return sorted(
        {n for n in names for m in modules if m == n or m.startswith(f"{n}.")},
    )


def test_help_imports_nothing_heavy(tmp_path: Path) -> None:
    modules = imported_modules(["--help"], tmp_path)

    assert "app.cli" in modules
    assert heavy_in(modules, ("sqlalchemy", "PySide6", "argon2")) == []


def test_a_command_s_help_imports_nothing_heavy(tmp_path: Path) -> None:
    modules = imported_modules(["print", "--help"], tmp_path)

    assert heavy_in(modules, ("sqlalchemy", "PySide6", "argon2")) == []


def test_the_login_window_comes_up_without_heavy_modules(
    tmp_path: Path, db_path: Path, chief: SessionUser
) -> None:
    # An initialised station: its name is read without opening the database (SQLAlchemy
    # comes with the first login attempt), then the window quits as soon as it is shown.
    modules = imported_modules(["--db", str(db_path)], tmp_path, STATIONDESK_EXIT_AT_LOGIN="1")

    assert "ui.login_dialog" in modules
    assert heavy_in(modules, ("sqlalchemy", "argon2")) == []
    assert not any(m.startswith("ui.pages.") for m in modules)


def test_a_print_from_a_database_at_head_does_not_import_alembic(
    tmp_path: Path, db_path: Path, chief: SessionUser
) -> None:
    # The revisions are read from the migration files; Alembic only comes to migrate. The
    # parsed font is cached under XDG_CACHE_HOME (the test's folder): parsed, then reused.
    out = tmp_path / "ledger.pdf"
    argv = ["print", "ledger", "2025-09-29", "--db", str(db_path), "--out", str(out)]
    login = {"STATIONDESK_PASSWORD": TEST_PASSWORD}
    for _ in range(2):
        modules = imported_modules([*argv, "--badge", chief.badge_no], tmp_path, **login)

        assert "app.printing.register_layout" in modules
        assert out.read_bytes().startswith(b"%PDF")
        assert heavy_in(modules, ("mako",)) == ["PIL", "reportlab"]  # no alembic, no mako
    assert list((tmp_path / "cache" / "StationDesk" / "fonts").glob("NotoSansSC_*.bin"))


def test_the_counter_page_does_not_import_the_booking_forms() -> None:
    # 今日接待 is built at every login; 到达登记's question and the booking forms (with
    # 新登记's module under them) come when first used.
    code = (
        "import sys, ui.pages.today_page; "
        "print(sorted(m for m in sys.modules if m in "
        "('ui.dialogs.appointment_dialog', 'ui.dialogs.registration_dialog')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "[]"
