"""A signature as written, not as wide as the pad: cropped to the ink, then fitted to a box.

The pad's image is as wide as the pad (1716×300 px, up to 3760×300 full screen) with the
writing somewhere in it; printed whole into a slip's column the writing came out about
15×4.5 mm. Every printed signature goes through ``fit_signature``: the ink's bounding box with
a small margin, scaled to fill the box it is given (about 40×15 mm on a slip, the cell's
height in a register) without distortion.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache

# Darker than this (0–255, any channel's minimum) is ink; the pad's background is white.
INK_LEVEL = 200
MARGIN = 0.06  # of the ink's larger side, on every side


@dataclass(frozen=True, slots=True)
class FittedSignature:
    """The cropped image and the size (points) it is drawn at inside the box."""

    png: bytes
    width: float
    height: float


def ink_box(png: bytes) -> tuple[int, int, int, int] | None:
    """The bounding box (left, top, right, bottom) of the ink; None for a blank image."""
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(png)) as image:
        grey = image.convert("RGBA")
        # Transparent parts are background whatever their colour.
        white = Image.new("RGBA", grey.size, (255, 255, 255, 255))
        flat = Image.alpha_composite(white, grey).convert("L")
    ink = ImageOps.invert(flat).point(lambda v: 255 if v > 255 - INK_LEVEL else 0)
    return ink.getbbox()


@lru_cache(maxsize=64)
def crop_to_ink(png: bytes) -> bytes:
    """The signature image cut to its ink plus a margin (the image itself if it is blank)."""
    from PIL import Image

    box = ink_box(png)
    if box is None:
        return png
    left, top, right, bottom = box
    pad = int(max(right - left, bottom - top) * MARGIN) + 2
    with Image.open(io.BytesIO(png)) as image:
        width, height = image.size
        cropped = image.convert("RGB").crop(
            (
                max(0, left - pad),
                max(0, top - pad),
                min(width, right + pad),
                min(height, bottom + pad),
            )
        )
    out = io.BytesIO()
    cropped.save(out, format="PNG", optimize=True)
    return out.getvalue()


def fit_signature(png: bytes, box_width: float, box_height: float) -> FittedSignature:
    """The cropped signature scaled to fill a ``box_width`` × ``box_height`` box (points)."""
    from PIL import Image

    cropped = crop_to_ink(png)
    with Image.open(io.BytesIO(cropped)) as image:
        w, h = image.size
    scale = min(box_width / w, box_height / h)
    return FittedSignature(cropped, w * scale, h * scale)
