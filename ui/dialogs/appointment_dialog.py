"""新预约 / 上门服务申请, and the record of a home service done (with the signature on site)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from PySide6.QtCore import QDate, QDateTime, QTime
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.appointments.service import (
    ADDRESS_MAX,
    AREA_LABELS,
    KIND_LABELS,
    REASON_LABELS,
    AppointmentRow,
    AppointmentService,
    NewAppointment,
)
from app.catalogue.service import CatalogueService
from app.core import text_limits
from app.core.dto import SessionUser
from app.core.errors import NameDiffers, StationDeskError
from app.core.identity import ID_TYPE_LABELS, IdType
from app.notices.dto import SignatureInput
from app.visits.dto import NameChoice, VisitDetail
from ui.dialogs.registration_dialog import ask_name_choice
from ui.localtime import local, station_zone
from ui.widgets.char_count import with_count
from ui.widgets.date_text import NOT_READ, DateText
from ui.widgets.default_button import make_default
from ui.widgets.field_errors import FieldErrors
from ui.widgets.form_rows import add_field
from ui.widgets.matter_picker import MatterPicker
from ui.widgets.messages import confirm, show_error
from ui.widgets.rare_char_picker import install_rare_char_picker
from ui.widgets.signature_pad import SignaturePad

logger = logging.getLogger(__name__)
FAILED = "保存失败，未写入。请重试；如仍失败请联系系统管理员。"


def _run(errors: FieldErrors, call: Callable[[], object]) -> object | None:
    """Call the service; a refusal is shown at its field, anything else as a plain failure."""
    errors.clear()
    try:
        return call()
    except StationDeskError as exc:
        errors.show(exc)
    except Exception:  # nothing is written; the officer may try again
        logger.exception("appointment dialog: save failed")
        errors.show(StationDeskError(FAILED))
    return None


def _goers(
    appointments: AppointmentService, user: SessionUser, chosen: int | None = None
) -> QComboBox:
    """Who may be sent to a home: 暂不指定 first, then every officer who handles visits."""
    combo = QComboBox()
    combo.addItem("暂不指定", None)
    for officer_id, label in appointments.goers(user):
        combo.addItem(label, officer_id)
    combo.setCurrentIndex(max(combo.findData(chosen), 0))
    return combo


def arrive_booking(
    parent: QWidget, appointments: AppointmentService, user: SessionUser, row: AppointmentRow
) -> VisitDetail | None:
    """到达登记 from a booking: asked first (登记 is Alt+D), the 姓名与上次不同 question
    answered as on 新登记, a refusal shown; the new visit, or None."""
    if not confirm(
        parent,
        f"{row.citizen} 已到窗口？按预约 {row.number} 登记（{row.matter}），您为首接民警。",
        "到达登记",
        "登记(&D)",
    ):
        return None
    choice = NameChoice.NONE
    while True:
        try:
            return appointments.arrive(user, row.id, row.row_version, choice)
        except NameDiffers as question:
            choice = ask_name_choice(parent, question)
            if choice is NameChoice.NONE:
                return None
        except StationDeskError as exc:
            show_error(parent, exc.message)
            return None


class AppointmentDialog(QDialog):
    """Book a counter time or take a home-service request, from the keyboard."""

    def __init__(
        self,
        appointments: AppointmentService,
        catalogue: CatalogueService,
        user: SessionUser,
        today: dt.date,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._appointments = appointments
        self._user = user
        self.saved: AppointmentRow | None = None
        self.setWindowTitle("新预约 / 上门服务申请")
        self.setProperty("help_key", "appointments")
        self.setMinimumWidth(max(600, self.fontMetrics().horizontalAdvance("中") * 40))
        town, country = appointments.promise_days()

        self._build_fields(catalogue, today, town, country)
        general, form = self._build_form()
        buttons = self._build_buttons()
        self._lay_out(form, general, buttons)
        self.kind_combo.currentIndexChanged.connect(self._on_kind_changed)
        self._on_kind_changed()

    def _build_fields(
        self, catalogue: CatalogueService, today: dt.date, town: int, country: int
    ) -> None:
        """The booking's editors, in the form's order (the home service's last)."""
        self.kind_combo = QComboBox()
        for key, label in KIND_LABELS.items():
            self.kind_combo.addItem(label, key)
        self.reason_combo = QComboBox()
        for key, label in REASON_LABELS.items():
            self.reason_combo.addItem(label, key)
        self.id_type_combo = QComboBox()
        for id_type, label in ID_TYPE_LABELS.items():
            self.id_type_combo.addItem(label, id_type.value)
        self.id_edit = QLineEdit()
        self.id_edit.setPlaceholderText("18 位身份证号，末位 x 可小写")
        self.name_edit = QLineEdit()
        install_rare_char_picker(self.name_edit)
        self.phone_edit = QLineEdit()
        self.phone_edit.setPlaceholderText("用于确认时间，必填")
        self.matter = MatterPicker(catalogue)
        self.summary_edit = QLineEdit()
        self.summary_edit.setPlaceholderText("选填：群众的诉求，一句话")
        self.date_edit = DateText(today, today)
        self.time_edit = QLineEdit()
        self.time_edit.setPlaceholderText("如 09:30（上门服务可暂不约定）")
        self.area_combo = QComboBox()
        self.area_combo.addItem(f"{AREA_LABELS['town']}（{town} 个工作日内上门）", "town")
        self.area_combo.addItem(f"{AREA_LABELS['country']}（{country} 个工作日内上门）", "country")
        self.address_edit = QLineEdit()
        self.address_edit.setPlaceholderText("街道、小区、楼栋、门牌")
        self.officer_combo = _goers(self._appointments, self._user)

    def _build_form(self) -> tuple[QLabel, QFormLayout]:
        """The form with each field's message under it; returns the general message's label
        and the form."""
        general = QLabel()
        self.errors = FieldErrors(general)
        summary_row, _count = with_count(
            self.summary_edit, text_limits.SUMMARY, "事由摘要", self.errors, "summary"
        )
        address_row, _count2 = with_count(
            self.address_edit, ADDRESS_MAX, "上门地址", self.errors, "address"
        )
        form = QFormLayout()
        add_field(form, "类型", self.kind_combo, self.errors, "kind")
        add_field(form, "原因", self.reason_combo, self.errors, "reason")
        add_field(form, "证件类型", self.id_type_combo, self.errors, "id_type")
        add_field(form, "证件号码", self.id_edit, self.errors, "id_number")
        add_field(form, "姓名", self.name_edit, self.errors, "citizen_name")
        add_field(form, "联系电话", self.phone_edit, self.errors, "phone")
        add_field(form, "办理事项", self.matter, self.errors, "service")
        add_field(form, "事由摘要", summary_row, self.errors, "summary", self.summary_edit)
        add_field(form, "日期", self.date_edit, self.errors, "slot_date", self.date_edit.edit)
        add_field(form, "时间", self.time_edit, self.errors, "slot_time")
        self._home_rows = [
            add_field(form, "区域", self.area_combo, self.errors, "area"),
            add_field(form, "上门地址", address_row, self.errors, "address", self.address_edit),
            add_field(form, "上门民警", self.officer_combo, self.errors, "officer"),
        ]
        self._form = form
        return general, form

    def _build_buttons(self) -> QDialogButtonBox:
        """保存（Enter） and 取消（Esc）."""
        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton(
            "保存（Enter）", QDialogButtonBox.ButtonRole.AcceptRole
        )
        make_default(self.save_button)
        cancel = buttons.addButton("取消（Esc）", QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setAutoDefault(False)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        return buttons

    def _lay_out(self, form: QFormLayout, general: QLabel, buttons: QDialogButtonBox) -> None:
        """The form, the general message and the buttons."""
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(general)
        layout.addWidget(buttons)

    def _on_kind_changed(self) -> None:
        home = self.kind_combo.currentData() == "home"
        for cell in self._home_rows:
            self._form.setRowVisible(cell, home)

    def booking(self) -> NewAppointment | None:
        """What the form holds (None, with the field marked, when the date cannot be read)."""
        day = self.date_edit.date()
        if day is None:
            self.errors.show_at("slot_date", NOT_READ)
            return None
        item = self.matter.selected
        return NewAppointment(
            kind=str(self.kind_combo.currentData()),
            reason=str(self.reason_combo.currentData()),
            citizen_name=self.name_edit.text(),
            id_type=IdType(str(self.id_type_combo.currentData())),
            id_number=self.id_edit.text(),
            phone=self.phone_edit.text(),
            service_item_id=item.item_id if item is not None else None,
            slot_date=day,
            slot_time=self.time_edit.text(),
            summary=self.summary_edit.text(),
            area=str(self.area_combo.currentData()),
            address=self.address_edit.text(),
            officer_id=self.officer_combo.currentData(),
        )

    def save(self) -> None:
        self.errors.clear()
        new = self.booking()
        if new is None:
            return
        saved = _run(self.errors, lambda: self._appointments.book(self._user, new))
        if isinstance(saved, AppointmentRow):
            self.saved = saved
            self.accept()

    def filled(self) -> bool:
        """Anything typed that Esc would throw away."""
        return any(
            e.text().strip()
            for e in (self.id_edit, self.name_edit, self.phone_edit, self.summary_edit,
                      self.time_edit, self.address_edit, self.matter.edit)
        )  # fmt: skip

    def reject(self) -> None:
        """Esc or the close box: a filled form asks first, as 新登记 does."""
        if self.filled() and not confirm(
            self, "放弃本次预约？已填写的内容不会保存。", "放弃预约", "放弃"
        ):
            return
        super().reject()


class HomeServiceDialog(QDialog):
    """登记上门结果: when the officer was there, what was done, and the citizen's signature."""

    def __init__(
        self,
        appointments: AppointmentService,
        user: SessionUser,
        booking: AppointmentRow,
        now: dt.datetime,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._appointments = appointments
        self._user = user
        self._booking = booking
        self.saved: AppointmentRow | None = None
        self.setWindowTitle(f"登记上门结果 {booking.number}")
        self.setProperty("help_key", "appointments")
        here = local(now)
        self.when_edit = QDateTimeEdit(
            QDateTime(QDate(here.year, here.month, here.day), QTime(here.hour, here.minute))
        )
        self.when_edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.when_edit.setCalendarPopup(True)
        self.result_edit = QPlainTextEdit()
        self.result_edit.setTabChangesFocus(True)
        self.result_edit.setPlaceholderText("办了什么、结果如何，如：上门采集指纹和照片，已受理")
        self.result_edit.setFixedHeight(self.fontMetrics().height() * 4)
        self.signer_edit = QLineEdit(booking.citizen)
        install_rare_char_picker(self.signer_edit)
        self.pad = SignaturePad()
        self.pad.setMinimumHeight(self.fontMetrics().height() * 6)
        clear = QPushButton("重签")
        clear.setAutoDefault(False)
        clear.clicked.connect(self.pad.clear)
        self.reason_edit = QLineEdit()
        self.reason_edit.setPlaceholderText("群众无法签字时填写原因，如：病重无法书写，家属在场")
        general = QLabel()
        self.errors = FieldErrors(general)
        info = QLabel(
            f"{booking.citizen}　{booking.matter}\n地址：{booking.address}"
            + (f"\n须在 {booking.due_text} 前上门" if booking.due_date else "")
        )
        info.setWordWrap(True)
        form = QFormLayout()
        add_field(form, "上门时间", self.when_edit, self.errors, "served_at")
        add_field(form, "办理结果", self.result_edit, self.errors, "result")
        add_field(form, "签名人", self.signer_edit, self.errors, "signer")
        pad_row = QHBoxLayout()
        pad_row.addWidget(self.pad, 1)
        pad_row.addWidget(clear)
        pad_box = QWidget()
        pad_box.setLayout(pad_row)
        add_field(form, "群众签字", pad_box, self.errors, "signature")
        add_field(form, "未签字原因", self.reason_edit, self.errors, "no_signature")
        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton(
            "保存并办结（Enter）", QDialogButtonBox.ButtonRole.AcceptRole
        )
        make_default(self.save_button)
        cancel = buttons.addButton("取消（Esc）", QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setAutoDefault(False)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(info)
        layout.addLayout(form)
        layout.addWidget(general)
        layout.addWidget(buttons)
        self.result_edit.setFocus()

    def served_at(self) -> dt.datetime:
        value = self.when_edit.dateTime()
        d, t = value.date(), value.time()
        return dt.datetime(
            d.year(), d.month(), d.day(), t.hour(), t.minute(), tzinfo=station_zone()
        )

    def signature(self) -> SignatureInput | None:
        if self.pad.is_empty:
            return None
        return SignatureInput(
            self.signer_edit.text(), self.pad.stroke_data(), self.pad.to_png(), ""
        )

    def save(self) -> None:
        b = self._booking
        when, text, signed = self.served_at(), self.result_edit.toPlainText(), self.signature()
        why = self.reason_edit.text()
        choice = NameChoice.NONE
        try:
            # Asked first on its own: 姓名与上次不同 is a question, not a mistake.
            self.errors.clear()
            saved: object = self._appointments.serve(
                self._user, b.id, b.row_version, when, text, signed, why, choice
            )
        except NameDiffers as question:
            choice = ask_name_choice(self, question)
            if choice is NameChoice.NONE:
                self.errors.show(question)
                return
            saved = _run(
                self.errors,
                lambda: self._appointments.serve(
                    self._user, b.id, b.row_version, when, text, signed, why, choice
                ),
            )
        except StationDeskError as exc:
            self.errors.show(exc)
            return
        except Exception:  # nothing is written; the officer may try again
            logger.exception("home service: save failed")
            self.errors.show(StationDeskError(FAILED))
            return
        if isinstance(saved, AppointmentRow):
            self.saved = saved
            self.accept()


class RescheduleDialog(QDialog):
    """改约: another day or time, or (home service) another officer."""

    def __init__(
        self,
        appointments: AppointmentService,
        user: SessionUser,
        booking: AppointmentRow,
        today: dt.date,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._appointments = appointments
        self._user = user
        self._booking = booking
        self.saved: AppointmentRow | None = None
        self.setWindowTitle(f"改约 {booking.number}")
        self.date_edit = DateText(booking.slot_date, today)
        self.time_edit = QLineEdit(booking.slot_time)
        self.time_edit.setPlaceholderText("如 09:30")
        self.officer_combo = _goers(appointments, user, booking.officer_id)
        general = QLabel()
        self.errors = FieldErrors(general)
        form = QFormLayout()
        add_field(form, "日期", self.date_edit, self.errors, "slot_date", self.date_edit.edit)
        add_field(form, "时间", self.time_edit, self.errors, "slot_time")
        if booking.kind == "home":
            add_field(form, "上门民警", self.officer_combo, self.errors, "officer")
        buttons = QDialogButtonBox()
        save = buttons.addButton("保存（Enter）", QDialogButtonBox.ButtonRole.AcceptRole)
        make_default(save)
        cancel = buttons.addButton("取消（Esc）", QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setAutoDefault(False)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(general)
        layout.addWidget(buttons)

    def save(self) -> None:
        b = self._booking
        self.errors.clear()
        day, time = self.date_edit.date(), self.time_edit.text()
        if day is None:
            self.errors.show_at("slot_date", NOT_READ)
            return
        officer = self.officer_combo.currentData() if b.kind == "home" else None
        saved = _run(
            self.errors,
            lambda: self._appointments.reschedule(
                self._user, b.id, b.row_version, day, time, officer
            ),
        )
        if isinstance(saved, AppointmentRow):
            self.saved = saved
            self.accept()
