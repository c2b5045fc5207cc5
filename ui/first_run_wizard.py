"""First start: the station's name and code, then the first chief or administrator account."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from app.core import text_limits
from app.core.dto import SessionUser
from app.core.errors import StationDeskError
from app.core.roles import Role
from app.officers.dto import NewOfficer
from app.station.dto import StationSettings
from app.station.service import StationService, check_first_account, validate_settings
from app.station.workstation import Workstation
from ui.change_password_dialog import password_edit, password_rules_label
from ui.tasks import run_with_progress
from ui.widgets.char_count import CharCount, with_count
from ui.widgets.field_errors import FieldErrors
from ui.widgets.form_rows import add_field
from ui.widgets.rare_char_picker import install_rare_char_picker

if TYPE_CHECKING:
    from app.officers.auth import AuthService

PAPER_CHOICES = (("A5", "A5（半张 A4）"), ("A4", "A4"), ("80mm", "80mm 热敏卷纸"))
DEMO_REQUESTED = 2
# The counter joined the station's server (saved by the ServerDialog): open that database.
SERVER_JOINED = 3
CANCEL_QUESTION = "放弃初始化？本所数据库尚未建立，下次启动时将重新开始。"


class _WelcomePage(QWizardPage):
    def __init__(self, wizard: FirstRunWizard) -> None:
        super().__init__()
        self.setTitle("欢迎使用派出所窗口服务台账")
        text = QLabel(
            "这是本机第一次启动。接下来请填写本所的名称和简码，并创建第一个管理账号"
            "（所长或系统管理员）。其余人员账号由管理员在“人员管理”中添加。\n\n"
            "本所已有服务器、几个窗口共用一本台账？请点“连接本所服务器”，"
            "填写管理员给出的服务器地址、数据库名、用户名和密码。\n\n"
            "只想先看看？可以直接进入演示所：演示数据保存在单独的文件中，不影响本所数据。"
        )
        text.setWordWrap(True)
        self.server_button = QPushButton("连接本所服务器（多窗口）(&C)")
        self.server_button.setAutoDefault(False)
        self.server_button.setObjectName("secondary")
        self.server_button.clicked.connect(wizard.request_server)
        self.demo_button = QPushButton("进入演示所")
        self.demo_button.setAutoDefault(False)
        self.demo_button.setObjectName("secondary")
        self.demo_button.clicked.connect(wizard.request_demo)
        buttons = QHBoxLayout()
        buttons.addWidget(self.server_button)
        buttons.addWidget(self.demo_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addStretch(1)
        layout.addLayout(buttons)


class _StationPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("本所信息")
        self.setSubTitle("单位名称印在每张回执和告知单的抬头；简码用于各类编号。")
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("如 XX市公安局XX分局XX派出所")
        self.code_edit = QLineEdit()
        self.code_edit.setPlaceholderText("2–12 位字母或数字，如 QNL")
        self.address_edit = QLineEdit()
        self.hours_edit = QLineEdit("工作日 8:30-12:00，14:00-17:30")
        self.consult_edit = QLineEdit()
        self.supervision_edit = QLineEdit()
        self.paper_combo = QComboBox()
        for value, label in PAPER_CHOICES:
            self.paper_combo.addItem(label, value)
        general = QLabel()
        self.errors = FieldErrors(general)
        form = QFormLayout(self)
        self.counts: dict[str, CharCount] = {}
        for label, edit, field, limit in (
            ("单位名称", self.name_edit, "name", text_limits.STATION_NAME),
            ("单位简码", self.code_edit, "code", 12),
            ("地址", self.address_edit, "address", text_limits.STATION_TEXT),
            ("办公时间", self.hours_edit, "hours", text_limits.STATION_TEXT),
        ):
            row, self.counts[field] = with_count(edit, limit, label, self.errors, field)
            add_field(form, label, row, self.errors, field, edit)
        add_field(form, "咨询电话", self.consult_edit, self.errors, "phone_consult")
        add_field(form, "监督电话", self.supervision_edit, self.errors, "phone_supervision")
        add_field(form, "回执纸张", self.paper_combo, self.errors, "paper_size")
        form.addRow(general)

    def settings(self) -> StationSettings:
        return StationSettings(
            name=self.name_edit.text(),
            code=self.code_edit.text(),
            address=self.address_edit.text(),
            hours=self.hours_edit.text(),
            phone_consult=self.consult_edit.text(),
            phone_supervision=self.supervision_edit.text(),
            paper_size=str(self.paper_combo.currentData()),
        )

    def validatePage(self) -> bool:
        """Every wrong field named at once (validate_settings collects them all)."""
        try:
            validate_settings(self.settings())
        except StationDeskError as exc:
            self.errors.show(exc)
            return False
        self.errors.clear()
        return True


class _AccountPage(QWizardPage):
    def __init__(self, wizard: FirstRunWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle("第一个管理账号")
        self.setSubTitle("此账号可以添加其他人员、维护服务事项目录和本所设置。")
        self.role_combo = QComboBox()
        self.role_combo.addItem(Role.CHIEF.label, Role.CHIEF.value)
        self.role_combo.addItem(Role.ADMIN.label, Role.ADMIN.value)
        self.badge_edit = QLineEdit()
        self.name_edit = QLineEdit()
        install_rare_char_picker(self.name_edit)  # 生僻字: F4 or the 僻 button
        self.password_edit = password_edit()
        self.repeat_edit = password_edit()
        general = QLabel()
        self.errors = FieldErrors(general)
        form = QFormLayout(self)
        add_field(form, "角色", self.role_combo, self.errors, "role")
        badge_row, self.badge_count = with_count(
            self.badge_edit, 20, "警号", self.errors, "badge_no"
        )
        add_field(form, "警号", badge_row, self.errors, "badge_no", self.badge_edit)
        name_row, self.name_count = with_count(
            self.name_edit, text_limits.OFFICER_NAME, "姓名", self.errors, "name"
        )
        add_field(form, "姓名", name_row, self.errors, "name", self.name_edit)
        add_field(form, "密码", self.password_edit, self.errors, "password")
        # The rules before the first key, not after the first refusal.
        self.password_rules = password_rules_label()
        form.addRow("", self.password_rules)
        add_field(form, "再输入一次", self.repeat_edit, self.errors, "repeat")
        form.addRow(general)

    def validatePage(self) -> bool:
        """Every wrong field at once: the service checks them all, the second typing too."""
        try:
            self._wizard.finish_setup(
                NewOfficer(
                    self.badge_edit.text(),
                    self.name_edit.text(),
                    Role(str(self.role_combo.currentData())),
                    self.password_edit.text(),
                ),
                self.repeat_edit.text(),
            )
        except StationDeskError as exc:
            self.errors.show(exc)
            return False
        return True


class FirstRunWizard(QWizard):
    """Ends with an initialised station (Accepted), a wish to open the demo (DEMO_REQUESTED),
    or a server connection saved for this PC (SERVER_JOINED, ``joined`` says which).

    Accepted, ``user`` is the new account, logged in through ``auth`` when it is given (the
    officer who just chose the password need not type it again). ``server`` names the station
    server the station is set up on (the first counter of a multi-counter station): the
    wizard starts at the station's page, without the welcome page's ways out.
    """

    def __init__(
        self,
        station: StationService,
        auth: AuthService | None = None,
        parent: QWidget | None = None,
        server: str | None = None,
    ) -> None:
        super().__init__(parent)
        self._station = station
        self._auth = auth
        self.user: SessionUser | None = None
        self.joined: Workstation | None = None
        title = "首次设置 — 派出所窗口服务台账"
        self.setWindowTitle(f"{title}（本所服务器 {server}）" if server else title)
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setMinimumSize(620, 520)
        self.setButtonText(QWizard.WizardButton.NextButton, "下一步")
        self.setButtonText(QWizard.WizardButton.BackButton, "上一步")
        self.setButtonText(QWizard.WizardButton.FinishButton, "完成")
        self.setButtonText(QWizard.WizardButton.CancelButton, "取消")
        self.welcome_page = _WelcomePage(self)
        self.station_page = _StationPage()
        self.account_page = _AccountPage(self)
        self.addPage(self.welcome_page)
        station_id = self.addPage(self.station_page)
        self.addPage(self.account_page)
        if server:
            self.setStartId(station_id)

    def request_demo(self) -> None:
        """Leave the wizard asking for the demo station instead."""
        self.done(DEMO_REQUESTED)

    def request_server(self) -> None:
        """连接本所服务器: once the connection is tested and saved, leave the wizard for it."""
        from ui.dialogs.server_dialog import ServerDialog

        dialog = ServerDialog(self)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        self.joined = dialog.saved
        dialog.deleteLater()
        if accepted and self.joined is not None:
            self.done(SERVER_JOINED)

    def finish_setup(self, first: NewOfficer, repeat: str | None = None) -> None:
        """Create the station and account, then log in; StationDeskError for the page to show
        (every wrong field at once). ``repeat``: the password typed a second time."""
        station, auth, settings = self._station, self._auth, self.station_page.settings()
        # The fields first, all of them, before the progress window (quick, nothing written).
        check_first_account(settings, first, repeat)

        def work(_progress: object) -> SessionUser | None:
            created = station.initialize(settings, first, repeat)
            if auth is None:
                return created
            # A real login (audited like any other), with the password just chosen. Should it
            # fail, the station stands and the login window comes next.
            try:
                return auth.login(first.badge_no, first.password)
            except StationDeskError:
                return None

        self.user = run_with_progress(self, "正在建立本所数据库…", work)

    def cancel_question(self) -> QMessageBox:
        """The question 取消 asks before the wizard gives up (shown by ``reject``)."""
        box = QMessageBox(QMessageBox.Icon.Question, "放弃初始化", CANCEL_QUESTION, parent=self)
        box.addButton("放弃初始化", QMessageBox.ButtonRole.DestructiveRole)
        stay = box.addButton("继续设置", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(stay)
        box.setEscapeButton(stay)
        return box

    def closeEvent(self, event: QCloseEvent) -> None:
        """The close box asks like 取消; closing from code (the program, screenshots) does not."""
        self._asks_before_closing = event.spontaneous()
        try:
            super().closeEvent(event)
        finally:
            self._asks_before_closing = True

    def reject(self) -> None:
        """取消, Esc or the window's close button: only once the officer confirms."""
        if not getattr(self, "_asks_before_closing", True):
            super().reject()
            return
        box = self.cancel_question()
        box.exec()
        give_up = box.buttonRole(box.clickedButton()) == QMessageBox.ButtonRole.DestructiveRole
        box.deleteLater()
        if give_up:
            super().reject()
