"""Bundled data: fonts (with their licence), the service catalogue, holidays and the style sheet."""

from __future__ import annotations

from pathlib import Path

RESOURCES_DIR = Path(__file__).resolve().parent
FONTS_DIR = RESOURCES_DIR / "fonts"
FONT_REGULAR = FONTS_DIR / "NotoSansSC_400Regular.ttf"
FONT_BOLD = FONTS_DIR / "NotoSansSC_700Bold.ttf"
CATALOGUE_FILE = RESOURCES_DIR / "catalogue.json"
HOLIDAYS_FILE = RESOURCES_DIR / "holidays.json"
STYLE_SHEET = RESOURCES_DIR / "style.qss"
HELP_DIR = RESOURCES_DIR / "help"
