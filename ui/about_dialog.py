"""About StationDesk: version, station, database location, licences."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

VERSION = "0.1.0"


class AboutDialog(QDialog):
    """Who we are and where the data lives."""

    def __init__(self, station_name: str, location: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("关于 StationDesk")
        self.setMinimumWidth(460)
        title = QLabel("派出所窗口服务台账 StationDesk")
        title.setObjectName("dialogTitle")
        body = QLabel(
            f"版本 {VERSION}<br><br>"
            f"使用单位：{station_name}<br>"
            f"数据库：{location}<br><br>"
            "界面与打印字体：思源黑体（Noto Sans SC），依 SIL 开放字体许可证 1.1 随软件分发。"
        )
        body.setWordWrap(True)
        buttons = QDialogButtonBox()
        buttons.addButton("关闭", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(body)
        layout.addWidget(buttons)
