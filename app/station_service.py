"""First-run set-up (station and first account) and the station's settings."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app import audit
from app.catalogue_service import load_shipped_catalogue, seed_catalogue
from app.clock import Clock
from app.dto import NewOfficer, SessionUser, StationSettings
from app.errors import ConflictError, NotFound, ValidationError
from app.officer_service import clean_badge, clean_officer_name, insert_officer
from app.passwords import PasswordHashing, check_password_rules
from app.roles import Permission, Role
from app.service_base import ServiceBase
from app.validation import clean_int, clean_phone, clean_text
from db.models import PAPER_SIZES, Officer, Station

_CODE = re.compile(r"^[A-Z0-9]{2,12}$")


def _clean_dimensions(text: str) -> str:
    names = [d.strip() for d in (text or "").replace("，", ",").split(",") if d.strip()]
    if not 1 <= len(names) <= 6:
        raise ValidationError("评价维度应为 1 到 6 个，用逗号分隔。", "rating_dimensions")
    if any(len(n) > 8 for n in names) or len(set(names)) != len(names):
        raise ValidationError("每个评价维度不超过 8 个字，且不能重复。", "rating_dimensions")
    return ",".join(names)


CALLBACK_PERIODS = {"day": "按日", "month": "按月"}


_HHMM = re.compile(r"^([01]?\d|2[0-3])[:：]([0-5]\d)$")


def clean_review_after(text: str) -> str:
    """HH:MM, the earliest local time at which today's ledger may be reviewed."""
    match = _HHMM.match((text or "").strip())
    if match is None:
        raise ValidationError(
            "当日台账最早审核时间请按“时:分”填写，如 17:30（窗口下班时间）。", "review_after"
        )
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def _clean_period(period: str) -> str:
    if period not in CALLBACK_PERIODS:
        raise ValidationError("回访抽样周期只能按日或按月。", "callback_period")
    return period


def validate_settings(s: StationSettings) -> StationSettings:
    """A cleaned copy of the settings, or a ValidationError at the first bad field."""
    code = (s.code or "").strip().upper()
    if not _CODE.match(code):
        raise ValidationError("单位简码由 2–12 位大写字母或数字组成，用于编号，如 QNL。", "code")
    if s.paper_size not in PAPER_SIZES:
        raise ValidationError("请选择回执纸张：A4、A5 或 80mm 热敏卷纸。", "paper_size")
    try:
        if "/" not in s.timezone and s.timezone != "UTC":
            raise ValueError(s.timezone)
        ZoneInfo(s.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError("时区无效，请使用如 Asia/Shanghai 的时区名。", "timezone") from None
    return StationSettings(
        name=clean_text(s.name, field="name", label="单位名称", max_len=60),
        code=code,
        address=clean_text(s.address, field="address", label="地址", max_len=120, required=False),
        hours=clean_text(s.hours, field="hours", label="办公时间", max_len=120, required=False),
        phone_consult=clean_phone(s.phone_consult, field="phone_consult", label="咨询电话"),
        phone_supervision=clean_phone(
            s.phone_supervision, field="phone_supervision", label="监督电话"
        ),
        phone_12389=clean_phone(s.phone_12389, field="phone_12389", label="12389 举报电话"),
        phone_12345=clean_phone(s.phone_12345, field="phone_12345", label="12345 热线"),
        paper_size=s.paper_size,
        timezone=s.timezone,
        lockout_attempts=clean_int(
            s.lockout_attempts,
            field="lockout_attempts",
            label="锁定前允许输错次数",
            minimum=3,
            maximum=10,
        ),
        rating_dimensions=_clean_dimensions(s.rating_dimensions),
        verify_days=clean_int(
            s.verify_days,
            field="verify_days",
            label="差评核实期限（工作日）",
            minimum=1,
            maximum=30,
        ),
        rectify_days=clean_int(
            s.rectify_days,
            field="rectify_days",
            label="差评整改期限（工作日）",
            minimum=1,
            maximum=60,
        ),
        callback_share=clean_int(
            s.callback_share,
            field="callback_share",
            label="电话回访抽样比例（%）",
            minimum=1,
            maximum=100,
        ),
        callback_period=_clean_period(s.callback_period),
        complaint_verify_days=clean_int(
            s.complaint_verify_days,
            field="complaint_verify_days",
            label="投诉核实期限（工作日）",
            minimum=1,
            maximum=30,
        ),
        complaint_handle_days=clean_int(
            s.complaint_handle_days,
            field="complaint_handle_days",
            label="投诉处理期限（工作日）",
            minimum=1,
            maximum=60,
        ),
        complaint_reply_days=clean_int(
            s.complaint_reply_days,
            field="complaint_reply_days",
            label="投诉答复期限（工作日）",
            minimum=1,
            maximum=60,
        ),
        lockout_minutes=clean_int(
            s.lockout_minutes,
            field="lockout_minutes",
            label="锁定时长（分钟）",
            minimum=1,
            maximum=1440,
        ),
        review_after=clean_review_after(s.review_after),
        idle_lock_minutes=clean_int(
            s.idle_lock_minutes,
            field="idle_lock_minutes",
            label="无操作自动锁屏（分钟）",
            minimum=1,
            maximum=60,
        ),
        backup_folder=_clean_backup_folder(s.backup_folder),
        backup_keep=clean_int(
            s.backup_keep,
            field="backup_keep",
            label="自动备份保留份数",
            minimum=3,
            maximum=400,
        ),
        retain_contact_years=clean_int(
            s.retain_contact_years,
            field="retain_contact_years",
            label="群众身份证号码、电话和签名保存年限",
            minimum=1,
            maximum=30,
        ),
    )


def _clean_backup_folder(text: str) -> str:
    folder = (text or "").strip()
    if len(folder) > 400:
        raise ValidationError("备份文件夹路径过长（最多 400 个字符）。", "backup_folder")
    if folder and not (
        folder.startswith(("/", "\\\\", "~")) or re.match(r"^[A-Za-z]:[\\/]", folder)
    ):
        raise ValidationError(
            "备份文件夹请填写完整路径，如 E:\\台账备份 或 /media/usb/台账备份；"
            "留空则备份到数据库旁边。",
            "backup_folder",
        )
    return folder


class StationService(ServiceBase):
    """Creates the station once and keeps its settings."""

    def __init__(
        self, sessions: sessionmaker[Session], clock: Clock, hashing: PasswordHashing
    ) -> None:
        super().__init__(sessions, clock)
        self._hashing = hashing

    def is_initialized(self) -> bool:
        """Whether the first-run set-up has been done."""
        with self._sessions.begin() as session:
            return session.get(Station, 1) is not None

    def initialize(self, settings: StationSettings, first: NewOfficer) -> SessionUser:
        """Create the station, its first chief or administrator, and seed the catalogue."""
        clean = validate_settings(settings)
        badge = clean_badge(first.badge_no)
        name = clean_officer_name(first.name)
        phone = clean_phone(first.phone, field="phone", label="联系电话")
        role = Role(first.role)
        if role not in (Role.CHIEF, Role.ADMIN):
            raise ValidationError("首个账号须为所长或系统管理员。", "role")
        check_password_rules(first.password)
        shipped = load_shipped_catalogue()
        with self._writing() as session:
            if session.get(Station, 1) is not None:
                raise ConflictError("本数据库已经初始化过，不能重复初始化。")
            if session.scalar(select(func.count()).select_from(Officer)):
                raise ConflictError("数据库中已有人员记录，不能按新所初始化。")
            now = self._clock.now()
            station = Station(id=1, created_at=now, **asdict(clean))
            session.add(station)
            officer = insert_officer(
                session, self._hashing, badge, name, role, first.password, phone, now
            )
            audit.record(
                session,
                at=now,
                officer_id=officer.id,
                action="station_initialized",
                entity_type="station",
                entity_id=1,
                after={**asdict(clean), "first_officer": badge},
            )
            count = seed_catalogue(session, shipped, now)
            audit.record(
                session,
                at=now,
                officer_id=officer.id,
                action="catalogue_seeded",
                entity_type="service_item",
                entity_id="*",
                after={"items": count},
            )
            return SessionUser(officer.id, officer.badge_no, officer.name, role)

    def today(self) -> dt.date:
        """Today's date at the station (its time zone, not the PC's)."""
        with self._sessions.begin() as session:
            station = session.get(Station, 1)
            zone = ZoneInfo(station.timezone if station else "Asia/Shanghai")
        return self._clock.now().astimezone(zone).date()

    def settings(self) -> StationSettings:
        """The station's settings."""
        with self._sessions.begin() as session:
            station = session.get(Station, 1)
            if station is None:
                raise NotFound("本数据库尚未初始化，请先完成首次设置。")
            return _settings(station)

    def update_settings(self, user: SessionUser, settings: StationSettings) -> StationSettings:
        """Change the station's settings (administrator or chief)."""
        clean = validate_settings(settings)
        with self._writing() as session:
            actor = self._require(session, user, Permission.EDIT_SETTINGS)
            station = session.get(Station, 1)
            if station is None:
                raise NotFound("本数据库尚未初始化，请先完成首次设置。")
            before = _settings(station)
            if before == clean:
                return before
            for key, value in asdict(clean).items():
                setattr(station, key, value)
            audit.record(
                session,
                at=self._clock.now(),
                officer_id=actor.id,
                action="settings_changed",
                entity_type="station",
                entity_id=1,
                before={k: v for k, v in asdict(before).items() if getattr(clean, k) != v},
                after={k: v for k, v in asdict(clean).items() if getattr(before, k) != v},
            )
            return clean


def _settings(station: Station) -> StationSettings:
    return StationSettings(
        name=station.name,
        code=station.code,
        address=station.address,
        hours=station.hours,
        phone_consult=station.phone_consult,
        phone_supervision=station.phone_supervision,
        phone_12389=station.phone_12389,
        phone_12345=station.phone_12345,
        paper_size=station.paper_size,
        timezone=station.timezone,
        lockout_attempts=station.lockout_attempts,
        lockout_minutes=station.lockout_minutes,
        rating_dimensions=station.rating_dimensions,
        verify_days=station.verify_days,
        rectify_days=station.rectify_days,
        callback_share=station.callback_share,
        callback_period=station.callback_period,
        complaint_verify_days=station.complaint_verify_days,
        complaint_handle_days=station.complaint_handle_days,
        complaint_reply_days=station.complaint_reply_days,
        review_after=station.review_after,
        idle_lock_minutes=station.idle_lock_minutes,
        backup_folder=station.backup_folder,
        backup_keep=station.backup_keep,
        retain_contact_years=station.retain_contact_years,
    )
