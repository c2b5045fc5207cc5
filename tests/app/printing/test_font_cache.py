"""The parsed font face kept in the cache folder is the face ReportLab parses, or is not used."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from reportlab.pdfbase.ttfonts import TTFont

from app.printing.fonts import load_font
from resources import FONT_BOLD, FONT_REGULAR

TEXT = "一次性告知单：居民身份证、户口簿（原件及复印件）ABC-123，龘𠮷 ·补打"


def cache_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.bin"))


def face_state(font: Any) -> dict[str, Any]:
    # _pos is the parser's read position: where the last read (a subset) left it.
    transient = ("_pdfScale", "_ttf_data", "_pos")
    state = {k: v for k, v in vars(font.face).items() if k not in transient}
    state["names"] = {k: v.ustr for k, v in state.items() if hasattr(v, "ustr")}
    state["_pdfScale"] = [font.face._pdfScale(v) for v in (0, 1, 517, 2048)]
    state["_ttf_data"] = len(font.face._ttf_data)
    return state


def subset_of(font: Any, text: str) -> list[int]:
    covered = font.face.charToGlyph
    return [0, *sorted({ord(ch) for ch in text if ord(ch) in covered})]


@pytest.fixture(scope="module")
def stock() -> Any:
    """The face as ReportLab parses it, no cache involved."""
    return TTFont("StockRegular", str(FONT_REGULAR))


def test_the_cached_face_is_the_parsed_face(tmp_path: Path, stock: Any) -> None:
    parsed = load_font("CacheRegular", FONT_REGULAR, tmp_path)  # parses, writes the cache
    assert len(cache_files(tmp_path)) == 1
    cached = load_font("CacheRegular", FONT_REGULAR, tmp_path)  # reads it

    for font in (parsed, cached):
        assert face_state(font) == face_state(stock)
        assert set(vars(font)) == set(vars(stock))
        assert font.fontName == "CacheRegular"
        assert font.shapable == stock.shapable
        assert font._asciiReadable == stock._asciiReadable
        assert font.stringWidth(TEXT, 10.5) == stock.stringWidth(TEXT, 10.5)
        # The embedded subset (glyphs, metrics, cmap) byte for byte.
        assert font.face.makeSubset(subset_of(stock, TEXT)) == stock.face.makeSubset(
            subset_of(stock, TEXT)
        )


def test_a_corrupt_cache_is_parsed_again_and_rewritten(tmp_path: Path, stock: Any) -> None:
    load_font("CacheRegular", FONT_REGULAR, tmp_path)
    (written,) = cache_files(tmp_path)
    for garbage in (b"", b"\x00not marshal", written.read_bytes()[:1000]):
        written.write_bytes(garbage)

        font = load_font("CacheRegular", FONT_REGULAR, tmp_path)

        assert face_state(font) == face_state(stock)
        assert cache_files(tmp_path) == [written]
        assert written.stat().st_size > 1_000_000
    assert not list(tmp_path.glob(".*.tmp"))


def test_a_changed_font_file_is_parsed_again(tmp_path: Path) -> None:
    font_file = tmp_path / "font.ttf"
    font_file.write_bytes(FONT_BOLD.read_bytes())
    cache = tmp_path / "cache"
    load_font("Changed", font_file, cache)
    (first,) = cache_files(cache)

    font_file.write_bytes(FONT_REGULAR.read_bytes())
    os.utime(font_file, ns=(1, 1))
    font = load_font("Changed", font_file, cache)

    assert font.face.name == TTFont("Stock", str(FONT_REGULAR)).face.name
    (second,) = cache_files(cache)  # the stale one is gone
    assert second != first


def test_an_unwritable_cache_folder_only_costs_the_parse(tmp_path: Path, stock: Any) -> None:
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")

    font = load_font("NoCache", FONT_REGULAR, blocked / "fonts")

    assert face_state(font) == face_state(stock)


def test_no_cache_folder_means_no_cache(tmp_path: Path, stock: Any) -> None:
    font = load_font("NoCache", FONT_REGULAR, None)

    assert face_state(font) == face_state(stock)
    assert not list(tmp_path.iterdir())
