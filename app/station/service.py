"""First-run set-up (station and first account) and the station's settings."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import asdict, replace
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app.catalogue.service import load_shipped_catalogue, seed_catalogue
from app.core import audit, text_limits
from app.core.clock import Clock
from app.core.dto import SessionUser
from app.core.errors import ConflictError, NotFound, ValidationError
from app.core.passwords import PasswordHashing, check_password_rules, check_repeat
from app.core.roles import Permission, Role
from app.core.service_base import ServiceBase
from app.core.validation import (
    Collector,
    clean_int,
    clean_phone,
    clean_text,
    code_text,
    refuse_unstorable,
)
from app.officers.dto import NewOfficer
from app.officers.service import clean_badge, clean_officer_name, insert_officer
from app.station.dto import StationSettings
from db.models import PAPER_SIZES, Officer, Station

_CODE = re.compile(r"^[A-Z0-9]{2,12}$")


def _clean_dimensions(text: str) -> str:
    refuse_unstorable(text or "", field="rating_dimensions", label="评价维度")
    names = [d.strip() for d in (text or "").replace("，", ",").split(",") if d.strip()]
    if not 1 <= len(names) <= 6:
        raise ValidationError("评价维度应为 1 到 6 个，用逗号分隔。", "rating_dimensions")
    if any(len(n) > 8 for n in names) or len(set(names)) != len(names):
        raise ValidationError("每个评价维度不超过 8 个字，且不能重复。", "rating_dimensions")
    return ",".join(names)


CALLBACK_PERIODS = {"day": "按日", "month": "按月"}


# ASCII digits only (\d would take other scripts' digits and keep them in the stored time);
# full-width ones are made ASCII first, as an input method types them.
_HHMM = re.compile(r"^([01]?[0-9]|2[0-3]):([0-5][0-9])$", re.ASCII)


def clean_review_after(text: str) -> str:
    """HH:MM, the earliest local time at which today's ledger may be reviewed."""
    match = _HHMM.match(unicodedata.normalize("NFKC", (text or "").strip()))
    if match is None:
        raise ValidationError(
            "当日台账最早审核时间请按“时:分”填写，如 17:30（窗口下班时间）。", "review_after"
        )
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def _clean_period(period: str) -> str:
    if period not in CALLBACK_PERIODS:
        raise ValidationError("回访抽样周期只能按日或按月。", "callback_period")
    return period


def _clean_code(text: str) -> str:
    code = code_text(text)
    if not _CODE.match(code):
        raise ValidationError("单位简码由 2–12 位大写字母或数字组成，用于编号，如 QNL。", "code")
    return code


def _clean_paper(paper_size: str) -> str:
    if paper_size not in PAPER_SIZES:
        raise ValidationError("请选择回执纸张：A4、A5 或 80mm 热敏卷纸。", "paper_size")
    return paper_size


def _clean_timezone(timezone: str) -> str:
    try:
        if "/" not in timezone and timezone != "UTC":
            raise ValueError(timezone)
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError("时区无效，请使用如 Asia/Shanghai 的时区名。", "timezone") from None
    return timezone


# (field, label, lowest, highest) of the whole-number settings, in the settings page's order.
_NUMBERS = (
    ("lockout_attempts", "锁定前允许输错次数", 3, 10),
    ("verify_days", "差评核实期限（工作日）", 1, 30),
    ("rectify_days", "差评整改期限（工作日）", 1, 60),
    ("callback_share", "电话回访抽样比例（%）", 1, 100),
    ("complaint_verify_days", "投诉核实期限（工作日）", 1, 30),
    ("complaint_handle_days", "投诉处理期限（工作日）", 1, 60),
    ("complaint_reply_days", "投诉答复期限（工作日）", 1, 60),
    ("lockout_minutes", "锁定时长（分钟）", 1, 1440),
    ("idle_lock_minutes", "无操作自动锁屏（分钟）", 1, 60),
    ("backup_keep", "自动备份保留份数", 3, 400),
    ("retain_contact_years", "群众身份证号码、电话和签名保存年限", 1, 30),
    ("home_days_town", "上门服务时限·城区（工作日）", 1, 30),
    ("home_days_country", "上门服务时限·农村（工作日）", 1, 60),
)


def validate_settings(s: StationSettings) -> StationSettings:
    """A cleaned copy of the settings; every bad field named at once (ValidationErrors, in
    the form's order), a single one as a ValidationError."""
    errors = Collector()

    def text(field: str, label: str, max_len: int, required: bool = False) -> str:
        value = getattr(s, field)
        return errors.check(
            lambda: clean_text(value, field=field, label=label, max_len=max_len, required=required),
            value,
        )

    def phone(field: str, label: str) -> str:
        value = getattr(s, field)
        return errors.check(lambda: clean_phone(value, field=field, label=label), value)

    def number(field: str, label: str, minimum: int, maximum: int) -> int:
        value = getattr(s, field)
        return errors.check(
            lambda: clean_int(value, field=field, label=label, minimum=minimum, maximum=maximum),
            value,
        )

    cleaned: dict[str, Any] = {
        "name": text("name", "单位名称", text_limits.STATION_NAME, required=True),
        "code": errors.check(lambda: _clean_code(s.code), s.code),
        "address": text("address", "地址", text_limits.STATION_TEXT),
        "hours": text("hours", "办公时间", text_limits.STATION_TEXT),
        "redress_review_body": text("redress_review_body", "行政复议机关", text_limits.UNIT),
        "redress_court": text("redress_court", "行政诉讼法院", text_limits.UNIT),
        "phone_consult": phone("phone_consult", "咨询电话"),
        "phone_supervision": phone("phone_supervision", "监督电话"),
        "phone_12389": phone("phone_12389", "12389 举报电话"),
        "phone_12345": phone("phone_12345", "12345 热线"),
        "paper_size": errors.check(lambda: _clean_paper(s.paper_size), s.paper_size),
        "timezone": errors.check(lambda: _clean_timezone(s.timezone), s.timezone),
        "rating_dimensions": errors.check(
            lambda: _clean_dimensions(s.rating_dimensions), s.rating_dimensions
        ),
        "callback_period": errors.check(
            lambda: _clean_period(s.callback_period), s.callback_period
        ),
        "review_after": errors.check(lambda: clean_review_after(s.review_after), s.review_after),
        "backup_folder": errors.check(
            lambda: _clean_backup_folder(s.backup_folder), s.backup_folder
        ),
    }
    for field, label, minimum, maximum in _NUMBERS:
        cleaned[field] = number(field, label, minimum, maximum)
    errors.done()
    return replace(s, **cleaned)


def _clean_backup_folder(text: str) -> str:
    folder = (text or "").strip()
    refuse_unstorable(folder, field="backup_folder", label="备份文件夹路径")
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


def check_first_account(
    settings: StationSettings, first: NewOfficer, repeat: str | None = None
) -> tuple[StationSettings, str, str, str, Role]:
    """The station's settings and its first account, cleaned; every wrong field at once.

    The password may not be a common one, nor hold the badge number, the station code or the
    name in pinyin (app.core.passwords); ``repeat``, when given, must be the same password.
    """
    errors = Collector()
    clean = errors.check(lambda: validate_settings(settings), settings)
    badge = errors.check(lambda: clean_badge(first.badge_no), first.badge_no)
    name = errors.check(lambda: clean_officer_name(first.name), first.name)
    phone = errors.check(lambda: clean_phone(first.phone, field="phone", label="联系电话"), "")
    role = Role(first.role)
    if role not in (Role.CHIEF, Role.ADMIN):
        errors.add(ValidationError("首个账号须为所长或系统管理员。", "role"))
    errors.check(
        lambda: check_password_rules(
            first.password, badge=badge, name=name, station_code=clean.code
        ),
        None,
    )
    errors.check(lambda: check_repeat(first.password, repeat), None)
    errors.done()
    return clean, badge, name, phone, role


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

    def initialize(
        self, settings: StationSettings, first: NewOfficer, repeat: str | None = None
    ) -> SessionUser:
        """Create the station, its first chief or administrator, and seed the catalogue.

        ``repeat`` is the password typed a second time, when the form asks for it. Every
        wrong field is named at once (ValidationErrors), before anything is written.
        """
        clean, badge, name, phone, role = check_first_account(settings, first, repeat)
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
        home_days_town=station.home_days_town,
        home_days_country=station.home_days_country,
        redress_review_body=station.redress_review_body or "",
        redress_court=station.redress_court or "",
    )
