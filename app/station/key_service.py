"""The station key seen from the application: its recovery sheet, for the chief only, audited."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import Dialect, func, select
from sqlalchemy.orm import Session

from app.core import audit
from app.core.crypto import StationCipher
from app.core.dto import SessionUser
from app.core.errors import NotFound, PermissionDenied
from app.core.roles import Role
from app.core.service_base import ServiceBase
from db.models import AuditEvent, Station
from db.sealed import cipher_of

SHEET_ACTION = "key_sheet_printed"


@dataclass(frozen=True, slots=True)
class KeyStatus:
    """What the settings page says about the station key."""

    key_id: str
    sheets_printed: int


class KeyService(ServiceBase):
    """The recovery sheet of the station key (密钥恢复单)."""

    def status(self, user: SessionUser) -> KeyStatus:
        """The key's fingerprint and how often its recovery sheet was printed."""
        with self._sessions.begin() as session:
            self._officer(session, user)
            cipher = _cipher(session.get_bind().dialect)
            return KeyStatus(cipher.key_id, _sheets(session, cipher.key_id))

    def sheet_warning(self, user: SessionUser) -> str:
        """For the chief, while the key's recovery sheet has never been printed."""
        with self._sessions.begin() as session:
            officer = self._officer(session, user)
            if Role(officer.role) is not Role.CHIEF:
                return ""
            cipher = _cipher(session.get_bind().dialect)
            if _sheets(session, cipher.key_id):
                return ""
        return (
            "本所密钥恢复单尚未打印：请在“本所设置”中打印并封存。"
            "换电脑、恢复备份或增加窗口电脑时要用它，遗失则数据无法读出。"
        )

    def recovery_sheet(self, user: SessionUser) -> bytes:
        """The recovery sheet as a PDF; only the chief prints it, and every print is audited."""
        from app.printing.key_sheet_pdf import KeySheet, render_key_sheet

        with self._writing() as session:
            officer = self._officer(session, user)
            if Role(officer.role) is not Role.CHIEF:
                raise PermissionDenied("密钥恢复单只能由所长打印，请所长登录后打印并亲自封存。")
            station = session.get(Station, 1)
            if station is None:
                raise NotFound("本数据库尚未初始化，请先完成首次设置。")
            cipher = _cipher(session.get_bind().dialect)
            now = self._clock.now()
            copy_number = _sheets(session, cipher.key_id) + 1
            audit.record(
                session,
                at=now,
                officer_id=officer.id,
                action=SHEET_ACTION,
                entity_type="station_key",
                entity_id=cipher.key_id,
                after={"copy": copy_number},
            )
            sheet = KeySheet(
                station_name=station.name,
                station_code=station.code,
                key_id=cipher.key_id,
                groups=cipher.recovery_groups(),
                qr_text=cipher.recovery_qr_text(),
                printed_at=now.astimezone(ZoneInfo(station.timezone)),
                printed_by=f"{officer.name}（警号 {officer.badge_no}）",
                copy_number=copy_number,
            )
        return render_key_sheet(sheet)


def _cipher(dialect: Dialect) -> StationCipher:
    cipher = cipher_of(dialect)
    assert isinstance(cipher, StationCipher)
    return cipher


def _sheets(session: Session, key_id: str) -> int:
    return int(
        session.scalar(
            select(func.count()).where(
                AuditEvent.action == SHEET_ACTION,
                AuditEvent.entity_type == "station_key",
                AuditEvent.entity_id == key_id,
            )
        )
        or 0
    )
