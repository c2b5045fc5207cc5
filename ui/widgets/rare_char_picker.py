"""插入生僻字: a character the input method cannot type, found by pinyin or by code point.

Every name field gets it with ``install_rare_char_picker(edit)``: a small 僻 button at the
field's right end and the F4 key while the field has the focus (F4 is free everywhere in the
application; Ctrl+K is the line edit's own "delete to the end" on Linux). The picker opens
over the form: the officer types ``ji``, ``jí``, ``ji2``, ``U+20BB7``, ``20BB7`` or a
character read the same way (吉), moves through the large candidates with the arrow keys (Tab
or ↓ goes from the query to the grid), Enter inserts the character at the field's cursor, Esc
closes. Typing in the grid goes on in the query.

Glyphs are drawn by the application's font, Noto Sans SC, whose fallbacks (ui/fonts.py) are
HanaMinB for Extensions B–F and a cut of HanaMinA for the compatibility ideographs; the
picker names the font of the character in focus. A character no bundled font holds is shown
by its code, never as an empty box.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QFontMetrics,
    QIcon,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPalette,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from app.core.rare_chars import Candidate, lookup
from app.printing.glyph_coverage import covering_font
from ui.widgets.char_count import LIMIT_PROPERTY, counted
from ui.widgets.screen_fit import fit_to_screen

SHORTCUT = "F4"
GLYPH_PIXELS = 44
# The bundled fonts by the names an officer may know them.
FONT_NAMES = {
    "Noto Sans SC": "思源黑体（Noto Sans SC）",
    "HanaMinB": "花园明朝 B（HanaMinB）",
    "StationDeskHanCompat": "花园明朝 A 的兼容汉字（HanaMinA）",
}
CANDIDATE_ROLE = Qt.ItemDataRole.UserRole
_PICKER_PROPERTY = "stationdesk_rare_char_picker"


def install_rare_char_picker(edit: QLineEdit) -> QAction:
    """Give a name field the picker: a 僻 button at its right end and F4 while it has focus."""
    action = QAction(_icon(edit), f"插入生僻字（{SHORTCUT}）", edit)
    action.setToolTip(f"插入输入法打不出的生僻字：按拼音或编码（如 U+20BB7）查找（{SHORTCUT}）")
    action.setShortcut(QKeySequence(SHORTCUT))
    action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
    action.triggered.connect(lambda: open_rare_char_picker(edit))
    edit.addAction(action, QLineEdit.ActionPosition.TrailingPosition)
    return action


def open_rare_char_picker(edit: QLineEdit) -> RareCharPicker:
    """Open the field's picker (one per field: it keeps the last query) over its window."""
    picker = edit.property(_PICKER_PROPERTY)
    if not isinstance(picker, RareCharPicker):
        picker = RareCharPicker(edit)
        edit.setProperty(_PICKER_PROPERTY, picker)
    picker.open()
    picker.activateWindow()
    picker.query_edit.setFocus(Qt.FocusReason.OtherFocusReason)
    picker.query_edit.selectAll()
    return picker


def font_note(item: Candidate) -> str:
    """Which bundled font draws the character, for the picker's detail line."""
    font = covering_font(item.char)
    if font is None:
        return "本程序的字库中没有它，显示为编码；打印件上同样没有，请手写补正"
    return f"字形：{FONT_NAMES.get(font.family, font.family)}"


class RareCharPicker(QDialog):
    """A query line, a grid of large candidates, and what the one in focus is."""

    def __init__(self, target: QLineEdit) -> None:
        super().__init__(target.window())
        self._target = target
        self.setWindowTitle("插入生僻字")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        prompt = QLabel("输入拼音（ji、jí 或 ji2）、编码（U+20BB7 或 20BB7），或一个同音字：")
        prompt.setWordWrap(True)
        self.query_edit = QLineEdit()
        self.query_edit.setPlaceholderText("如 ji2、U+20BB7、吉")
        self.query_edit.setClearButtonEnabled(True)
        prompt.setBuddy(self.query_edit)
        self.status_label = QLabel()
        self.status_label.setObjectName("hint")
        self.status_label.setWordWrap(True)
        self.grid = QListWidget()
        self.grid.setViewMode(QListView.ViewMode.IconMode)
        self.grid.setMovement(QListView.Movement.Static)
        self.grid.setResizeMode(QListView.ResizeMode.Adjust)
        self.grid.setWrapping(True)
        self.grid.setUniformItemSizes(True)
        self.grid.setSpacing(2)
        self.grid.setSelectionMode(QListWidget.SelectionMode.SingleSelection)
        self.grid.setItemDelegate(_GlyphDelegate(self.grid))
        self.grid.setGridSize(_cell_size(self.grid))
        self.detail_label = QLabel()
        self.detail_label.setWordWrap(True)
        self.detail_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        keys = QLabel("Tab 或 ↓ 进入字表，方向键选字，Enter 插入到光标处，Esc 关闭")
        keys.setObjectName("hint")
        buttons = QDialogButtonBox()
        self.insert_button = buttons.addButton(
            "插入（Enter）", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.insert_button.setAutoDefault(False)
        close = buttons.addButton("关闭（Esc）", QDialogButtonBox.ButtonRole.RejectRole)
        close.setAutoDefault(False)
        buttons.accepted.connect(self.insert_current)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(prompt)
        layout.addWidget(self.query_edit)
        layout.addWidget(self.status_label)
        layout.addWidget(self.grid, 1)
        layout.addWidget(self.detail_label)
        layout.addWidget(keys)
        layout.addWidget(buttons)
        self.setTabOrder(self.query_edit, self.grid)
        self.setTabOrder(self.grid, self.insert_button)
        self.setTabOrder(self.insert_button, close)
        self.query_edit.textChanged.connect(self._refresh)
        self.grid.currentItemChanged.connect(self._show_current)
        self.grid.itemActivated.connect(lambda _item: self.insert_current())
        self.query_edit.installEventFilter(self)
        self.grid.installEventFilter(self)
        # Ten candidates a row, four rows and more, the labels and buttons: well inside 1366×728.
        cell = self.grid.gridSize()
        fit_to_screen(self, cell.width() * 10 + 60, cell.height() * 4 + 260)
        self._refresh("")

    @property
    def candidates(self) -> list[Candidate]:
        """What the grid offers now, in order."""
        return [self.grid.item(row).data(CANDIDATE_ROLE) for row in range(self.grid.count())]

    def current(self) -> Candidate | None:
        """The candidate in focus in the grid."""
        item = self.grid.currentItem()
        found = item.data(CANDIDATE_ROLE) if item is not None else None
        return found if isinstance(found, Candidate) else None

    def insert_current(self) -> None:
        """Insert the candidate in focus at the name field's cursor, and close."""
        chosen = self.current()
        if chosen is None:
            self.status_label.setText("没有选中的字：请先输入拼音或编码。")
            return
        target = self._target
        limit = target.property(LIMIT_PROPERTY)
        if isinstance(limit, int) and limit > 0:
            # A field with a count (CharCount) counts characters as the services do.
            selected = target.selectedText()
            after = counted(target.text()) - len(selected) + len(chosen.char)
            full = after > limit
        else:  # maxLength counts UTF-16 units: Qt would insert half of 𠮷, or nothing
            after = _units(target.text()) - _units(target.selectedText()) + _units(chosen.char)
            full = after > target.maxLength()
        if full:
            self.status_label.setText(f"{_field_name(target)}已经写满，不能再插入。")
            return
        target.insert(chosen.char)
        self.accept()

    def done(self, result: int) -> None:
        """Close and give the name field its focus back, its cursor where it was."""
        super().done(result)
        self._target.activateWindow()
        self._target.setFocus(Qt.FocusReason.OtherFocusReason)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """↓ from the query into the grid; Enter inserts; typing in the grid edits the query."""
        if event.type() != QEvent.Type.KeyPress:
            return super().eventFilter(watched, event)
        assert isinstance(event, QKeyEvent)
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.insert_current()
            return True
        if watched is self.query_edit and key in (Qt.Key.Key_Down, Qt.Key.Key_PageDown):
            if self.grid.count():
                self.grid.setFocus(Qt.FocusReason.TabFocusReason)
            return True
        if watched is self.grid:
            if key == Qt.Key.Key_Backspace:
                self.query_edit.backspace()
                self.query_edit.setFocus(Qt.FocusReason.OtherFocusReason)
                return True
            text = event.text()
            plain = not (event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier)
            if plain and text and text.isprintable() and not text.isspace():
                self.query_edit.setFocus(Qt.FocusReason.OtherFocusReason)
                self.query_edit.insert(text)
                return True
        return super().eventFilter(watched, event)

    def _refresh(self, text: str) -> None:
        found = lookup(text)
        self.grid.clear()
        for entry in found.candidates:
            item = QListWidgetItem()
            item.setData(CANDIDATE_ROLE, entry)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{entry.char} {entry.code_label}")
            item.setToolTip(f"{entry.code_label} {entry.block} {'、'.join(entry.readings)}")
            self.grid.addItem(item)
        if found.candidates:
            self.grid.setCurrentRow(0)
        else:
            self._show_current(None)
        self.status_label.setText(
            found.message or "拼音不区分声调时结果较多，可加声调数字缩小范围。"
        )

    def _show_current(self, item: QListWidgetItem | None) -> None:
        entry = item.data(CANDIDATE_ROLE) if item is not None else None
        if not isinstance(entry, Candidate):
            self.detail_label.setText("")
            self.insert_button.setEnabled(False)
            return
        sounds = "、".join(entry.readings) if entry.readings else "字典中没有读音"
        self.detail_label.setText(
            f"{entry.code_label}　{entry.block}　读音：{sounds}　{font_note(entry)}"
        )
        self.insert_button.setEnabled(True)


class _GlyphDelegate(QStyledItemDelegate):
    """A candidate as a large glyph with its code under it (only the code, if no font has it)."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        entry = index.data(CANDIDATE_ROLE)
        if not isinstance(entry, Candidate):
            return
        painter.save()
        rect = option.rect.adjusted(2, 2, -2, -2)
        palette: QPalette = option.palette
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        focused = selected and _has_focus(self.parent())
        if selected:
            painter.fillRect(rect, QColor("#cfe3ff") if focused else QColor("#e4e9f0"))
            painter.setPen(QPen(QColor("#1f6feb") if focused else QColor("#8a8f98"), 2))
            painter.drawRect(rect.adjusted(1, 1, -1, -1))
        text_colour = palette.color(QPalette.ColorRole.Text)
        small = QFont(option.font)
        small.setPointSizeF(max(7.0, small.pointSizeF() * 0.8))
        small_height = QFontMetrics(small).height()
        glyph_rect = QRect(
            rect.left(), rect.top() + 2, rect.width(), rect.height() - small_height - 6
        )
        code_rect = QRect(rect.left(), rect.bottom() - small_height - 2, rect.width(), small_height)
        if covering_font(entry.char) is not None:
            painter.setFont(_glyph_font(option.font))
            painter.setPen(text_colour)
            painter.drawText(glyph_rect, Qt.AlignmentFlag.AlignCenter, entry.char)
        else:  # no bundled font: the code, in a dashed frame, instead of an empty box
            painter.setPen(QPen(QColor("#8a8f98"), 1, Qt.PenStyle.DashLine))
            painter.drawRect(glyph_rect.adjusted(8, 2, -8, -2))
            painter.setFont(small)
            painter.setPen(QColor("#b3261e"))
            painter.drawText(glyph_rect, Qt.AlignmentFlag.AlignCenter, "无字形")
        painter.setFont(small)
        painter.setPen(QColor("#57606a") if entry.rare else QColor("#8a8f98"))
        painter.drawText(code_rect, Qt.AlignmentFlag.AlignCenter, entry.code_label[2:])
        painter.restore()

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        parent = self.parent()
        return _cell_size(parent) if isinstance(parent, QWidget) else QSize(80, 90)


def _glyph_font(base: QFont) -> QFont:
    font = QFont(base)
    font.setFamilies(QApplication.font().families())
    font.setPixelSize(GLYPH_PIXELS)
    return font


def _cell_size(widget: QWidget) -> QSize:
    small = QFont(widget.font())
    small.setPointSizeF(max(7.0, small.pointSizeF() * 0.8))
    code_width = QFontMetrics(small).horizontalAdvance("2A6D6") + 16
    glyph = QFontMetrics(_glyph_font(widget.font())).height()
    return QSize(max(GLYPH_PIXELS + 28, code_width), glyph + QFontMetrics(small).height() + 14)


def _has_focus(widget: QObject | None) -> bool:
    return isinstance(widget, QWidget) and widget.hasFocus()


def _units(text: str) -> int:
    """The length a QLineEdit counts: UTF-16 code units (𠮷 is two)."""
    return len(text.encode("utf-16-le")) // 2


def _field_name(edit: QLineEdit) -> str:
    name = edit.accessibleName() or "姓名栏"
    return name if name.endswith("栏") else f"{name}栏"


def _icon(edit: QLineEdit) -> QIcon:
    """The button's face: a white 僻 on blue, sharp on high-DPI screens."""
    side = 16  # the size a line edit draws its buttons at
    ratio = max(1.0, edit.devicePixelRatioF())
    pixmap = QPixmap(int(side * ratio), int(side * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#1f6feb"))
    painter.drawRoundedRect(0, 0, side, side, 3, 3)
    font = QFont(QApplication.font())
    font.setPixelSize(14)
    painter.setFont(font)
    painter.setPen(QColor("#ffffff"))
    painter.drawText(QRect(0, 0, side, side), Qt.AlignmentFlag.AlignCenter, "僻")
    painter.end()
    return QIcon(pixmap)
