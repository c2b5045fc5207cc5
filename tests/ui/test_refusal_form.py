"""The refusal form asks the legal basis and the redress bodies (issue 14); the settings page
keeps the station's default bodies."""

from __future__ import annotations

import dataclasses

from PySide6.QtWidgets import QLineEdit, QPlainTextEdit

from app.core.dto import SessionUser
from app.core.identity import IdType
from app.core.roles import Role
from app.printing.register_pdf import RegisterTable
from app.services import Services
from app.visits.dto import NewVisit
from app.visits.refusal import COMMON_BASIS
from ui.dialogs.text_form_dialog import TextFormDialog
from ui.pages.settings_page import SettingsPage
from ui.widgets.visit_panel import VisitPanel

REVIEW, COURT = "测试市和平区人民政府", "测试市和平区人民法院"


def text_of(dialog: TextFormDialog, name: str) -> str:
    editor = dialog.editors[name]
    assert isinstance(editor, QLineEdit | QPlainTextEdit)
    return editor.toPlainText() if isinstance(editor, QPlainTextEdit) else editor.text()


def set_text(dialog: TextFormDialog, name: str, value: str) -> None:
    editor = dialog.editors[name]
    if isinstance(editor, QPlainTextEdit):
        editor.setPlainText(value)
    else:
        assert isinstance(editor, QLineEdit)
        editor.setText(value)


def test_the_refusal_form_asks_the_basis_and_offers_the_stations_bodies(
    qtbot, services: Services, chief: SessionUser, make_officer
) -> None:  # type: ignore[no-untyped-def]
    settings = dataclasses.replace(
        services.station.settings(), redress_review_body=REVIEW, redress_court=COURT
    )
    services.station.update_settings(chief, settings)
    officer = make_officer(Role.WINDOW, "陈静")
    item = services.catalogue.list_items("ZM-QSGX")[0]
    new = NewVisit("赵敏", IdType.RESIDENT, "11010519491231002X", "13805710011", item.item_id)
    visit = services.visits.register(officer, new)
    panel = VisitPanel(services.visits, officer)
    qtbot.addWidget(panel)
    panel.show_visit(visit.row.id)
    panel.form_only = True

    dialog = panel._on_refuse()
    assert dialog is not None
    qtbot.addWidget(dialog)
    assert text_of(dialog, "refusal_basis") == COMMON_BASIS
    assert (text_of(dialog, "refusal_review_body"), text_of(dialog, "refusal_court")) == (
        REVIEW,
        COURT,
    )

    # No basis: refused at its field, the matter untouched.
    set_text(dialog, "refusal_reason", "申请人与被证明人不存在亲属关系。")
    set_text(dialog, "refusal_basis", "")
    set_text(dialog, "refusal_court", "测试市中级人民法院")  # the officer may change a body
    dialog.submit()
    assert "法律依据" in dialog.errors.message_of("refusal_basis")
    assert services.visits.get(officer, visit.row.id).row.status.value == "registered"

    set_text(dialog, "refusal_basis", COMMON_BASIS + "第一款第（一）项")
    dialog.submit()
    assert dialog.result_value is not None
    slip = services.visits.slip(officer, visit.row.id, "refusal")
    said = dict(slip.paragraphs)
    assert said["法律依据"] == COMMON_BASIS + "第一款第（一）项"
    assert REVIEW in said["救济途径"] and "测试市中级人民法院" in said["救济途径"]

    # The matter's detail shows what the notice says: the basis and the bodies by name.
    panel.show_visit(visit.row.id)
    shown = panel.view.toPlainText()
    assert "法律依据" in shown and COMMON_BASIS + "第一款第（一）项" in shown
    assert REVIEW in shown and "测试市中级人民法院" in shown
    # So does the 办件档案 the chief prints.
    document = services.case_files.document(chief, visit.row.serial)
    first = next(b for b in document.blocks if isinstance(b, RegisterTable))
    fields = {row.cells[0]: row.cells[1] for row in first.rows}
    assert fields["法律依据"] == COMMON_BASIS + "第一款第（一）项"
    assert fields["不予受理的理由"] == "申请人与被证明人不存在亲属关系。"
    assert REVIEW in fields["救济途径"] and "测试市中级人民法院" in fields["救济途径"]


def test_the_settings_page_edits_the_redress_bodies(
    qtbot, services: Services, chief: SessionUser
) -> None:  # type: ignore[no-untyped-def]
    page = SettingsPage(services.station, chief)
    qtbot.addWidget(page)
    page.review_body_edit.setText(REVIEW)
    page.court_edit.setText("法" * 101)
    page.save_button.click()
    assert "不能超过" in page.errors.message_of("redress_court")
    assert services.station.settings().redress_review_body == ""

    page.court_edit.setText(COURT)
    page.save_button.click()
    saved = services.station.settings()
    assert (saved.redress_review_body, saved.redress_court) == (REVIEW, COURT)
