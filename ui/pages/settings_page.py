"""本所设置: the station's name, code, phones printed on slips, paper size and lock-out rules."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.backup.service import BackupService
from app.core import text_limits
from app.core.dto import SessionUser
from app.core.errors import StationDeskError
from app.core.roles import Permission, Role, allows
from app.retention.service import RetentionService
from app.station.dto import StationSettings
from app.station.key_service import KeyService
from app.station.service import CALLBACK_PERIODS, StationService
from ui.first_run_wizard import PAPER_CHOICES
from ui.pages._settings_actions import SettingsPageActions
from ui.widgets.field_errors import FieldErrors
from ui.widgets.form_rows import add_counted_field, add_field

ROLL_NOTE = (
    "80mm 热敏卷纸只用于受理回执和群众办事引导单；一次性告知单、容缺受理承诺书、"
    "不予受理告知书和整改督办单须存档，无论此处如何设置，始终用 A4 纸打印。"
)


class SettingsPage(SettingsPageActions, QWidget):
    """Read-only for most; the chief and the administrator may save."""

    def __init__(
        self,
        station: StationService,
        user: SessionUser,
        parent: QWidget | None = None,
        keys: KeyService | None = None,
        retention: RetentionService | None = None,
        backups: BackupService | None = None,
    ) -> None:
        super().__init__(parent)
        self._station = station
        self._keys = keys
        self._backups = backups
        self._retention = retention
        self._user = user
        self._can_edit = allows(user.role, Permission.EDIT_SETTINGS)
        self._loaded: StationSettings | None = None
        self._create_unit_fields()
        self._create_security_fields()
        self._create_backup_fields()
        self._create_rating_fields()
        general = QLabel()
        self.errors = FieldErrors(general)
        groups = [
            self._unit_group(),
            self._redress_group(),
            self._phones_group(),
            self._security_group(),
            self._backup_group(),
            self._key_group(),
            self._rating_group(),
        ]
        buttons = self._buttons_row()
        body = self._lay_out(groups, general, buttons)
        self._apply_permissions(body)
        self.reload()

    # ---- the fields, created in this order (the groups lay them out) ----------------------

    def _create_unit_fields(self) -> None:
        """单位信息, 救济途径 and 公开电话: the texts printed on slips and notices."""
        self.name_edit = QLineEdit()
        self.code_edit = QLineEdit()
        self.address_edit = QLineEdit()
        self.hours_edit = QLineEdit()
        self.review_body_edit = QLineEdit()
        self.review_body_edit.setPlaceholderText("如 某市某区人民政府")
        self.court_edit = QLineEdit()
        self.court_edit.setPlaceholderText("如 某市某区人民法院")
        self.consult_edit = QLineEdit()
        self.supervision_edit = QLineEdit()
        self.p12389_edit = QLineEdit()
        self.p12345_edit = QLineEdit()

    def _create_security_fields(self) -> None:
        """打印与安全: paper, lock-out, the ledger's earliest review, the idle lock."""
        self.paper_combo = QComboBox()
        for value, label in PAPER_CHOICES:
            self.paper_combo.addItem(label, value)
        self.attempts_spin = QSpinBox()
        self.attempts_spin.setRange(3, 10)
        self.attempts_spin.setSuffix(" 次")
        self.minutes_spin = QSpinBox()
        self.minutes_spin.setRange(1, 1440)
        self.minutes_spin.setSuffix(" 分钟")
        self.review_after_edit = QLineEdit()
        self.review_after_edit.setPlaceholderText("如 17:30")
        self.review_after_edit.setToolTip(
            "所长当天审核台账不得早于此时间（一般为窗口下班时间）；审核只锁定审核时刻以前的记录，"
            "之后登记的列入次日台账的“上一日审核后记录”。"
        )

        self.idle_spin = QSpinBox()
        self.idle_spin.setRange(1, 60)
        self.idle_spin.setSuffix(" 分钟")
        self.idle_spin.setToolTip(
            "窗口在这段时间内无人操作即锁屏，隐藏群众信息，须本人密码或其他民警登录才能继续。"
        )

    def _create_backup_fields(self) -> None:
        """备份: the folder, 立即备份, the copies kept, and how long contact data is kept."""
        self.backup_folder_edit = QLineEdit()
        self.backup_folder_edit.setPlaceholderText(
            "留空则备份到数据库所在文件夹；建议填 U 盘或共享文件夹"
        )
        self.backup_browse = QPushButton("选择文件夹…")
        self.backup_browse.clicked.connect(self._choose_backup_folder)
        self.backup_now_button = QPushButton("立即备份")
        self.backup_now_button.setToolTip("现在备份到上面已保存的备份文件夹，写完后打开核对。")
        self.backup_now_button.clicked.connect(self._on_backup_now_clicked)
        self.backup_keep_spin = QSpinBox()
        self.backup_keep_spin.setRange(3, 400)
        self.backup_keep_spin.setSuffix(" 份")
        self.backup_keep_spin.setToolTip("自动备份超过此份数时删除最旧的一份。")
        self.retain_spin = QSpinBox()
        self.retain_spin.setRange(1, 30)
        self.retain_spin.setSuffix(" 年")
        self.retain_spin.setToolTip(
            "事项办结满此年限后，清理群众的身份证号码、电话和签名图像（登记记录和统计保留）。"
        )
        self.purge_button = QPushButton("清理过期个人信息…")
        self.purge_button.clicked.connect(self._on_purge_clicked)

    def _create_rating_fields(self) -> None:
        """好差评、回访与投诉: the dimensions, the deadlines and the callback sampling."""
        self.dimensions_edit = QLineEdit()
        self.dimensions_edit.setPlaceholderText(
            "用逗号分隔，如：办事效率,服务态度,办理结果,规范廉洁"
        )
        self.spins: dict[str, QSpinBox] = {}
        for key, low, high, suffix in (
            ("verify_days", 1, 30, " 个工作日"),
            ("rectify_days", 1, 60, " 个工作日"),
            ("callback_share", 1, 100, " %"),
            ("complaint_verify_days", 1, 30, " 个工作日"),
            ("complaint_handle_days", 1, 60, " 个工作日"),
            ("complaint_reply_days", 1, 60, " 个工作日"),
            ("home_days_town", 1, 30, " 个工作日"),
            ("home_days_country", 1, 60, " 个工作日"),
        ):
            spin = QSpinBox()
            spin.setRange(low, high)
            spin.setSuffix(suffix)
            self.spins[key] = spin
        self.period_combo = QComboBox()
        for value, label in CALLBACK_PERIODS.items():
            self.period_combo.addItem(label, value)

    # ---- the groups, top to bottom ------------------------------------------------------

    def _unit_group(self) -> QGroupBox:
        unit = QGroupBox("单位信息（印在回执、告知单抬头）")
        unit_form = QFormLayout(unit)
        add_counted_field(
            unit_form, "单位名称", self.name_edit, text_limits.STATION_NAME, self.errors, "name"
        )
        add_field(unit_form, "单位简码", self.code_edit, self.errors, "code")
        add_counted_field(
            unit_form, "地址", self.address_edit, text_limits.STATION_TEXT, self.errors, "address"
        )
        add_counted_field(
            unit_form, "办公时间", self.hours_edit, text_limits.STATION_TEXT, self.errors, "hours"
        )
        return unit

    def _redress_group(self) -> QGroupBox:
        redress = QGroupBox("不予受理告知书的救济途径（每次不予受理时带出，民警可修改）")
        redress_form = QFormLayout(redress)
        add_counted_field(
            redress_form,
            "行政复议机关",
            self.review_body_edit,
            text_limits.UNIT,
            self.errors,
            "redress_review_body",
        )
        add_counted_field(
            redress_form,
            "行政诉讼法院",
            self.court_edit,
            text_limits.UNIT,
            self.errors,
            "redress_court",
        )
        return redress

    def _phones_group(self) -> QGroupBox:
        phones = QGroupBox("公开电话（印在回执和告知单上）")
        phones_form = QFormLayout(phones)
        add_field(phones_form, "咨询电话", self.consult_edit, self.errors, "phone_consult")
        add_field(
            phones_form, "本所监督电话", self.supervision_edit, self.errors, "phone_supervision"
        )
        add_field(phones_form, "公安监督举报", self.p12389_edit, self.errors, "phone_12389")
        add_field(phones_form, "政务服务热线", self.p12345_edit, self.errors, "phone_12345")
        return phones

    def _security_group(self) -> QGroupBox:
        other = QGroupBox("打印与安全")
        other_form = QFormLayout(other)
        add_field(other_form, "回执纸张", self.paper_combo, self.errors, "paper_size")
        # The roll is thermal paper, for what the citizen takes away: a stub that must be
        # filed, a notice or a pledge, is never printed on it (app.printing.slip_data).
        roll_note = QLabel(ROLL_NOTE)
        roll_note.setWordWrap(True)
        roll_note.setObjectName("hint")
        other_form.addRow("", roll_note)
        add_field(other_form, "锁定前允许输错", self.attempts_spin, self.errors, "lockout_attempts")
        add_field(other_form, "锁定时长", self.minutes_spin, self.errors, "lockout_minutes")
        add_field(
            other_form, "当日台账最早审核", self.review_after_edit, self.errors, "review_after"
        )
        add_field(other_form, "无操作自动锁屏", self.idle_spin, self.errors, "idle_lock_minutes")
        return other

    def _backup_group(self) -> QGroupBox:
        backup = QGroupBox("备份（所长审核台账后和每天首次启动时自动备份）")
        backup_form = QFormLayout(backup)
        folder_row = QWidget()
        folder_box = QHBoxLayout(folder_row)
        folder_box.setContentsMargins(0, 0, 0, 0)
        folder_box.addWidget(self.backup_folder_edit, 1)
        folder_box.addWidget(self.backup_browse)
        folder_box.addWidget(self.backup_now_button)
        add_field(backup_form, "备份文件夹", folder_row, self.errors, "backup_folder")
        add_field(backup_form, "保留份数", self.backup_keep_spin, self.errors, "backup_keep")
        retain_row = QWidget()
        retain_box = QHBoxLayout(retain_row)
        retain_box.setContentsMargins(0, 0, 0, 0)
        retain_box.addWidget(self.retain_spin)
        retain_box.addWidget(self.purge_button)
        retain_box.addStretch(1)
        add_field(backup_form, "个人信息保存", retain_row, self.errors, "retain_contact_years")
        return backup

    def _key_group(self) -> QGroupBox:
        self.key_group = QGroupBox("本所密钥（加密群众身份证号码、电话和签名）")
        key_box = QVBoxLayout(self.key_group)
        self.key_label = QLabel()
        self.key_label.setWordWrap(True)
        self.sheet_button = QPushButton("打印密钥恢复单…")
        self.sheet_button.clicked.connect(self._on_sheet_clicked)
        key_row = QHBoxLayout()
        key_row.addWidget(self.key_label, 1)
        key_row.addWidget(self.sheet_button)
        key_box.addLayout(key_row)
        # Only the chief prints the sheet (the service says so too); others see nothing of it.
        self._key_shown = self._keys is not None and self._user.role is Role.CHIEF
        self.key_group.setVisible(self._key_shown)
        return self.key_group

    def _rating_group(self) -> QGroupBox:
        rating = QGroupBox("好差评、回访与投诉")
        rating_form = QFormLayout(rating)
        add_field(rating_form, "评价维度", self.dimensions_edit, self.errors, "rating_dimensions")
        for key, label in (
            ("verify_days", "差评核实期限"),
            ("rectify_days", "差评整改期限"),
            ("callback_share", "电话回访抽样比例"),
        ):
            add_field(rating_form, label, self.spins[key], self.errors, key)
        add_field(rating_form, "回访抽样周期", self.period_combo, self.errors, "callback_period")
        for key, label in (
            ("complaint_verify_days", "投诉核实期限"),
            ("complaint_handle_days", "投诉处理期限"),
            ("complaint_reply_days", "投诉答复期限"),
            ("home_days_town", "上门服务时限（城区）"),
            ("home_days_country", "上门服务时限（农村）"),
        ):
            add_field(rating_form, label, self.spins[key], self.errors, key)
        return rating

    # ---- the page ---------------------------------------------------------------------------

    def _buttons_row(self) -> QHBoxLayout:
        self.save_button = QPushButton("保存设置")
        self.save_button.clicked.connect(self._on_save_clicked)
        self.revert_button = QPushButton("放弃修改")
        self.revert_button.clicked.connect(self.reload)
        self.status_label = QLabel()
        self.status_label.setObjectName("hint")
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.status_label, 1)
        return buttons

    def _lay_out(self, groups: list[QGroupBox], general: QLabel, buttons: QHBoxLayout) -> QWidget:
        """The groups (then the general error) in a scroll area, the buttons below; the body."""
        body = QWidget()
        box = QVBoxLayout(body)
        for group in groups:
            box.addWidget(group)
        box.addWidget(general)
        box.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        if not self._can_edit:
            note = QLabel("只有所长或系统管理员可以修改本所设置。")
            note.setObjectName("hint")
            layout.addWidget(note)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)
        return body

    def _apply_permissions(self, body: QWidget) -> None:
        """Read-only for those who may not edit; 立即备份 only for those who may back up."""
        for button in (self.save_button, self.revert_button):
            button.setVisible(self._can_edit)
        # The chief and the administrator may back up (the service checks it as well).
        self.backup_now_button.setVisible(
            self._backups is not None and allows(self._user.role, Permission.BACKUP)
        )
        for edit in body.findChildren(QLineEdit):
            edit.setReadOnly(not self._can_edit)
        for widget in (
            self.paper_combo,
            self.attempts_spin,
            self.minutes_spin,
            self.idle_spin,
            self.backup_keep_spin,
            self.backup_browse,
            self.retain_spin,
            self.purge_button,
            self.period_combo,
            *self.spins.values(),
        ):
            widget.setEnabled(self._can_edit)

    def reload(self) -> None:
        """Show the settings as stored."""
        s = self._station.settings()
        self._loaded = s
        self.name_edit.setText(s.name)
        self.code_edit.setText(s.code)
        self.address_edit.setText(s.address)
        self.hours_edit.setText(s.hours)
        self.review_body_edit.setText(s.redress_review_body)
        self.court_edit.setText(s.redress_court)
        self.consult_edit.setText(s.phone_consult)
        self.supervision_edit.setText(s.phone_supervision)
        self.p12389_edit.setText(s.phone_12389)
        self.p12345_edit.setText(s.phone_12345)
        self.paper_combo.setCurrentIndex(max(0, self.paper_combo.findData(s.paper_size)))
        self.attempts_spin.setValue(s.lockout_attempts)
        self.minutes_spin.setValue(s.lockout_minutes)
        self.review_after_edit.setText(s.review_after)
        self.idle_spin.setValue(s.idle_lock_minutes)
        self.backup_folder_edit.setText(s.backup_folder)
        self.backup_keep_spin.setValue(s.backup_keep)
        self.retain_spin.setValue(s.retain_contact_years)
        self.dimensions_edit.setText(s.rating_dimensions.replace(",", "，"))
        for key, spin in self.spins.items():
            spin.setValue(int(getattr(s, key)))
        self.period_combo.setCurrentIndex(max(0, self.period_combo.findData(s.callback_period)))
        self.errors.clear()
        self.status_label.clear()
        self._show_key_status()

    def current(self) -> StationSettings:
        """The form's content."""
        assert self._loaded is not None
        return replace(
            self._loaded,
            name=self.name_edit.text(),
            code=self.code_edit.text(),
            address=self.address_edit.text(),
            hours=self.hours_edit.text(),
            redress_review_body=self.review_body_edit.text(),
            redress_court=self.court_edit.text(),
            phone_consult=self.consult_edit.text(),
            phone_supervision=self.supervision_edit.text(),
            phone_12389=self.p12389_edit.text(),
            phone_12345=self.p12345_edit.text(),
            paper_size=str(self.paper_combo.currentData()),
            lockout_attempts=self.attempts_spin.value(),
            lockout_minutes=self.minutes_spin.value(),
            review_after=self.review_after_edit.text(),
            idle_lock_minutes=self.idle_spin.value(),
            backup_folder=self.backup_folder_edit.text(),
            backup_keep=self.backup_keep_spin.value(),
            retain_contact_years=self.retain_spin.value(),
            rating_dimensions=self.dimensions_edit.text(),
            callback_period=str(self.period_combo.currentData()),
            verify_days=self.spins["verify_days"].value(),
            rectify_days=self.spins["rectify_days"].value(),
            callback_share=self.spins["callback_share"].value(),
            complaint_verify_days=self.spins["complaint_verify_days"].value(),
            complaint_handle_days=self.spins["complaint_handle_days"].value(),
            complaint_reply_days=self.spins["complaint_reply_days"].value(),
            home_days_town=self.spins["home_days_town"].value(),
            home_days_country=self.spins["home_days_country"].value(),
        )

    def _on_save_clicked(self) -> None:
        try:
            self._loaded = self._station.update_settings(self._user, self.current())
        except StationDeskError as exc:
            self.errors.show(exc)
            return
        self.reload()
        self.status_label.setText("已保存。")
