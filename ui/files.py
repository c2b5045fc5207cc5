"""Files and printing: Qt's dialogs in Chinese, a StationDesk folder per kind, where a file went.

- Qt's ``qtbase_zh_CN`` leaves a few labels of the standard dialogs in English ("Look in:",
  "Files of type:", "Folder" …); ``install_qt_chinese`` fills them in. Native dialogs speak the
  OS's language, so Qt's own are used unless the OS is Windows in Chinese.
- Exports and saved PDFs open in ``文档/StationDesk`` (created when needed), then in the folder
  last used for that kind of file (QSettings ``files/<kind>``).
- After a save or a print the main window's status bar says where it went, with
  打开所在文件夹 for a file.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from PySide6.QtCore import (
    QCoreApplication,
    QLibraryInfo,
    QLocale,
    QSettings,
    QStandardPaths,
    Qt,
    QTranslator,
    QUrl,
)
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QStatusBar,
    QWidget,
)

logger = logging.getLogger(__name__)

FOLDER_NAME = "StationDesk"
NO_PRINTER = (
    "本机没有安装打印机，无法打印。可以先“另存为 PDF”，再到有打印机的电脑上打印。"
    "如需在本机打印，请联系系统管理员安装打印机。"
)
_TRANSLATOR_PROPERTY = "stationdesk_qt_chinese_installed"

# (context, source) → Chinese, for what qtbase_zh_CN (Qt 6.11) leaves untranslated in the
# file, print and page-setup dialogs (found by asking it for every string they show).
QT_GAPS: dict[tuple[str, str], str] = {
    ("QFileDialog", "&Look in:"): "查找范围(&L)：",
    ("QFileDialog", "Files of &type:"): "文件类型(&T)：",
    ("QFileDialog", "Computer"): "计算机",
    ("QFileDialog", "Cancel"): "取消",
    ("QAbstractFileIconProvider", "Folder"): "文件夹",
    ("QAbstractFileIconProvider", "Drive"): "驱动器",
    ("QAbstractFileIconProvider", "File"): "文件",
    ("QAbstractFileIconProvider", "Alias"): "替身",
    ("QAbstractFileIconProvider", "Shortcut"): "快捷方式",
    ("QAbstractFileIconProvider", "Unknown"): "未知",
    ("QPageSetupWidget", "Page &order:"): "页序(&O)：",
    ("QPageSetupWidget", "Pages &per sheet:"): "每张页数(&P)：",
    ("QPrintSettingsOutput", "Page &Set:"): "页面范围(&S)：",
    ("QPrintSettingsOutput", "Duplex Printing"): "双面打印",
    ("QPrintSettingsOutput", "Long side"): "长边",
    ("QPrintSettingsOutput", "Short side"): "短边",
    ("QPrintPropertiesDialog", "Advanced"): "高级",
    ("QPrintPropertiesDialog", "Conflicts"): "选项冲突",
    (
        "QPrintPropertiesDialog",
        "There are conflicts in some options. Do you want to fix them?",
    ): "部分选项互相冲突，是否修正？",
    ("QPrintDialog", "Automatic"): "自动",
    ("QPrintDialog", "Cancel"): "取消",
    ("QMessageBox", "OK"): "确定",
    ("QMessageBox", "Help"): "帮助",
    ("QDialogButtonBox", "Cancel"): "取消",
    ("QShortcut", "Control"): "Ctrl",
    ("QShortcut", "Keyboard"): "键盘",
}


class _ChineseQt(QTranslator):
    """``qtbase_zh_CN`` plus ``QT_GAPS``."""

    def translate(
        self,
        context: str,
        source_text: str,
        disambiguation: str | None = None,
        n: int = -1,
    ) -> str | None:
        found = super().translate(context, source_text, disambiguation, n)
        if found:
            return found
        # None (a null QString) lets Qt fall back to the source; "" would blank the label.
        return QT_GAPS.get((context, source_text))


def native_dialogs_speak_chinese() -> bool:
    """Only Windows' own file and print dialogs follow a Chinese OS; elsewhere Qt's are used."""
    return sys.platform == "win32" and QLocale.system().language() is QLocale.Language.Chinese


def prefer_chinese_system_locale() -> None:
    """Before the QApplication: Qt's file lists (sizes such as "0 bytes") follow the system
    locale; on a Linux set to C or English, ask Qt for Chinese through ``LANGUAGE``, which
    changes nothing else (gettext ignores it under the C locale)."""
    if sys.platform == "win32" or os.environ.get("LANGUAGE"):
        return
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:
            if value.startswith("zh"):
                return
            break
    os.environ["LANGUAGE"] = "zh_CN:zh"


def install_qt_chinese(app: QCoreApplication) -> None:
    """Qt's standard dialogs (file, print, page setup, message boxes) in Chinese; idempotent."""
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    if not native_dialogs_speak_chinese():
        QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_DontUseNativeDialogs, True)
    if app.property(_TRANSLATOR_PROPERTY):
        return
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    translator = _ChineseQt(app)
    # qt_zh_CN is a meta-catalogue naming modules PySide6-Essentials does not ship (it fails
    # to load); qtbase_zh_CN holds every string of the widgets and print dialogs.
    if not (translator.load("qtbase_zh_CN", folder) or translator.load("qt_zh_CN", folder)):
        logger.warning("Qt's Chinese translation not found in %s", folder)
    # Installed last, so asked first: it answers for qtbase and for its gaps.
    app.installTranslator(translator)
    app.setProperty(_TRANSLATOR_PROPERTY, True)


# ---- where files go ------------------------------------------------------------------------


def default_folder() -> Path:
    """文档/StationDesk (the home folder if the system names no documents folder)."""
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(documents or Path.home()) / FOLDER_NAME


def _key(kind: str) -> str:
    return f"files/{kind}"


# Where folders are remembered when no organisation is set (tests, scripts): QSettings would
# otherwise write under "Unknown Organization" in the user's configuration.
_unsaved: dict[str, str] = {}


def _settings() -> QSettings | None:
    """The application's settings (StationDesk/StationDesk when run as the program)."""
    return QSettings() if _is_program() else None


def _is_program() -> bool:
    """Run as the program (which names its organisation), not from tests or scripts, which
    must leave the user's settings and documents folder alone."""
    return bool(QCoreApplication.organizationName())


def folder_for(kind: str) -> Path:
    """Where a save of ``kind`` opens: the folder last used for it, else 文档/StationDesk."""
    settings = _settings()
    last = settings.value(_key(kind), "", str) if settings is not None else _unsaved.get(kind)
    if isinstance(last, str) and last and Path(last).is_dir():
        return Path(last)
    folder = default_folder()
    if not _is_program():
        return folder
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        logger.warning("cannot create %s", folder, exc_info=True)
        return Path.home()
    return folder


def remember_folder(kind: str, folder: Path) -> None:
    """The next save of ``kind`` opens in ``folder``."""
    settings = _settings()
    if settings is None:
        _unsaved[kind] = str(folder)
        return
    settings.setValue(_key(kind), str(folder))
    settings.sync()


def ask_save_path(
    parent: QWidget | None, kind: str, title: str, suggested_name: str, name_filter: str
) -> Path | None:
    """The officer's chosen file for a save of ``kind``; None if cancelled. Remembers the folder."""
    start = folder_for(kind) / suggested_name
    chosen, _filter = QFileDialog.getSaveFileName(parent, title, str(start), name_filter)
    if not chosen:
        return None
    path = Path(chosen)
    remember_folder(kind, path.parent)
    return path


# ---- printers ------------------------------------------------------------------------------


def printer_installed() -> bool:
    """False when the system knows no printer (Qt would then offer only a PDF file)."""
    # Imported here: the login window (which installs the translations) needs no printing.
    from PySide6.QtPrintSupport import QPrinterInfo

    return bool(QPrinterInfo.availablePrinterNames()) or not QPrinterInfo.defaultPrinter().isNull()


# ---- telling where it went -----------------------------------------------------------------


def main_status_bar(widget: QWidget | None) -> QStatusBar | None:
    """The status bar of the main window ``widget`` belongs to (through dialogs' parents)."""
    while widget is not None:
        window = widget.window()
        if isinstance(window, QMainWindow):
            return window.statusBar()
        widget = window.parentWidget()
    for top in QApplication.topLevelWidgets():
        if isinstance(top, QMainWindow) and top.isVisible():
            return top.statusBar()
    return None


class FileNotice(QWidget):
    """The status bar's line about the last file saved or print sent, with 打开所在文件夹."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fileNotice")
        self.folder: Path | None = None
        self.label = QLabel()
        self.label.setObjectName("fileNoticeText")
        self.open_button = QPushButton("打开所在文件夹")
        self.open_button.setObjectName("openFolder")
        self.open_button.setFlat(True)
        self.open_button.setCursor(Qt.CursorShape.PointingHandCursor)
        # Like the status bar's other button: reachable by the mouse, kept out of the Tab
        # chain of the page above it.
        self.open_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.open_button.clicked.connect(self.open_folder)
        box = QHBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.label)
        box.addWidget(self.open_button)

    def show_text(self, text: str, folder: Path | None) -> None:
        """Say ``text``; offer the folder if there is one."""
        self.folder = folder
        self.label.setText(text)
        self.label.setToolTip(text)
        self.open_button.setVisible(folder is not None)
        if folder is not None:
            self.open_button.setToolTip(str(folder))

    def open_folder(self) -> None:
        """Open the folder in the system's file manager."""
        if self.folder is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.folder)))


def announce(widget: QWidget | None, text: str, folder: Path | None = None) -> bool:
    """Show ``text`` in the main window's status bar; False if ``widget`` has no main window."""
    bar = main_status_bar(widget)
    if bar is None:
        return False
    notice = bar.findChild(FileNotice, "fileNotice")
    if notice is None:
        notice = FileNotice(bar)
        bar.insertWidget(0, notice)
    notice.show_text(text, folder)
    notice.show()
    return True


def announce_saved(widget: QWidget | None, path: Path) -> bool:
    """已保存到 <path>, with 打开所在文件夹; False if there is no main window to say it in."""
    return announce(widget, f"已保存到 {path}", path.parent)


def announce_printed(widget: QWidget | None, printer_name: str) -> bool:
    """已送打印机 <name>."""
    return announce(widget, f"已送打印机 {printer_name}" if printer_name else "已送打印机")
