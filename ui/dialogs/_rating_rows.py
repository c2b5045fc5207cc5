"""现场评价's rows: each with its message under it, and what the citizen chose or still owes."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QBoxLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QWidget,
)

from app.core.errors import StationDeskError, ValidationError
from app.ratings.service import RatingInput
from ui.widgets.field_errors import FieldErrors
from ui.widgets.level_chooser import LevelChooser
from ui.widgets.signature_pad import SignaturePad

COMMENT_MAX = 500


class RatingRowsMixin:
    """RatingDialog's rows and their messages; the citizen's answers read back from them."""

    errors: FieldErrors
    _fields: dict[str, tuple[QWidget, QLabel]]
    _body: QBoxLayout
    scroll_area: QScrollArea
    overall: LevelChooser
    dimensions: dict[str, LevelChooser]
    comment: QPlainTextEdit
    callback: QPushButton
    pad: SignaturePad
    signer: QLineEdit

    # ---- rows and their messages --------------------------------------------------------

    def _add_row(
        self, grid: QGridLayout, row: int, label: str, field: str, chooser: LevelChooser
    ) -> None:
        name = QLabel(label)
        name.setObjectName("ratingRow")
        grid.addWidget(name, row, 0, Qt.AlignmentFlag.AlignVCenter)
        grid.addWidget(chooser, row, 1)
        grid.addWidget(self._field(field, chooser), row + 1, 1)
        chooser.changed.connect(lambda: self._clear_field(field))

    def _field(self, field: str, widget: QWidget) -> QLabel:
        label = self.errors.add(field, widget)
        self._fields[field] = (widget, label)
        return label

    def _clear_field(self, field: str) -> None:
        """The citizen fixed this row: its message goes at once."""
        widget, label = self._fields[field]
        if not label.isHidden():
            label.hide()
            label.clear()
            widget.setProperty("invalid", False)
            widget.style().polish(widget)

    def _show(self, error: StationDeskError) -> None:
        """The message under its row, scrolled into view if the screen is short."""
        self.errors.show(error)
        target = self._fields.get(error.field or "")
        if target is not None:
            self._body.activate()
            self.scroll_area.ensureWidgetVisible(target[1], 0, 8)

    def _pad_changed(self) -> None:
        if not self.pad.is_empty:
            self._clear_field("signature")

    # ---- what the citizen chose ---------------------------------------------------------

    def current(self, declined: bool = False) -> RatingInput:
        """What the citizen chose (no choice is None)."""
        return RatingInput(
            overall=self.overall.level(),
            dimensions=tuple((n, c.level()) for n, c in self.dimensions.items()),
            comment=self.comment.toPlainText(),
            declined=declined,
            signer_name=self.signer.text(),
            strokes=self.pad.stroke_data(),
            png=b"" if self.pad.is_empty else self.pad.to_png(),
            callback_requested=self.callback.isChecked(),
        )

    def missing(self) -> ValidationError | None:
        """The first thing the citizen still has to do, in the citizen's words."""
        if self.overall.level() is None:
            return ValidationError(
                "请您选择总体评价；如不想评价，请点左下角的“不评价”。", "overall"
            )
        for name, chooser in self.dimensions.items():
            if chooser.level() is None:
                return ValidationError(f"请您对“{name}”作出评价。", f"dimension.{name}")
        length = len(self.comment.toPlainText().strip())
        if length > COMMENT_MAX:
            return ValidationError(
                f"您的意见或建议最多 {COMMENT_MAX} 个字（现在 {length} 个），请您删减。", "comment"
            )
        if self.pad.is_empty:
            return ValidationError("请您在上面的框内签名确认。", "signature")
        if not self.signer.text().strip():
            return ValidationError("请您填写签名人姓名。", "signer")
        return None
