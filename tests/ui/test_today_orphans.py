"""The chief's today page lists matters nobody is responsible for, and assigns them."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QComboBox, QLineEdit

from app.core.dto import SessionUser
from app.core.identity import IdType
from app.core.roles import Role
from app.services import Services
from app.visits.dto import NewVisit
from ui.dialogs.text_form_dialog import TextFormDialog
from ui.pages.today_page import TodayPage

VALID_ID = "11010519491231002X"


class Leaving:
    """张三 left: one matter was offered to 赵刚, the other declined by 钱亮."""

    def __init__(self, services: Services, chief: SessionUser, make_officer: Any) -> None:
        self.services, self.chief = services, chief
        self.leaving = make_officer(Role.WINDOW, "张三")
        self.zhao = make_officer(Role.WINDOW, "赵刚")
        self.qian = make_officer(Role.WINDOW, "钱亮")
        item = services.catalogue.list_items("ZM-WFZ")[0].item_id
        form = NewVisit("陈静", IdType.RESIDENT, VALID_ID, "13800138000", item)
        self.offered, self.declined = (
            services.visits.register(self.leaving, form).row for _ in range(2)
        )
        services.officers.set_active(
            chief,
            self.leaving.officer_id,
            False,
            {self.offered.id: self.zhao.officer_id, self.declined.id: self.qian.officer_id},
        )
        handover = services.visits.handovers(self.qian)[0]
        services.visits.decline_handover(self.qian, handover.id, "本周外出培训")


@pytest.fixture
def left(services: Services, chief: SessionUser, make_officer: Any) -> Leaving:
    return Leaving(services, chief, make_officer)


def orphan_list(page: TodayPage) -> Any:
    """The page's list of orphaned matters (only the chief's and deputy's page has one)."""
    assert page.orphans is not None
    return page.orphans


def fill_and_submit(values: dict[str, Any]) -> Any:
    """A stand-in for ``TextFormDialog.exec``: fill the fields, submit, report the outcome."""

    def run(dialog: TextFormDialog) -> int:
        for name, value in values.items():
            editor = dialog.editors[name]
            if isinstance(editor, QComboBox):
                editor.setCurrentIndex(editor.findData(value))
            elif isinstance(editor, QLineEdit):
                editor.setText(value)
        dialog.submit()
        return int(dialog.result())

    return run


def test_the_chief_sees_orphaned_matters_with_their_pending_receiver(
    qtbot, qtmodeltester, services: Services, left: Leaving
) -> None:  # type: ignore[no-untyped-def]
    page = TodayPage(services.visits, left.chief)
    qtbot.addWidget(page)

    assert page.orphan_box.isVisibleTo(page)
    assert page.orphan_title.text().startswith("无人负责的在办事项（2 件）")
    model = orphan_list(page).model
    qtmodeltester.check(model)
    texts = {
        model.data(model.index(row, 0)): model.data(model.index(row, model.columnCount() - 1))
        for row in range(model.rowCount())
    }
    assert texts == {left.offered.serial: "待赵刚接收", left.declined.serial: "无人接手"}
    assert "张三（已停用）" in {model.data(model.index(r, 5)) for r in range(model.rowCount())}


def test_the_chief_assigns_an_orphan_through_the_panels_form(
    qtbot, monkeypatch, services: Services, left: Leaving
) -> None:  # type: ignore[no-untyped-def]
    page = TodayPage(services.visits, left.chief)
    qtbot.addWidget(page)
    orphans = orphan_list(page)
    orphans.view.selectRow(orphans.model.find(lambda r: r.serial == left.declined.serial))
    assert page.panel.detail is not None and page.panel.detail.row.id == left.declined.id
    fill = fill_and_submit({"to_officer": left.zhao.officer_id, "reason": "张三已调离"})
    monkeypatch.setattr(TextFormDialog, "exec", fill)

    page.assign_button.click()

    detail = services.visits.get(left.chief, left.declined.id)
    assert detail.row.owner_name == "赵刚"
    assert page.orphan_title.text().startswith("无人负责的在办事项（1 件）")


def test_the_chief_offers_an_orphan_and_the_colleague_must_accept(
    qtbot, monkeypatch, services: Services, left: Leaving
) -> None:  # type: ignore[no-untyped-def]
    page = TodayPage(services.visits, left.chief)
    qtbot.addWidget(page)
    orphans = orphan_list(page)
    orphans.view.selectRow(orphans.model.find(lambda r: r.serial == left.declined.serial))
    monkeypatch.setattr(
        TextFormDialog, "exec", fill_and_submit({"to_officer": left.zhao.officer_id})
    )

    page.offer_button.click()

    handover = services.visits.get(left.chief, left.declined.id).pending_handover
    assert handover is not None and handover.to_name == "赵刚"
    assert {r.pending_handover_to for r in orphans.model.rows()} == {"赵刚"}
    services.visits.accept_handover(left.zhao, handover.id)
    page.reload()
    assert page.orphan_title.text().startswith("无人负责的在办事项（1 件）")


def test_nothing_is_shown_without_orphans_or_to_a_window_officer(
    qtbot, services: Services, chief: SessionUser, left: Leaving
) -> None:  # type: ignore[no-untyped-def]
    window = TodayPage(services.visits, left.zhao)
    qtbot.addWidget(window)
    assert window.orphans is None and not window.orphan_box.isVisibleTo(window)

    for visit in (left.offered, left.declined):
        d = services.visits.get(chief, visit.id)
        services.visits.reassign(chief, visit.id, d.row.row_version, left.zhao.officer_id, "调离")
    page = TodayPage(services.visits, chief)
    qtbot.addWidget(page)
    assert page.orphans is not None and not page.orphan_box.isVisibleTo(page)
