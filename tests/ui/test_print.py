"""Printing through Qt: the paper chosen is honoured, and a print is recorded once it came out."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
from pathlib import Path

import pypdfium2
import pytest
from PIL import ImageOps
from PySide6.QtGui import QPageSize, QPainter
from PySide6.QtPrintSupport import QPrinter
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.core.database import Database
from app.core.dto import SessionUser
from app.core.errors import PermissionDenied
from app.core.identity import IdType
from app.core.roles import Role
from app.printing.slip_data import SlipData
from app.printing.slip_pdf import render_slip
from app.services import Services
from app.visits.dto import NewVisit
from db.models import AuditEvent
from ui import print_preview_dialog
from ui.pages.search_page import SearchPage
from ui.print_preview_dialog import PrintPreviewDialog, prepare_printer

A5 = (419.5, 595.3)
A4 = (595.3, 841.9)


@dataclasses.dataclass
class Slip:
    """A receipt ready to preview, and the means to see what was recorded."""

    services: Services
    db: Database
    officer: SessionUser
    visit_id: int
    data: SlipData
    pdf: bytes

    def dialog(self, qtbot) -> PrintPreviewDialog:  # type: ignore[no-untyped-def]
        data = self.data

        def record() -> None:
            self.services.visits.record_print(self.officer, self.visit_id, "receipt", data.copy_no)

        dialog = PrintPreviewDialog(self.pdf, "受理回执", "r.pdf", record)
        qtbot.addWidget(dialog)
        return dialog

    def printed(self) -> list[tuple[str, int | None, dict[str, object] | None]]:
        """The print events in the real database: action, officer, after data."""
        import json

        with self.db.sessions() as session:
            events = session.scalars(
                select(AuditEvent)
                .where(AuditEvent.action.in_(["slip_printed", "slip_reprinted"]))
                .order_by(AuditEvent.id)
            )
            return [
                (e.action, e.officer_id, json.loads(e.after_json) if e.after_json else None)
                for e in events
            ]

    def next_copy(self) -> int:
        return self.services.visits.slip(self.officer, self.visit_id, "receipt").copy_no


@pytest.fixture
def errors(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Messages the dialog shows, instead of modal boxes."""
    shown: list[str] = []
    monkeypatch.setattr(
        print_preview_dialog, "show_error", lambda _p, text, *_a: shown.append(text)
    )
    return shown


def make_slip(
    services: Services, db: Database, chief: SessionUser, make_officer, paper: str
) -> Slip:  # type: ignore[no-untyped-def]
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
    return Slip(services, db, officer, visit.row.id, data, render_slip(data))


@pytest.fixture
def slip(services: Services, db: Database, chief: SessionUser, make_officer) -> Slip:  # type: ignore[no-untyped-def]
    return make_slip(services, db, chief, make_officer, "A5")


def pdf_printer(path: Path) -> QPrinter:
    """A real printer: Qt's PDF output to a file."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    return printer


def page_size(pdf: bytes) -> tuple[float, float]:
    doc = pypdfium2.PdfDocument(pdf)
    try:
        width, height = doc[0].get_size()
        return width, height
    finally:
        doc.close()


def ink_box(pdf: bytes) -> tuple[float, float, float, float]:
    """Where the first page has ink, as fractions of its width and height."""
    doc = pypdfium2.PdfDocument(pdf)
    try:
        image = doc[0].render(scale=0.5).to_pil().convert("L")
    finally:
        doc.close()
    box = ImageOps.invert(image).point(lambda v: 255 if v > 40 else 0).getbbox()
    assert box is not None
    w, h = image.size
    return box[0] / w, box[1] / h, box[2] / w, box[3] / h


@pytest.mark.parametrize("paper", ["A5", "80mm"])
def test_the_slip_paper_is_preselected_and_the_print_recorded_once(
    qtbot,
    tmp_path: Path,
    services: Services,
    db: Database,
    chief: SessionUser,
    make_officer,
    errors: list[str],
    paper: str,
) -> None:  # type: ignore[no-untyped-def]
    slip = make_slip(services, db, chief, make_officer, paper)
    dialog = slip.dialog(qtbot)
    assert len(dialog.page_labels) == 1
    printer = pdf_printer(tmp_path / "printed.pdf")
    prepare_printer(printer, slip.pdf)  # what the print dialog opens with

    dialog.print_to(printer)

    width, height = page_size((tmp_path / "printed.pdf").read_bytes())
    source = page_size(slip.pdf)
    assert abs(width - source[0]) < 2 and abs(height - source[1]) < 2
    if paper == "A5":
        assert abs(width - A5[0]) < 2 and abs(height - A5[1]) < 2
    assert errors == []
    assert slip.printed() == [
        ("slip_printed", slip.officer.officer_id, {"kind": "receipt", "copy_no": 1, "via": "gui"})
    ]
    dialog.save_to(tmp_path / "copy.pdf")
    assert len(slip.printed()) == 1  # the same output once more is not a second print


def test_a_different_paper_chosen_in_the_dialog_scales_the_slip_onto_it(
    qtbot, tmp_path: Path, slip: Slip, errors: list[str]
) -> None:  # type: ignore[no-untyped-def]
    dialog = slip.dialog(qtbot)
    out = tmp_path / "a4.pdf"
    printer = pdf_printer(out)
    prepare_printer(printer, slip.pdf)
    assert printer.pageLayout().pageSize().id() == QPageSize.PageSizeId.A5  # preselected
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))  # the user picks A4

    dialog.print_to(printer)

    width, height = page_size(out.read_bytes())
    assert abs(width - A4[0]) < 2 and abs(height - A4[1]) < 2
    # A5 → A4 keeps the proportions: the ink covers the same share of the bigger page.
    printed, source = ink_box(out.read_bytes()), ink_box(slip.pdf)
    assert all(abs(p - s) < 0.02 for p, s in zip(printed, source, strict=True)), (printed, source)
    assert errors == [] and len(slip.printed()) == 1


def test_a_narrow_slip_on_wide_paper_is_centred(
    qtbot, tmp_path: Path, services: Services, db: Database, chief, make_officer, errors
) -> None:  # type: ignore[no-untyped-def]
    roll = make_slip(services, db, chief, make_officer, "80mm")
    out = tmp_path / "roll-on-a4.pdf"
    printer = pdf_printer(out)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))

    roll.dialog(qtbot).print_to(printer)

    width, height = page_size(out.read_bytes())
    assert abs(width - A4[0]) < 2 and abs(height - A4[1]) < 2
    left, _top, right, _bottom = ink_box(out.read_bytes())
    src_left, _, src_right, _ = ink_box(roll.pdf)
    # The roll is scaled to the page's height and centred: equal blank bands left and right.
    rw, rh = page_size(roll.pdf)
    shown = rw * A4[1] / rh / A4[0]  # the scaled roll's share of the page width
    margin = (1 - shown) / 2
    assert abs(left - (margin + src_left * shown)) < 0.02
    assert abs(right - (margin + src_right * shown)) < 0.02
    assert errors == []


@pytest.mark.qt_log_ignore("QPainter::begin")
def test_a_printer_that_cannot_start_records_nothing(
    qtbot, tmp_path: Path, slip: Slip, errors: list[str]
) -> None:  # type: ignore[no-untyped-def]
    dialog = slip.dialog(qtbot)
    printer = pdf_printer(tmp_path / "没有这个文件夹" / "p.pdf")
    prepare_printer(printer, slip.pdf)

    dialog.print_to(printer)

    assert len(errors) == 1 and "未登记" in errors[0]
    assert slip.printed() == [] and slip.next_copy() == 1
    assert not dialog.output_done and dialog.result() == 0


@pytest.mark.parametrize("step", ["begin", "end"])
def test_a_job_the_printer_refuses_records_nothing(
    qtbot,
    tmp_path: Path,
    slip: Slip,
    errors: list[str],
    monkeypatch: pytest.MonkeyPatch,
    step: str,
) -> None:  # type: ignore[no-untyped-def]
    real_end = QPainter.end
    if step == "begin":
        monkeypatch.setattr(QPainter, "begin", lambda self, device: False)
    else:

        def end_refused(self: QPainter) -> bool:
            real_end(self)
            return False  # the spooler did not take the job

        monkeypatch.setattr(QPainter, "end", end_refused)
    dialog = slip.dialog(qtbot)

    dialog.print_to(pdf_printer(tmp_path / "p.pdf"))

    assert len(errors) == 1 and "本次打印未登记" in errors[0]
    assert slip.printed() == [] and slip.next_copy() == 1


def test_saving_is_recorded_after_the_file_is_written(
    qtbot, tmp_path: Path, slip: Slip, errors: list[str]
) -> None:  # type: ignore[no-untyped-def]
    failed = slip.dialog(qtbot)
    failed.save_to(tmp_path / "没有这个文件夹" / "r.pdf")
    assert len(errors) == 1 and "未登记" in errors[0]
    assert slip.printed() == []

    dialog = slip.dialog(qtbot)
    dialog.save_to(tmp_path / "回执")
    assert (tmp_path / "回执.pdf").read_bytes() == slip.pdf
    assert len(slip.printed()) == 1 and dialog.result() == 1


def refused_dialog(qtbot: QtBot, slip: Slip) -> PrintPreviewDialog:
    """A preview whose record is refused (e.g. the account was deactivated meanwhile)."""

    def refuse() -> None:
        raise PermissionDenied("您的账号已被停用，请联系管理员。")

    dialog = PrintPreviewDialog(slip.pdf, "受理回执", "r.pdf", refuse)
    qtbot.addWidget(dialog)
    return dialog


def test_a_refused_record_leaves_an_overwritten_file_as_it_was(
    qtbot: QtBot, tmp_path: Path, slip: Slip, errors: list[str]
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    existing = folder / "回执.pdf"
    existing.write_bytes(b"%PDF-1.4 the citizen's earlier copy")

    dialog = refused_dialog(qtbot, slip)
    dialog.save_to(existing)  # the user chose to overwrite it

    assert existing.read_bytes() == b"%PDF-1.4 the citizen's earlier copy"
    assert [p.name for p in folder.iterdir()] == ["回执.pdf"]  # no partial file
    assert len(errors) == 1 and "文件未保存" in errors[0] and "账号已被停用" in errors[0]
    assert not dialog.output_done and dialog.result() == 0


def test_a_refused_record_writes_no_new_file(
    qtbot: QtBot, tmp_path: Path, slip: Slip, errors: list[str]
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    refused_dialog(qtbot, slip).save_to(folder / "新回执.pdf")

    assert list(folder.iterdir()) == []
    assert len(errors) == 1 and slip.printed() == []

    # Recorded, the same save overwrites a file of that name whole.
    (folder / "新回执.pdf").write_bytes(b"old")
    dialog = slip.dialog(qtbot)
    dialog.save_to(folder / "新回执.pdf")
    assert (folder / "新回执.pdf").read_bytes() == slip.pdf
    assert [p.name for p in folder.iterdir()] == ["新回执.pdf"]
    assert len(slip.printed()) == 1 and dialog.result() == 1


def test_a_rendering_failure_while_printing_is_one_chinese_line_and_no_record(
    qtbot: QtBot,
    tmp_path: Path,
    slip: Slip,
    errors: list[str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    dialog = slip.dialog(qtbot)

    def broken(*_args: object) -> None:
        raise RuntimeError("pdfium: failed to render page")

    monkeypatch.setattr(print_preview_dialog, "_image", broken)
    with caplog.at_level(logging.ERROR, logger="ui.print_preview_dialog"):
        dialog.print_to(pdf_printer(tmp_path / "p.pdf"))

    assert len(errors) == 1 and errors[0].startswith("打印失败，本次打印未登记。")
    assert "pdfium" not in errors[0] and "Error" not in errors[0]
    assert "failed to render page" in caplog.text  # the details go to the log
    assert slip.printed() == [] and slip.next_copy() == 1
    assert not dialog.output_done and dialog.result() == 0


def test_a_print_logged_elsewhere_meanwhile_is_still_recorded(
    qtbot, tmp_path: Path, slip: Slip, errors: list[str]
) -> None:  # type: ignore[no-untyped-def]
    dialog = slip.dialog(qtbot)  # previews copy 1
    # Another counter prints the same receipt while this preview is open.
    slip.services.visits.record_print(slip.officer, slip.visit_id, "receipt", 1)

    printer = pdf_printer(tmp_path / "p.pdf")
    prepare_printer(printer, slip.pdf)
    dialog.print_to(printer)

    assert errors == []
    (_, _, first), (action, _, after) = slip.printed()
    assert first == {"kind": "receipt", "copy_no": 1, "via": "gui"}
    assert action == "slip_reprinted" and after is not None
    assert (after["copy_no"], after["printed_copy_no"]) == (2, 1)


def test_the_preview_says_which_paper_the_slip_is_laid_out_on(qtbot, slip: Slip) -> None:  # type: ignore[no-untyped-def]
    dialog = slip.dialog(qtbot)
    assert dialog.paper_hint.text() == (
        "本单按 A5 排版；如在打印对话框选择其他纸张，将按比例缩放打印。"
    )
    assert print_preview_dialog.paper_label(*A4[::-1]) == "A4 横向"
    assert print_preview_dialog.paper_label(226.8, 600) == "80 毫米卷纸"


@pytest.mark.parametrize(
    ("width", "height", "label"),
    [
        (612, 792, "216×279 毫米纸"),  # US Letter: Qt calls it "Letter"
        (792, 612, "216×279 毫米纸 横向"),
        (612, 1008, "216×356 毫米纸"),  # "Legal"
        (498.9, 708.7, "B5"),  # ISO B5, which Qt calls "ISOB5"
        (515.9, 728.5, "182×257 毫米纸"),  # JIS B5, which Qt calls "B5"
        (311.8, 623.6, "110×220 毫米纸"),  # an envelope, "EnvDL"
        (841.9, 1190.6, "A3"),
    ],
)
def test_a_paper_without_a_chinese_name_is_given_in_millimetres(
    width: float, height: float, label: str
) -> None:
    assert print_preview_dialog.paper_label(width, height) == label
    assert not re.search(r"[A-Za-z]{2,}", label)  # no English word reaches the user


def test_the_search_refuses_a_forged_receipt_code_at_the_number_field(
    qtbot, services: Services, slip: Slip
) -> None:  # type: ignore[no-untyped-def]
    page = SearchPage(services.visits, services.catalogue, slip.officer, dt.date(2025, 9, 29))
    qtbot.addWidget(page)
    number, checksum = slip.data.qr_payload.split("|")[1:]
    forged = "0" * 8 if checksum != "0" * 8 else "1" * 8

    page.serial_edit.setText(f"SD|{number}|{forged}")
    page.search()
    assert "二维码校验未通过" in page.errors.message_of("serial")
    assert page.model.rowCount() == 0

    page.serial_edit.setText(slip.data.qr_payload)
    page.search()
    assert page.errors.message_of("serial") == ""
    assert page.model.rowCount() == 1
