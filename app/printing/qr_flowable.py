"""The QR code of a printed document as one PDF form, encoded and drawn once per document."""

from __future__ import annotations

import hashlib
import itertools
from functools import lru_cache

from reportlab.graphics.barcode import qrencoder
from reportlab.lib import colors
from reportlab.platypus import Flowable

QUIET_ZONE = 4  # modules of white around the code, as ReportLab's QrCodeWidget leaves


class QrFlowable(Flowable):
    """A ``size``-point square QR code (quiet zone included) encoding ``payload``.

    The first drawing on a document encodes the payload and draws its modules into a PDF form
    (XObject) one unit square large; every drawing, including the station copy of a two-part
    slip, only places that form. ReportLab's QrCodeWidget encodes the payload twice per drawing
    and emits a shape object per run of dark modules each time.
    """

    def __init__(self, payload: str, size: float, level: str = "M") -> None:
        super().__init__()
        self.payload = payload
        self.size = size
        self.level = level
        self.width = self.height = size
        digest = hashlib.sha256(f"{level}|{payload}".encode()).hexdigest()[:16]
        self.form_name = f"StationDeskQR{digest}"

    def wrap(self, _available_width: float, _available_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        canvas = self.canv
        if not canvas.hasForm(self.form_name):
            self._define_form()
        canvas.saveState()
        canvas.scale(self.size, self.size)
        canvas.doForm(self.form_name)
        canvas.restoreState()

    def _define_form(self) -> None:
        rows = _modules(self.payload, self.level)
        count = len(rows) + 2 * QUIET_ZONE
        canvas = self.canv
        canvas.beginForm(self.form_name, 0, 0, 1, 1)
        # Whole modules as units inside the form, so every coordinate is an integer.
        canvas.scale(1 / count, 1 / count)
        canvas.setFillColor(colors.black)
        for r, row in enumerate(rows):
            y = count - QUIET_ZONE - r - 1
            c = 0
            for dark, run in itertools.groupby(row):
                length = len(list(run))
                if dark:
                    # One filled rectangle per run, as QrCodeWidget draws them: viewers snap
                    # lone rectangles to whole pixels, so the code stays crisp on screen.
                    canvas.rect(QUIET_ZONE + c, y, length, 1, stroke=0, fill=1)
                c += length
        canvas.endForm()


@lru_cache(maxsize=64)
def _modules(payload: str, level: str) -> tuple[tuple[bool, ...], ...]:
    """The code's dark (True) and light modules, row by row; a reprint reuses them."""
    code = qrencoder.QRCode(None, getattr(qrencoder.QRErrorCorrectLevel, level))
    code.addData(payload)
    code.make()
    return tuple(tuple(bool(m) for m in row) for row in code.modules)
