"""Login with lock-out after repeated failures, and changing one's own password."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app import audit
from app.clock import Clock
from app.dto import SessionUser
from app.errors import AuthenticationError, ValidationError
from app.passwords import PasswordHashing, check_password_rules
from app.roles import Role
from app.service_base import ServiceBase
from db.models import Officer, Station


class AuthService(ServiceBase):
    """Checks badge number and password; counts failures and locks the account for a while."""

    def __init__(
        self, sessions: sessionmaker[Session], clock: Clock, hashing: PasswordHashing
    ) -> None:
        super().__init__(sessions, clock)
        self._hashing = hashing

    def login(self, badge_no: str, password: str) -> SessionUser:
        """The officer behind these credentials, or an AuthenticationError saying why not."""
        badge_no = (badge_no or "").strip().upper()
        if not badge_no:
            raise ValidationError("请输入警号。", "badge_no")
        if not password:
            raise ValidationError("请输入密码。", "password")
        failure: AuthenticationError | None = None
        with self._sessions.begin() as session:
            station = session.get(Station, 1)
            attempts = station.lockout_attempts if station else 5
            minutes = station.lockout_minutes if station else 15
            tz = ZoneInfo(station.timezone) if station else ZoneInfo("Asia/Shanghai")
            now = self._clock.now()
            officer = session.scalars(select(Officer).where(Officer.badge_no == badge_no)).first()
            if officer is None:
                # Same message as a wrong password: do not reveal which badge numbers exist.
                raise AuthenticationError("警号或密码错误。", "password")
            if not officer.active:
                raise AuthenticationError("该账号已停用，请联系系统管理员。", "badge_no")
            if officer.locked_until is not None and officer.locked_until > now:
                until = officer.locked_until.astimezone(tz).strftime("%H:%M")
                raise AuthenticationError(
                    f"连续输错密码次数过多，账号已锁定至 {until}，请稍后再试或请管理员重置密码。",
                    "password",
                )
            if self._hashing.verify(officer.password_hash, password):
                officer.failed_attempts = 0
                officer.locked_until = None
                audit.record(
                    session,
                    at=now,
                    officer_id=officer.id,
                    action="login",
                    entity_type="officer",
                    entity_id=officer.id,
                )
                return _session_user(officer)
            officer.failed_attempts += 1
            left = attempts - officer.failed_attempts
            after: dict[str, object] = {"failed_attempts": officer.failed_attempts}
            if left <= 0:
                officer.locked_until = now + dt.timedelta(minutes=minutes)
                officer.failed_attempts = 0
                after["locked_until"] = officer.locked_until.isoformat()
                until = officer.locked_until.astimezone(tz).strftime("%H:%M")
                failure = AuthenticationError(
                    f"密码错误次数已达 {attempts} 次，账号锁定 {minutes} 分钟（至 {until}）。",
                    "password",
                )
            else:
                failure = AuthenticationError(f"警号或密码错误，还可再试 {left} 次。", "password")
            audit.record(
                session,
                at=now,
                officer_id=officer.id,
                action="login_failed",
                entity_type="officer",
                entity_id=officer.id,
                after=after,
            )
        # The failure count is committed before the error reaches the user.
        raise failure

    def verify_password(self, user: SessionUser, password: str) -> SessionUser:
        """Unlock a locked counter: the same officer's password, with the same lock-out rules."""
        return self.login(user.badge_no, password)

    def change_password(self, user: SessionUser, old_password: str, new_password: str) -> None:
        """Change one's own password after proving the old one."""
        if not old_password:
            raise ValidationError("请输入原密码。", "old_password")
        check_password_rules(new_password, "new_password")
        if new_password == old_password:
            raise ValidationError("新密码不能与原密码相同。", "new_password")
        with self._sessions.begin() as session:
            officer = self._officer(session, user)
            if not self._hashing.verify(officer.password_hash, old_password):
                raise ValidationError("原密码不正确。", "old_password")
            officer.password_hash = self._hashing.hash(new_password)
            officer.must_change_password = False
            audit.record(
                session,
                at=self._clock.now(),
                officer_id=officer.id,
                action="password_changed",
                entity_type="officer",
                entity_id=officer.id,
            )


def _session_user(officer: Officer) -> SessionUser:
    return SessionUser(
        officer_id=officer.id,
        badge_no=officer.badge_no,
        name=officer.name,
        role=Role(officer.role),
        must_change_password=officer.must_change_password,
    )
