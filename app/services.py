"""The services of one open database, built once by the composition root.

Each service is built, and its module imported, when it is first asked for: the login window
needs only ``auth`` and ``station``, so start-up does not import the statistics, the reports
(ReportLab, matplotlib, openpyxl) or the pinyin tables. Every service is still built once.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from app.core.clock import Clock, SystemClock
from app.core.passwords import PasswordHashing

if TYPE_CHECKING:
    from app.appointments.service import AppointmentService
    from app.audit_log.service import AuditLogService
    from app.backup.service import BackupService
    from app.callbacks.service import CallbackService
    from app.callbacks.sms import SmsService
    from app.casefile.service import CaseFileService
    from app.catalogue.service import CatalogueService
    from app.complaints.service import ComplaintService
    from app.core.database import Database
    from app.holidays.service import HolidayService
    from app.ledger.importer import LedgerImportService
    from app.ledger.service import LedgerService
    from app.notices.service import NoticeService
    from app.officers.auth import AuthService
    from app.officers.service import OfficerService
    from app.ratings.service import RatingService
    from app.rectifications.service import RectificationService
    from app.retention.service import RetentionService
    from app.shifts.service import ShiftService
    from app.station.key_service import KeyService
    from app.station.service import StationService
    from app.statistics.reports import ReportService
    from app.statistics.service import StatisticsService
    from app.visits.service import VisitService


class Services:
    """Every use-case service; the UI hands each widget only the ones it needs."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Clock,
        hashing: PasswordHashing,
        database: Database | None = None,
        counter: str = "",
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._hashing = hashing
        self._database = database
        # 窗口号 of this PC ("" when none is set), stamped on the records it makes.
        self.counter = counter

    def set_counter(self, counter: str) -> None:
        """This PC's 窗口号 from now on (本机设置 changed it): stamped on new records."""
        from app.station.counter_stamp import install

        install(self._sessions, counter)
        self.counter = counter.strip()

    @property
    def database(self) -> Database | None:
        """The open database the services work on (None when built from sessions alone)."""
        return self._database

    @cached_property
    def auth(self) -> AuthService:
        """Login with lock-out, and changing one's own password."""
        from app.officers.auth import AuthService

        return AuthService(self._sessions, self._clock, self._hashing)

    @cached_property
    def officers(self) -> OfficerService:
        """Officer accounts."""
        from app.officers.service import OfficerService

        return OfficerService(self._sessions, self._clock, self._hashing)

    @cached_property
    def station(self) -> StationService:
        """First-run set-up and the station's settings."""
        from app.station.service import StationService

        return StationService(self._sessions, self._clock, self._hashing)

    @cached_property
    def catalogue(self) -> CatalogueService:
        """The service catalogue (服务事项目录)."""
        from app.catalogue.service import CatalogueService

        return CatalogueService(self._sessions, self._clock)

    @cached_property
    def holidays(self) -> HolidayService:
        """Holiday overrides and the working-day calendar."""
        from app.holidays.service import HolidayService

        return HolidayService(self._sessions, self._clock)

    @cached_property
    def visits(self) -> VisitService:
        """Walk-in intake, ownership and handovers."""
        from app.visits.service import VisitService

        return VisitService(self._sessions, self._clock)

    @cached_property
    def notices(self) -> NoticeService:
        """One-time notices (一次性告知单) and pledges."""
        from app.notices.service import NoticeService

        return NoticeService(self._sessions, self._clock)

    @cached_property
    def ratings(self) -> RatingService:
        """好差评 at the counter (a 差评 opens a rectification) and the 现场回访登记簿."""
        from app.ratings.service import RatingService

        return RatingService(self._sessions, self._clock)

    @cached_property
    def rectifications(self) -> RectificationService:
        """整改督办: the rectifications 差评 open, worked to 销号; appeals; the 督办单."""
        from app.rectifications.service import RectificationService

        return RectificationService(self._sessions, self._clock)

    @cached_property
    def case_files(self) -> CaseFileService:
        """办件档案: one matter, every field and event, on A4."""
        from app.casefile.service import CaseFileService

        return CaseFileService(self._sessions, self._clock)

    @cached_property
    def appointments(self) -> AppointmentService:
        """预约服务 and 上门服务: bookings, the day's list, home service within the promise."""
        from app.appointments.service import AppointmentService

        return AppointmentService(self._sessions, self._clock)

    @cached_property
    def sms(self) -> SmsService:
        """短信回访: the list for the station's SMS platform, and its replies read back."""
        from app.callbacks.sms import SmsService

        return SmsService(self._sessions, self._clock)

    @cached_property
    def ledger_import(self) -> LedgerImportService:
        """历史台账导入: an earlier Excel ledger read, checked and imported whole or not at all."""
        from app.ledger.importer import LedgerImportService

        return LedgerImportService(self._sessions, self._clock)

    @cached_property
    def callbacks(self) -> CallbackService:
        """回访: sampled phone callbacks and home visits."""
        from app.callbacks.service import CallbackService

        return CallbackService(self._sessions, self._clock)

    @cached_property
    def complaints(self) -> ComplaintService:
        """投诉 and 表扬."""
        from app.complaints.service import ComplaintService

        return ComplaintService(self._sessions, self._clock)

    @cached_property
    def statistics(self) -> StatisticsService:
        """统计: figures per officer and per matter, trends, 红黑榜."""
        from app.statistics.service import StatisticsService

        return StatisticsService(self._sessions, self._clock)

    @cached_property
    def ledger(self) -> LedgerService:
        """每日台账: read, review and sign, corrections."""
        from app.ledger.service import LedgerService

        return LedgerService(self._sessions, self._clock)

    @cached_property
    def backup(self) -> BackupService:
        """Backups of this database: written, checked, recorded, rotated; when one is due."""
        from app.backup.service import BackupService

        return BackupService(self._sessions, self._clock)

    @cached_property
    def keys(self) -> KeyService:
        """The station key's recovery sheet (密钥恢复单)."""
        from app.station.key_service import KeyService

        return KeyService(self._sessions, self._clock)

    @cached_property
    def retention(self) -> RetentionService:
        """保存期限: citizens' contact data removed once past retention."""
        from app.retention.service import RetentionService

        return RetentionService(self._sessions, self._clock)

    @cached_property
    def shifts(self) -> ShiftService:
        """交接班: what an officer leaves open at the end of a shift, kept or handed over."""
        from app.shifts.service import ShiftService

        return ShiftService(self._sessions, self._clock)

    @cached_property
    def audit_log(self) -> AuditLogService:
        """审计日志: browse, check (the whole integrity check) and export the audit events."""
        from app.audit_log.service import AuditLogService

        return AuditLogService(self._sessions, self._clock, self._database)

    @cached_property
    def reports(self) -> ReportService:
        """Statistics to Excel and the monthly report (月度通报)."""
        from app.statistics.reports import ReportService

        return ReportService(self._sessions, self._clock)


def build_services(
    sessions: sessionmaker[Session],
    clock: Clock | None = None,
    hashing: PasswordHashing | None = None,
    database: Database | None = None,
    counter: str = "",
) -> Services:
    """Wire the services over one session factory (``database``: the open database it came
    from, for the integrity check the audit log runs; ``counter``: this PC's 窗口号, stamped
    on the records it makes)."""
    services = Services(sessions, clock or SystemClock(), hashing or PasswordHashing(), database)
    if counter:
        services.set_counter(counter)
    return services
