"""Help inside the application: F1 opens the manual of the page (or form) in front of the
officer; 新手入门 walks a new window officer through a first day at the counter.

The manual is Chinese HTML in ``resources/help``: one ``<key>.html`` per page of the
navigation and per main form (a form names its page with the ``help_key`` property), and
``tour.html`` whose steps are separated by ``<!-- 下一步 -->``. It is read from the program's
own files, so it works without a network and is always the one of the installed version.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from resources import HELP_DIR
from ui.widgets.screen_fit import fit_to_screen

HELP_PROPERTY = "help_key"
STEP_MARK = "<!-- 下一步 -->"
MISSING = "<h1>帮助</h1><p>本页暂无帮助说明。请联系系统管理员。</p>"


def help_html(key: str) -> str:
    """The manual of ``key`` (a page or form), or a Chinese line that there is none."""
    path = HELP_DIR / f"{key}.html"
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return MISSING


def tour_steps() -> list[str]:
    """The first-day tour, one HTML fragment per step."""
    text = help_html("tour")
    return [step.strip() for step in text.split(STEP_MARK) if step.strip()]


def help_key_of(widget: QWidget | None) -> str | None:
    """The manual a window shows on F1: its own ``help_key``, else its current page's."""
    while widget is not None:
        key = widget.property(HELP_PROPERTY)
        if isinstance(key, str) and key:
            return key
        current = getattr(widget, "current_help_key", None)
        if callable(current):
            found = current()
            if isinstance(found, str) and found:
                return found
        widget = widget.parentWidget()
    return None


class HelpDialog(QDialog):
    """The manual of one page: read, scrolled with the keys, closed with Esc or Enter."""

    def __init__(self, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("帮助")
        self.setProperty(HELP_PROPERTY, key)
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)
        self.browser.setHtml(help_html(key))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setText("关闭")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)
        fit_to_screen(self, 780, 640)
        self.browser.setFocus()  # arrows and Page Up/Down scroll at once


class TourDialog(QDialog):
    """新手入门: a few steps, 上一步 / 下一步 (Enter) / 完成; Esc closes at any step."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("新手入门")
        self.steps = tour_steps() or [MISSING]
        self.index = 0
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)
        self.browser.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Enter goes to 下一步
        self.position = QLabel()
        self.back_button = QPushButton("上一步")
        self.next_button = QPushButton("下一步")
        self.next_button.setDefault(True)
        self.back_button.clicked.connect(lambda: self.go(self.index - 1))
        self.next_button.clicked.connect(self._next)
        row = QHBoxLayout()
        row.addWidget(self.position, 1)
        row.addWidget(self.back_button)
        row.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addLayout(row)
        fit_to_screen(self, 720, 460)
        self.go(0)

    def go(self, index: int) -> None:
        """Show step ``index`` (kept within the tour)."""
        self.index = max(0, min(index, len(self.steps) - 1))
        self.browser.setHtml(self.steps[self.index])
        last = self.index == len(self.steps) - 1
        self.position.setText(f"第 {self.index + 1} 步，共 {len(self.steps)} 步")
        self.back_button.setEnabled(self.index > 0)
        self.next_button.setText("完成" if last else "下一步")
        self.next_button.setFocus()

    def _next(self) -> None:
        if self.index == len(self.steps) - 1:
            self.accept()
        else:
            self.go(self.index + 1)


class HelpKey(QObject):
    """F1 anywhere in the application: the manual of the form or page in front.

    Installed once on the application, so that F1 works inside a modal form too (a main
    window's shortcut does not reach past a modal dialog).
    """

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Open the help on F1 pressed in a window that has a manual."""
        if event.type() == QEvent.Type.ShortcutOverride or event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() == Qt.Key.Key_F1 and event.modifiers() in (
                Qt.KeyboardModifier.NoModifier,
                Qt.KeyboardModifier.KeypadModifier,
            ):
                if event.type() == QEvent.Type.ShortcutOverride:
                    event.accept()  # F1 is ours, not a widget's
                    return False
                # The window the key was typed in (a form, or the main window); the active
                # window is not always known (offscreen, or just after a dialog closed).
                window = (
                    watched.window()
                    if isinstance(watched, QWidget)
                    else QApplication.activeModalWidget() or QApplication.activeWindow()
                )
                if isinstance(window, HelpDialog):
                    return True  # already reading the manual
                key = help_key_of(window)
                if key is not None:
                    show_help(key, window)
                    return True
        return False


def install_help_key(app: QApplication) -> None:
    """Make F1 open the manual everywhere in ``app`` (once)."""
    if app.property("stationdesk_help_key"):
        return
    app.setProperty("stationdesk_help_key", True)
    handler = HelpKey(app)
    app.installEventFilter(handler)


def show_help(key: str, parent: QWidget | None) -> None:
    """Open the manual of ``key`` over ``parent`` and wait until it is closed."""
    HelpDialog(key, parent).exec()
