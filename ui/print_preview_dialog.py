"""Preview a PDF made by app.printing, then print it at 300 dpi or save it.

A print is recorded (``on_output``) only once it came out: the printer accepted every page
(QPainter.begin and end both succeeded), or the saved file is written and about to take its
name. A failed print records nothing; a save whose record is refused writes nothing (a file it
would have replaced stays as it was). The paper chosen in the print dialog is honoured: the
slip's own paper is preselected, and on any other paper the page is scaled to fit, keeping its
proportions, centred.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter, QPixmap
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.errors import StationDeskError
from app.exports.files import write_atomically
from ui.widgets.messages import show_error

if TYPE_CHECKING:
    import pypdfium2

logger = logging.getLogger(__name__)

PRINT_DPI = 300
PREVIEW_DPI = 110
PRINT_FAILED = (
    "打印失败，本次打印未登记。请重试；如仍失败，请联系系统管理员（详细信息已写入日志）。"
)
SAVE_FAILED = (
    "另存失败，文件未保存，本次另存未登记。"
    "请重试；如仍失败，请联系系统管理员（详细信息已写入日志）。"
)
MM = 72 / 25.4  # points per millimetre


def _document(pdf: bytes) -> pypdfium2.PdfDocument:
    """``pdf`` opened with pdfium, imported with the first preview rather than at start-up."""
    import pypdfium2

    return pypdfium2.PdfDocument(pdf)


def _image(page: pypdfium2.PdfPage, scale: float) -> QImage:
    pil = page.render(scale=scale).to_pil().convert("RGB")
    w, h = pil.size
    return QImage(pil.tobytes(), w, h, w * 3, QImage.Format.Format_RGB888).copy()


def render_pages(pdf: bytes, dpi: int) -> list[QImage]:
    """Each page of ``pdf`` as an RGB image at ``dpi``."""
    doc = _document(pdf)
    try:
        return [_image(doc[index], dpi / 72) for index in range(len(doc))]
    finally:
        doc.close()


def page_size_points(pdf: bytes) -> tuple[float, float]:
    """The first page's size in points (A5, A4 or the 80 mm roll's length)."""
    doc = _document(pdf)
    try:
        width, height = doc[0].get_size()
        return float(width), float(height)
    finally:
        doc.close()


def _page_layout(width: float, height: float) -> QPageLayout:
    """The paper a page of ``width`` × ``height`` points was laid out on, without margins."""
    landscape = width > height
    short, long = (height, width) if landscape else (width, height)
    size = QPageSize(
        QSizeF(short, long), QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.FuzzyMatch
    )
    orientation = (
        QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait
    )
    return QPageLayout(size, orientation, QMarginsF(0, 0, 0, 0))


# Paper known by its ISO name at a Chinese counter (A4, A5, B5 …). Qt's own keys are English
# (Letter, Legal, EnvDL) or ambiguous (its "B5" is JIS B5), so any other paper is given in
# millimetres.
_ISO_NAMES = {
    getattr(QPageSize.PageSizeId, f"{series}{n}"): f"{series}{n}"
    for series in "AB"
    for n in range(11)
}


def paper_label(width: float, height: float) -> str:
    """The paper of a page in words: A5, A4 横向, 80 毫米卷纸, 216×279 毫米纸 …"""
    layout = _page_layout(width, height)
    short, long = sorted((width / MM, height / MM))
    name = _ISO_NAMES.get(layout.pageSize().id())
    if name is None:
        name = "80 毫米卷纸" if abs(short - 80) < 1 else f"{short:.0f}×{long:.0f} 毫米纸"
    if layout.orientation() is QPageLayout.Orientation.Landscape:
        name += " 横向"
    return name


def prepare_printer(printer: QPrinter, pdf: bytes) -> None:
    """Preselect the paper the slip was laid out on (A5 stays A5, the roll its own length)."""
    printer.setResolution(PRINT_DPI)
    printer.setFullPage(True)
    printer.setPageLayout(_page_layout(*page_size_points(pdf)))


def _fit(width: float, height: float, area: QRectF) -> QRectF:
    """The largest rectangle of the page's proportions inside ``area``, centred."""
    scale = min(area.width() / width, area.height() / height)
    w, h = width * scale, height * scale
    return QRectF(area.x() + (area.width() - w) / 2, area.y() + (area.height() - h) / 2, w, h)


def print_pdf(pdf: bytes, printer: QPrinter) -> None:
    """Paint every page onto ``printer`` on the paper it is set to; raise unless it took them.

    Pages are rasterised at the printer's resolution for the size they print at (fast and
    identical everywhere). Returns only if the printer accepted the whole job.
    """
    # A printer's native resolution (600 or 1200 dpi) would make page images of hundreds of MB.
    printer.setResolution(PRINT_DPI)
    printer.setFullPage(True)
    painter = QPainter()
    if not painter.begin(printer):
        raise StationDeskError(
            "打印机无法开始打印，请检查打印机是否连接、是否缺纸后重试。本次打印未登记。"
        )
    try:
        doc = _document(pdf)
        try:
            for index in range(len(doc)):
                if index and not printer.newPage():
                    raise StationDeskError("打印机无法换页，打印未完成。本次打印未登记。")
                page = doc[index]
                width, height = page.get_size()
                target = _fit(width, height, QRectF(painter.viewport()))
                painter.drawImage(target, _image(page, target.width() / width))
        finally:
            doc.close()
    except BaseException:
        printer.abort()
        painter.end()
        raise
    if not painter.end() or printer.printerState() in (
        QPrinter.PrinterState.Error,
        QPrinter.PrinterState.Aborted,
    ):
        raise StationDeskError("打印机没有接收这份打印任务，请检查打印机后重试。本次打印未登记。")


class PrintPreviewDialog(QDialog):
    """Shows the pages; ``on_output`` records the print once it has come out (or was saved)."""

    def __init__(
        self,
        pdf: bytes,
        title: str,
        suggested_name: str,
        on_output: Callable[[], None],
        warning: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._pdf = pdf
        self._on_output = on_output
        self._suggested = suggested_name
        self.output_done = False
        self.setWindowTitle(f"打印预览 — {title}")
        self.resize(760, 860)
        pages = QWidget()
        pages_box = QVBoxLayout(pages)
        pages_box.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.page_labels: list[QLabel] = []
        for image in render_pages(pdf, PREVIEW_DPI):
            label = QLabel()
            label.setPixmap(QPixmap.fromImage(image))
            label.setObjectName("page")
            pages_box.addWidget(label)
            self.page_labels.append(label)
        scroll = QScrollArea()
        scroll.setWidget(pages)
        scroll.setWidgetResizable(True)
        scroll.setObjectName("previewArea")
        self.paper_hint = QLabel(
            f"本单按 {paper_label(*page_size_points(pdf))} 排版；"
            "如在打印对话框选择其他纸张，将按比例缩放打印。"
        )
        self.paper_hint.setObjectName("hint")
        self.paper_hint.setWordWrap(True)
        self.print_button = QPushButton("打印…")
        self.save_button = QPushButton("另存为 PDF…")
        close = QPushButton("关闭")
        self.print_button.setDefault(True)
        self.print_button.clicked.connect(self._on_print_clicked)
        self.save_button.clicked.connect(self._on_save_clicked)
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        if warning:
            warn = QLabel(warning)
            warn.setObjectName("banner")
            warn.setWordWrap(True)
            layout.addWidget(warn)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.paper_hint)
        layout.addLayout(buttons)

    def _record_output(self, failure: str) -> bool:
        """Record the output once per preview (one paper copy number); False if refused."""
        if self.output_done:
            return True
        try:
            self._on_output()
        except StationDeskError as exc:
            show_error(self, f"{failure}{exc.message}")
            return False
        self.output_done = True
        return True

    def _on_print_clicked(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        prepare_printer(printer, self._pdf)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("打印")
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.print_to(printer)

    def print_to(self, printer: QPrinter) -> None:
        """Send the pages to ``printer`` on its chosen paper; record the print once it took them."""
        try:
            print_pdf(self._pdf, printer)
        except StationDeskError as exc:
            show_error(self, exc.message)
            return
        except Exception:
            # E.g. the PDF renderer failing on a page: logged in full, one sentence shown.
            logger.exception("printing the preview failed")
            show_error(self, PRINT_FAILED)
            return
        if self._record_output("单据已送打印机，但打印记录未能登记，请报告所长：\n"):
            self.accept()

    def _on_save_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "另存为 PDF", str(Path.home() / self._suggested), "PDF 文件 (*.pdf)"
        )
        if path:
            self.save_to(Path(path))

    def save_to(self, path: Path) -> None:
        """Write the PDF atomically, recording the output just before the file takes its place.

        If the record is refused, nothing is written: a file of that name stays untouched and
        no partial file is left behind.
        """
        if path.suffix.lower() != ".pdf":
            path = path.with_suffix(".pdf")
        recorded_before = self.output_done

        @contextmanager
        def recorded() -> Iterator[None]:
            if not self._record_output("未能登记本次另存，文件未保存：\n"):
                raise _NotRecorded
            yield

        try:
            write_atomically(path, self._pdf, recorded)
        except _NotRecorded:
            return  # the refusal was shown; nothing was written
        except StationDeskError as exc:
            if recorded_before:
                show_error(self, exc.message)
            elif self.output_done:  # recorded, then the rename failed
                show_error(self, f"{exc.message}本次另存已登记，重试不会重复登记。")
            else:
                show_error(self, f"{exc.message}本次另存未登记。")
            return
        except Exception:
            logger.exception("saving the preview failed")
            show_error(self, SAVE_FAILED)
            return
        self.accept()


class _NotRecorded(Exception):
    """The output's record was refused (and said so): the file must not be written."""
