"""Prepares Qt for Chinese: bundled Noto Sans SC, zh_CN locale, Qt's own translations, 字号."""

from __future__ import annotations

import logging
import re

from PySide6.QtCore import QLibraryInfo, QLocale, QSettings, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from resources import FONT_BOLD, FONT_REGULAR, RESOURCES_DIR, STYLE_SHEET

logger = logging.getLogger(__name__)

FAMILY = "Noto Sans SC"
STANDARD_POINTS = 10
# 字号: the officer's choice of base text size (points), in the order the menu offers them.
FONT_SIZES: tuple[tuple[str, int], ...] = (("标准", STANDARD_POINTS), ("大", 12), ("特大", 14))
_STYLE_FONT_SIZE = re.compile(r"(font-size:\s*)(\d+(?:\.\d+)?)pt")


def install_fonts_and_style(app: QApplication, point_size: int = STANDARD_POINTS) -> str:
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
        app.setStyleSheet(style_sheet(point_size))
    _install_chinese(app)
    return family


def style_sheet(point_size: int = STANDARD_POINTS) -> str:
    """The station's style sheet, its images (the spin boxes' arrows) found where installed.

    Its point sizes (titles, navigation) grow with the base size; pixel sizes stay as they are.
    """
    text = STYLE_SHEET.read_text(encoding="utf-8").replace("@RESOURCES@", RESOURCES_DIR.as_posix())
    if point_size == STANDARD_POINTS:
        return text
    scale = point_size / STANDARD_POINTS
    return _STYLE_FONT_SIZE.sub(lambda m: f"{m.group(1)}{round(float(m.group(2)) * scale)}pt", text)


def font_size_key(badge_no: str) -> str:
    """Where an officer's 字号 is kept in this PC's settings."""
    return f"display/font_size/{badge_no}"


def saved_font_size(settings: QSettings, badge_no: str) -> int:
    """The officer's 字号 on this PC in points (标准 when never chosen)."""
    value = settings.value(font_size_key(badge_no))
    try:
        points = int(str(value))
    except ValueError:
        return STANDARD_POINTS
    return points if points in dict(FONT_SIZES).values() else STANDARD_POINTS


def save_font_size(settings: QSettings, badge_no: str, points: int) -> None:
    """Remember the officer's 字号 on this PC."""
    settings.setValue(font_size_key(badge_no), points)


def apply_font_size(app: QApplication, points: int) -> None:
    """Every window, open or still to come, in ``points``: the font, then the style sheet again.

    Widgets that set a pixel size of their own (the citizen's rating screen) keep it.
    """
    if app.font().pointSize() == points:
        return
    font = QFont(app.font())
    font.setPointSize(points)
    app.setFont(font)
    if app.styleSheet():  # the station's, from install_fonts_and_style
        app.setStyleSheet(style_sheet(points))


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
