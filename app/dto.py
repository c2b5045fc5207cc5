"""Frozen data handed between services and the UI: rows, details and inputs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from app.roles import Role
from app.visit_rules import VisitStatus


@dataclass(frozen=True, slots=True)
class SessionUser:
    """The officer logged in at this counter."""

    officer_id: int
    badge_no: str
    name: str
    role: Role
    must_change_password: bool = False


@dataclass(frozen=True, slots=True)
class OfficerRow:
    """One officer in the staff list."""

    id: int
    badge_no: str
    name: str
    role: Role
    phone: str
    active: bool
    locked_until: dt.datetime | None
    must_change_password: bool


@dataclass(frozen=True, slots=True)
class RoleRequestRow:
    """A change into or out of 所长 or 系统管理员 asked by one administrator, awaiting a second.

    ``id`` is the audit event that recorded the request.
    """

    id: int
    officer_id: int
    officer_name: str
    badge_no: str
    from_role: Role
    to_role: Role
    requested_by_id: int
    requested_by: str
    requested_at: dt.datetime
    reason: str

    @property
    def label(self) -> str:
        """One line for a list: who, from what to what, asked by whom."""
        return (
            f"{self.officer_name}（{self.badge_no}）：{self.from_role.label} → "
            f"{self.to_role.label}，{self.requested_by}申请：{self.reason}"
        )


@dataclass(frozen=True, slots=True)
class NewOfficer:
    """Input for a new officer account."""

    badge_no: str
    name: str
    role: Role
    password: str
    phone: str = ""
    must_change_password: bool = True


@dataclass(frozen=True, slots=True)
class OfficerChanges:
    """Editable fields of an officer (badge numbers never change)."""

    name: str
    role: Role
    phone: str


@dataclass(frozen=True, slots=True)
class StationSettings:
    """The station's settings as the UI edits them."""

    name: str
    code: str
    address: str = ""
    hours: str = ""
    phone_consult: str = ""
    phone_supervision: str = ""
    phone_12389: str = "12389"
    phone_12345: str = "12345"
    paper_size: str = "A5"
    timezone: str = "Asia/Shanghai"
    lockout_attempts: int = 5
    lockout_minutes: int = 15
    rating_dimensions: str = "办事效率,服务态度,办理结果,规范廉洁"
    verify_days: int = 1
    rectify_days: int = 5
    callback_share: int = 10
    callback_period: str = "day"
    complaint_verify_days: int = 3
    complaint_handle_days: int = 10
    complaint_reply_days: int = 15
    review_after: str = "17:30"  # today's ledger can be reviewed from this local time
    idle_lock_minutes: int = 5  # the window locks after this long without input
    backup_folder: str = ""  # automatic backups go here; empty: beside the database
    backup_keep: int = 30  # automatic backups kept in that folder
    retain_contact_years: int = 3  # a finished matter's ID number, phone, signatures kept
    home_days_town: int = 5  # 上门服务 promise in working days, in town
    home_days_country: int = 10  # and in the countryside
    # Offered on every refusal (不予受理告知书) as where to seek redress: the 行政复议 body
    # (e.g. 示例市城南区人民政府) and the court for 行政诉讼 (e.g. 示例市城南区人民法院).
    redress_review_body: str = ""
    redress_court: str = ""

    @property
    def dimensions(self) -> tuple[str, ...]:
        """The rating dimensions, in order."""
        return tuple(d for d in self.rating_dimensions.replace("，", ",").split(",") if d.strip())


@dataclass(frozen=True, slots=True)
class MaterialLine:
    """One material of a catalogue version."""

    name: str
    copies: int
    form: str
    source: str
    is_key: bool


@dataclass(frozen=True, slots=True)
class ServiceItemDraft:
    """The content of a catalogue version, as entered or as shipped."""

    name: str
    category: str
    legal_basis: str
    conditions: str
    procedure: str
    time_limit_value: int
    time_limit_unit: str
    time_limit_note: str
    fee: str
    fee_basis: str
    place: str
    hours: str
    materials: tuple[MaterialLine, ...]


@dataclass(frozen=True, slots=True)
class ServiceItemRow:
    """One matter in the catalogue list (its current version)."""

    item_id: int
    version_id: int
    code: str
    name: str
    category: str
    time_limit_text: str
    fee: str
    version_no: int
    material_count: int
    active: bool


@dataclass(frozen=True, slots=True)
class ServiceItemDetail:
    """A whole catalogue version, for the detail view and the editor."""

    item_id: int
    version_id: int
    code: str
    version_no: int
    current_version_no: int
    active: bool
    draft: ServiceItemDraft
    time_limit_text: str
    change_note: str
    created_at: dt.datetime
    created_by: str


@dataclass(frozen=True, slots=True)
class VersionRow:
    """One version in a matter's history."""

    version_id: int
    version_no: int
    name: str
    created_at: dt.datetime
    created_by: str
    change_note: str


@dataclass(frozen=True, slots=True)
class HolidayRow:
    """A station-entered holiday or make-up working day."""

    day: dt.date
    is_workday: bool
    name: str
    station_entered: bool = True


@dataclass(frozen=True, slots=True)
class DueDate:
    """A deadline and the years for which it assumed a plain Monday–Friday week."""

    due: dt.date
    assumed_years: tuple[int, ...] = ()

    @property
    def warning(self) -> str:
        """A Chinese sentence when the calendar had to guess, else an empty string."""
        if not self.assumed_years:
            return ""
        years = "、".join(f"{y}年" for y in self.assumed_years)
        return (
            f"{years}的节假日安排尚未录入完整，已按周一至周五工作日估算，"
            "请在“节假日设置”中补录并确认。"
        )


@dataclass(frozen=True, slots=True)
class CalendarCoverage:
    """Which years the working-day calendar knows."""

    library_first_year: int
    library_last_year: int
    override_years: tuple[int, ...]
    confirmed_years: tuple[int, ...] = ()
    published_years: tuple[int, ...] = ()  # shipped in resources/holidays.json

    def builtin(self, year: int) -> bool:
        """Whether the program itself (library or shipped file) holds ``year``'s schedule."""
        return (
            self.library_first_year <= year <= self.library_last_year
            or year in self.published_years
        )

    def knows(self, year: int) -> bool:
        """Whether deadlines in ``year`` can be counted without guessing."""
        return self.builtin(year) or year in self.confirmed_years

    @property
    def builtin_last_year(self) -> int:
        """The last year the program itself holds."""
        return max((self.library_last_year, *self.published_years))


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One audit event as listed."""

    id: int
    at: dt.datetime
    officer: str
    action: str
    entity_type: str
    entity_id: str


@dataclass(frozen=True, slots=True)
class CheckReport:
    """Outcome of ``stationdesk check``."""

    ok: bool
    lines: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class OpenMatterRow:
    """An open matter of an officer about to leave, for the plan of who takes it over."""

    visit_id: int
    serial: str
    service_name: str
    citizen_masked: str
    status: VisitStatus
    due_date: dt.date | None
    pending_to_id: int | None  # a handover the officer already offered, still waiting
    pending_to_name: str


@dataclass(frozen=True, slots=True)
class DepartureDetail:
    """What deactivating an officer involves: their open matters and who may take them."""

    officer: OfficerRow
    matters: tuple[OpenMatterRow, ...]
    colleagues: tuple[tuple[int, str], ...]  # (officer id, label), active case handlers
    may_reassign: bool  # whether the caller may decide who takes the matters over


@dataclass(frozen=True, slots=True)
class BackupResult:
    """A backup written and checked: where, how big, its SHA-256, and the old ones rotated away."""

    path: Path
    size_bytes: int
    sha256: str
    reason: str
    at: dt.datetime
    removed: tuple[Path, ...] = ()


@dataclass(frozen=True, slots=True)
class BackupRow:
    """One backup on record (written or tried)."""

    at: dt.datetime
    reason: str
    path: str
    size_bytes: int
    sha256: str
    ok: bool
    note: str


@dataclass(frozen=True, slots=True)
class RestoreResult:
    """A database replaced by a backup: which, from what, and where the replaced one was kept."""

    location: str
    source: Path
    station_name: str
    station_code: str
    revision: str
    officer_name: str
    replaced: str | None  # the replaced database kept aside; None when there was none
