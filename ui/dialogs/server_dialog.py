"""连接本所服务器: a counter joins the station's PostgreSQL server and names its 窗口号.

The fields are those ``stationdesk server init`` prints for each counter. 测试连接 connects
once on a worker thread and says in Chinese what it found; 保存 keeps nothing that has not
passed a test with the very same values (it tests first when they have not). The password
goes to the credential store, never into the settings file (app.station.workstation).
"""

from __future__ import annotations

from itertools import pairwise

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import StationDeskError, ValidationError, ValidationErrors
from app.station.workstation import (
    COUNTER_EXAMPLES,
    COUNTER_MAX,
    DEFAULT_DATABASE,
    DEFAULT_PORT,
    DEFAULT_USER,
    ServerCheck,
    ServerConnection,
    Workstation,
    load_password,
    save_workstation,
    store_password,
    test_connection,
    validate_counter,
    validate_server,
)
from ui.change_password_dialog import password_edit
from ui.tasks import run_with_progress
from ui.widgets.default_button import make_default
from ui.widgets.field_errors import FieldErrors
from ui.widgets.form_rows import add_field
from ui.widgets.screen_fit import fit_to_content

SERVER_INTRO = (
    "本所有多个窗口共用一本台账时，台账保存在本所服务器上。请按管理员设置服务器"
    "（stationdesk server init）后给出的信息填写，先点“测试连接”，成功后再保存。"
)
COUNTER_HINT = (
    f"本机所在窗口，{COUNTER_EXAMPLES}（汉字、字母或数字，最多 {COUNTER_MAX} 个字）；"
    "每条登记都记下在哪个窗口办理。"
)
SAVED_PASSWORD_HINT = "已保存，不修改请留空"
TESTING_TEXT = "正在连接本所服务器…\n网络不通时最多等待几秒钟。"


class ServerDialog(QDialog):
    """The server's fields and this PC's 窗口号; Accepted once they are tested and saved.

    ``current`` prefills the fields (本机设置); its password stays saved unless a new one is
    typed. Accepted, ``saved`` is what was kept and ``check`` what the last test found.
    """

    # 窗口号 above the server's fields (本机设置) or below them (joining the server).
    COUNTER_FIRST = False

    def __init__(self, parent: QWidget | None = None, current: Workstation | None = None) -> None:
        super().__init__(parent)
        self._current = current or Workstation()
        self.saved: Workstation | None = None
        self.check: ServerCheck | None = None
        # The server and password of the last successful test, with its finding.
        self._tested: tuple[ServerConnection, str] | None = None
        self.setWindowTitle("连接本所服务器")
        self.intro = QLabel(SERVER_INTRO)
        self.intro.setWordWrap(True)
        self.host_edit = QLineEdit()
        self.host_edit.setPlaceholderText("如 192.168.1.10")
        self.port_edit = QLineEdit(str(DEFAULT_PORT))
        self.port_edit.setMaxLength(5)
        self.database_edit = QLineEdit(DEFAULT_DATABASE)
        self.user_edit = QLineEdit(DEFAULT_USER)
        self.password_edit = password_edit()
        self.tls_check = QCheckBox("加密连接（TLS）(&L)")
        self.tls_check.setToolTip("服务器开启了 TLS 时勾选：连接必须加密，否则不连接。")
        self.counter_edit = QLineEdit()
        self.counter_edit.setPlaceholderText("如 1号窗口")
        counter_hint = QLabel(COUNTER_HINT)
        counter_hint.setObjectName("hint")
        counter_hint.setWordWrap(True)
        self.result_label = QLabel()
        self.result_label.setObjectName("banner")
        self.result_label.setWordWrap(True)
        self.result_label.hide()
        general = QLabel()
        self.errors = FieldErrors(general)

        self.server_box = QWidget()
        form = QFormLayout(self.server_box)
        form.setContentsMargins(0, 0, 0, 0)
        add_field(form, "服务器地址", self.host_edit, self.errors, "host")
        add_field(form, "端口", self.port_edit, self.errors, "port")
        add_field(form, "数据库名", self.database_edit, self.errors, "database")
        add_field(form, "用户名", self.user_edit, self.errors, "user")
        add_field(form, "密码", self.password_edit, self.errors, "password")
        add_field(form, "", self.tls_check, self.errors, "tls")
        counter_form = QFormLayout()
        add_field(counter_form, "本机窗口号", self.counter_edit, self.errors, "counter")
        counter_form.addRow("", counter_hint)

        self.test_button = QPushButton("测试连接(&T)")
        self.test_button.clicked.connect(self.run_test)
        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton("保存(&S)", QDialogButtonBox.ButtonRole.AcceptRole)
        make_default(self.save_button)
        self.cancel_button = buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)

        self.layout_box = QVBoxLayout(self)
        self.layout_box.addWidget(self.intro)
        if self.COUNTER_FIRST:
            self.layout_box.addLayout(counter_form)
            self.layout_box.addWidget(self.server_box)
        else:
            self.layout_box.addWidget(self.server_box)
            self.layout_box.addLayout(counter_form)
        self.layout_box.addWidget(self.result_label)
        self.layout_box.addWidget(general)
        self.layout_box.addStretch(1)
        # 测试连接 on the left, apart from 保存/取消: seen, and reached by Tab, in that order.
        bottom = QHBoxLayout()
        bottom.addWidget(self.test_button)
        bottom.addStretch(1)
        bottom.addWidget(buttons)
        self.layout_box.addLayout(bottom)

        self._fill(self._current)
        for edit in self.server_edits():
            edit.textChanged.connect(self._values_changed)
        self.tls_check.toggled.connect(self._values_changed)
        self._order_tabs()
        fit_to_content(self, 600)

    # ---- building ---------------------------------------------------------------------------

    def server_edits(self) -> tuple[QLineEdit, ...]:
        """The text fields of the connection, in the order Tab walks them."""
        return (
            self.host_edit,
            self.port_edit,
            self.database_edit,
            self.user_edit,
            self.password_edit,
        )

    def _fill(self, current: Workstation) -> None:
        self.counter_edit.setText(current.counter)
        server = current.server
        if server is None:
            return
        self.host_edit.setText(server.host)
        self.port_edit.setText(str(server.port))
        self.database_edit.setText(server.database)
        self.user_edit.setText(server.user)
        self.tls_check.setChecked(server.tls)
        self.password_edit.setPlaceholderText(SAVED_PASSWORD_HINT)

    def _order_tabs(self) -> None:
        server: list[QWidget] = [*self.server_edits(), self.tls_check]
        fields = (
            [self.counter_edit, *server] if self.COUNTER_FIRST else [*server, self.counter_edit]
        )
        chain = [*fields, self.test_button, self.save_button, self.cancel_button]
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)
        edits = [w for w in fields if isinstance(w, QLineEdit)]
        first_empty = next((w for w in edits if w.isEnabled() and not w.text().strip()), None)
        (first_empty or edits[0]).setFocus(Qt.FocusReason.OtherFocusReason)

    # ---- the values -------------------------------------------------------------------------

    def uses_server(self) -> bool:
        """Whether the form names a server (本机设置 may keep this PC on its own)."""
        return True

    def _password(self, server: ServerConnection | None) -> str:
        """The typed password, or the saved one when the same server is kept untouched."""
        typed = self.password_edit.text()
        saved = self._current.server
        if typed or server is None or saved is None or saved.account() != server.account():
            return typed
        return load_password(saved) or ""

    def _server(self, *, with_counter: bool) -> tuple[str, ServerConnection | None, str]:
        """The 窗口号, server and password from the fields; every wrong field at once."""
        errors: list[ValidationError] = []
        counter = ""
        if with_counter:
            try:
                counter = validate_counter(self.counter_edit.text())
            except ValidationError as exc:
                errors.append(exc)
        server: ServerConnection | None = None
        password = ""
        if self.uses_server():
            host, port = self.host_edit.text(), self.port_edit.text()
            database, user = self.database_edit.text(), self.user_edit.text()
            tls = self.tls_check.isChecked()
            try:
                # Which password: the typed one, or the saved one of the same server.
                probe: ServerConnection | None = validate_server(
                    host, port, database, user, "-", tls
                )
            except ValidationErrors:
                probe = None
            password = self._password(probe)
            try:
                server = validate_server(host, port, database, user, password, tls)
            except ValidationErrors as exc:
                errors.extend(exc.errors)
        if errors:
            raise ValidationErrors(errors)
        return counter, server, password

    def _values_changed(self) -> None:
        """A result stands for the values it was found with: any change hides it."""
        self.result_label.hide()
        self.errors.clear_at("tls")

    # ---- test and save ----------------------------------------------------------------------

    def run_test(self) -> bool:
        """测试连接: True when the server as typed will do (the finding shown)."""
        self.errors.clear()
        self.result_label.hide()
        try:
            _counter, server, password = self._server(with_counter=False)
            assert server is not None
            self.check = run_with_progress(
                self,
                TESTING_TEXT,
                lambda _progress: test_connection(server, password),
                "测试连接",
            )
        except StationDeskError as exc:
            self._tested = None
            self.errors.show(exc)
            return False
        self._tested = (server, password)
        self.result_label.setText(self.check.summary())
        self.result_label.show()
        self.errors.clear()
        return True

    def save(self) -> None:
        """保存: the values tested first unless they just passed, then kept on this PC."""
        self.errors.clear()
        try:
            counter, server, password = self._server(with_counter=True)
        except StationDeskError as exc:
            self.errors.show(exc)
            return
        if (
            server is not None
            and (self._tested is None or self._tested != (server, password))
            and not self.run_test()
        ):
            return
        # A saved password used as it is need not be stored again.
        new_password = password if server is not None and self.password_edit.text() else None
        try:
            self.saved = save_workstation(Workstation(counter, server), new_password)
        except StationDeskError as exc:
            self.errors.show(exc)
            return
        self.accept()


class ServerPasswordDialog(QDialog):
    """The server's password when this PC no longer holds it; Accepted once it connects
    (and is kept again in the credential store). ``password`` is the one that worked."""

    def __init__(
        self, server: ServerConnection, reason: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._server = server
        self.password = ""
        self.setWindowTitle("连接本所服务器")
        intro = QLabel(
            f"{reason}\n服务器：{server.display()}，用户名：{server.user}。"
            "密码由管理员设置服务器时给出。"
        )
        intro.setWordWrap(True)
        self.password_edit = password_edit()
        general = QLabel()
        self.errors = FieldErrors(general)
        form = QFormLayout()
        add_field(form, "密码", self.password_edit, self.errors, "password")
        buttons = QDialogButtonBox()
        ok = buttons.addButton("连接(&C)", QDialogButtonBox.ButtonRole.AcceptRole)
        make_default(ok)
        buttons.addButton("退出", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.connect_server)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(general)
        layout.addWidget(buttons)
        self.password_edit.setFocus()
        fit_to_content(self, 480)

    def connect_server(self) -> None:
        """Test the typed password; kept on this PC once the server takes it."""
        self.errors.clear()
        password = self.password_edit.text()
        server = self._server
        try:
            validate_server(
                server.host, server.port, server.database, server.user, password, server.tls
            )
            run_with_progress(
                self, TESTING_TEXT, lambda _p: test_connection(server, password), "测试连接"
            )
            store_password(server, password)
        except StationDeskError as exc:
            self.errors.show(exc)
            self.password_edit.selectAll()
            return
        self.password = password
        self.accept()
