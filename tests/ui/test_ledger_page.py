"""台账 page: the chief reviews and signs a day; the locked day refuses an edit, visibly."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from PySide6.QtWidgets import QMessageBox

from app.core.clock import FixedClock
from app.core.identity import IdType
from app.core.roles import Role
from app.services import Services
from app.visits.dto import NameChoice, NewVisit
from tests.app.ledger.test_ledger import SIGN
from tests.ui.test_notice_ui import sign
from ui.dialogs.review_dialog import ReviewDialog
from ui.dialogs.text_form_dialog import TextFormDialog
from ui.pages.ledger_page import LedgerPage
from ui.widgets.visit_panel import VisitPanel

DAY = dt.date(2025, 9, 29)


@pytest.fixture
def day_of_work(services: Services, make_officer, clock: FixedClock):  # type: ignore[no-untyped-def]
    officer = make_officer(Role.WINDOW, "张伟")
    item = services.catalogue.list_items("ZM-BGGZ")[0]
    visit = services.visits.register(
        officer,
        NewVisit("王小名", IdType.RESIDENT, "11010519491231002X", "13805710011", item.item_id),
    )
    clock.advance(dt.timedelta(hours=8))  # 18:00
    return officer, visit


def test_the_chief_reviews_and_signs_the_day_and_the_locked_day_refuses_an_edit(
    qtbot, monkeypatch: pytest.MonkeyPatch, services: Services, chief, day_of_work, clock
) -> None:  # type: ignore[no-untyped-def]
    officer, visit = day_of_work
    messages: list[str] = []

    def message(box: QMessageBox) -> int:
        messages.append(box.text())
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "exec", message)
    page = LedgerPage(services.ledger, chief, DAY, "Asia/Shanghai")
    qtbot.addWidget(page)
    page.resize(1200, 800)
    page.show()
    assert page.state_label.text() == "未审核"
    assert page.pending_combo.itemData(0) == DAY
    assert page.models["visits"].rowCount() == 1

    def chief_signs(dialog: ReviewDialog) -> int:
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        dialog.confirm_button.click()  # no signature yet
        assert "签名" in dialog.errors.message_of("signature")
        dialog.comment.setPlainText("已核对")
        sign(qtbot, dialog.pad)
        dialog.confirm_button.click()
        return int(dialog.result())

    monkeypatch.setattr(ReviewDialog, "exec", chief_signs)
    page.buttons["review"].click()
    assert page.state_label.text().startswith("已审核锁定：王所长（所长）")
    assert not page.buttons["review"].isEnabled()
    assert messages[-1] == "2025-09-29 台账已审核锁定。"
    # The page shows what the signed paper carries, to compare one with the other.
    assert re.search(r"审计链锚点：第 \d+ 号事件 [0-9A-F]{16}", page.summary.toPlainText())
    assert page.pending_combo.itemData(0) is None
    assert "审核后更正（0）" in [page.tabs.tabText(i) for i in range(page.tabs.count())]

    # The officer at the counter tries to restamp the arrival of the locked day's visit.
    panel = VisitPanel(services.visits, officer)
    qtbot.addWidget(panel)
    panel.show_visit(visit.row.id)
    arrived = services.visits.get(officer, visit.row.id).row.arrived_at
    panel.buttons["arrived"].click()
    assert "台账已由王所长审核锁定" in messages[-1]
    assert services.visits.get(officer, visit.row.id).row.arrived_at == arrived

    # The next day the officer's mistake is put right by a correction, listed on the page.
    clock.advance(dt.timedelta(hours=15))

    def correct(dialog: TextFormDialog) -> int:
        dialog.editors["field"].setCurrentIndex(0)  # type: ignore[union-attr]
        dialog.editors["new_value"].setText("王小明")  # type: ignore[union-attr]
        dialog.editors["reason"].setPlainText("姓名录入错误")  # type: ignore[union-attr]
        dialog.submit()
        return int(dialog.result())

    monkeypatch.setattr(TextFormDialog, "exec", correct)
    page.reload()
    page.tabs.setCurrentIndex(0)
    page.tables["visits"].selectRow(0)
    assert page.buttons["correct"].isEnabled()
    page.correct()
    tabs = [page.tabs.tabText(i) for i in range(page.tabs.count())]
    assert "审核后更正（1）" in tabs
    assert page.models["corrections"].row_at(0).cells[4:6] == ("王小名", "王小明")


def test_a_window_officer_cannot_open_the_ledger(qtbot, services: Services, make_officer) -> None:  # type: ignore[no-untyped-def]
    officer = make_officer(Role.WINDOW, "张伟")
    page = LedgerPage(services.ledger, officer, DAY, "Asia/Shanghai")
    qtbot.addWidget(page)
    assert page.ledger is None
    assert "所长、副所长" in page.summary.toPlainText()
    assert not page.buttons["review"].isEnabled()


def test_today_before_closing_says_when_it_can_be_reviewed_and_later_records_show_after(
    qtbot, services: Services, chief, make_officer, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    officer = make_officer(Role.WINDOW, "张伟")
    item = services.catalogue.list_items("ZM-BGGZ")[0]

    def walk_in(name: str) -> None:
        services.visits.register(
            officer,
            NewVisit(
                name,
                IdType.RESIDENT,
                "11010519491231002X",
                "13805710011",
                item.item_id,
                name_choice=NameChoice.CURRENT,  # one test ID under several names
            ),
        )

    walk_in("王小名")  # 10:00
    page = LedgerPage(services.ledger, chief, DAY, "Asia/Shanghai")
    qtbot.addWidget(page)
    page.resize(1200, 800)
    page.show()
    assert not page.buttons["review"].isEnabled()
    assert page.lock_note.isVisible() and "17:30" in page.lock_note.text()
    assert "17:30" in page.buttons["review"].toolTip()

    clock.advance(dt.timedelta(hours=8))  # 18:00
    page.reload()
    assert page.buttons["review"].isEnabled() and not page.lock_note.isVisible()
    sha = services.ledger.ledger(chief, DAY).content_sha256
    services.ledger.review(chief, DAY, sha, "", SIGN)
    clock.advance(dt.timedelta(minutes=30))
    walk_in("李晓")  # 18:30, after the review: registered as usual
    page.reload()

    tabs = [page.tabs.tabText(i) for i in range(page.tabs.count())]
    assert "审核后·接待登记（1）" in tabs
    assert "审核后又有 1 条记录" in page.lock_note.text()
