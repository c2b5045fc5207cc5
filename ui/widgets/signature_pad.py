"""The citizen signs here: mouse, pen tablet (with pressure) or touch; clear and undo."""

from __future__ import annotations

from itertools import pairwise

from PySide6.QtCore import QBuffer, QByteArray, QEvent, QIODevice, QPointF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QTabletEvent,
    QTouchEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

Point = tuple[float, float, float]  # x, y, pressure (0–1)


class SignaturePad(QWidget):
    """Collects strokes; ``changed`` fires after every stroke, clear and undo."""

    changed = Signal()
    started = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.strokes: list[list[Point]] = []
        self._drawing = False
        self.setMinimumSize(QSize(420, 150))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents, True)
        self.setAttribute(Qt.WidgetAttribute.WA_StaticContents, True)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setToolTip("请群众在框内签名")

    @property
    def is_empty(self) -> bool:
        """No stroke with at least two points."""
        return not any(len(s) > 1 for s in self.strokes)

    def clear(self) -> None:
        """Wipe every stroke."""
        self.strokes.clear()
        self.update()
        self.changed.emit()

    def undo(self) -> None:
        """Remove the last stroke."""
        if self.strokes:
            self.strokes.pop()
            self.update()
            self.changed.emit()

    # ---- input ------------------------------------------------------------------------

    def _begin(self, pos: QPointF, pressure: float) -> None:
        if self.is_empty:
            self.started.emit()
        self._drawing = True
        self.strokes.append([(pos.x(), pos.y(), pressure)])
        self.update()

    def _extend(self, pos: QPointF, pressure: float) -> None:
        if self._drawing and self.strokes:
            self.strokes[-1].append((pos.x(), pos.y(), pressure))
            self.update()

    def _end(self) -> None:
        if self._drawing:
            self._drawing = False
            self.changed.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """A mouse stroke starts (full pressure)."""
        if event.button() == Qt.MouseButton.LeftButton:
            self._begin(event.position(), 0.6)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        """The mouse stroke goes on."""
        self._extend(event.position(), 0.6)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        """The mouse stroke ends."""
        self._end()

    def tabletEvent(self, event: QTabletEvent) -> None:
        """A pen: its pressure sets the line width."""
        kind = event.type()
        if kind == QEvent.Type.TabletPress:
            self._begin(event.position(), event.pressure())
        elif kind == QEvent.Type.TabletMove:
            self._extend(event.position(), event.pressure())
        elif kind == QEvent.Type.TabletRelease:
            self._end()
        event.accept()

    def event(self, event: QEvent) -> bool:
        """Touch screens: one finger draws."""
        kind = event.type()
        if kind in (QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate, QEvent.Type.TouchEnd):
            assert isinstance(event, QTouchEvent)
            points = event.points()
            if points:
                pos = points[0].position()
                if kind == QEvent.Type.TouchBegin:
                    self._begin(pos, 0.6)
                elif kind == QEvent.Type.TouchUpdate:
                    self._extend(pos, 0.6)
                else:
                    self._end()
            event.accept()
            return True
        return super().event(event)

    # ---- output -----------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        """White paper, a baseline, the strokes."""
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#ffffff"))
        painter.setPen(QPen(QColor("#c5ccd6"), 1, Qt.PenStyle.DashLine))
        baseline = self.height() - 28
        painter.drawLine(16, baseline, self.width() - 16, baseline)
        if self.is_empty and not self.strokes:
            painter.setPen(QColor("#9aa5b4"))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "请在此处签名")
        self._draw_strokes(painter)
        painter.end()

    def _draw_strokes(self, painter: QPainter, scale: float = 1.0) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for stroke in self.strokes:
            for (x0, y0, p0), (x1, y1, p1) in pairwise(stroke):
                pen = QPen(QColor("#111111"), max(1.2, 1.5 + 3.5 * (p0 + p1) / 2) * scale)
                pen.setCapStyle(Qt.PenCapStyle.RoundCap)
                painter.setPen(pen)
                painter.drawLine(QPointF(x0 * scale, y0 * scale), QPointF(x1 * scale, y1 * scale))

    def to_png(self, scale: float = 2.0) -> bytes:
        """The signature as a PNG (white background), ``scale`` times the pad's size."""
        image = QImage(
            int(self.width() * scale), int(self.height() * scale), QImage.Format.Format_RGB32
        )
        image.fill(QColor("#ffffff"))
        painter = QPainter(image)
        self._draw_strokes(painter, scale)
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")  # type: ignore[call-overload]  # the stubs say bytes, Qt wants str
        buffer.close()
        return bytes(data.data())

    def stroke_data(self) -> tuple[tuple[Point, ...], ...]:
        """The strokes, rounded, as stored with the signature."""
        return tuple(
            tuple((round(x, 1), round(y, 1), round(p, 3)) for x, y, p in s)
            for s in self.strokes
            if len(s) > 1
        )
