"""Prepares Qt for Chinese: bundled Noto Sans SC, zh_CN locale, Qt's own translations, 字号.

Behind Noto Sans SC come the bundled Hanazono fallbacks (HanaMinB: Extensions B–F; a cut of
HanaMinA: the compatibility ideographs), so a name such as 𠮷𪜊𫝊𫠪𬺺 shows without boxes on a
computer that has no CJK font of its own. They are the application font's next families and
Noto's substitutes, on every platform (not left to the system's own fallback).

Registering them costs Qt a look at each file's character map (about 6 ms for both here;
fontconfig and FreeType map the files and read outlines only for characters drawn), so they
are registered at start, where every later window finds them, rather than at a first need
that no single place in the user interface can see coming.
"""

from __future__ import annotations

import logging
import re

from PySide6.QtCore import QLibraryInfo, QLocale, QSettings, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QWidget

from app.printing.glyph_coverage import FALLBACKS, name_warning
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
    fallbacks = install_fallback_fonts(app, family)
    font = QFont(family, point_size)
    # Each character from the first family that has it: Noto, then the rare-character fonts.
    font.setFamilies([family, *fallbacks])
    font.setStyleStrategy(QFont.StyleStrategy.PreferAntialias)
    app.setFont(font)
    if STYLE_SHEET.exists():
        app.setStyleSheet(style_sheet(point_size))
    _install_chinese(app)
    return family


def install_fallback_fonts(app: QApplication, family: str = FAMILY) -> list[str]:
    """Register the rare-character fonts (once per application) as fallbacks of ``family``.

    Returns their Qt families, in the order tried. A QFont naming ``family`` alone (a widget
    that builds its own font) falls back through them too.
    """
    registered = app.property("stationdesk_fallback_families")
    if isinstance(registered, list):
        return [str(f) for f in registered]
    families: list[str] = []
    for shipped in FALLBACKS:
        font_id = QFontDatabase.addApplicationFont(str(shipped.path))
        if font_id < 0:
            logger.error("could not load font %s", shipped.path)
            continue
        names = QFontDatabase.applicationFontFamilies(font_id)
        families.append(names[0] if names else shipped.family)
    QFont.insertSubstitutions(family, families)
    app.setProperty("stationdesk_fallback_families", families)
    return families


def name_glyph_banner(edit: QLineEdit, parent: QWidget | None = None) -> QLabel:
    """A banner that names, by code (U+XXXXX), any character typed into a name field that no
    bundled font can show or print (it would be an empty box); hidden otherwise."""
    banner = QLabel(parent)
    banner.setObjectName("banner")
    banner.setProperty("glyphWarning", True)
    banner.setWordWrap(True)
    banner.hide()

    def show_warning(text: str) -> None:
        warning = name_warning(text)
        banner.setText(warning)
        banner.setVisible(bool(warning))

    edit.textChanged.connect(show_warning)
    show_warning(edit.text())
    return banner


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
