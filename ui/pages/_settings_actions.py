"""本所设置's buttons: 立即备份, 清理过期个人信息, 打印密钥恢复单, 选择文件夹 (SettingsPage)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QLabel, QLineEdit, QWidget

from app.backup.service import BackupService, size_text
from app.core.dto import SessionUser
from app.core.errors import StationDeskError
from app.retention.service import RetentionService
from app.station.dto import StationSettings
from app.station.key_service import KeyService
from ui.files import announce
from ui.print_preview_dialog import PrintPreviewDialog
from ui.tasks import run_with_progress
from ui.widgets.messages import confirm, show_error

# The mixin is a QWidget to the type checker only: at run time SettingsPage brings the QWidget.
if TYPE_CHECKING:
    _PageBase = QWidget
else:
    _PageBase = object


class SettingsPageActions(_PageBase):
    """What the page's buttons other than 保存/放弃 do; mixed into SettingsPage (its state)."""

    _keys: KeyService | None
    _backups: BackupService | None
    _retention: RetentionService | None
    _user: SessionUser
    _loaded: StationSettings | None
    _key_shown: bool
    key_label: QLabel
    status_label: QLabel
    backup_folder_edit: QLineEdit

    def _show_key_status(self) -> None:
        if self._keys is None or not self._key_shown:
            return
        try:
            status = self._keys.status(self._user)
        except StationDeskError as exc:
            self.key_label.setText(exc.message)
            return
        printed = (
            f"恢复单已打印 {status.sheets_printed} 次。"
            if status.sheets_printed
            else "恢复单尚未打印：请立即打印，由所长封存于保密柜。"
        )
        self.key_label.setText(f"密钥编号 {status.key_id[:8]}…　{printed}")

    def _on_purge_clicked(self) -> None:
        if self._retention is None:
            return
        try:
            plan = self._retention.plan(self._user)
        except StationDeskError as exc:
            show_error(self, exc.message)
            return
        if not plan.total:
            self.status_label.setText(plan.sentence())
            return
        if not confirm(
            self,
            f"将清理 {plan.sentence()}\n登记记录、评价等级和统计数字保留；清理后无法恢复"
            "（备份中仍有，按备份保留份数逐步轮换删除）。确定清理吗？",
            "清理过期个人信息",
            "清理",
        ):
            return
        try:
            done = self._retention.purge(self._user)
        except StationDeskError as exc:
            show_error(self, exc.message)
            return
        self.status_label.setText("已清理：" + done.sentence())

    def _on_backup_now_clicked(self) -> None:
        if self._backups is None:
            return
        saved = self._loaded.backup_folder if self._loaded is not None else ""
        if self.backup_folder_edit.text().strip() != saved.strip():
            self.status_label.setText("备份文件夹已改动但尚未保存：请先点“保存设置”，再立即备份。")
            self.backup_folder_edit.setFocus()
            return
        backups, user = self._backups, self._user
        try:
            result = run_with_progress(
                self,
                "正在备份本所数据库，并打开备份核对……",
                lambda _progress: backups.backup(user, None, "manual"),
                "立即备份",
            )
        except StationDeskError as exc:
            show_error(self, exc.message, "备份失败")
            return
        text = f"已备份：{result.path}（{size_text(result.size_bytes)}），已核对无误。"
        self.status_label.setText(text)
        announce(self, text, result.path.parent)

    def _on_sheet_clicked(self) -> None:
        assert self._keys is not None
        try:
            pdf = self._keys.recovery_sheet(self._user)
        except StationDeskError as exc:
            show_error(self, exc.message)
            return
        self._show_key_status()
        PrintPreviewDialog(
            pdf,
            "本所密钥恢复单",
            "密钥恢复单.pdf",
            lambda: None,
            warning="打印后请由所长签名封存，不要保存 PDF 文件，也不要拍照。",
            parent=self,
        ).exec()

    def _choose_backup_folder(self) -> None:
        start = self.backup_folder_edit.text().strip() or str(Path.home())
        chosen = QFileDialog.getExistingDirectory(self, "选择备份文件夹", start)
        if chosen:
            self.backup_folder_edit.setText(str(Path(chosen)))
