"""Preview a PDF made by app.printing, then print it at 300 dpi or save it.

A print is recorded (``on_output``) only once it came out: the printer accepted every page
(QPainter.begin and end both succeeded), or the saved file is written and about to take its
name. A failed print records nothing; a save whose record is refused writes nothing (a file it
would have replaced stays as it was). The paper chosen in the print dialog is honoured: the
slip's own paper is preselected, and on any other paper the page is scaled to fit, keeping its
proportions, centred.

The preview fits the screen's free area (1366×768 at most counters) and zooms; with no printer
installed it says so instead of letting Qt write the pages into a file. Saves open in the
StationDesk documents folder and the main window's status bar says where a file went (ui.files).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QMarginsF, QRect, QRectF, QSize, QSizeF, Qt, QTimer
from PySide6.QtGui import (
    QGuiApplication,
    QImage,
    QKeySequence,
    QPageLayout,
    QPageSize,
    QPainter,
    QPixmap,
    QResizeEvent,
    QShortcut,
    QShowEvent,
)
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import StationDeskError
from app.exports.files import write_atomically
from ui.files import NO_PRINTER, announce_printed, announce_saved, ask_save_path, printer_installed
from ui.widgets.default_button import make_default
from ui.widgets.messages import confirm, show_error

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


def render_pages(pdf: bytes, dpi: float) -> list[QImage]:
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


def page_sizes_points(pdf: bytes) -> list[tuple[float, float]]:
    """Every page's size in points."""
    doc = _document(pdf)
    try:
        sizes: list[tuple[float, float]] = []
        for index in range(len(doc)):
            width, height = doc[index].get_size()
            sizes.append((float(width), float(height)))
        return sizes
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


def available_area(widget: QWidget) -> QRect:
    """The part of ``widget``'s screen not taken by task bars (about 1366×728 at the counter)."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


# Room for the window's title bar and frame, which the window manager adds outside the dialog.
FRAME = QSize(16, 40)
ZOOM_STEP = 1.25
MIN_SCALE, MAX_SCALE = 0.25, 3.0  # pixels per point: about 18 to 216 dpi
PREVIEW_SCALE = PREVIEW_DPI / 72
PAGE_MARGIN = 12


class PrintPreviewDialog(QDialog):
    """Shows the pages; ``on_output`` records the print once it has come out (or was saved).

    The dialog sizes itself to the screen's free area and zooms: 适合宽度 (Ctrl+2), 适合整页
    (Ctrl+0), 放大 (Ctrl+=), 缩小 (Ctrl+-). A landscape page (the ledger) opens whole, a
    portrait slip at reading size. Enter prints, Ctrl+S saves a PDF, Esc closes. ``kind`` names
    the folder a save remembers (by default the document's name before its number).
    """

    def __init__(
        self,
        pdf: bytes,
        title: str,
        suggested_name: str,
        on_output: Callable[[], None],
        warning: str = "",
        parent: QWidget | None = None,
        kind: str = "",
    ) -> None:
        super().__init__(parent)
        self._pdf = pdf
        self._on_output = on_output
        self._suggested = suggested_name
        self._kind = kind or "pdf-" + Path(suggested_name).stem.split("-")[0]
        self.output_done = False
        self.setWindowTitle(f"打印预览 — {title}")
        self._sizes = page_sizes_points(pdf)
        self.mode = "custom"  # "width" / "page" keep fitting as the dialog is resized
        self.scale = PREVIEW_SCALE
        self._fitted = False
        self._build_pages()
        zoom_row = self._build_zoom_row()
        self._build_page_keys()
        buttons = self._build_buttons()
        self._lay_out(warning, zoom_row, buttons)
        self._show_zoom()
        self._size_to_screen(parent)
        self.print_button.setFocus()

    def _build_pages(self) -> None:
        """The pages, one label each, in their scroll area, rendered; the refit timer."""
        pages = QWidget()
        pages.setObjectName("previewPages")
        pages_box = QVBoxLayout(pages)
        pages_box.setContentsMargins(PAGE_MARGIN, PAGE_MARGIN, PAGE_MARGIN, PAGE_MARGIN)
        pages_box.setSpacing(PAGE_MARGIN)
        pages_box.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.page_labels: list[QLabel] = []
        for _size in self._sizes:
            label = QLabel()
            label.setObjectName("page")
            pages_box.addWidget(label)
            self.page_labels.append(label)
        self.pages_area = QScrollArea()
        self.pages_area.setWidget(pages)
        self.pages_area.setWidgetResizable(True)
        self.pages_area.setObjectName("previewArea")
        self.pages_area.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._render()
        self._refit = QTimer(self)
        self._refit.setSingleShot(True)
        self._refit.setInterval(60)
        self._refit.timeout.connect(self._apply_fit)

    def _build_zoom_row(self) -> QHBoxLayout:
        """适合宽度, 适合整页, 放大, 缩小 with their keys, the zoom and the page count."""
        self.fit_width_button = self._zoom_button("适合宽度", "Ctrl+2", self.fit_width)
        self.fit_page_button = self._zoom_button("适合整页", "Ctrl+0", self.fit_page)
        self.zoom_in_button = self._zoom_button("放大", "Ctrl+=", self.zoom_in)
        self.zoom_out_button = self._zoom_button("缩小", "Ctrl+-", self.zoom_out)
        # Ctrl++ (Shift and = on most keyboards) and the system's zoom keys do the same; each
        # sequence once, or Qt finds it ambiguous and runs neither.
        taken = {"Ctrl+=", "Ctrl+-"}
        for standard, slot in (
            (QKeySequence.StandardKey.ZoomIn, self.zoom_in),
            (QKeySequence.StandardKey.ZoomOut, self.zoom_out),
        ):
            extra = QKeySequence.keyBindings(standard)
            if standard is QKeySequence.StandardKey.ZoomIn:
                extra.append(QKeySequence("Ctrl++"))
            for keys in extra:
                if keys.toString() not in taken:
                    taken.add(keys.toString())
                    QShortcut(keys, self).activated.connect(slot)
        self.zoom_label = QLabel()
        self.zoom_label.setObjectName("zoomLabel")
        count = len(self._sizes)
        zoom_row = QHBoxLayout()
        for button in (
            self.fit_width_button,
            self.fit_page_button,
            self.zoom_in_button,
            self.zoom_out_button,
        ):
            zoom_row.addWidget(button)
        zoom_row.addWidget(self.zoom_label)
        zoom_row.addStretch(1)
        zoom_row.addWidget(QLabel(f"共 {count} 页（PgUp / PgDn 翻看）" if count > 1 else "共 1 页"))
        return zoom_row

    def _build_page_keys(self) -> None:
        """The pages scroll by keyboard wherever the focus is (it stays on 打印)."""
        bar = self.pages_area.verticalScrollBar()
        for page_keys, move in (
            ("PgDown", lambda: bar.setValue(bar.value() + bar.pageStep())),
            ("PgUp", lambda: bar.setValue(bar.value() - bar.pageStep())),
            ("Ctrl+End", lambda: bar.setValue(bar.maximum())),
            ("Ctrl+Home", lambda: bar.setValue(bar.minimum())),
        ):
            QShortcut(QKeySequence(page_keys), self).activated.connect(move)

    def _build_buttons(self) -> QHBoxLayout:
        """The paper hint, then 打印 (the default), 另存为 PDF and 关闭."""
        self.paper_hint = QLabel(
            f"本单按 {paper_label(*self._sizes[0])} 排版；"
            "如在打印对话框选择其他纸张，将按比例缩放打印。"
        )
        self.paper_hint.setObjectName("hint")
        self.paper_hint.setWordWrap(True)
        self.print_button = QPushButton("打印…（Ctrl+P）")
        self.print_button.setShortcut(QKeySequence("Ctrl+P"))
        self.print_button.setToolTip("打印（回车或 Ctrl+P）")
        self.save_button = QPushButton("另存为 PDF…（Ctrl+S）")
        self.save_button.setShortcut(QKeySequence("Ctrl+S"))
        self.save_button.setToolTip("另存为 PDF 文件（Ctrl+S）")
        close = QPushButton("关闭（Esc）")
        # Enter prints wherever the focus is (no other button becomes the default).
        make_default(self.print_button)
        for button in (self.save_button, close):
            button.setAutoDefault(False)
        self.print_button.clicked.connect(self._on_print_clicked)
        self.save_button.clicked.connect(self._on_save_clicked)
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        return buttons

    def _lay_out(self, warning: str, zoom_row: QHBoxLayout, buttons: QHBoxLayout) -> None:
        """The warning (if any) over the zoom row, the pages, the paper hint and the buttons."""
        layout = QVBoxLayout(self)
        if warning:
            warn = QLabel(warning)
            warn.setObjectName("banner")
            warn.setWordWrap(True)
            layout.addWidget(warn)
        layout.addLayout(zoom_row)
        layout.addWidget(self.pages_area, 1)
        layout.addWidget(self.paper_hint)
        layout.addLayout(buttons)

    # ---- size and zoom ----------------------------------------------------------------------

    def _zoom_button(self, text: str, keys: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(f"{text}（{keys}）")
        # A QShortcut acts at once (a button's own shortcut clicks it after an animation).
        QShortcut(QKeySequence(keys), self).activated.connect(slot)
        button.setToolTip(f"{text}（{keys}）")
        button.setAutoDefault(False)
        button.clicked.connect(slot)
        return button

    def _landscape(self) -> bool:
        width, height = self._sizes[0]
        return width > height

    def _size_to_screen(self, parent: QWidget | None) -> None:
        """As large as a page needs, never beyond the screen's free area (frame included)."""
        area = available_area(parent if parent is not None else self)
        room = QSize(area.width() - FRAME.width(), area.height() - FRAME.height())
        widest = max(width for width, _ in self._sizes)
        chrome = self.sizeHint().height() - self.pages_area.sizeHint().height()
        extra = 2 * PAGE_MARGIN + 40  # the page's margins, the scroll bar and the frame
        if self._landscape():
            wanted = QSize(room.width(), room.height())
        else:
            page_w, page_h = widest * PREVIEW_SCALE, self._sizes[0][1] * PREVIEW_SCALE
            wanted = QSize(max(int(page_w) + extra, 640), int(page_h) + extra + chrome)
        self.setMaximumSize(room)
        self.resize(wanted.boundedTo(room))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._keep_on_screen()
        if not self._fitted:
            self._fitted = True
            layout = self.layout()
            if layout is not None:
                layout.activate()  # the scroll area's real size, before fitting to it
            if self._landscape():
                self.fit_page()
            else:
                # A slip at reading size, smaller only if the dialog is narrower than that.
                self.fit_width()
                if self.scale > PREVIEW_SCALE:
                    self.set_scale(PREVIEW_SCALE)

    def _keep_on_screen(self) -> None:
        area = available_area(self)
        frame = self.frameGeometry()
        x = min(max(frame.x(), area.x()), max(area.x(), area.right() - frame.width() + 1))
        y = min(max(frame.y(), area.y()), max(area.y(), area.bottom() - frame.height() + 1))
        if (x, y) != (frame.x(), frame.y()):
            self.move(x, y)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.mode != "custom":
            self._refit.start()

    def _room(self) -> tuple[float, float, float]:
        """Viewport width and height for pages, and the vertical scroll bar's width."""
        size = self.pages_area.maximumViewportSize()
        bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        return size.width() - 2 * PAGE_MARGIN, size.height() - 2 * PAGE_MARGIN, float(bar)

    def _width_scale(self) -> float:
        width, height, bar = self._room()
        widest = max(w for w, _ in self._sizes)
        scale = width / widest
        if sum(h for _, h in self._sizes) * scale > height:
            scale = (width - bar) / widest  # the pages will scroll: leave the bar its room
        return scale

    def _page_scale(self) -> float:
        width, height, bar = self._room()
        if len(self._sizes) > 1:
            width -= bar
        return min(min(width / w, height / h) for w, h in self._sizes)

    def _apply_fit(self) -> None:
        if self.mode == "width":
            self._set(self._width_scale())
        elif self.mode == "page":
            self._set(self._page_scale())

    def fit_width(self) -> None:
        """适合宽度: the widest page fills the width; keeps doing so when resized."""
        self.mode = "width"
        self._apply_fit()

    def fit_page(self) -> None:
        """适合整页: a whole page in view, landscape or portrait; keeps doing so when resized."""
        self.mode = "page"
        self._apply_fit()

    def zoom_in(self) -> None:
        """放大 by a quarter."""
        self.set_scale(self.scale * ZOOM_STEP)

    def zoom_out(self) -> None:
        """缩小 by a fifth."""
        self.set_scale(self.scale / ZOOM_STEP)

    def set_scale(self, scale: float) -> None:
        """Show the pages at ``scale`` screen pixels per point (a fixed zoom)."""
        self.mode = "custom"
        self._set(scale)

    def _set(self, scale: float) -> None:
        scale = min(max(scale, MIN_SCALE), MAX_SCALE)
        if abs(scale - self.scale) > 0.002:
            self.scale = scale
            self._render()
        self._show_zoom()

    def _render(self) -> None:
        ratio = self.devicePixelRatioF()
        for label, image in zip(
            self.page_labels, render_pages(self._pdf, 72 * self.scale * ratio), strict=True
        ):
            pixmap = QPixmap.fromImage(image)
            pixmap.setDevicePixelRatio(ratio)
            label.setPixmap(pixmap)

    def _show_zoom(self) -> None:
        # 100 % is the paper's real size on a screen of the system's logical dpi.
        actual = self.logicalDpiX() / 72
        self.zoom_label.setText(f"缩放 {round(100 * self.scale / actual)}%")
        self.zoom_in_button.setEnabled(self.scale < MAX_SCALE - 0.001)
        self.zoom_out_button.setEnabled(self.scale > MIN_SCALE + 0.001)

    # ---- output -----------------------------------------------------------------------------

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
        if not printer_installed():
            # Qt would offer only "print to file" and write an image PDF into the home folder.
            if confirm(self, NO_PRINTER, "本机没有打印机", yes="另存为 PDF…"):
                self._on_save_clicked()
            return
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
            to_file = printer.outputFormat() is QPrinter.OutputFormat.PdfFormat
            if to_file and printer.outputFileName():
                announce_saved(self, Path(printer.outputFileName()))
            else:
                announce_printed(self, printer.printerName())
            self.accept()

    def _on_save_clicked(self) -> None:
        path = ask_save_path(self, self._kind, "另存为 PDF", self._suggested, "PDF 文件 (*.pdf)")
        if path is not None:
            self.save_to(path)

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
        announce_saved(self, path)
        self.accept()


class _NotRecorded(Exception):
    """The output's record was refused (and said so): the file must not be written."""
