"""生僻字 on screen: a name of Extensions B–F drawn from the bundled fonts, never as boxes.

The glyphs must come from the fonts the application ships (Noto Sans SC, HanaMinB, the
compatibility cut of HanaMinA), so the test holds on a computer without any CJK font of its
own, such as the bare Debian of CI. Registration names a character no bundled font holds by
its code.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics, QImage, QPainter, QTextLayout
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit

from app.core.dto import SessionUser
from app.core.roles import Role
from app.printing.glyph_coverage import SHIPPED
from app.services import Services
from ui.dialogs.registration_dialog import RegistrationDialog
from ui.fonts import install_fonts_and_style

RARE = "𠮷𪜊𫝊𫠪𬺺"  # one each of Extensions B, C, D, E and F
COMPAT = "\U0002f800"  # 丽, a compatibility ideograph
NAME = f"张{RARE}{COMPAT}"
NO_FONT = "\U0002a6df"  # Extension B, added by Unicode 14: no bundled font has it
BUNDLED = {font.family for font in SHIPPED}


@pytest.fixture
def app_fonts(qapp: QApplication) -> Iterator[QApplication]:
    """The application's fonts and style, as at start; the test QApplication's restored after."""
    font, sheet = QFont(qapp.font()), qapp.styleSheet()
    install_fonts_and_style(qapp)
    yield qapp
    qapp.setFont(font)
    qapp.setStyleSheet(sheet)


def glyph_runs(text: str, font: QFont) -> list[tuple[str, list[int]]]:
    """The family and glyph indexes Qt uses to draw ``text`` in ``font``."""
    layout = QTextLayout(text, font)
    layout.beginLayout()
    layout.createLine()
    layout.endLayout()
    return [(run.rawFont().familyName(), list(run.glyphIndexes())) for run in layout.glyphRuns()]


def picture(text: str, font: QFont) -> QImage:
    image = QImage(64, 64, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.white)
    painter = QPainter(image)
    painter.setFont(font)
    painter.drawText(image.rect(), Qt.AlignmentFlag.AlignCenter, text)
    painter.end()
    return image


def test_the_application_font_falls_back_to_the_bundled_rare_character_fonts(
    app_fonts: QApplication,
) -> None:
    assert app_fonts.font().families() == ["Noto Sans SC", "HanaMinB", "StationDeskHanCompat"]
    assert QFont.substitutes("Noto Sans SC") == ["hanaminb", "stationdeskhancompat"]  # Qt folds
    for ch in RARE:
        assert QFontMetrics(QFont("HanaMinB")).inFontUcs4(ord(ch))
        # Noto Sans SC itself lacks them (tests/app/printing/test_rare_glyphs.py): found in a
        # substitute.
        assert QFontMetrics(QFont("Noto Sans SC")).inFontUcs4(ord(ch))
    assert QFontMetrics(QFont("StationDeskHanCompat")).inFontUcs4(ord(COMPAT))


def test_a_name_of_extensions_b_to_f_is_drawn_from_bundled_fonts(app_fonts: QApplication) -> None:
    edit = QLineEdit(NAME)  # the widgets' font is the application's
    for font in (edit.font(), QFont("Noto Sans SC", 10)):  # a widget's own font falls back too
        runs = glyph_runs(NAME, font)
        assert {family for family, _ in runs} <= BUNDLED
        assert all(0 not in glyphs for _, glyphs in runs)  # no .notdef: no box
        assert sum(len(glyphs) for family, glyphs in runs if family == "HanaMinB") == len(RARE)
        assert any(family == "StationDeskHanCompat" for family, _ in runs)


def test_no_character_of_the_name_looks_like_the_box_of_a_missing_one(
    app_fonts: QApplication,
) -> None:
    label = QLabel()
    font = label.font()
    box = picture(NO_FONT, font)
    blank = picture(" ", font)
    assert box != blank  # the box itself is drawn
    for ch in NAME:
        drawn = picture(ch, font)
        assert drawn != box, f"U+{ord(ch):04X} is drawn as a box"
        assert drawn != blank, f"U+{ord(ch):04X} is not drawn"


def test_registration_names_a_character_no_font_has_by_its_code(
    qtbot, app_fonts: QApplication, services: Services, make_officer
) -> None:  # type: ignore[no-untyped-def]
    officer: SessionUser = make_officer(Role.WINDOW)
    dialog = RegistrationDialog(services.visits, services.catalogue, officer)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    (banner,) = [w for w in dialog.findChildren(QLabel) if w.property("glyphWarning")]
    assert not banner.isVisible()

    dialog.name_edit.setText(f"王{NO_FONT}")
    assert banner.isVisible()
    assert "U+2A6DF（扩展B区汉字）" in banner.text() and NO_FONT not in banner.text()

    dialog.name_edit.setText(NAME)
    assert not banner.isVisible()
