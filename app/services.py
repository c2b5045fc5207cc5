"""The services of one open database, built once by the composition root."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from app.auth_service import AuthService
from app.callback_service import CallbackService
from app.catalogue_service import CatalogueService
from app.clock import Clock, SystemClock
from app.complaint_service import ComplaintService
from app.holiday_service import HolidayService
from app.ledger_service import LedgerService
from app.notice_service import NoticeService
from app.officer_service import OfficerService
from app.passwords import PasswordHashing
from app.rating_service import RatingService
from app.report_service import ReportService
from app.station_service import StationService
from app.statistics_service import StatisticsService
from app.visit_service import VisitService


@dataclass(frozen=True)
class Services:
    """Every use-case service; the UI hands each widget only the ones it needs."""

    auth: AuthService
    officers: OfficerService
    station: StationService
    catalogue: CatalogueService
    holidays: HolidayService
    visits: VisitService
    notices: NoticeService
    ratings: RatingService
    callbacks: CallbackService
    complaints: ComplaintService
    statistics: StatisticsService
    ledger: LedgerService
    reports: ReportService


def build_services(
    sessions: sessionmaker[Session],
    clock: Clock | None = None,
    hashing: PasswordHashing | None = None,
) -> Services:
    """Wire the services over one session factory."""
    clock = clock or SystemClock()
    hashing = hashing or PasswordHashing()
    return Services(
        auth=AuthService(sessions, clock, hashing),
        officers=OfficerService(sessions, clock, hashing),
        station=StationService(sessions, clock, hashing),
        catalogue=CatalogueService(sessions, clock),
        holidays=HolidayService(sessions, clock),
        visits=VisitService(sessions, clock),
        notices=NoticeService(sessions, clock),
        ratings=RatingService(sessions, clock),
        callbacks=CallbackService(sessions, clock),
        complaints=ComplaintService(sessions, clock),
        statistics=StatisticsService(sessions, clock),
        ledger=LedgerService(sessions, clock),
        reports=ReportService(sessions, clock),
    )
