"""Counters see each other at once (issue 13): on a shared PostgreSQL server a walk-in another
counter registers shows on this counter's 今日接待 within 2 s, without the one-minute timer;
a change arriving while a dialog is open waits for it; a page behind reloads when shown; the
status bar says when the server is lost and when it is back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialog, QLabel, QStatusBar, QWidget

from app.core.clock import FixedClock
from app.core.database import Database, open_database
from app.core.identity import IdType
from app.core.passwords import PasswordHashing
from app.core.roles import Role
from app.officers.dto import NewOfficer
from app.services import build_services
from app.station.dto import StationSettings
from app.visits.dto import NameChoice, NewVisit
from db.pg_notify import announce_changes
from tests.conftest import TEST_START
from tests.pg_template import PgTemplate
from ui.live_refresh import LOST_TEXT, LiveRefresh
from ui.main_window import MainWindow
from ui.pages.today_page import TodayPage

CHEAP = PasswordHashing(time_cost=1, memory_cost_kib=1024, parallelism=1)


@pytest.fixture
def pg_db(pg_template: PgTemplate) -> Iterator[Database]:
    url = pg_template.copy()
    database = open_database(url)
    yield database
    database.dispose()
    pg_template.drop(url)


def test_a_walk_in_registered_at_another_counter_shows_within_two_seconds(
    qtbot,
    pg_db: Database,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    clock = FixedClock(TEST_START)
    here = build_services(pg_db.sessions, clock, CHEAP, database=pg_db, counter="1号窗口")
    chief = here.station.initialize(
        StationSettings(name="测试派出所", code="HPL"),
        NewOfficer("100001", "王所长", Role.CHIEF, "Secret123"),
    )
    for badge, name in (("200001", "张民警"), ("200002", "李民警")):
        here.officers.add_officer(
            chief, NewOfficer(badge, name, Role.WINDOW, "Secret123", must_change_password=False)
        )
    officer = here.auth.login("200001", "Secret123")
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    window = MainWindow(here, officer, pg_db.location, settings, today=dt.date(2025, 9, 29))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.live is not None
    qtbot.waitUntil(lambda: window.live is not None and window.live.connected is True, timeout=5000)
    assert window.counter_label.text() == "窗口：1号窗口"
    page = window.pages["today"]
    assert isinstance(page, TodayPage)
    page.refresh_timer.stop()  # only the notice may bring the row
    before = page.lists["today"].model.rowCount()

    # Another PC: its own engine, its own officer, its own counter.
    there_db = open_database(pg_db.url)
    try:
        # Another process would send its own token; in this one it is set by hand.
        announce_changes(there_db.engine, there_db.sessions, token="another-pc")
        there = build_services(there_db.sessions, clock, CHEAP, counter="2号窗口")
        colleague = there.auth.login("200002", "Secret123")
        item = there.catalogue.list_items("SFZ-SL")[0]
        there.visits.register(
            colleague,
            NewVisit(
                "赵六",
                IdType.RESIDENT,
                "11010519491231002X",
                "13805710011",
                item.item_id,
                name_choice=NameChoice.CURRENT,
            ),
        )
        qtbot.waitUntil(lambda: page.lists["today"].model.rowCount() == before + 1, timeout=2000)
    finally:
        there_db.dispose()
    window.live.stop()


class _Page(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.reloads = 0

    def reload(self) -> None:
        self.reloads += 1


def test_changes_wait_for_an_open_dialog_and_pages_behind_reload_when_shown(
    qtbot,
    db: Database,  # type: ignore[no-untyped-def]
) -> None:
    """The gathering and its rules, on whichever engine (the signal is what the thread sends)."""
    pages = {"today": _Page(), "ledger": _Page(), "catalogue": _Page()}
    front = ["today"]
    bar = QStatusBar()
    qtbot.addWidget(bar)
    live = LiveRefresh(db, lambda: pages, lambda: front[0], bar)
    try:
        live.changed.emit(frozenset({"visits"}))
        live.changed.emit(frozenset({"visit_transitions"}))  # gathered: one reload
        qtbot.waitUntil(lambda: pages["today"].reloads == 1, timeout=2000)
        qtbot.wait(400)
        assert pages["today"].reloads == 1
        assert pages["catalogue"].reloads == 0  # not built from visits
        assert live.stale == {"ledger"} and pages["ledger"].reloads == 0
        live.page_shown("ledger")
        assert pages["ledger"].reloads == 1 and live.stale == set()

        dialog = QDialog()
        qtbot.addWidget(dialog)
        dialog.setModal(True)
        dialog.show()
        qtbot.waitUntil(lambda: dialog.isVisible())
        live.changed.emit(frozenset({"handovers"}))
        qtbot.wait(800)
        assert pages["today"].reloads == 1  # the officer's dialog is not disturbed
        dialog.close()
        qtbot.waitUntil(lambda: pages["today"].reloads == 2, timeout=3000)

        live.status.emit(False)
        label = bar.findChild(QLabel, "serverState")
        qtbot.waitUntil(lambda: live.connected is False)
        assert live.label.text() == LOST_TEXT
        live.status.emit(True)  # back: what was missed is reloaded
        qtbot.waitUntil(lambda: pages["today"].reloads == 3, timeout=3000)
        assert "已重新连接" in bar.currentMessage()
        del label
    finally:
        live.stop()
