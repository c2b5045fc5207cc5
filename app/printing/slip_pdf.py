"""Prints a SlipData: the layout (ReportLab) is imported with the first slip printed."""

from __future__ import annotations

from app.printing.slip_data import SlipData


def render_slip(data: SlipData) -> bytes:
    """The slip as PDF bytes on A4, A5 or an 80 mm roll, the bundled font embedded (subset)."""
    from app.printing.slip_layout import render

    return render(data)
