"""The main window's pages: which the officer may open, and each built (its module imported)
the first time it is shown (ui.main_window)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from app.core.dto import SessionUser
from app.core.roles import Permission, Role, allows
from app.services import Services
from app.station.dto import StationSettings

if TYPE_CHECKING:
    from ui.main_window import MainWindow


def page_entries(role: Role) -> list[tuple[str, str, bool]]:
    """Every page as (key, navigation title, whether ``role`` may open it), in their order."""
    handles = allows(role, Permission.HANDLE_VISITS) or allows(role, Permission.VIEW_ALL_VISITS)
    views_all = allows(role, Permission.VIEW_ALL_VISITS)
    return [
        ("today", "今日接待", handles),
        ("search", "查询", handles),
        ("appointments", "预约上门", handles),
        ("notices", "告知单", allows(role, Permission.HANDLE_VISITS)),
        ("ledger", "每日台账", views_all),
        ("statistics", "统计", views_all),
        ("callbacks", "回访", handles),
        ("rectifications", "整改督办", handles),
        ("complaints", "投诉表扬", allows(role, Permission.HANDLE_VISITS)),
        ("catalogue", "服务事项目录", True),
        ("officers", "人员管理", allows(role, Permission.MANAGE_OFFICERS)),
        ("audit", "审计日志", allows(role, Permission.VIEW_AUDIT)),
        ("holidays", "节假日设置", True),
        ("settings", "本所设置", True),
    ]


def make_page(
    key: str,
    services: Services,
    user: SessionUser,
    today: dt.date,
    station: StationSettings,
    window: MainWindow,
) -> QWidget:
    """A new page ``key`` (its module imported now), wired to the window."""
    page = _counter_page(key, services, user, today, window)
    if page is None:
        page = _review_page(key, services, user, today, station, window)
    if page is None:
        page = _station_page(key, services, user, today, window)
    if page is None:
        raise KeyError(key)
    return page


def _counter_page(
    key: str, services: Services, user: SessionUser, today: dt.date, window: MainWindow
) -> QWidget | None:
    """今日接待, 查询, 预约上门 and 告知单: the citizen's matters at the counter."""
    if key == "today":
        from ui.pages.today_page import TodayPage

        today_page = TodayPage(
            services.visits,
            user,
            notices=services.notices,
            ratings=services.ratings,
            case_files=services.case_files,
            backups=services.backup,
            keys=services.keys,
            appointments=services.appointments,
        )
        today_page.register_requested.connect(window.open_registration)
        return today_page
    if key == "search":
        from ui.pages.search_page import SearchPage

        return SearchPage(
            services.visits,
            services.catalogue,
            user,
            today,
            notices=services.notices,
            ratings=services.ratings,
            case_files=services.case_files,
        )
    if key == "appointments":
        from ui.pages.appointments_page import AppointmentsPage

        appointments_page = AppointmentsPage(
            services.appointments,
            services.catalogue,
            user,
            today,
            services.visits.now,
        )
        appointments_page.visit_registered.connect(window.show_registered_visit)
        return appointments_page
    if key == "notices":
        from ui.pages.notices_page import NoticesPage

        return NoticesPage(
            services.notices,
            user,
            today,
            officers=services.visits.colleagues(user, include_self=True),
        )
    return None


def _review_page(
    key: str,
    services: Services,
    user: SessionUser,
    today: dt.date,
    station: StationSettings,
    window: MainWindow,
) -> QWidget | None:
    """每日台账, 统计, 回访, 整改督办 and 投诉表扬: the matters looked back on."""
    if key == "ledger":
        from ui.pages.ledger_page import LedgerPage

        return LedgerPage(
            services.ledger,
            user,
            today,
            station.timezone,
            open_visit=window.open_visit,
            export=lambda day, officer, path: services.ledger.export_xlsx(
                user, day, Path(path), officer
            ),
            backups=services.backup,
        )
    if key == "statistics":
        from ui.pages.statistics_page import StatisticsPage

        return StatisticsPage(services.statistics, services.reports, user, today)
    if key == "callbacks":
        from ui.pages.callbacks_page import CallbacksPage

        return CallbacksPage(
            services.callbacks,
            user,
            today,
            services.ratings.dimensions(),
            station.callback_share,
            ratings=services.ratings,
            sms=services.sms,
        )
    if key == "rectifications":
        from ui.pages.rectifications_page import RectificationsPage

        return RectificationsPage(services.rectifications, user)
    if key == "complaints":
        from ui.pages.complaints_page import ComplaintsPage

        return ComplaintsPage(services.complaints, user, today)
    return None


def _station_page(
    key: str, services: Services, user: SessionUser, today: dt.date, window: MainWindow
) -> QWidget | None:
    """服务事项目录, 人员管理, 审计日志, 节假日设置 and 本所设置: the station's own records."""
    if key == "catalogue":
        from ui.pages.catalogue_page import CataloguePage

        return CataloguePage(services.catalogue, user)
    if key == "officers":
        from ui.pages.officers_page import OfficersPage

        return OfficersPage(services.officers, user)
    if key == "audit":
        from ui.pages.audit_page import AuditPage

        return AuditPage(services.audit_log, user, today)
    if key == "holidays":
        from ui.pages.holidays_page import HolidaysPage

        holidays_page = HolidaysPage(services.holidays, user, today)
        holidays_page.calendar_changed.connect(window.refresh_calendar_warning)
        return holidays_page
    if key == "settings":
        from ui.pages.settings_page import SettingsPage

        return SettingsPage(
            services.station,
            user,
            keys=services.keys,
            retention=services.retention,
            backups=services.backup,
        )
    return None
