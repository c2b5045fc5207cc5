"""Prepares Qt for Chinese: bundled Noto Sans SC, zh_CN locale and Qt's own translations."""

from __future__ import annotations

import logging

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from resources import FONT_BOLD, FONT_REGULAR, RESOURCES_DIR, STYLE_SHEET

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
        app.setStyleSheet(style_sheet())
    _install_chinese(app)
    return family


def style_sheet() -> str:
    """The station's style sheet, its images (the spin boxes' arrows) found where installed."""
    return STYLE_SHEET.read_text(encoding="utf-8").replace("@RESOURCES@", RESOURCES_DIR.as_posix())


def _install_chinese(app: QApplication) -> None:
    """Calendars, context menus (撤销/复制/粘贴) and dialogs in Chinese whatever the OS locale."""
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    if app.property("stationdesk_translator_installed"):
        return
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load("qtbase_zh_CN", folder):
        app.installTranslator(translator)
        app.setProperty("stationdesk_translator_installed", True)
    else:
        logger.warning("Qt's Chinese translation not found in %s", folder)
