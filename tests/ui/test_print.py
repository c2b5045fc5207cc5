"""Printing through Qt keeps the slip's paper size and logs the print once."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pypdfium2
import pytest
from PySide6.QtPrintSupport import QPrinter

from app.dto import SessionUser
from app.identity import IdType
from app.printing.slip_pdf import render_slip
from app.roles import Role
from app.services import Services
from app.visit_dto import NewVisit
from ui.print_preview_dialog import PrintPreviewDialog

A5 = (419.5, 595.3)


@pytest.mark.parametrize(("paper", "expected"), [("A5", A5), ("80mm", None)])
def test_printing_keeps_the_paper_size_and_logs_once(
    qtbot,
    tmp_path: Path,
    services: Services,
    chief: SessionUser,
    make_officer,
    paper: str,
    expected,
) -> None:  # type: ignore[no-untyped-def]
    services.station.update_settings(
        chief, dataclasses.replace(services.station.settings(), paper_size=paper)
    )
    officer = make_officer(Role.WINDOW)
    item = services.catalogue.list_items("ZM-WFZ")[0]
    visit = services.visits.register(
        officer,
        NewVisit("王五", IdType.RESIDENT, "11010519491231002X", "13805710011", item.item_id),
    )
    visit = services.visits.accept(officer, visit.row.id, visit.row.row_version)
    data = services.visits.slip(officer, visit.row.id, "receipt")
    pdf = render_slip(data)
    logged: list[int] = []
    dialog = PrintPreviewDialog(pdf, "受理回执", "r.pdf", lambda: logged.append(1))
    qtbot.addWidget(dialog)
    assert len(dialog.page_labels) == 1

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(out))
    dialog.print_to(printer)

    printed = pypdfium2.PdfDocument(out.read_bytes())
    width, height = printed[0].get_size()
    source = pypdfium2.PdfDocument(pdf)[0].get_size()
    assert abs(width - source[0]) < 2 and abs(height - source[1]) < 2
    if expected:
        assert abs(width - expected[0]) < 2 and abs(height - expected[1]) < 2
    assert logged == [1]
    dialog.save_to(tmp_path / "copy.pdf")
    assert logged == [1]  # the same output once more is not a second print


def test_a_scanned_receipt_code_searches_by_its_number() -> None:
    from ui.pages.search_page import serial_from_scan

    assert serial_from_scan("SD|QNL-2026-000123|1A2B3C4D") == "QNL-2026-000123"
    assert serial_from_scan("QNL-2026") == "QNL-2026"
