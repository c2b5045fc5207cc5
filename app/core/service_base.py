"""What every service shares: its session factory, clock and the caller's permission check."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from app.core import day_lock
from app.core.clock import Clock
from app.core.dto import SessionUser
from app.core.errors import AuthenticationError, NotFound, PermissionDenied
from app.core.roles import PERMISSION_LABELS, Permission, Role, allows
from db.models import AuditHead, Officer, Station


class ServiceBase:
    """Holds the session factory and the clock; one transaction per public method."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock
        day_lock.install(sessions)

    @contextmanager
    def _writing(self) -> Iterator[Session]:
        """A transaction that changes data: it first takes the station-wide write lock.

        The first statement writes the audit head row: SQLite takes its write lock there
        (waiting up to the busy timeout), PostgreSQL a row lock. Writers therefore run one
        after another and read current state after the lock, so two counters cannot both
        pass a check (last administrator, failed-attempt count, stale catalogue version).
        """
        with self._sessions.begin() as session:
            # The lock on reviewed days judges "today" by the service's clock.
            session.info[day_lock.NOW_KEY] = self._clock.now()
            session.execute(
                update(AuditHead).where(AuditHead.id == 1).values(last_id=AuditHead.last_id)
            )
            yield session

    def _officer(self, session: Session, user: SessionUser) -> Officer:
        """The caller as stored now: deactivation takes effect at once, not at the next login."""
        officer = session.get(Officer, user.officer_id)
        if officer is None or not officer.active:
            raise AuthenticationError("当前账号已停用或不存在，请重新登录。")
        return officer

    def _require(self, session: Session, user: SessionUser, permission: Permission) -> Officer:
        """The caller, if their current role grants ``permission``; otherwise refuse."""
        officer = self._officer(session, user)
        role = Role(officer.role)
        if not allows(role, permission):
            raise PermissionDenied(
                f"{role.label}无权{PERMISSION_LABELS[permission]}，请联系所长或系统管理员。"
            )
        return officer


def load_station(session: Session) -> Station:
    """The station's settings row (there is one), or the message that set-up comes first."""
    station = session.get(Station, 1)
    if station is None:
        raise NotFound("本数据库尚未初始化，请先完成首次设置。")
    return station
