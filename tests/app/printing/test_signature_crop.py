"""Signatures print at a legible size (issue 14, item 1): cropped to the ink, fitted to a box."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from app.printing.signature_crop import crop_to_ink, fit_signature, ink_box

MM = 72 / 25.4


def _pad_image(ink: tuple[int, int, int, int] | None, size: tuple[int, int] = (1716, 300)) -> bytes:
    image = Image.new("RGB", size, "white")
    if ink is not None:
        ImageDraw.Draw(image).rectangle(ink, outline="black", width=4)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def test_a_signature_is_cut_to_its_ink_with_a_margin() -> None:
    png = _pad_image((700, 110, 900, 170))  # 200×60 px of writing on a 1716×300 pad
    assert ink_box(png) == (700, 110, 901, 171)
    with Image.open(io.BytesIO(crop_to_ink(png))) as cropped:
        w, h = cropped.size
    assert 201 < w < 240 and 61 < h < 100  # the ink plus a margin, not the pad


def test_a_fitted_signature_fills_the_slip_box_where_the_whole_pad_did_not() -> None:
    png = _pad_image((700, 110, 900, 170))
    fitted = fit_signature(png, 40 * MM, 15 * MM)
    # Before: the whole pad into 60 mm came out ~7×2 mm of writing; now it fills the box.
    assert fitted.width / MM > 38 or fitted.height / MM > 14
    assert fitted.width <= 40 * MM + 0.01 and fitted.height <= 15 * MM + 0.01
    ratio = fitted.width / fitted.height
    with Image.open(io.BytesIO(fitted.png)) as image:
        assert abs(ratio - image.size[0] / image.size[1]) < 0.01  # not distorted


def test_a_blank_pad_is_left_as_it_is() -> None:
    png = _pad_image(None, (400, 100))
    assert ink_box(png) is None
    assert crop_to_ink(png) == png
