"""Files and printing: Chinese standard dialogs, the StationDesk folder, no printer, the preview."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, QSettings, Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrinterInfo
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFileDialog,
    QGroupBox,
    QLabel,
    QMainWindow,
    QMessageBox,
    QWidget,
)
from pytestqt.qtbot import QtBot
from reportlab.lib.pagesizes import A4, A5, landscape
from reportlab.pdfgen.canvas import Canvas

from ui import files, print_preview_dialog
from ui.files import FileNotice, announce_printed, ask_save_path, default_folder, folder_for
from ui.print_preview_dialog import PrintPreviewDialog

# What Qt's dialogs say in English when a translation is missing.
QT_ENGLISH = (
    "Look in",
    "File name",
    "Files of type",
    "Cancel",
    "Open",
    "Save",
    "Folder",
    "Directory",
    "Back",
    "Forward",
    "Parent",
    "Detail",
    "List View",
    "New Folder",
    "Name",
    "Size",
    "Type",
    "Date Modified",
    "Drive",
    "Computer",
    "Choose",
    "All Files",
    "Print",
    "Options",
    "Properties",
    "Printer",
    "Copies",
    "Yes",
    "No",
    "OK",
    "Close",
)
WORD = re.compile(r"[A-Za-z]{2,}")
COUNTER_SCREEN = QRect(0, 0, 1366, 728)  # 1366×768 without the task bar


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A new user's home folder and settings; the real ones stay untouched."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    monkeypatch.setattr(files, "_settings", lambda: settings)
    monkeypatch.setattr(files, "_is_program", lambda: True)  # as the program, in this home
    return home


def english_in(texts: list[str]) -> list[str]:
    """The texts that contain one of Qt's English labels (mnemonics removed)."""
    found = []
    for text in texts:
        plain = text.replace("&", "")
        if any(re.search(rf"\b{re.escape(word)}\b", plain) for word in QT_ENGLISH):
            found.append(text)
    return found


def visible_texts(dialog: QWidget) -> tuple[list[str], list[str]]:
    """Labels, buttons, tooltips and headers (all words) and combo items (may hold names)."""
    words: list[str] = []
    for label in dialog.findChildren(QLabel):
        if label.isVisible():
            words.append(label.text())
    for button in dialog.findChildren(QAbstractButton):
        if button.isVisible():
            words += [button.text(), button.toolTip()]
    for box in dialog.findChildren(QGroupBox):
        if box.isVisible():
            words.append(box.title())
    items: list[str] = []
    for combo in dialog.findChildren(QComboBox):
        if combo.isVisible():
            items += [combo.itemText(i) for i in range(combo.count())]
    for view in dialog.findChildren(QAbstractItemView):
        model = view.model()
        if view.isVisible() and model is not None:
            words += [
                str(model.headerData(c, Qt.Orientation.Horizontal) or "")
                for c in range(model.columnCount())
            ]
    return [w for w in words if w], items


def while_modal(qtbot: QtBot, inspect: Callable[[QWidget], None]) -> list[str]:
    """Run ``inspect`` on the modal dialog the next call opens, then close it."""
    problems: list[str] = []

    def look() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(20, look)
            return
        try:
            inspect(dialog)
        except AssertionError as exc:  # raised inside Qt's loop: report after it
            problems.append(str(exc))
        finally:
            dialog.close()

    QTimer.singleShot(0, look)
    return problems


def test_the_save_dialog_speaks_chinese_and_opens_in_the_stationdesk_folder(
    qtbot: QtBot, home: Path, tmp_path: Path
) -> None:
    folder = default_folder()
    assert folder == home / "Documents" / "StationDesk"
    (folder / "月度通报").mkdir(parents=True)
    (folder / "每日台账-2025-09-28.xlsx").write_bytes(b"")
    seen: dict[str, object] = {}

    def inspect(dialog: QWidget) -> None:
        assert isinstance(dialog, QFileDialog)
        seen["directory"] = dialog.directory().absolutePath()
        view = dialog.findChild(QAbstractItemView, "treeView")
        assert view is not None
        model = view.model()
        qtbot.waitUntil(lambda: model.rowCount(view.rootIndex()) >= 2, timeout=5000)
        rows = {
            model.index(r, 0, view.rootIndex()).data(): model.index(r, 2, view.rootIndex()).data()
            for r in range(model.rowCount(view.rootIndex()))
        }
        seen["types"] = rows
        words, items = visible_texts(dialog)
        seen["words"], seen["items"] = words, items
        dialog.grab().save(str(tmp_path / "file-dialog.png"))

    # Qt's own dialog (the native one would speak the OS's language), in Chinese.
    native = files.native_dialogs_speak_chinese()
    assert QApplication.testAttribute(Qt.ApplicationAttribute.AA_DontUseNativeDialogs) is not native
    problems = while_modal(qtbot, inspect)
    chosen = ask_save_path(
        None, "ledger-xlsx", "导出台账", "每日台账.xlsx", "Excel 工作簿 (*.xlsx)"
    )

    assert problems == [] and chosen is None
    assert seen["directory"] == str(folder)
    words = seen["words"]
    assert isinstance(words, list) and words
    assert [w for w in words if WORD.search(w.replace("&", ""))] == []  # no English word at all
    assert english_in(seen["items"]) == []  # type: ignore[arg-type]
    types = seen["types"]
    assert isinstance(types, dict) and types["月度通报"] == "文件夹"
    assert english_in([str(t) for t in types.values()]) == []
    assert "查找范围(&L)：" in words and "文件类型(&T)：" in words
    assert (tmp_path / "file-dialog.png").stat().st_size > 0


def test_message_boxes_and_the_print_dialog_speak_chinese(qtbot: QtBot) -> None:
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "请确认",
        "是否继续？",
        QMessageBox.StandardButton.Yes
        | QMessageBox.StandardButton.No
        | QMessageBox.StandardButton.Cancel
        | QMessageBox.StandardButton.Save
        | QMessageBox.StandardButton.Close,
    )
    qtbot.addWidget(box)
    box.show()
    words, _items = visible_texts(box)
    assert english_in(words) == [], words

    printer = QPrinter()
    dialog = QPrintDialog(printer)
    qtbot.addWidget(dialog)
    dialog.show()
    words, items = visible_texts(dialog)
    assert english_in(words) == [], words
    assert english_in(items) == [], items


def test_saves_start_in_documents_stationdesk_and_each_kind_remembers_its_folder(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []
    answers = iter([tmp_path / "U盘" / "台账.xlsx", tmp_path / "统计" / "九月.xlsx"])

    def save_as(_parent: object, _title: str, start: str, _filter: str) -> tuple[str, str]:
        asked.append(start)
        return str(next(answers)), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_as)
    default = home / "Documents" / "StationDesk"
    assert not default.exists()

    first = ask_save_path(None, "ledger-xlsx", "导出台账", "每日台账.xlsx", "Excel 工作簿 (*.xlsx)")
    assert asked[-1] == str(default / "每日台账.xlsx") and default.is_dir()  # created
    assert first == tmp_path / "U盘" / "台账.xlsx"

    (tmp_path / "U盘").mkdir()
    assert folder_for("ledger-xlsx") == tmp_path / "U盘"
    assert folder_for("statistics-xlsx") == default  # another kind keeps its own
    ask_save_path(None, "statistics-xlsx", "导出统计表", "统计.xlsx", "Excel 工作簿 (*.xlsx)")
    assert asked[-1] == str(default / "统计.xlsx")
    # Remembered in the settings, so across runs; a folder gone since falls back.
    stored = files._settings()
    assert stored is not None and stored.value("files/ledger-xlsx") == str(tmp_path / "U盘")
    assert folder_for("statistics-xlsx") == default  # 统计 does not exist
    (tmp_path / "U盘").rmdir()
    assert folder_for("ledger-xlsx") == default


def pdf(pages: int = 1, size: tuple[float, float] = A5) -> bytes:
    """A document with framed pages of ``size``."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=size)
    for _ in range(pages):
        canvas.rect(20, 20, size[0] - 40, size[1] - 40)
        canvas.showPage()
    canvas.save()
    return out.getvalue()


@pytest.fixture
def records() -> list[str]:
    return []


def preview(qtbot: QtBot, data: bytes, records: list[str], **kwargs: object) -> PrintPreviewDialog:
    dialog = PrintPreviewDialog(
        data, "每日台账", "每日台账-2025-09-29.pdf", lambda: records.append("out"), **kwargs
    )  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    return dialog


def test_no_printer_says_so_and_writes_no_file(
    qtbot: QtBot, home: Path, records: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(QPrinterInfo, "availablePrinterNames", staticmethod(lambda: []))
    monkeypatch.setattr(QPrinterInfo, "defaultPrinter", staticmethod(lambda: QPrinterInfo()))
    assert not files.printer_installed()
    asked: list[str] = []
    monkeypatch.setattr(
        print_preview_dialog,
        "confirm",
        lambda _p, text, *_a, **_k: asked.append(text) or False,
    )

    def no_dialog(*_a: object) -> None:
        raise AssertionError("the print dialog must not open without a printer")

    monkeypatch.setattr(print_preview_dialog, "QPrintDialog", no_dialog)
    dialog = preview(qtbot, pdf(), records)
    dialog.print_button.click()

    assert len(asked) == 1 and asked[0].startswith("本机没有安装打印机")
    assert "另存为 PDF" in asked[0] and not WORD.search(asked[0].replace("PDF", ""))
    assert records == [] and not dialog.output_done
    assert [p for p in home.rglob("*") if p.is_file()] == []  # no print.pdf anywhere

    # Accepting the offer saves a PDF instead, in the StationDesk folder.
    monkeypatch.setattr(print_preview_dialog, "confirm", lambda *_a, **_k: True)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda _p, _t, start, _f: (start, ""))
    dialog.print_button.click()
    saved = home / "Documents" / "StationDesk" / "每日台账-2025-09-29.pdf"
    assert saved.read_bytes() == dialog._pdf and records == ["out"]


def test_the_landscape_ledger_preview_fits_the_counter_screen_and_zooms(
    qtbot: QtBot, records: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(print_preview_dialog, "available_area", lambda _w: COUNTER_SCREEN)
    dialog = preview(qtbot, pdf(3, landscape(A4)), records, warning="注意：示例提示。")
    dialog.show()
    qtbot.waitExposed(dialog)

    assert dialog.width() <= COUNTER_SCREEN.width() - 16
    assert dialog.height() <= COUNTER_SCREEN.height() - 40
    for button in (dialog.print_button, dialog.save_button, dialog.zoom_in_button):
        corner = button.mapTo(dialog, button.rect().bottomRight())
        assert button.isVisible() and dialog.rect().contains(corner)
    # 适合整页: the first landscape page is whole in view.
    assert dialog.mode == "page"
    viewport = dialog.pages_area.viewport()
    page = dialog.page_labels[0]

    def whole_in_view() -> bool:
        top_left = page.mapTo(viewport, page.rect().topLeft())
        bottom_right = page.mapTo(viewport, page.rect().bottomRight())
        return viewport.rect().contains(top_left) and viewport.rect().contains(bottom_right)

    qtbot.waitUntil(whole_in_view, timeout=2000)  # the pages' layout follows the new size
    whole = dialog.scale

    dialog.activateWindow()
    qtbot.waitActive(dialog)
    qtbot.keyClick(dialog, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert dialog.scale == pytest.approx(whole * 1.25) and dialog.mode == "custom"
    assert page.pixmap().deviceIndependentSize().width() == pytest.approx(
        landscape(A4)[0] * whole * 1.25, abs=1
    )
    qtbot.keyClick(dialog, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(dialog, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert dialog.scale == pytest.approx(whole / 1.25)
    assert "缩放" in dialog.zoom_label.text()
    qtbot.keyClick(dialog, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert dialog.mode == "width" and dialog.scale >= whole
    qtbot.keyClick(dialog, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert dialog.mode == "page" and dialog.scale == pytest.approx(whole)
    for button, keys in (
        (dialog.fit_width_button, "Ctrl+2"),
        (dialog.fit_page_button, "Ctrl+0"),
        (dialog.zoom_in_button, "Ctrl+="),
        (dialog.zoom_out_button, "Ctrl+-"),
        (dialog.print_button, "Ctrl+P"),
        (dialog.save_button, "Ctrl+S"),
    ):
        assert keys in button.text()


def test_enter_prints_and_escape_closes(
    qtbot: QtBot, records: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(print_preview_dialog, "available_area", lambda _w: COUNTER_SCREEN)
    monkeypatch.setattr(print_preview_dialog, "printer_installed", lambda: False)
    asked: list[str] = []
    monkeypatch.setattr(
        print_preview_dialog, "confirm", lambda _p, text, *_a, **_k: asked.append(text) or False
    )
    dialog = preview(qtbot, pdf(1, A5), records)
    dialog.show()
    qtbot.waitExposed(dialog)
    # A portrait slip opens at reading size inside the counter screen.
    assert dialog.height() <= COUNTER_SCREEN.height() - 40
    assert dialog.scale <= print_preview_dialog.PREVIEW_SCALE + 0.001

    dialog.zoom_in_button.setFocus()  # Enter prints whatever button has the focus
    qtbot.keyClick(dialog.zoom_in_button, Qt.Key.Key_Return)
    assert len(asked) == 1 and "打印机" in asked[0]

    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and dialog.result() == 0


def test_the_status_bar_says_where_a_file_went_and_opens_its_folder(
    qtbot: QtBot, tmp_path: Path, records: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    window = QMainWindow()
    page = QWidget()
    window.setCentralWidget(page)
    window.statusBar().addWidget(QLabel("当前：王民警"))  # as MainWindow has, before it shows
    qtbot.addWidget(window)
    window.show()
    dialog = PrintPreviewDialog(pdf(), "受理回执", "受理回执-1.pdf", lambda: None, parent=page)

    target = tmp_path / "存档" / "受理回执-1.pdf"
    target.parent.mkdir()
    dialog.save_to(target)

    notice = window.statusBar().findChild(FileNotice, "fileNotice")
    assert notice is not None and notice.isVisible()
    assert notice.label.text() == f"已保存到 {target}"
    assert notice.open_button.isVisible() and notice.open_button.text() == "打开所在文件夹"
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(opened.append))
    notice.open_button.click()
    assert opened == [QUrl.fromLocalFile(str(target.parent))]

    # A print says which printer, with no folder to open; the notice is reused.
    assert announce_printed(page, "前台打印机")
    assert window.statusBar().findChildren(FileNotice) == [notice]
    assert notice.label.text() == "已送打印机 前台打印机" and not notice.open_button.isVisible()

    # A print to a PDF file (Qt's "print to file") says where the file is.
    out = tmp_path / "打印.pdf"
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(out))
    again = PrintPreviewDialog(pdf(), "受理回执", "r.pdf", lambda: None, parent=page)
    again.print_to(printer)
    assert out.exists() and notice.label.text() == f"已保存到 {out}"
