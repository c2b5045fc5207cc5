"""Help inside the application (issue 16, item 7): F1 opens the manual of the page or form in
front, every button of a page is explained in it, and a new window officer gets a tour."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from app.core.dto import SessionUser
from app.core.roles import Role
from app.services import Services
from resources import HELP_DIR
from ui.help_dialog import STEP_MARK, HelpDialog, TourDialog, help_html, tour_steps
from ui.main_window import MainWindow

# The forms that carry a manual of their own (their ``help_key``).
FORMS = (
    "registration",
    "notice_form",
    "rating_form",
    "notice_return",
    "callback_attempt",
    "complaint_form",
    "review",
    "shift",
    "ledger_import",
)
TAG = re.compile(r"<[^>]+>")
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")
# Words a Chinese manual may hold in Latin letters: file types, key names, the program's name.
ALLOWED_LATIN = {
    "PDF", "Excel", "xlsx", "csv", "CSV", "Ctrl", "Shift", "Enter", "Tab", "Esc", "Space", "Alt",
    "Home", "End", "PgUp", "PgDn", "StationDesk", "stationdesk",
}  # fmt: skip


def button_words(text: str) -> str:
    """A button's words as the manual names them: no …, no mnemonic &, no (F8) key hint."""
    text = text.replace("&", "").replace("…", "").replace("...", "")
    text = re.sub(r"[（(][^）)]*[）)]$", "", text.strip())
    return text.strip()


@pytest.fixture
def window(qtbot: QtBot, services: Services, chief: SessionUser, tmp_path: Path) -> MainWindow:
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    main = MainWindow(services, chief, "/tmp/x.sqlite3", settings, today=dt.date(2026, 11, 20))
    qtbot.addWidget(main)
    main.show()
    return main


def _plain(html: str) -> str:
    return TAG.sub(" ", html)


@pytest.mark.parametrize("key", [*FORMS, "tour"])
def test_every_form_and_the_tour_have_a_chinese_manual(key: str) -> None:
    _is_a_chinese_manual(key)


def _is_a_chinese_manual(key: str) -> None:
    path = HELP_DIR / f"{key}.html"
    assert path.is_file(), f"no manual {path}"
    html = path.read_text(encoding="utf-8")
    text = _plain(html)
    assert html.lstrip().startswith("<h1>"), key
    assert len(re.findall(r"[\u4e00-\u9fff]", text)) > 150, f"{key}: too short to help"
    english = set(ENGLISH_WORD.findall(text)) - ALLOWED_LATIN
    assert not english, f"{key}: words a user should not see: {sorted(english)}"


def test_every_page_has_a_manual_that_explains_each_of_its_buttons(window: MainWindow) -> None:
    missing: dict[str, list[str]] = {}
    for key in list(window.pages):
        _is_a_chinese_manual(key)
        window.show_page(key)
        page = window.stack.currentWidget()
        assert page is not None
        text = _plain(help_html(key))
        buttons = list(page.findChildren(QPushButton))
        panel = getattr(page, "panel", None)  # the matter pane lays its buttons out on demand
        if panel is not None:
            buttons.extend(panel.buttons.values())
        words = {button_words(b.text()) for b in buttons if b.text()}
        absent = sorted(w for w in words if w and w not in text)
        if absent:
            missing[key] = absent
    assert not missing, f"buttons the manual does not explain: {missing}"


def _press_f1_and_read(qtbot: QtBot, target: QWidget) -> str:
    """Press F1 in ``target``; return the key of the manual that opened (and close it)."""
    seen: list[str] = []

    def read() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, HelpDialog):
            seen.append(str(dialog.property("help_key")))
            qtbot.keyClick(dialog, Qt.Key.Key_Escape)
        elif not seen:
            QTimer.singleShot(20, read)

    QTimer.singleShot(20, read)
    qtbot.keyClick(target, Qt.Key.Key_F1)
    return seen[0] if seen else ""


def test_f1_opens_the_manual_of_the_page_in_front(qtbot: QtBot, window: MainWindow) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.go_to_page("ledger")
    focus = QApplication.focusWidget() or window
    assert _press_f1_and_read(qtbot, focus) == "ledger"
    window.go_to_page("audit")
    focus = QApplication.focusWidget() or window
    assert _press_f1_and_read(qtbot, focus) == "audit"


def test_f1_in_a_form_opens_the_forms_manual(qtbot: QtBot, window: MainWindow) -> None:
    # A form names its manual by its help_key property (ReviewDialog: "review").
    form = QWidget()
    form.setProperty("help_key", "review")
    qtbot.addWidget(form)
    form.show()
    form.activateWindow()
    qtbot.waitUntil(form.isActiveWindow)
    assert _press_f1_and_read(qtbot, form) == "review"


def test_the_tour_walks_forward_with_enter_and_back(qtbot: QtBot) -> None:
    steps = tour_steps()
    assert len(steps) >= 5
    assert help_html("tour").count(STEP_MARK) == len(steps) - 1
    tour = TourDialog()
    qtbot.addWidget(tour)
    tour.show()
    assert tour.position.text() == f"第 1 步，共 {len(steps)} 步"
    assert not tour.back_button.isEnabled()
    for n in range(1, len(steps)):
        qtbot.keyClick(tour.next_button, Qt.Key.Key_Return)
        assert tour.index == n
    assert tour.next_button.text() == "完成"
    tour.back_button.click()
    assert tour.index == len(steps) - 2
    tour.go(len(steps) - 1)
    qtbot.keyClick(tour.next_button, Qt.Key.Key_Return)
    assert tour.result() == TourDialog.DialogCode.Accepted


def test_a_new_window_officer_gets_the_tour_once_the_chief_never(
    qtbot: QtBot,
    services: Services,
    chief: SessionUser,
    make_officer,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(TourDialog, "exec", lambda self: shown.append("tour") or 1)
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    officer = make_officer(Role.WINDOW, "张伟")
    for user in (chief, officer, officer):
        main = MainWindow(services, user, "/tmp/x.sqlite3", settings, today=dt.date(2026, 11, 20))
        qtbot.addWidget(main)
        main.offer_tour()
        main.close()
    assert shown == ["tour"]
    window_two = make_officer(Role.AUXILIARY, "李娜")
    main = MainWindow(services, window_two, "/tmp/x.sqlite3", settings)
    qtbot.addWidget(main)
    main.offer_tour()
    assert shown == ["tour", "tour"]
