"""Qt's standard dialogs in Chinese in the widget tests, as in the application."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from ui.files import install_qt_chinese


@pytest.fixture(autouse=True, scope="session")
def _qt_in_chinese(qapp: QApplication) -> None:
    install_qt_chinese(qapp)
