"""A character count beside a limited field (12/200), and input past the limit refused aloud.

QLineEdit.setMaxLength cuts a paste at the limit without a word, so limited fields do not use
it: ``CharCount`` shows the count while typing and refuses an edit (typing, a paste, an input
method's commit, a picked character) that would take the text past the limit, keeping what
was there and saying why under the field. The service refuses too: text set from code or
longer than a limit lowered later (another document type) shows its count in red and the
save names it. Characters are counted as the service counts them (code points of the trimmed
text), so 𠮷 is one, not two.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSignalBlocker,
    Qt,
    Signal,
    SignalInstance,
)
from PySide6.QtGui import QFont, QFontInfo, QFontMetrics, QValidator
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QWidget,
)

from ui.widgets.field_errors import FieldErrors

# The line edit's property holding its limit in characters (code points), as maxLength would.
LIMIT_PROPERTY = "charLimit"


def counted(text: str) -> int:
    """Characters as the services count them: code points of the trimmed text."""
    return len(text.strip())


def show_count(label: QLabel, count: int, limit: int, field_label: str) -> None:
    """12/200 in ``label``, red once over the limit, and said so to a screen reader."""
    label.setText(f"{count}/{limit}")
    over = count > limit
    name = "fieldError" if over else "hint"
    if label.objectName() != name:
        label.setObjectName(name)
        label.style().unpolish(label)
        label.style().polish(label)
    label.setAccessibleName(
        f"{field_label}已输入 {count} 个字，最多 {limit} 个" + ("，已超出" if over else "")
    )


def refusal(field_label: str, limit: int, would_be: int) -> str:
    """What is said under a field when an edit would have taken it past its limit."""
    return (
        f"{field_label}最多 {limit} 个字，这次输入或粘贴后会有 {would_be} 个字，"
        "未接受（已填的内容没有变）。请删减后再输入。"
    )


class _LengthLimit(QValidator):
    """Invalid for an edit that makes the text longer than the limit; nothing else.

    An edit that shortens the text is always let through (a text over the limit can be cut
    down), and the text as it stands is always acceptable (QLineEdit would otherwise withhold
    Enter and editingFinished).
    """

    refused = Signal(int)  # how many characters the edit would have made

    def __init__(self, edit: QLineEdit, limit: int) -> None:
        super().__init__(edit)
        self.limit = limit
        # The text before the edit being judged (the line edit already holds the new one).
        self._before = edit.text()
        edit.textChanged.connect(self._remember)

    def _remember(self, text: str) -> None:
        self._before = text

    def validate(self, text: str, pos: int) -> QValidator.State:
        now = counted(self._before)
        after = counted(text)
        if after > self.limit and after > now:
            self.refused.emit(after)
            return QValidator.State.Invalid
        return QValidator.State.Acceptable


class CharCount(QObject):
    """The count label of ``edit`` against ``limit``; ``refused`` carries the message to show.

    ``label`` names the field in the message (事由摘要最多 200 个字…).
    """

    refused = Signal(str)

    def __init__(self, edit: QLineEdit, limit: int, label: str) -> None:
        super().__init__(edit)
        self._edit = edit
        self._label = label
        self._limit = limit
        self.label = QLabel()
        self.label.setObjectName("hint")
        self.label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        # One width for every count, so the fields of a form end in one line.
        self.label.setMinimumWidth(self.label.fontMetrics().horizontalAdvance("000/000") + 2)
        self.label.setToolTip(f"{label}最多 {limit} 个字")
        # The limit where other helpers can read it (the 生僻字 picker: a full field).
        edit.setProperty(LIMIT_PROPERTY, limit)
        self._validator = _LengthLimit(edit, limit)
        self._validator.refused.connect(self._on_refused)
        edit.setValidator(self._validator)
        edit.textChanged.connect(self._update)
        self._update()

    @property
    def limit(self) -> int:
        """The most characters the service takes in this field."""
        return self._limit

    def set_limit(self, limit: int) -> None:
        """A new limit (the name field's follows the document type)."""
        self._limit = limit
        self._validator.limit = limit
        self._edit.setProperty(LIMIT_PROPERTY, limit)
        self.label.setToolTip(f"{self._label}最多 {limit} 个字")
        self._update()

    @property
    def text(self) -> str:
        """The count as shown: 12/200."""
        return self.label.text()

    def _update(self) -> None:
        show_count(self.label, counted(self._edit.text()), self._limit, self._label)

    def _on_refused(self, would_be: int) -> None:
        self.refused.emit(refusal(self._label, self._limit, would_be))


class PlainTextCount(QObject):
    """The count of a multi-line ``edit`` against ``limit``, as ``CharCount`` for a line.

    QPlainTextEdit has no validator: an edit (typing, a paste, an input method's commit)
    that would take the text past the limit is undone at once, the text and the cursor as
    they were, and ``refused`` carries the message. ``taken`` tells an edit that was kept.
    """

    refused = Signal(str)
    taken = Signal()

    def __init__(self, edit: QPlainTextEdit, limit: int, label: str) -> None:
        super().__init__(edit)
        self._edit = edit
        self._label = label
        self._limit = limit
        self._before = edit.toPlainText()
        self._cursor = edit.textCursor().position()
        self.label = QLabel()
        self.label.setObjectName("hint")
        self.label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom)
        self.label.setMinimumWidth(self.label.fontMetrics().horizontalAdvance("0000/0000") + 2)
        self.label.setToolTip(f"{label}最多 {limit} 个字")
        edit.setProperty(LIMIT_PROPERTY, limit)
        edit.textChanged.connect(self._changed)
        edit.cursorPositionChanged.connect(self._moved)
        self._update()

    @property
    def limit(self) -> int:
        """The most characters the service takes in this field."""
        return self._limit

    @property
    def text(self) -> str:
        """The count as shown: 12/500."""
        return self.label.text()

    def _moved(self) -> None:
        if self._edit.toPlainText() == self._before:
            self._cursor = self._edit.textCursor().position()

    def _changed(self) -> None:
        text = self._edit.toPlainText()
        now, before = counted(text), counted(self._before)
        # Only what the officer types or pastes is refused: text the program sets while the
        # field is not being edited (a record filled in) is shown whole, its count in red.
        if now > self._limit and now > before and self._edit.hasFocus():
            with QSignalBlocker(self._edit):
                self._edit.setPlainText(self._before)
                cursor = self._edit.textCursor()
                # Qt's positions count UTF-16 units (𠮷 is two).
                cursor.setPosition(min(self._cursor, len(self._before.encode("utf-16-le")) // 2))
                self._edit.setTextCursor(cursor)
            self.refused.emit(refusal(self._label, self._limit, now))
            return
        self._before = text
        self._cursor = self._edit.textCursor().position()
        self._update()
        self.taken.emit()

    def _update(self) -> None:
        show_count(self.label, counted(self._edit.toPlainText()), self._limit, self._label)


def with_count(
    edit: QLineEdit,
    limit: int,
    label: str,
    errors: FieldErrors,
    field: str,
    *,
    inline: bool = False,
) -> tuple[QWidget, CharCount]:
    """``edit`` and its count side by side, for a form row (``inline``: the count inside the
    field's right end, where a screen has neither width nor height to spare). A refusal's
    message shows under the field (``errors``, at ``field``) until the next edit taken."""
    count = CharCount(edit, limit, label)
    taken = _message_under(count.refused, errors, field)
    edit.textEdited.connect(taken)
    return (_inside(edit, count.label, limit) if inline else _row(edit, count.label)), count


def with_text_count(
    edit: QPlainTextEdit,
    limit: int,
    label: str,
    errors: FieldErrors,
    field: str,
    *,
    inline: bool = False,
) -> tuple[QWidget, PlainTextCount]:
    """As ``with_count``, for a multi-line field (``inline``: at its bottom right)."""
    count = PlainTextCount(edit, limit, label)
    count.taken.connect(_message_under(count.refused, errors, field))
    return (_inside(edit, count.label, limit) if inline else _row(edit, count.label)), count


def _message_under(refused: SignalInstance, errors: FieldErrors, field: str) -> Callable[..., None]:
    """Show each refusal at ``field``; the returned slot takes it away at the next kept edit."""
    shown: list[str] = []

    def show(message: str) -> None:
        errors.show_at(field, message)
        shown[:] = [message]

    def taken(*_args: object) -> None:
        if shown and errors.message_of(field) == shown[0]:
            errors.clear_at(field)
        shown.clear()

    refused.connect(show)
    return taken


def _inside(edit: QWidget, label: QLabel, limit: int) -> QWidget:
    """``label`` drawn inside ``edit``'s right edge; the text keeps clear of it."""
    label.setParent(edit)
    label.setMinimumWidth(0)
    label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    placer = _KeepInCorner(edit, label, limit)
    edit.installEventFilter(placer)
    if isinstance(edit, QPlainTextEdit):
        # The viewport narrows when the scroll bar appears, without the field resizing.
        edit.viewport().installEventFilter(placer)
    placer.place()
    return edit


class _KeepInCorner(QObject):
    """Keeps a count in the bottom-right corner of its field as the field and count change,
    in the field's own text size; the field's text keeps clear of it."""

    def __init__(self, edit: QWidget, label: QLabel, limit: int) -> None:
        super().__init__(edit)
        self._edit = edit
        self._label = label
        self._widest = f"{limit}/{limit}"  # the margin is set for it, so it never jumps
        self._margin = -1

    def place(self) -> None:
        field = self._edit.font()
        pixels = QFontInfo(field).pixelSize()
        # As large as the field's text (a citizen reads it too), by a style sheet of its own:
        # the application's (the hint's small grey) would win over setFont.
        sheet = f"font-size: {pixels}px;"
        if self._label.styleSheet() != sheet:
            self._label.setStyleSheet(sheet)
        font = QFont(field)
        font.setPixelSize(pixels)
        metrics = QFontMetrics(font)
        width = metrics.horizontalAdvance(self._widest) + 8
        height = metrics.height() + 2
        edit = self._edit
        if isinstance(edit, QPlainTextEdit):
            # In a margin right of the text (left of the scroll bar), at the bottom.
            if width != self._margin:
                self._margin = width
                edit.setViewportMargins(0, 0, width, 0)
            area = edit.viewport().geometry()
            self._label.setGeometry(area.right() + 1, area.bottom() - height + 1, width, height)
        elif isinstance(edit, QLineEdit):
            if width != self._margin:
                self._margin = width
                edit.setTextMargins(0, 0, width, 0)
            height = self._label.sizeHint().height()
            frame = self._edit.rect()
            y = (frame.height() - height) // 2
            self._label.setGeometry(frame.width() - width - 2, y, width, height)
        self._label.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (
            QEvent.Type.Resize,
            QEvent.Type.Show,
            QEvent.Type.FontChange,
            QEvent.Type.StyleChange,
        ):
            self.place()
        return False


def _row(edit: QWidget, label: QLabel) -> QWidget:
    row = QWidget()
    box = QHBoxLayout(row)
    box.setContentsMargins(0, 0, 0, 0)
    box.setSpacing(6)
    box.addWidget(edit, 1)
    box.addWidget(label, 0)
    return row


class _CountedCell(QLineEdit):
    """A table cell's editor: a line edit with its count (12/100) inside its right end.

    The editor is the line edit itself, so the delegate's own handling (commit on Enter, Tab
    and on losing the focus to a button or another field) applies as to any cell.
    """

    def __init__(self, parent: QWidget, limit: int, label: str) -> None:
        super().__init__(parent)
        self.setFrame(False)
        self.count = CharCount(self, limit, label)
        _inside(self, self.count.label, limit)


class CountedCellDelegate(QStyledItemDelegate):
    """Cells of a table whose text the service limits (a material's name, its note).

    Editing shows the count inside the cell; an edit or paste past the limit is refused with
    ``refused``'s message (the dialog shows it under the table), never cut.
    """

    refused = Signal(str)

    def __init__(self, parent: QObject, limits: dict[int, tuple[int, str]]) -> None:
        """``limits``: column → (limit, the column's name for the message)."""
        super().__init__(parent)
        self._limits = limits

    def limit_of(self, column: int) -> int | None:
        """The limit of ``column``'s cells, or None for a column without one."""
        entry = self._limits.get(column)
        return entry[0] if entry else None

    def createEditor(
        self,
        parent: QWidget,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> QWidget:
        entry = self._limits.get(index.column())
        if entry is None:
            return super().createEditor(parent, option, index)
        cell = _CountedCell(parent, *entry)
        cell.count.refused.connect(self.refused)
        return cell

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        if isinstance(editor, _CountedCell):
            editor.setText(str(index.data(Qt.ItemDataRole.EditRole) or ""))
            return
        super().setEditorData(editor, index)

    def setModelData(
        self,
        editor: QWidget,
        model: QAbstractItemModel,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        if isinstance(editor, _CountedCell):
            model.setData(index, editor.text(), Qt.ItemDataRole.EditRole)
            return
        super().setModelData(editor, model, index)


def count_cells(
    table: QTableWidget, limits: dict[int, tuple[int, str]], errors: FieldErrors, field: str
) -> CountedCellDelegate:
    """Counted editors for ``table``'s limited columns; a refusal shows at ``field`` until the
    next cell edit that is kept."""
    delegate = CountedCellDelegate(table, limits)
    for column in limits:
        table.setItemDelegateForColumn(column, delegate)
    table.itemChanged.connect(_message_under(delegate.refused, errors, field))
    return delegate
