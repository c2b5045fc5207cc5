"""Registers the bundled Noto Sans SC with Qt so Chinese renders the same on every machine."""

from __future__ import annotations

import logging

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from resources import FONT_BOLD, FONT_REGULAR, STYLE_SHEET

logger = logging.getLogger(__name__)

FAMILY = "Noto Sans SC"


def install_fonts_and_style(app: QApplication, point_size: int = 10) -> str:
    """Register both weights (after the QApplication exists, or Qt crashes) and apply them."""
    family = FAMILY
    for path in (FONT_REGULAR, FONT_BOLD):
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id < 0:
            logger.error("could not load font %s", path)
            continue
        families = QFontDatabase.applicationFontFamilies(font_id)
        if families:
            family = families[0]
    font = QFont(family, point_size)
    font.setStyleStrategy(QFont.StyleStrategy.PreferAntialias)
    app.setFont(font)
    if STYLE_SHEET.exists():
        app.setStyleSheet(STYLE_SHEET.read_text(encoding="utf-8"))
    return family
