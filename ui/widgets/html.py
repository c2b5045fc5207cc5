"""Escaping helpers for the rich-text detail panels."""

from __future__ import annotations

import html


def esc(text: str) -> str:
    """HTML-escape ``text`` and keep its line breaks."""
    return html.escape(text).replace("\n", "<br>")
