"""Cyclic garbage is collected on the UI thread only (never by a worker of the pool)."""

from __future__ import annotations

import gc

from PySide6.QtWidgets import QApplication

from ui.garbage import GarbageCollector


def test_automatic_collection_is_off_and_the_ui_thread_collects(qapp: QApplication) -> None:
    gc.enable()
    collector = GarbageCollector(qapp)
    try:
        assert not gc.isenabled()

        class Cycle:
            pass

        a, b = Cycle(), Cycle()
        a.other, b.other = b, a  # type: ignore[attr-defined]
        del a, b
        before = sum(isinstance(o, Cycle) for o in gc.get_objects())
        collector.collect()
        after = sum(isinstance(o, Cycle) for o in gc.get_objects())
        assert (before, after) == (2, 0)
    finally:
        collector.deleteLater()
