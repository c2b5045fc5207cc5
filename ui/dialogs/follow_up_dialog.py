"""整改回访: the citizen rates again, five levels overall and per dimension, or declines."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.core import text_limits
from app.core.errors import ConflictError, StationDeskError
from app.ratings.service import LEVELS, RatingInput
from ui.widgets.char_count import with_text_count
from ui.widgets.default_button import make_default
from ui.widgets.field_errors import FieldErrors
from ui.widgets.form_keys import confirm_with_keys
from ui.widgets.messages import show_error

OVERALL = "overall"


class FollowUpDialog(QDialog):
    """Nothing is preselected: the officer clicks exactly what the citizen says."""

    def __init__(
        self,
        dimensions: Sequence[str],
        submit: Callable[[RatingInput], Any],
        intro: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("整改回访")
        self.setMinimumWidth(640)
        self._submit = submit
        self._dimensions = tuple(d for d in dimensions if d)
        self.result_value: Any = None
        general = QLabel()
        self.errors = FieldErrors(general)
        # Keyed by "overall" and by each dimension's name; button ids are the levels (5…1).
        self.groups: dict[str, QButtonGroup] = {}
        self._rows: list[QWidget] = []
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        row = 0
        for key, label in [(OVERALL, "总体评价"), *((d, d) for d in self._dimensions)]:
            field = OVERALL if key == OVERALL else f"dimension.{key}"
            cell = QWidget()
            line = QHBoxLayout(cell)
            line.setContentsMargins(4, 2, 4, 2)
            group = QButtonGroup(self)
            group.setExclusive(True)  # one level per row, and none until the citizen says
            for level, text in LEVELS.items():
                button = QRadioButton(text)
                group.addButton(button, level)
                line.addWidget(button)
            line.addStretch(1)
            self.groups[key] = group
            caption = QLabel(label)
            caption.setBuddy(group.button(5))
            grid.addWidget(caption, row, 0)
            grid.addWidget(cell, row, 1)
            grid.addWidget(self.errors.add(field, cell), row + 1, 1)
            self._rows.append(cell)
            row += 2
        self.comment_edit = QPlainTextEdit()
        self.comment_edit.setTabChangesFocus(True)
        self.comment_edit.setFixedHeight(70)
        self.comment_edit.setPlaceholderText("选填：群众对整改的意见和建议")
        grid.addWidget(QLabel("群众意见"), row, 0)
        comment_error = self.errors.add("comment", self.comment_edit)
        comment_row, self.comment_count = with_text_count(
            self.comment_edit, text_limits.NOTE, "群众意见", self.errors, "comment"
        )
        grid.addWidget(comment_row, row, 1)
        grid.addWidget(comment_error, row + 1, 1)
        self.declined_check = QCheckBox("群众拒绝评价（不选任何等级）")
        self.declined_check.toggled.connect(self._on_declined)
        grid.addWidget(self.declined_check, row + 2, 1)

        layout = QVBoxLayout(self)
        note = QLabel(
            intro
            or "整改完成后再次联系群众（电话或上门），请群众本人对总体和每一项作出评价；"
            "系统不预设任何等级。"
        )
        note.setWordWrap(True)
        note.setObjectName("hint")
        layout.addWidget(note)
        layout.addLayout(grid)
        layout.addWidget(general)
        buttons = QDialogButtonBox()
        save = buttons.addButton("保存回访", QDialogButtonBox.ButtonRole.AcceptRole)
        make_default(save)
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        confirm_with_keys(self, self.submit, save, self.comment_edit)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def choose(self, key: str, level: int) -> None:
        """Click ``level`` in the row ``key`` ("overall" or a dimension), as the officer would."""
        self.groups[key].button(level).click()

    def chosen(self, key: str) -> int | None:
        """The level chosen in row ``key``, or None while nothing is chosen."""
        level = self.groups[key].checkedId()
        return level if level in LEVELS else None

    def rating_input(self) -> RatingInput:
        """What the citizen said, as the service takes it."""
        comment = self.comment_edit.toPlainText()
        if self.declined_check.isChecked():
            return RatingInput(None, comment=comment, declined=True)
        return RatingInput(
            self.chosen(OVERALL),
            tuple((name, self.chosen(name)) for name in self._dimensions),
            comment,
        )

    def submit(self) -> None:
        """Call the service; show its error at the row it concerns, or close on success."""
        try:
            self.result_value = self._submit(self.rating_input())
        except ConflictError as exc:
            # The rectification changed meanwhile: the retry needs the fresh record.
            show_error(self, exc.message)
            self.reject()
            return
        except StationDeskError as exc:
            self.errors.show(exc)
            return
        self.accept()

    def _on_declined(self, declined: bool) -> None:
        self.errors.clear()
        for row in self._rows:
            row.setEnabled(not declined)
