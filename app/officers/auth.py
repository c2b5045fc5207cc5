"""Login with lock-out after repeated failures, and changing one's own password."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.core import audit
from app.core.clock import Clock
from app.core.dto import SessionUser
from app.core.errors import AuthenticationError, ValidationError
from app.core.passwords import MAX_LENGTH, PasswordHashing, check_password_rules, check_repeat
from app.core.roles import Role
from app.core.service_base import ServiceBase
from app.core.validation import Collector
from app.officers.service import clean_badge
from db.models import Officer, Station


class AuthService(ServiceBase):
    """Checks badge number and password; counts failures and locks the account for a while."""

    def __init__(
        self, sessions: sessionmaker[Session], clock: Clock, hashing: PasswordHashing
    ) -> None:
        super().__init__(sessions, clock)
        self._hashing = hashing
        self._dummy: str | None = None

    def login(self, badge_no: str, password: str) -> SessionUser:
        """The officer behind these credentials, or an AuthenticationError saying why not.

        Every refused attempt is audited and committed before the error reaches the user.
        """
        return self._log_in(badge_no, password)

    def take_over(self, locked: SessionUser, badge_no: str, password: str) -> SessionUser:
        """A colleague logs in at a counter ``locked`` left locked, which logs ``locked`` out.

        The same checks and audit as ``login``; a successful login also records ``locked``'s
        logout, naming the colleague, in the same transaction. ``locked``'s own badge is a
        plain unlock: nobody is logged out.
        """
        return self._log_in(badge_no, password, replacing=locked)

    def _log_in(
        self, badge_no: str, password: str, replacing: SessionUser | None = None
    ) -> SessionUser:
        badge_no = clean_badge(badge_no)
        if not password:
            raise ValidationError("请输入密码。", "password")
        if len(password) > MAX_LENGTH:  # no account has one: say so rather than cut it
            raise ValidationError(
                f"密码不超过 {MAX_LENGTH} 位，这里有 {len(password)} 位："
                "请检查是否粘贴了多余的内容。",
                "password",
            )
        failure: AuthenticationError
        with self._writing() as session:
            rules = _Rules.of(session)
            now = self._clock.now()
            officer = session.scalars(select(Officer).where(Officer.badge_no == badge_no)).first()
            if officer is None:
                # Spend the same time as a real check; badge numbers are displayed at the
                # window anyway, so the message need not hide which ones exist.
                self._hashing.verify(self._dummy_hash(), password)
                failure = AuthenticationError("警号或密码错误，请核对后重试。", "password")
                self._audit_refusal(session, now, None, badge_no, "unknown_badge")
            elif not officer.active:
                failure = AuthenticationError("该账号已停用，请联系系统管理员。", "badge_no")
                self._audit_refusal(session, now, officer.id, badge_no, "inactive")
            elif officer.locked_until is not None and officer.locked_until > now:
                until = officer.locked_until.astimezone(rules.tz).strftime("%H:%M")
                failure = AuthenticationError(
                    f"连续输错密码次数过多，账号已锁定至 {until}，请稍后再试或请管理员重置密码。",
                    "password",
                )
                self._audit_refusal(session, now, officer.id, badge_no, "locked")
            elif self._hashing.verify(officer.password_hash, password):
                officer.failed_attempts = 0
                officer.locked_until = None
                if replacing is not None and replacing.officer_id != officer.id:
                    audit.record(
                        session,
                        at=now,
                        officer_id=replacing.officer_id,
                        action="logout",
                        entity_type="officer",
                        entity_id=replacing.officer_id,
                        after={"reason": "colleague_login", "by_badge_no": officer.badge_no},
                    )
                audit.record(
                    session,
                    at=now,
                    officer_id=officer.id,
                    action="login",
                    entity_type="officer",
                    entity_id=officer.id,
                )
                return _session_user(officer)
            else:
                failure = self._count_failure(session, officer, now, rules, "警号或密码错误")
        raise failure

    def verify_password(self, user: SessionUser, password: str) -> SessionUser:
        """Unlock a locked counter: the same officer's password, with the same lock-out rules."""
        return self.login(user.badge_no, password)

    def change_password(
        self, user: SessionUser, old_password: str, new_password: str, repeat: str | None = None
    ) -> None:
        """Change one's own password after proving the old one (wrong guesses count too).

        Every wrong field is named at once (ValidationErrors): the old password missing, the
        new one against the rules (with this officer's badge number and name, and the
        station code), ``repeat`` (the second typing, when the form asks) not the same.
        """
        failure: AuthenticationError
        with self._writing() as session:
            officer = self._officer(session, user)
            station = session.get(Station, 1)
            errors = Collector()
            if not old_password:
                errors.add(ValidationError("请输入原密码。", "old_password"))
            errors.check(
                lambda: check_password_rules(
                    new_password,
                    "new_password",
                    badge=officer.badge_no,
                    name=officer.name,
                    station_code=station.code if station is not None else "",
                ),
                None,
            )
            if old_password and new_password == old_password and not errors.failed("new_password"):
                errors.add(ValidationError("新密码不能与原密码相同。", "new_password"))
            errors.check(lambda: check_repeat(new_password, repeat), None)
            errors.done()
            now = self._clock.now()
            if officer.locked_until is not None and officer.locked_until > now:
                until = officer.locked_until.astimezone(_Rules.of(session).tz).strftime("%H:%M")
                raise AuthenticationError(
                    f"账号因多次输错密码已锁定至 {until}，届时再修改密码。", "old_password"
                )
            if self._hashing.verify(officer.password_hash, old_password):
                officer.password_hash = self._hashing.hash(new_password)
                officer.must_change_password = False
                audit.record(
                    session,
                    at=now,
                    officer_id=officer.id,
                    action="password_changed",
                    entity_type="officer",
                    entity_id=officer.id,
                )
                return
            failure = self._count_failure(session, officer, now, _Rules.of(session), "原密码不正确")
            failure.field = "old_password"
        raise failure

    def _count_failure(
        self, session: Session, officer: Officer, now: dt.datetime, rules: _Rules, what: str
    ) -> AuthenticationError:
        """Count a wrong password, lock the account at the limit, audit; returns the error."""
        officer.failed_attempts += 1
        left = rules.attempts - officer.failed_attempts
        after: dict[str, object] = {"failed_attempts": officer.failed_attempts}
        if left <= 0:
            officer.locked_until = now + dt.timedelta(minutes=rules.minutes)
            officer.failed_attempts = 0
            after["locked_until"] = officer.locked_until.isoformat()
            until = officer.locked_until.astimezone(rules.tz).strftime("%H:%M")
            failure = AuthenticationError(
                f"{what}，错误次数已达 {rules.attempts} 次，账号锁定 {rules.minutes} 分钟"
                f"（至 {until}）。",
                "password",
            )
        else:
            failure = AuthenticationError(f"{what}，还可再试 {left} 次。", "password")
        audit.record(
            session,
            at=now,
            officer_id=officer.id,
            action="login_failed",
            entity_type="officer",
            entity_id=officer.id,
            after=after,
        )
        return failure

    @staticmethod
    def _audit_refusal(
        session: Session, now: dt.datetime, officer_id: int | None, badge_no: str, reason: str
    ) -> None:
        audit.record(
            session,
            at=now,
            officer_id=officer_id,
            action="login_refused",
            entity_type="officer",
            entity_id=officer_id if officer_id is not None else badge_no,
            after={"reason": reason, "badge_no": badge_no},
        )

    def _dummy_hash(self) -> str:
        if self._dummy is None:
            self._dummy = self._hashing.hash("not-a-password-0")
        return self._dummy


@dataclass(frozen=True)
class _Rules:
    """The station's lock-out rules and time zone (defaults before the first-run set-up)."""

    attempts: int
    minutes: int
    tz: ZoneInfo

    @staticmethod
    def of(session: Session) -> _Rules:
        station = session.get(Station, 1)
        if station is None:
            return _Rules(5, 15, ZoneInfo("Asia/Shanghai"))
        return _Rules(station.lockout_attempts, station.lockout_minutes, ZoneInfo(station.timezone))


def _session_user(officer: Officer) -> SessionUser:
    return SessionUser(
        officer_id=officer.id,
        badge_no=officer.badge_no,
        name=officer.name,
        role=Role(officer.role),
        must_change_password=officer.must_change_password,
    )
