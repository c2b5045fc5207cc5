"""Qt's standard dialogs in Chinese in the widget tests, as in the application; and Python's
garbage collection as the tests expect it, whatever a test of the application left behind."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication

from ui.files import install_qt_chinese
from ui.garbage import GarbageCollector


@pytest.fixture(autouse=True, scope="session")
def _qt_in_chinese(qapp: QApplication) -> None:
    install_qt_chinese(qapp)


@pytest.fixture(autouse=True)
def _automatic_garbage_collection(qapp: QApplication) -> Iterator[None]:
    """After each test: no application collector left on the test QApplication, and
    automatic collection on again.

    The real start (``run_gui``, tested in test_first_start) and test_garbage install a
    GarbageCollector, which switches automatic collection off for the process. Left so, every
    later test ran with cyclic garbage never freed (the suite grew to 700 MB and slowed to
    seconds a test), or collected at a random moment by a leftover timer.
    """
    font, sheet = qapp.font(), qapp.styleSheet()
    yield
    # Windows a test left open (a main window without qtbot.addWidget, a message box, a
    # button a layout let go of) kept their services, engines and statement caches alive:
    # the heap grew by about 25,000 objects a test, and each collection below walked it all
    # (12 s a test by the end of the suite). Closed and deleted here, whatever the test did.
    for widget in qapp.topLevelWidgets():
        widget.close()
        widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    for collector in qapp.findChildren(GarbageCollector):
        collector.setParent(None)
        collector.deleteLater()
    gc.enable()
    # This test's closed windows caught in reference cycles go now, between tests, not at a
    # random moment of the next one (a window destroyed mid-test took the focus with it).
    gc.collect()
    gc.freeze()  # as in tests/conftest.py: the survivors are not walked again
    # A test that starts the real program (run_gui installs the station's fonts and style
    # sheet) leaves Qt's look as it found it: later tests in the same worker measured in the
    # station's font or not by the order the workers ran them in. Put back only now, with
    # the test's windows gone: a style change under a live FrozenColumns table crashed a
    # worker (segfault in the next test's event processing).
    if qapp.styleSheet() != sheet:
        qapp.setStyleSheet(sheet)
    if qapp.font() != font:
        qapp.setFont(font)
    QApplication.processEvents()


@pytest.fixture
def app_look(qapp: QApplication) -> Iterator[None]:
    """The application's own fonts and style sheet for one test, as the real start installs
    them (sizes measured with Qt's default font and no style sheet are not the counter's).
    Put back afterwards, so other tests keep the metrics they were written for."""
    from ui.fonts import install_fonts_and_style

    font, sheet = qapp.font(), qapp.styleSheet()
    install_fonts_and_style(qapp)
    try:
        yield
    finally:
        qapp.setStyleSheet(sheet)
        qapp.setFont(font)
