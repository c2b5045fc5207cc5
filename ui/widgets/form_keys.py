"""The keys every form with a multi-line box shares: Tab leaves the box, Ctrl+Enter confirms.

Enter in a multi-line box starts a new line and Tab would type a tab character, so without
these an officer at the keyboard is trapped in the box (the review dialog, a callback's
record) and reaches the confirm button only by Shift+Tab round the whole form.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QPlainTextEdit, QPushButton, QWidget

CONFIRM_KEYS = ("Ctrl+Return", "Ctrl+Enter")


def confirm_with_keys(
    form: QWidget,
    confirm: Callable[[], object],
    button: QPushButton | None = None,
    *boxes: QPlainTextEdit,
) -> None:
    """Tab leaves each of ``boxes``; Ctrl+Enter anywhere in ``form`` runs ``confirm``;
    ``button`` (the one it stands for) shows the key."""
    for box in boxes:
        box.setTabChangesFocus(True)
    for keys in CONFIRM_KEYS:
        QShortcut(QKeySequence(keys), form).activated.connect(confirm)
    if button is not None and "Ctrl+Enter" not in button.text():
        button.setText(f"{button.text()}（Ctrl+Enter）")
