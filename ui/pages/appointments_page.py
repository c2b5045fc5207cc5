"""预约上门: the bookings of a period in time order, and each step on one from the keyboard.

Enter on a counter booking registers the citizen who has come (到达登记); on a home service it
opens 登记上门结果. Home services past the station's promise stand in a red banner.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QDate, QItemSelection, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.appointments.service import AppointmentRow, AppointmentService
from app.catalogue.service import CatalogueService
from app.core.dto import SessionUser
from app.core.errors import StationDeskError
from app.core.roles import Permission, allows
from ui.dialogs.appointment_dialog import (
    AppointmentDialog,
    HomeServiceDialog,
    RescheduleDialog,
    arrive_booking,
)
from ui.dialogs.text_form_dialog import Field, TextFormDialog
from ui.models.filter_proxy_model import FilterProxyModel
from ui.models.row_table_model import Column, RowTableModel
from ui.models.visit_columns import OVERDUE_COLOUR
from ui.widgets.date_edit import date_edit, picked
from ui.widgets.messages import confirm, show_error
from ui.widgets.tables import fit_columns, make_table, on_enter

AHEAD_DAYS = 30
COLUMNS: list[Column[AppointmentRow]] = [
    Column("时间", lambda r: r.when, lambda r: (r.slot_date, r.slot_time or "99")),
    Column("编号", lambda r: r.number),
    Column("类型", lambda r: r.kind_label, align_center=True),
    Column("原因", lambda r: r.reason_label, align_center=True),
    Column("群众", lambda r: r.citizen),
    Column("证件号码", lambda r: r.id_masked),
    Column("电话", lambda r: r.phone_masked),
    Column("事项", lambda r: r.matter),
    Column("上门期限", lambda r: r.due_text),
    Column("上门民警", lambda r: r.officer_name),
    Column("状态", lambda r: r.state_label, align_center=True),
]


def _colour(row: AppointmentRow) -> str | None:
    """Past its promise (home) or its day (counter), still not done: in red, as overdue
    matters are."""
    return OVERDUE_COLOUR if row.overdue and row.state == "booked" else None


class AppointmentsPage(QWidget):
    """Every officer who handles visits books, registers and records; the chief watches."""

    visit_registered = Signal(int)  # a booked citizen was registered: the new visit's id

    def __init__(
        self,
        appointments: AppointmentService,
        catalogue: CatalogueService,
        user: SessionUser,
        today: dt.date,
        now: Callable[[], dt.datetime],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setProperty("help_key", "appointments")
        self._appointments = appointments
        self._catalogue = catalogue
        self._user = user
        self._today = today
        self._now = now
        self.form_only = False  # tests: return a dialog instead of running it
        acts = allows(user.role, Permission.HANDLE_VISITS)
        self._acts = acts

        search = self._build_list(today)
        self._build_actions()
        self._lay_out(search)
        self.reload()

    def _build_list(self, today: dt.date) -> QPushButton:
        """The overdue banner, the date filters, the table and the detail under it; returns
        the 查询 button for the filter row."""
        self.overdue_banner = QLabel()
        self.overdue_banner.setObjectName("warningBanner")
        self.overdue_banner.setWordWrap(True)
        self.overdue_banner.hide()
        self.start_edit = date_edit(today)
        self.end_edit = date_edit(today + dt.timedelta(days=AHEAD_DAYS))
        self.open_check = QCheckBox("只看待办理(&O)")
        self.open_check.setChecked(True)
        search = QPushButton("查询(&Q)")
        search.clicked.connect(lambda: self.reload())
        self.open_check.toggled.connect(lambda _on: self.reload())
        self.model: RowTableModel[AppointmentRow] = RowTableModel(COLUMNS, colour=_colour)
        self.proxy = FilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.table = make_table(self.proxy, stretch_column=7)
        self.table.selectionModel().selectionChanged.connect(self._on_selected)
        on_enter(self.table, self.primary)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setObjectName("hint")
        return search

    def _build_actions(self) -> None:
        """One button per step on a booking, shown to those who handle visits."""
        self.new_button = QPushButton("新预约(&N)…")
        self.new_button.clicked.connect(self.open_booking)
        self.arrive_button = QPushButton("到达登记(&A)")
        self.arrive_button.setToolTip("预约的群众到了：按预约内容登记，不必重新录入")
        self.arrive_button.clicked.connect(self.arrive)
        self.serve_button = QPushButton("登记上门结果(&R)…")
        self.serve_button.clicked.connect(self.open_serve)
        self.move_button = QPushButton("改约(&M)…")
        self.move_button.clicked.connect(self.open_reschedule)
        self.missed_button = QPushButton("未到(&W)")
        self.missed_button.clicked.connect(self.mark_missed)
        self.cancel_button = QPushButton("取消预约(&X)…")
        self.cancel_button.clicked.connect(self.open_cancel)
        self._actions = (
            self.new_button,
            self.arrive_button,
            self.serve_button,
            self.move_button,
            self.missed_button,
            self.cancel_button,
        )
        for button in self._actions:
            button.setVisible(self._acts)

    def _lay_out(self, search: QPushButton) -> None:
        """Filters and 新预约 on top, the list, the detail, the steps at the bottom."""
        filters = QHBoxLayout()
        filters.addWidget(QLabel("预约日期"))
        filters.addWidget(self.start_edit)
        filters.addWidget(QLabel("至"))
        filters.addWidget(self.end_edit)
        filters.addWidget(self.open_check)
        filters.addWidget(search)
        filters.addStretch(1)
        filters.addWidget(self.new_button)
        actions = QHBoxLayout()
        for button in self._actions[1:]:
            actions.addWidget(button)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.overdue_banner)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        layout.addLayout(actions)

    # ---- the list ------------------------------------------------------------------------

    def reload(self, select: int | None = None) -> None:
        current = select if select is not None else (self.current.id if self.current else None)
        try:
            rows = self._appointments.listing(
                self._user,
                picked(self.start_edit),
                picked(self.end_edit),
                open_only=self.open_check.isChecked(),
            )
            late = self._appointments.overdue(self._user)
        except StationDeskError as exc:
            show_error(self, exc.message)
            return
        self.model.set_rows(rows)
        fit_columns(self.table)
        self.overdue_banner.setText(
            f"上门服务已超过承诺时限 {len(late)} 件："
            + "、".join(f"{r.number}（{r.citizen}，期限 {r.due_text}）" for r in late[:5])
            + ("等" if len(late) > 5 else "")
        )
        self.overdue_banner.setVisible(bool(late))
        if current is not None:
            for row in range(self.proxy.rowCount()):
                found = self.model.rows()[self.proxy.mapToSource(self.proxy.index(row, 0)).row()]
                if found.id == current:
                    self.table.selectRow(row)
                    break
        elif self.proxy.rowCount():
            self.table.selectRow(0)
        self._on_selected()

    @property
    def current(self) -> AppointmentRow | None:
        index = self.table.currentIndex()
        if not index.isValid() or not self.table.selectionModel().hasSelection():
            return None
        return self.model.rows()[self.proxy.mapToSource(index).row()]

    def _on_selected(self, *_args: QItemSelection) -> None:
        r = self.current
        booked = r is not None and r.state == "booked"
        self.arrive_button.setEnabled(booked and r is not None and r.kind == "counter")
        self.missed_button.setEnabled(
            booked and r is not None and r.kind == "counter" and r.slot_date <= self._today
        )
        self.serve_button.setEnabled(booked and r is not None and r.kind == "home")
        self.move_button.setEnabled(booked)
        self.cancel_button.setEnabled(booked)
        if r is None:
            self.detail.setText("")
            return
        parts = [f"{r.number}　{r.kind_label}（{r.reason_label}）　{r.state_label}"]
        if r.summary:
            parts.append(f"事由：{r.summary}")
        if r.kind == "home":
            parts.append(f"地址：{r.address}（{r.area_label}）　须在 {r.due_text} 前上门")
        if r.visit_serial:
            parts.append(f"登记编号：{r.visit_serial}")
        if r.result:
            parts.append(f"办理结果：{r.result}")
        if r.close_reason:
            parts.append(f"说明：{r.close_reason}")
        self.detail.setText("\n".join(parts))

    # ---- actions -------------------------------------------------------------------------

    def primary(self) -> None:
        """Enter: the next step of the booking in view."""
        if not self._acts:
            return
        if self.arrive_button.isEnabled():
            self.arrive()
        elif self.serve_button.isEnabled():
            self.open_serve()

    def open_booking(self) -> AppointmentDialog | None:
        if not self._acts:
            return None
        dialog = AppointmentDialog(
            self._appointments, self._catalogue, self._user, self._today, self
        )
        if self.form_only:
            return dialog
        if dialog.exec() and dialog.saved is not None:
            self._show_day(dialog.saved)
        return None

    def _show_day(self, row: AppointmentRow) -> None:
        """Widen the dates to take in ``row`` and select it."""
        day = QDate(row.slot_date.year, row.slot_date.month, row.slot_date.day)
        if row.slot_date < picked(self.start_edit):
            self.start_edit.setDate(day)
        if row.slot_date > picked(self.end_edit):
            self.end_edit.setDate(day)
        self.reload(select=row.id)

    def arrive(self) -> None:
        r = self.current
        if r is None:
            return
        detail = arrive_booking(self, self._appointments, self._user, r)
        self.reload(select=r.id)
        if detail is not None:
            self.visit_registered.emit(detail.row.id)

    def open_serve(self) -> HomeServiceDialog | None:
        r = self.current
        if r is None or r.kind != "home":
            return None
        dialog = HomeServiceDialog(self._appointments, self._user, r, self._now(), self)
        if self.form_only:
            return dialog
        dialog.exec()
        self.reload(select=r.id)
        return None

    def open_reschedule(self) -> RescheduleDialog | None:
        r = self.current
        if r is None:
            return None
        dialog = RescheduleDialog(self._appointments, self._user, r, self._today, self)
        if self.form_only:
            return dialog
        if dialog.exec() and dialog.saved is not None:
            self._show_day(dialog.saved)
        return None

    def mark_missed(self) -> None:
        r = self.current
        if r is None:
            return
        if not confirm(
            self, f"{r.citizen} 未按预约（{r.when}）到窗口？", "登记未到", "登记未到(&W)"
        ):
            return
        try:
            self._appointments.mark_missed(self._user, r.id, r.row_version)
        except StationDeskError as exc:
            show_error(self, exc.message)
        self.reload(select=r.id)

    def open_cancel(self) -> TextFormDialog | None:
        r = self.current
        if r is None:
            return None
        dialog = TextFormDialog(
            "取消预约",
            f"{r.number}　{r.citizen}　{r.when}",
            [Field("reason", "取消原因", placeholder="如：群众来电取消、已在别处办理", limit=200)],
            lambda values: self._appointments.cancel(
                self._user, r.id, r.row_version, str(values["reason"])
            ),
            "取消预约",
            self,
        )
        if self.form_only:
            return dialog
        dialog.exec()
        self.reload(select=r.id)
        return None
