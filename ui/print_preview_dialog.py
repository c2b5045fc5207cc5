"""Preview a PDF made by app.printing, then print it at 300 dpi or save it."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pypdfium2
from PySide6.QtCore import QMarginsF, QSizeF, Qt
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
from ui.widgets.messages import show_error

PRINT_DPI = 300
PREVIEW_DPI = 110


def render_pages(pdf: bytes, dpi: int) -> list[QImage]:
    """Each page of ``pdf`` as an RGB image at ``dpi``."""
    doc = pypdfium2.PdfDocument(pdf)
    try:
        images = []
        for index in range(len(doc)):
            bitmap = doc[index].render(scale=dpi / 72)
            pil = bitmap.to_pil().convert("RGB")
            w, h = pil.size
            images.append(QImage(pil.tobytes(), w, h, w * 3, QImage.Format.Format_RGB888).copy())
        return images
    finally:
        doc.close()


def page_size_points(pdf: bytes) -> tuple[float, float]:
    """The first page's size in points (A5, A4 or the 80 mm roll's length)."""
    doc = pypdfium2.PdfDocument(pdf)
    try:
        width, height = doc[0].get_size()
        return float(width), float(height)
    finally:
        doc.close()


def prepare_printer(printer: QPrinter, pdf: bytes) -> None:
    """Paper as the slip was laid out (A5 stays A5, the roll its own length), full page."""
    width, height = page_size_points(pdf)
    printer.setResolution(PRINT_DPI)
    printer.setFullPage(True)
    size = QPageSize(
        QSizeF(width, height), QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.FuzzyMatch
    )
    printer.setPageLayout(
        QPageLayout(size, QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0))
    )


def print_pdf(pdf: bytes, printer: QPrinter) -> None:
    """Paint every page onto ``printer`` (raster at 300 dpi: fast and identical everywhere)."""
    prepare_printer(printer, pdf)
    painter = QPainter()
    if not painter.begin(printer):
        raise StationDeskError("打印机无法开始打印，请检查打印机是否连接。")
    try:
        for index, image in enumerate(render_pages(pdf, PRINT_DPI)):
            if index:
                printer.newPage()
            area = painter.viewport()
            scaled = image.size().scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
            painter.setViewport(area.x(), area.y(), scaled.width(), scaled.height())
            painter.setWindow(image.rect())
            painter.drawImage(0, 0, image)
    finally:
        painter.end()


class PrintPreviewDialog(QDialog):
    """Shows the pages; ``on_output`` runs before printing or saving (logs the print)."""

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
        layout.addLayout(buttons)

    def _log_output(self) -> bool:
        if self.output_done:
            return True
        try:
            self._on_output()
        except StationDeskError as exc:
            show_error(self, exc.message)
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
        """Log the print, then send the pages to ``printer``."""
        if not self._log_output():
            return
        try:
            print_pdf(self._pdf, printer)
        except StationDeskError as exc:
            show_error(self, exc.message)
            return
        self.accept()

    def _on_save_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "另存为 PDF", str(Path.home() / self._suggested), "PDF 文件 (*.pdf)"
        )
        if path:
            self.save_to(Path(path))

    def save_to(self, path: Path) -> None:
        """Log the output and write the PDF atomically."""
        if path.suffix.lower() != ".pdf":
            path = path.with_suffix(".pdf")
        if not self._log_output():
            return
        tmp = path.with_name(f".{path.name}.part")
        try:
            tmp.write_bytes(self._pdf)
            os.replace(tmp, path)
        except OSError:
            tmp.unlink(missing_ok=True)
            show_error(self, f"无法保存到 {path}，请检查文件夹和权限。")
            return
        self.accept()
