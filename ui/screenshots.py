"""``stationdesk screenshots``: offscreen PNGs of every page and main dialog (README pictures)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import (
    QMessageLogContext,
    QRect,
    QSettings,
    Qt,
    QThreadPool,
    QtMsgType,
    qInstallMessageHandler,
)
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget

from app.core.database import backup_copy, open_database
from app.core.dto import SessionUser
from app.core.errors import StationDeskError
from app.core.identity import IdType, check_digit
from app.demo import DEMO_OFFICERS, DEMO_PASSWORD, demo_logins, login_hint
from app.ledger.pdf import ledger_document
from app.printing.register_pdf import render_register
from app.printing.slip_pdf import render_slip
from app.services import Services, build_services
from app.station.release_notes import Announcement, current_version, load_notes
from app.station.workstation import CONFIG_DIR_ENV, ServerConnection, Workstation, save_workstation
from app.visits.dto import NewVisit, VisitQuery, VisitRow
from ui.about_dialog import AboutDialog
from ui.change_password_dialog import ChangePasswordDialog
from ui.dialogs.callback_attempt_dialog import CallbackAttemptDialog
from ui.dialogs.holiday_dialog import HolidayDialog
from ui.dialogs.notice_dialog import NoticeDialog
from ui.dialogs.notice_return_dialog import NoticeReturnDialog
from ui.dialogs.officer_dialog import OfficerDialog, ResetPasswordDialog
from ui.dialogs.rating_dialog import RatingDialog
from ui.dialogs.registration_dialog import RegistrationDialog
from ui.dialogs.release_notes_dialog import ReleaseNotesDialog
from ui.dialogs.server_dialog import ServerDialog
from ui.dialogs.service_item_dialog import ServiceItemDialog
from ui.dialogs.shift_dialog import ShiftDialog
from ui.dialogs.version_history_dialog import VersionHistoryDialog
from ui.dialogs.workstation_dialog import WorkstationDialog
from ui.files import FOLDER_NAME, install_qt_chinese, prefer_chinese_system_locale
from ui.first_run_wizard import FirstRunWizard
from ui.fonts import FONT_SIZES, apply_font_size, install_fonts_and_style
from ui.garbage import GarbageCollector
from ui.help_dialog import HelpDialog, TourDialog
from ui.login_dialog import LoginDialog
from ui.main_window import MainWindow
from ui.pages.appointments_page import AppointmentsPage
from ui.pages.audit_page import AuditPage
from ui.pages.callbacks_page import CallbacksPage
from ui.pages.catalogue_page import CataloguePage
from ui.pages.complaints_page import ComplaintsPage
from ui.pages.ledger_page import LedgerPage
from ui.pages.officers_page import OfficersPage
from ui.pages.rectifications_page import RectificationsPage
from ui.pages.search_page import SearchPage
from ui.pages.statistics_page import StatisticsPage
from ui.pages.today_page import TodayPage
from ui.print_preview_dialog import PrintPreviewDialog

logger = logging.getLogger(__name__)

BADGE_ENV = "STATIONDESK_SCREENSHOT_BADGE"
PASSWORD_ENV = "STATIONDESK_SCREENSHOT_PASSWORD"


def _intake_shots(
    app: QApplication, services: Services, location: str, qsettings: QSettings, out: Path
) -> list[str]:
    """The counter's screens, as the demo's window officer and chief see them."""
    try:
        officer = services.auth.login(DEMO_OFFICERS[2][0], DEMO_PASSWORD)
        chief = services.auth.login(DEMO_OFFICERS[0][0], DEMO_PASSWORD)
    except StationDeskError:
        return []
    names: list[str] = []

    def shot(name: str, widget: QWidget) -> None:
        _grab(app, widget, out / name)
        names.append(name)

    window = MainWindow(services, officer, location, qsettings, today=dt.date.today())
    window.resize(1280, 800)
    page = window.pages["today"]
    assert isinstance(page, TodayPage)
    page.tabs.setCurrentIndex(list(page.lists).index("mine"))
    mine = page.lists["mine"].model.rows()
    pick = next((r for r in mine if r.due_state == "overdue"), mine[0] if mine else None)
    if pick is not None:
        page.select_visit(pick.id)
    window.show_page("today")
    shot("16-today-my-matters.png", window)
    _registration_shots(shot, services, officer)
    _matter_shots(shot, services, officer, page, mine)
    _search_and_appointment_shots(shot, window)

    names.extend(_notice_shots(app, services, officer, mine, out, window))
    window.close()

    _chief_today_shots(shot, services, chief, location, qsettings)
    return names


def _registration_shots(
    shot: Callable[[str, QWidget], None], services: Services, officer: SessionUser
) -> None:
    """新登记: a new citizen's form filled in, then a returning citizen recognised."""
    item = services.catalogue.list_items("SFZ-HL")
    dialog = RegistrationDialog(services.visits, services.catalogue, officer)
    dialog.id_edit.setText("330106199003071234")
    dialog.name_edit.setText("林晓东")
    dialog.phone_edit.setText("13905712345")
    if item:
        dialog.matter.edit.setText("sfzhl")
        dialog.matter.edit.textEdited.emit("sfzhl")
    dialog.summary_edit.setText("证件有效期将满，换领新证")
    shot("17-registration.png", dialog)
    earlier = services.visits.search(officer, VisitQuery()).rows
    if earlier:
        # A returning citizen: recognised by the ID number, shown masked only (this runs on
        # a copy of the database, so the audited reveal of the number stays there).
        number = services.visits.reveal_id_number(
            officer, earlier[-1].id, "办理业务", "制作操作手册界面截图（演示数据副本）"
        )
        returning = RegistrationDialog(services.visits, services.catalogue, officer)
        returning.id_edit.setText(number)
        returning.id_edit.editingFinished.emit()
        shot("17b-registration-returning.png", returning)


def _matter_shots(
    shot: Callable[[str, QWidget], None],
    services: Services,
    officer: SessionUser,
    page: TodayPage,
    mine: list[VisitRow],
) -> None:
    """The selected matter's handover form and a receipt's print preview."""
    panel = page.panel
    if panel.detail is not None and panel.detail.row.status.is_open:
        panel.form_only = True
        form = panel._on_handover()
        if form is not None:
            shot("18-handover-form.png", form)
        panel.form_only = False
    receipt_visit = next(
        (r for r in mine if r.status.value in ("in_progress", "waiting_materials")), None
    )
    if receipt_visit is not None:
        data = services.visits.slip(officer, receipt_visit.id, "receipt")
        preview = PrintPreviewDialog(
            render_slip(data), "受理回执", "receipt.pdf", lambda: None, "", None
        )
        shot("19-receipt-preview.png", preview)


def _search_and_appointment_shots(shot: Callable[[str, QWidget], None], window: MainWindow) -> None:
    """查询, 今日接待's bookings, 预约上门 with its form and a home service."""
    window.show_page("search")
    search = window.pages["search"]
    assert isinstance(search, SearchPage)
    search.search()
    shot("20-search.png", window)
    today_page = window.pages["today"]
    assert isinstance(today_page, TodayPage)
    today_page.tabs.setCurrentIndex(list(today_page.lists).index("appointments"))
    window.show_page("today")
    shot("20b-today-appointments.png", window)
    today_page.tabs.setCurrentIndex(0)
    window.show_page("appointments")
    bookings = window.pages["appointments"]
    assert isinstance(bookings, AppointmentsPage)
    bookings.open_check.setChecked(False)
    bookings.start_edit.setDate(bookings.start_edit.date().addDays(-30))
    bookings.reload()
    shot("20c-appointments.png", window)
    bookings.form_only = True
    booking = bookings.open_booking()
    if booking is not None:
        booking.kind_combo.setCurrentIndex(booking.kind_combo.findData("home"))
        shot("20d-appointment-form.png", booking)
    home = next(
        (r for r in bookings.model.rows() if r.kind == "home" and r.state == "booked"), None
    )
    if home is not None:
        bookings.reload(select=home.id)
        serve = bookings.open_serve()
        if serve is not None:
            shot("20e-home-service.png", serve)
    bookings.form_only = False


def _chief_today_shots(
    shot: Callable[[str, QWidget], None],
    services: Services,
    chief: SessionUser,
    location: str,
    qsettings: QSettings,
) -> None:
    """The chief's 今日接待: every open matter, the handovers waiting."""
    chief_window = MainWindow(services, chief, location, qsettings, today=dt.date.today())
    chief_window.resize(1280, 800)
    chief_page = chief_window.pages["today"]
    assert isinstance(chief_page, TodayPage)
    chief_page.tabs.setCurrentIndex(list(chief_page.lists).index("all"))
    chief_window.show_page("today")
    shot("21-chief-all-open-matters.png", chief_window)
    chief_page.tabs.setCurrentIndex(list(chief_page.lists).index("handovers"))
    shot("22-chief-pending-handovers.png", chief_window)
    chief_window.close()


def _notice_shots(
    app: QApplication,
    services: Services,
    officer: SessionUser,
    mine: list[VisitRow],
    out: Path,
    window: MainWindow,
) -> list[str]:
    """The one-time notice: editor with a signature, the printed notice, the second visit."""
    names: list[str] = []

    def shot(name: str, widget: QWidget) -> None:
        _grab(app, widget, out / name)
        names.append(name)

    target = next((r for r in mine if r.status.value in ("registered", "in_progress")), None)
    if target is not None:
        try:
            draft = services.notices.draft(officer, target.id)
        except StationDeskError:
            draft = None
        if draft is not None:
            dialog = NoticeDialog(services.notices, officer, draft)
            dialog.set_state(0, "missing")
            if len(draft.items) > 1:
                dialog.set_state(1, "correction", "户主页需加盖户籍专用章")
            dialog.show()
            app.processEvents()
            pad = dialog.pad
            pad.strokes = [
                [(30.0 + 12 * k, 90.0 - 30 * ((k % 4) in (1, 2)), 0.6) for k in range(14)],
                [(210.0 + 10 * k, 60.0 + 5 * k, 0.5) for k in range(10)],
            ]
            pad.update()
            shot("23-notice-editor.png", dialog)
    for row in mine:
        notices = services.notices.for_visit(officer, row.id)
        if notices:
            data = services.notices.slip(officer, notices[0].id)
            shot(
                "24-notice-preview.png",
                PrintPreviewDialog(render_slip(data), notices[0].title, "n.pdf", lambda: None),
            )
            shot(
                "25-notice-second-visit.png",
                NoticeReturnDialog(services.notices, officer, notices[0]),
            )
            break
    window.show_page("notices")
    shot("26-notice-register.png", window)
    return names


def _rating_shots(
    app: QApplication, services: Services, location: str, qsettings: QSettings, out: Path
) -> list[str]:
    """好差评 and 回访: the citizen's rating screen, the worklist, an attempt, coverage."""
    names: list[str] = []

    def shot(name: str, widget: QWidget) -> None:
        _grab(app, widget, out / name)
        names.append(name)

    try:
        officer = services.auth.login(DEMO_OFFICERS[2][0], DEMO_PASSWORD)
        chief = services.auth.login(DEMO_OFFICERS[0][0], DEMO_PASSWORD)
    except StationDeskError:
        return []
    _rating_screen_shot(shot, services, officer)

    window = MainWindow(services, chief, location, qsettings, today=dt.date.today())
    window.resize(1280, 800)
    _callback_shots(shot, services, chief, window)
    _rectification_shots(shot, services, officer, chief, window)
    _complaint_shots(shot, window)
    window.close()
    return names


def _rating_screen_shot(
    shot: Callable[[str, QWidget], None], services: Services, officer: SessionUser
) -> None:
    """The citizen's rating screen after a matter finished just now at the counter."""
    # A matter finished just now at the counter (this is a copy of the database).
    item = services.catalogue.list_items("ZM-BGGZ")[0]
    visit = services.visits.register(
        officer,
        NewVisit("林晓燕", IdType.RESIDENT, "330106198807152344", "13905718822", item.item_id),
    )
    done = services.visits.complete_on_the_spot(
        officer, visit.row.id, visit.row.row_version, "材料齐全，当场办结"
    )
    rating = RatingDialog(
        services.ratings,
        officer,
        done.row.id,
        f"{done.row.serial}　{done.row.service_name}　办理民警：{done.row.owner_name}",
        done.row.citizen_name,
    )
    # As on a 1366×768 counter screen without a second monitor: 1366×728 above the taskbar.
    rating.fit(QRect(0, 0, 1366, 728))
    rating.ask_before_closing = False
    rating.overall.choose(5)
    first = next(iter(rating.dimensions.values()), None)
    if first is not None:
        first.choose(4)
    rating.pad.strokes = [
        [(40.0 + 14 * k, 80.0 - 28 * ((k % 4) in (1, 2)), 0.6) for k in range(14)],
        [(260.0 + 11 * k, 50.0 + 6 * k, 0.5) for k in range(10)],
    ]
    shot("27-rating-screen.png", rating)


def _callback_shots(
    shot: Callable[[str, QWidget], None],
    services: Services,
    chief: SessionUser,
    window: MainWindow,
) -> None:
    """回访: the worklist, an attempt, the SMS export and the coverage."""
    window.show_page("callbacks")
    page = window.pages["callbacks"]
    assert isinstance(page, CallbacksPage)
    page.everyone.setChecked(True)
    page.include_done.setChecked(True)
    page.select_first()
    shot("28-callback-worklist.png", window)
    pending = next((r for r in page.model.rows() if r.state == "pending"), None)
    if pending is not None:
        attempt = CallbackAttemptDialog(
            services.callbacks, chief, pending, services.ratings.dimensions()
        )
        attempt.outcome_buttons["reached"].setChecked(True)
        attempt.overall.choose(4)
        for chooser in attempt.dimensions.values():
            chooser.choose(4)
        attempt.note.setPlainText("本人接听，对办理结果满意")
        shot("29-callback-attempt.png", attempt)
    from ui.dialogs.sms_dialog import SmsExportDialog

    today = dt.date.today()
    sms = SmsExportDialog(services.sms, chief, today.replace(day=1), today, True)
    shot("29b-sms-export.png", sms)
    page.from_edit.setDate(page.from_edit.date().addDays(-40))
    page.show_coverage()
    shot("30-callback-coverage.png", window)


def _rectification_shots(
    shot: Callable[[str, QWidget], None],
    services: Services,
    officer: SessionUser,
    chief: SessionUser,
    window: MainWindow,
) -> None:
    """整改督办 with its slip and case file, 交接班 and its record, the on-site register."""
    window.show_page("rectifications")
    rect_page = window.pages["rectifications"]
    assert isinstance(rect_page, RectificationsPage)
    if rect_page.proxy.rowCount():
        rect_page.table.selectRow(0)
    shot("31-rectifications.png", window)
    rects = services.rectifications.rectifications(chief)
    if rects:
        slip = services.rectifications.rectification_slip(chief, rects[0].id)
        shot(
            "32-rectification-slip.png",
            PrintPreviewDialog(render_slip(slip), "整改督办单", "r.pdf", lambda: None),
        )
        case_file = services.case_files.document(chief, rects[0].visit_serial)
        shot(
            "32b-case-file.png",
            PrintPreviewDialog(render_register(case_file), "办件档案", "c.pdf", lambda: None),
        )
    shift = services.shifts.review(officer)
    if not shift.empty:
        shot("32c-shift.png", ShiftDialog(services.shifts, officer, shift))
        kept = {i.ref_id: None for i in shift.items if i.needs_decision}
        record = services.shifts.hand_over(officer, kept, "晚班交接")
        shift_pdf = render_register(services.shifts.document(officer, record.number))
        shot(
            "32d-shift-record.png",
            PrintPreviewDialog(shift_pdf, "交接班记录", "j.pdf", lambda: None),
        )
    start = dt.date.today() - dt.timedelta(days=3)
    register = services.ratings.on_site_register(chief, start, start)
    shot(
        "33-callback-register.png",
        PrintPreviewDialog(render_register(register), "现场回访登记簿", "h.pdf", lambda: None),
    )


def _complaint_shots(shot: Callable[[str, QWidget], None], window: MainWindow) -> None:
    """投诉表扬 and its form."""
    window.show_page("complaints")
    complaints = window.pages["complaints"]
    assert isinstance(complaints, ComplaintsPage)
    complaints.form_only = True
    if complaints.proxy.rowCount():
        complaints.table.selectRow(0)
    shot("34-complaints.png", window)
    form = complaints._on_record()
    if form is not None:
        shot("35-complaint-form.png", form)


def _ledger_shots(
    app: QApplication, services: Services, location: str, qsettings: QSettings, out: Path
) -> list[str]:
    """每日台账: a reviewed day, today's review with the signature, the printed ledger."""
    names: list[str] = []

    def shot(name: str, widget: QWidget) -> None:
        _grab(app, widget, out / name)
        names.append(name)

    try:
        chief = services.auth.login(DEMO_OFFICERS[0][0], DEMO_PASSWORD)
    except StationDeskError:
        return []
    window = MainWindow(services, chief, location, qsettings, today=dt.date.today())
    window.resize(1280, 800)
    window.show_page("ledger")
    page = window.pages["ledger"]
    assert isinstance(page, LedgerPage)
    page.form_only = True
    reviewed = services.ledger.pending_days(chief)
    locked_day = dt.date.today() - dt.timedelta(days=6)
    page.show_day(locked_day)
    shot("36-ledger-reviewed.png", window)
    ledger = page.ledger
    if ledger is not None:
        doc = ledger_document(ledger, services.station.settings().timezone, dt.datetime.now(dt.UTC))
        preview = PrintPreviewDialog(render_register(doc), "每日台账", "t.pdf", lambda: None)
        shot("37-ledger-print.png", preview)
        shot("37b-export-file-dialog.png", _export_dialog(ledger.day))
    page.show_day(reviewed[-1].day if reviewed else dt.date.today())
    shot("38-ledger-today.png", window)
    # The review is signed for a past day (today's opens only at the closing hour).
    past = [p.day for p in reviewed if p.day < dt.date.today()]
    page.show_day(past[0] if past else dt.date.today())
    dialog = page.review()
    if dialog is not None:
        dialog.comment.setPlainText("已逐条核对，逾期事项已督促。")
        dialog.pad.strokes = [
            [(30.0 + 14 * k, 80.0 - 26 * ((k % 4) in (1, 2)), 0.6) for k in range(14)],
        ]
        shot("39-ledger-review.png", dialog)
    window.show_page("statistics")
    stats = window.pages["statistics"]
    assert isinstance(stats, StatisticsPage)
    stats.set_period("month", dt.date.today().replace(day=1) - dt.timedelta(days=1))
    stats.run()
    for _ in range(200):  # the figures are computed off the UI thread
        QThreadPool.globalInstance().waitForDone(50)
        app.processEvents()
    shot("40-statistics.png", window)
    for index, name in ((2, "41-statistics-trend.png"), (3, "42-ranking.png")):
        if index < stats.tabs.count():
            stats.tabs.setCurrentIndex(index)
            shot(name, window)
    window.show_page("audit")
    audit_page = window.pages["audit"]
    assert isinstance(audit_page, AuditPage)
    shot("43-audit-log.png", window)
    audit_page.category_combo.setCurrentIndex(audit_page.category_combo.findData("print"))
    audit_page.search()
    shot("43b-audit-log-prints.png", window)
    names.extend(_import_shots(app, services, chief, out))
    window.close()
    return names


def _import_shots(
    app: QApplication, services: Services, chief: SessionUser, out: Path
) -> list[str]:
    """历史台账导入 of a small sheet from before the station's first day: one row refused."""
    from openpyxl import Workbook

    from ui.dialogs.ledger_import_dialog import LedgerImportDialog

    start = dt.date.today() - dt.timedelta(days=400)  # before any demo's history
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["登记日期", "姓名", "身份证号", "联系电话", "办理事项", "办理结果", "经办民警"])

    def number(first17: str) -> str:
        return first17 + check_digit(first17)

    people = [
        ("刘建国", number("11010519491231002"), "13805710001", "无犯罪记录证明", "办结", "张伟"),
        ("陈秀英", number("33010219560312004"), "13805710002", "户口迁出", "办结", "刘洋"),
        ("王小明", number("33010619800101001"), "13805710003", "居住证申领", "引导", "张伟"),
        ("赵丽", number("33010519900202002"), "13805710004", "护照办理", "办结", "陈静"),
        ("孙强", number("33010219750303003"), "1380571", "无犯罪记录证明", "办结", "刘洋"),
    ]
    for k, row in enumerate(people):
        sheet.append([start + dt.timedelta(days=k), *row])
    folder = Path(tempfile.mkdtemp(prefix="stationdesk-import-"))
    path = folder / "2025年窗口台账.xlsx"
    book.save(path)
    dialog = LedgerImportDialog(services.ledger_import, chief)
    # Deleted by Qt when closed, not by Python's collector in the middle of a later event
    # (its scroll area's size hints are Python: a collected dialog crashed the next shot).
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.load(path)
    dialog.run_check()
    name = "44-ledger-import.png"
    _grab(app, dialog, out / name)
    dialog.close()
    return [name]


def _export_dialog(day: dt.date) -> QFileDialog:
    """The save dialog of an export (ui.files.ask_save_path) over a sample StationDesk folder."""
    folder = Path(tempfile.mkdtemp()) / FOLDER_NAME
    (folder / "月度通报").mkdir(parents=True)
    for name in (f"每日台账-{day - dt.timedelta(days=1)}.xlsx", f"每日台账-{day}.pdf"):
        (folder / name).write_bytes(b"")
    dialog = QFileDialog(
        None, "导出台账", str(folder / f"每日台账-{day}.xlsx"), "Excel 工作簿 (*.xlsx)"
    )
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setViewMode(QFileDialog.ViewMode.Detail)
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    return dialog


def _server_shots(shot: Callable[[str, QWidget], None]) -> None:
    """连接本所服务器 and 本机设置 with an example server, this PC's own settings untouched."""
    example = ServerConnection("192.168.1.10")
    joining = ServerDialog()
    joining.host_edit.setText(example.host)
    joining.counter_edit.setText("1号窗口")
    shot("03b-server-dialog.png", joining)
    before = os.environ.get(CONFIG_DIR_ENV)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ[CONFIG_DIR_ENV] = tmp
        try:
            save_workstation(Workstation("户籍2", example))  # no password: nothing stored
            shot("15d-workstation-dialog.png", WorkstationDialog())
        finally:
            if before is None:
                os.environ.pop(CONFIG_DIR_ENV, None)
            else:
                os.environ[CONFIG_DIR_ENV] = before


def _quiet_offscreen(mode: QtMsgType, _context: QMessageLogContext, message: str) -> None:
    # The offscreen platform warns about size hints on every show(); it means nothing here.
    if "propagateSizeHints" not in message:
        logger.warning("Qt: %s", message)


def _grab(app: QApplication, widget: QWidget, path: Path) -> None:
    widget.show()
    for _ in range(3):
        app.processEvents()
    if not widget.grab().save(str(path)):
        raise StationDeskError(f"无法写入截图：{path}")
    widget.close()


# 1366×768 less a 40-pixel taskbar: the free area dialogs size themselves from.
SCREEN = {"name": "COUNTER", "x": 0, "y": 0, "width": 1366, "height": 728, "logicalDpi": 96}


def take_screenshots(target: str, out: Path, font_size: str = "标准") -> int:
    """Write the PNGs at the 字号 ``font_size`` (标准, 大, 特大); returns the exit code
    (1 with one Chinese line on a problem)."""
    # The counter PC's screen less its taskbar: every window is seen as it fits there.
    screens = Path(tempfile.mkdtemp(prefix="stationdesk-screens-")) / "screens.json"
    screens.write_text(json.dumps({"screens": [SCREEN]}), encoding="utf-8")
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={screens}"
    qInstallMessageHandler(_quiet_offscreen)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError:
        sys.stderr.write(f"stationdesk：无法创建截图文件夹 {out}，请检查路径和权限。\n")
        return 1
    prefer_chinese_system_locale()
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    install_fonts_and_style(app)
    apply_font_size(app, dict(FONT_SIZES)[font_size])
    install_qt_chinese(app)
    GarbageCollector(app)
    try:
        written = _take(app, target, out)
    except StationDeskError as exc:
        sys.stderr.write(f"stationdesk：{exc.message}\n")
        return 1
    sys.stdout.write(f"已生成 {len(written)} 张截图：{out}\n")
    for name in written:
        sys.stdout.write(f"  {name}\n")
    return 0


def _take(app: QApplication, target: str, out: Path) -> list[str]:
    # Work on a copy: logging in, migrating and the dialogs must leave the real ledger untouched.
    source = open_database(target, create=False, migrate=False)
    source.dispose()
    if source.file is None:
        raise StationDeskError("截图只支持 SQLite 数据库文件。")
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "screenshots.sqlite3"
        backup_copy(source.file, copy)
        return _take_on_copy(app, copy, out, source.location)


def _take_on_copy(app: QApplication, copy: Path, out: Path, location: str) -> list[str]:
    db = open_database(copy, create=False)
    services = build_services(db.sessions, database=db)
    user = _screenshot_user(services)
    station = services.station.settings()
    written: list[str] = []

    def shot(name: str, widget: QWidget) -> None:
        _grab(app, widget, out / name)
        written.append(name)

    settings_file = Path(tempfile.mkdtemp()) / "screenshots.ini"
    qsettings = QSettings(str(settings_file), QSettings.Format.IniFormat)
    try:
        _start_shots(shot, services, station.name)
        _server_shots(shot)

        written.extend(_intake_shots(app, services, location, qsettings, out))
        written.extend(_rating_shots(app, services, location, qsettings, out))
        written.extend(_ledger_shots(app, services, location, qsettings, out))

        _station_shots(shot, services, user, location, qsettings, station.name)
    finally:
        db.dispose()
    return written


def _screenshot_user(services: Services) -> SessionUser:
    """The account the pictures are taken as (the demo's chief unless the environment says)."""
    badge = os.environ.get(BADGE_ENV, DEMO_OFFICERS[0][0])
    password = os.environ.get(PASSWORD_ENV, DEMO_PASSWORD)
    if not services.station.is_initialized():
        raise StationDeskError("该数据库尚未初始化。请先运行 stationdesk demo 生成演示所。")
    try:
        return services.auth.login(badge, password)
    except StationDeskError:
        raise StationDeskError(
            f"无法以警号 {badge} 登录该数据库。截图默认使用演示所的所长账号；"
            f"其他数据库请用环境变量 {BADGE_ENV} 和 {PASSWORD_ENV} 指定账号。"
        ) from None


def _start_shots(
    shot: Callable[[str, QWidget], None], services: Services, station_name: str
) -> None:
    """The login window, and the first-run wizard on an empty database."""
    shot("01-login.png", LoginDialog(services.auth, station_name, hint=login_hint(demo_logins())))
    with tempfile.TemporaryDirectory() as tmp:
        empty = open_database(Path(tmp) / "new.sqlite3")
        wizard = FirstRunWizard(build_services(empty.sessions).station)
        shot("02-first-run-welcome.png", wizard)
        wizard.show()
        wizard.next()
        wizard.station_page.name_edit.setText("XX市公安局XX分局XX派出所")
        wizard.station_page.code_edit.setText("XX")
        shot("03-first-run-station.png", wizard)
        empty.dispose()


def _station_shots(
    shot: Callable[[str, QWidget], None],
    services: Services,
    user: SessionUser,
    location: str,
    qsettings: QSettings,
    station_name: str,
) -> None:
    """服务事项目录, 人员管理, 节假日设置, 本所设置 and the dialogs of the 系统 and 帮助 menus."""
    window = MainWindow(services, user, location, qsettings, today=dt.date.today())
    window.resize(1280, 800)
    window.show_page("catalogue")
    shot("04-catalogue.png", window)
    catalogue = window.pages["catalogue"]
    assert isinstance(catalogue, CataloguePage)
    catalogue.search_edit.setText("sfz")
    shot("05-catalogue-pinyin-search.png", window)
    catalogue.search_edit.setText("JZZ-SL")
    row = catalogue.selected_row()
    if row is not None:
        detail = services.catalogue.get_item(row.item_id)
        shot("06-catalogue-editor.png", ServiceItemDialog(services.catalogue, user, detail))
        shot(
            "07-version-history.png",
            VersionHistoryDialog(services.catalogue, row.item_id, row.name),
        )
    catalogue.search_edit.clear()
    officers = window.pages.get("officers")
    if isinstance(officers, OfficersPage):
        window.show_page("officers")
        shot("08-officers.png", window)
        shot("09-officer-dialog.png", OfficerDialog(services.officers, user))
        officers.select_badge(DEMO_OFFICERS[2][0])
        selected = officers.selected_row()
        if selected is not None:
            shot("10-reset-password.png", ResetPasswordDialog(services.officers, user, selected))
    window.show_page("holidays")
    shot("11-holidays.png", window)
    shot("12-holiday-dialog.png", HolidayDialog(services.holidays, user, dt.date(2027, 1, 1)))
    window.show_page("settings")
    shot("13-settings.png", window)
    shot("14-change-password.png", ChangePasswordDialog(services.auth, user))
    shot("15-about.png", AboutDialog(station_name, location))
    shot("15b-help-holidays.png", HelpDialog("holidays"))
    tour = TourDialog()
    tour.go(1)
    shot("15c-tour.png", tour)
    # The first start after an upgrade, with an example of the backup made before it.
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    told = Announcement(
        current_version(), load_notes()[:1], Path(f"{location}.bak-{stamp}-before-0019")
    )
    shot("15e-release-notes.png", ReleaseNotesDialog(told.notes, window, told))
    window.close()
