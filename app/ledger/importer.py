"""历史台账导入: a station's earlier Excel (or CSV) ledger read, checked row by row, imported.

A station that kept its 台账 in Excel brings a year of it in, so that history and statistics
start from day one. The rules:

- Only the chief and deputies (who sign the daily ledger) import.
- Every row is checked with the registration form's own checks (name for the document, ID
  number with its check digit, phone, summary length), plus what a ledger row must say: a
  date (an Excel date, 2025-03-01, 2025/3/1, 2025年3月1日), a matter of the catalogue (its
  name, a former name, or its code), the officer (name or 警号; unknown or two of one name is
  refused), a final result (办结, 引导, 不予受理, 咨询/答复) and who may give it (a refusal is an
  officer's decision, never an auxiliary's).
- Only days strictly before the first day the station registered in StationDesk itself (and
  before today) and not reviewed may be filled: an import never mixes with the counter's own
  records of a day, nor touches a signed one.
- All or nothing per file: a single rejected row and nothing is written; the report lists
  every rejected row with its column and the reason, the station fixes the sheet and imports
  again. A file imported before (same SHA-256) is refused, naming the earlier import.
- One transaction: the visits numbered gap-free in their year as at the counter, their
  history as the real flow would have it (登记 → 受理 → 办结, or 登记 → the final status) under
  the officer of the sheet, the ID number and phone sealed, a ``ledger_import_visits`` row
  per visit, the ``ledger_imports`` record, and each day it filled reviewed and locked by the
  importing supervisor (the ledger built by the review's own code, its hash real, signed
  with the signature given at the import): the chief is not reminded of a year of days, and
  ``stationdesk check`` verifies imported days as any other reviewed day.
- The rows are written in bulk (executemany), marked for sealing, so 50,000 rows take
  seconds, not minutes; the lookups are read once, never once per row.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import exists, func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from app.core import audit, numbering, text_limits
from app.core.clock import Clock
from app.core.dto import SessionUser
from app.core.errors import ConflictError, PermissionDenied, ValidationError
from app.core.identity import (
    ID_TYPE_LABELS,
    IdType,
    check_citizen_name,
    check_id,
    check_phone,
    mask_id,
    mask_name,
    mask_phone,
)
from app.core.roles import Permission, Role, allows
from app.core.service_base import ServiceBase
from app.core.validation import clean_text, code_text
from app.core.workdays import WorkingDayCalendar
from app.holidays.service import load_calendar
from app.ledger.dto import ReviewSignature
from app.ledger.service import LedgerService
from app.ratings.service import PNG_MAGIC
from app.visits.rules import CHANNEL_LABELS, STATUS_LABELS, Channel, VisitStatus
from app.visits.service import next_number, serial_for
from db.models import (
    Counter,
    DayReview,
    LedgerImport,
    LedgerImportVisit,
    Officer,
    ServiceItem,
    ServiceItemVersion,
    Station,
    Visit,
    VisitTransition,
)
from db.sealed import cipher_of

Progress = Callable[[int, int], None]

MAX_ROWS = 200_000
PREVIEW_ROWS = 20
NOT_KEPT = "（历史台账未记载）"
HEADER_SCAN_ROWS = 20
# How many rows go to the database in one executemany.
BATCH = 5_000


@dataclass(frozen=True, slots=True)
class ImportField:
    """One StationDesk field a column of the sheet may fill."""

    key: str
    label: str
    required: bool
    headers: tuple[str, ...]  # the headers it is guessed from, best first


FIELDS: tuple[ImportField, ...] = (
    ImportField("date", "日期", True, ("日期", "登记日期", "受理日期", "来访日期", "办理日期")),
    ImportField("time", "到达时间", False, ("时间", "到达时间", "来访时间", "登记时间")),
    ImportField(
        "citizen_name", "群众姓名", True, ("姓名", "群众姓名", "办事人", "办事群众", "来访人")
    ),
    ImportField("id_type", "证件类型", False, ("证件类型", "证件种类", "证件名称")),
    ImportField(
        "id_number",
        "证件号码",
        False,
        ("身份证号", "身份证号码", "证件号码", "证件号", "公民身份号码"),
    ),
    ImportField(
        "phone", "联系电话", False, ("电话", "联系电话", "手机", "手机号", "手机号码", "联系方式")
    ),
    ImportField(
        "matter", "办理事项", True, ("事项", "办理事项", "业务类型", "事项名称", "业务名称")
    ),
    ImportField("summary", "事由摘要", False, ("事由", "摘要", "事由摘要", "备注")),
    ImportField("result", "办理结果", True, ("结果", "办理结果", "状态", "办理情况", "办理状态")),
    ImportField(
        "officer",
        "经办民警",
        True,
        ("经办人", "经办民警", "承办民警", "首接民警", "接待民警", "民警", "警号"),
    ),
    ImportField("ended", "办结时间", False, ("办结时间", "办结日期", "完成时间")),
    ImportField("channel", "来访渠道", False, ("渠道", "来访渠道", "来访方式")),
)
FIELD_BY_KEY: dict[str, ImportField] = {f.key: f for f in FIELDS}

# The words a ledger writes for a final result, most telling first.
_NOT_FINISHED = ("未办结", "未办", "办理中", "在办", "受理中", "待补", "补材料", "补正")
_RESULT_WORDS: tuple[tuple[tuple[str, ...], VisitStatus], ...] = (
    (("不予受理", "不予办理", "不予"), VisitStatus.REFUSED),
    (("引导", "指引"), VisitStatus.GUIDED),
    (("办结", "已办", "办完", "完成"), VisitStatus.COMPLETED),
    (("咨询", "解答", "答复"), VisitStatus.ANSWERED),
)
_ID_TYPE_WORDS: tuple[tuple[str, IdType], ...] = (
    ("临时", IdType.TEMPORARY),
    ("身份证", IdType.RESIDENT),
    ("护照", IdType.PASSPORT),
    ("港澳", IdType.HK_MACAO),
    ("台湾", IdType.TAIWAN),
    ("台胞", IdType.TAIWAN),
    ("永久居留", IdType.FOREIGN_PR),
    ("永居", IdType.FOREIGN_PR),
    ("其他", IdType.OTHER),
)
_CHANNEL_WORDS: tuple[tuple[str, Channel], ...] = (
    *((label, channel) for channel, label in CHANNEL_LABELS.items()),
    ("来所", Channel.WINDOW),
    ("现场", Channel.WINDOW),
)

_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[\sT]*(\d{1,2})\s*[:：时点]\s*(\d{1,2})?\s*(?:[:：分]\s*(\d{1,2})?\s*秒?)?)?$"
)
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_TIME = re.compile(r"^(\d{1,2})\s*[:：时点]\s*(\d{1,2})?\s*(?:[:：分]\s*(\d{1,2})?\s*秒?)?$")
_BADGE_IN = re.compile(r"^(.*?)[\s(（/、,，]*([A-Za-z0-9]{3,20})[)）]?$")


# ---- what the service hands out -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImportSource:
    """A file as read: its sheets, the chosen sheet's header row and first rows, a guess.

    ``sample`` holds the first rows' cells as they are (full ID numbers among them): the UI
    shows them only through ``preview_rows``, which masks them as every list does.
    """

    path: Path
    file_name: str
    sheets: tuple[str, ...]
    sheet: str
    header_row: int  # 1-based, as Excel numbers its rows
    headers: tuple[str, ...]
    sample: tuple[tuple[int, tuple[Any, ...]], ...]  # (row number, cells)
    suggested: Mapping[str, int | None]


@dataclass(frozen=True, slots=True)
class PreviewRow:
    """One row as it will be imported (ID number and phone masked)."""

    row_no: int
    cells: tuple[str, ...]  # in the order of PREVIEW_COLUMNS


PREVIEW_COLUMNS = (
    "行号",
    "日期",
    "到达时间",
    "群众姓名",
    "证件号码",
    "联系电话",
    "办理事项",
    "办理结果",
    "导入后状态",
    "经办民警",
)


@dataclass(frozen=True, slots=True)
class RejectedRow:
    """Why one row (or one cell of it) cannot be imported."""

    row_no: int
    column: str
    reason: str


@dataclass(frozen=True, slots=True)
class ImportCheck:
    """Every row checked: how many would be imported, and every reason a row would not."""

    file_name: str
    sha256: str
    sheet: str
    rows_total: int
    accepted: int
    rejected_rows: int
    problems: tuple[RejectedRow, ...]
    date_from: dt.date | None
    date_to: dt.date | None
    days: int  # the days the import would fill (and lock)

    @property
    def ok(self) -> bool:
        """Whether the file may be imported: rows, and none rejected."""
        return self.rows_total > 0 and self.rejected_rows == 0


@dataclass(frozen=True, slots=True)
class ImportResult:
    """An import done: its number, what came in, the days locked."""

    number: str
    visits: int
    days: int
    date_from: dt.date
    date_to: dt.date
    first_serial: str
    last_serial: str


class ImportRejected(ValidationError):
    """The file has rejected rows: nothing was imported; ``check`` says which and why."""

    def __init__(self, check: ImportCheck) -> None:
        super().__init__(
            f"有 {check.rejected_rows} 行未通过检查，未导入任何记录（整份文件要么全部导入，"
            "要么都不导入）。请按检查报告修改表格后重新导入。",
            "file",
        )
        self.check = check


# ---- reading a file -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Table:
    sheets: tuple[str, ...]
    sheet: str
    rows: list[tuple[int, tuple[Any, ...]]]  # every row with a value, by row number


def _normal(text: str) -> str:
    """A header or a name as compared: NFKC, no spaces, no required-field star."""
    return re.sub(r"[\s*＊]", "", unicodedata.normalize("NFKC", text))


def _load(data: bytes, suffix: str, sheet: str | None, limit: int | None) -> _Table:
    """The rows of ``sheet`` (the first when None), up to ``limit`` rows with a value."""
    if suffix == ".csv":
        return _load_csv(data, limit)
    if suffix == ".xls":
        raise ValidationError(
            "不支持旧版 Excel（.xls）文件：请在 Excel 中“另存为” .xlsx 或 .csv 后再导入。", "file"
        )
    if suffix not in (".xlsx", ".xlsm"):
        raise ValidationError("只能导入 Excel（.xlsx）或 CSV（.csv）文件。", "file")
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, TypeError):
        raise ValidationError(
            "无法读取该文件：不是有效的 Excel（.xlsx）文件，或文件已损坏。", "file"
        ) from None
    try:
        names = tuple(book.sheetnames)
        chosen = sheet if sheet else names[0]
        if chosen not in names:
            raise ValidationError(f"文件中没有名为“{chosen}”的工作表。", "sheet")
        rows: list[tuple[int, tuple[Any, ...]]] = []
        for number, values in enumerate(book[chosen].iter_rows(values_only=True), 1):
            if any(v is not None and str(v).strip() for v in values):
                rows.append((number, tuple(values)))
                if limit is not None and len(rows) >= limit:
                    break
                if len(rows) > MAX_ROWS + HEADER_SCAN_ROWS:
                    break
        return _Table(names, chosen, rows)
    finally:
        book.close()


def _load_csv(data: bytes, limit: int | None) -> _Table:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise ValidationError("无法识别该 CSV 文件的编码（应为 UTF-8 或 GBK）。", "file")
    rows: list[tuple[int, tuple[Any, ...]]] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for number, values in enumerate(reader, 1):
            if any(v.strip() for v in values):
                rows.append((number, tuple(v if v.strip() else None for v in values)))
                if limit is not None and len(rows) >= limit:
                    break
                if len(rows) > MAX_ROWS + HEADER_SCAN_ROWS:
                    break
    except csv.Error:
        raise ValidationError("无法读取该 CSV 文件：格式有误（引号不成对等）。", "file") from None
    return _Table(("CSV",), "CSV", rows)


def _read_bytes(path: Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise ValidationError(f"找不到文件：{path}", "file") from None
    except IsADirectoryError:
        raise ValidationError(f"“{path}”是一个文件夹，请选择台账文件。", "file") from None
    except OSError:
        raise ValidationError(
            f"无法打开文件“{path}”：没有读取权限，或文件正被其他程序占用。", "file"
        ) from None


def _header_index(rows: Sequence[tuple[int, tuple[Any, ...]]]) -> int:
    """Which of the first rows is the header: the one naming most known fields."""
    known = {_normal(h) for f in FIELDS for h in f.headers}
    best, best_score = 0, 0
    for index, (_number, values) in enumerate(rows[:HEADER_SCAN_ROWS]):
        score = sum(1 for v in values if v is not None and _normal(str(v)) in known)
        if score > best_score:
            best, best_score = index, score
    return best if best_score >= 2 else 0


def guess_mapping(headers: Sequence[str]) -> dict[str, int | None]:
    """Each field's column from common Chinese headers: exact names first, then a header
    that contains one (姓名（必填）); a column serves one field only."""
    names = [_normal(h) for h in headers]
    found: dict[str, int | None] = {f.key: None for f in FIELDS}
    used: set[int] = set()
    for exact in (True, False):
        for spec in FIELDS:
            if found[spec.key] is not None:
                continue
            for alias in spec.headers:
                want = _normal(alias)
                column = next(
                    (
                        i
                        for i, name in enumerate(names)
                        if i not in used and name and (name == want if exact else want in name)
                    ),
                    None,
                )
                if column is not None:
                    found[spec.key] = column
                    used.add(column)
                    break
    return found


def _headers(values: tuple[Any, ...]) -> tuple[str, ...]:
    return tuple(_cell_text(v) or f"第{_column_letter(i)}列" for i, v in enumerate(values))


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


# ---- cells ----------------------------------------------------------------------------------


def _cell_text(value: Any) -> str:
    """A cell as text: whole numbers without .0, dates as 2025-03-01."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        if value.time() == dt.time():
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    return str(value).strip()


def _excel_serial(number: float) -> dt.datetime | None:
    if not 1 <= number < 2_958_466:
        return None
    from openpyxl.utils.datetime import from_excel

    value = from_excel(number)
    return value if isinstance(value, dt.datetime) else None


def parse_date(value: Any) -> tuple[dt.date, dt.time | None] | None:
    """A ledger's date (and a time if the cell has one): an Excel date or serial number,
    2025-03-01, 2025/3/1, 2025.3.1, 2025年3月1日, 20250301; None when it is none of these."""
    if isinstance(value, dt.datetime):
        return value.date(), (value.time() if value.time() != dt.time() else None)
    if isinstance(value, dt.date):
        return value, None
    if isinstance(value, int | float) and not isinstance(value, bool):
        if _COMPACT_DATE.match(str(int(value))) and value == int(value):
            return parse_date(str(int(value)))
        stamp = _excel_serial(float(value))
        if stamp is None:
            return None
        return stamp.date(), (stamp.time() if stamp.time() != dt.time() else None)
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    match = _DATE.match(text) or _COMPACT_DATE.match(text)
    if match is None:
        return None
    groups = match.groups()
    try:
        day = dt.date(int(groups[0]), int(groups[1]), int(groups[2]))
        time = None
        if len(groups) > 3 and groups[3] is not None:
            time = dt.time(int(groups[3]), int(groups[4] or 0), int(groups[5] or 0))
    except ValueError:
        return None
    return day, time


def parse_time(value: Any) -> dt.time | None:
    """A time of day: an Excel time, a day fraction, 9:30, 09:30:00, 9时30分, 9点30."""
    if isinstance(value, dt.datetime):
        return value.time()
    if isinstance(value, dt.time):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 0 <= value < 1:
            seconds = round(float(value) * 86400)
            return dt.time(min(seconds // 3600, 23), seconds % 3600 // 60, seconds % 60)
        return None
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    match = _TIME.match(text)
    if match is None:
        return None
    try:
        return dt.time(int(match[1]), int(match[2] or 0), int(match[3] or 0))
    except ValueError:
        return None


def status_of(text: str) -> VisitStatus | None:
    """The final status a ledger's result words mean; None for anything else."""
    plain = _normal(text)
    if not plain or any(word in plain for word in _NOT_FINISHED):
        return None
    for words, status in _RESULT_WORDS:
        if any(word in plain for word in words):
            return status
    return None


def _id_type_of(text: str) -> IdType | None:
    plain = _normal(text)
    if not plain:
        return IdType.RESIDENT
    for id_type, label in ID_TYPE_LABELS.items():
        if plain == label:
            return id_type
    return next((t for word, t in _ID_TYPE_WORDS if word in plain), None)


def _channel_of(text: str) -> Channel | None:
    plain = _normal(text)
    if not plain:
        return Channel.WINDOW
    return next((c for word, c in _CHANNEL_WORDS if word in plain), None)


# ---- what a row must match: read once per check -----------------------------------------


@dataclass(frozen=True, slots=True)
class _Matter:
    item_id: int
    code: str
    active: bool
    versions: tuple[tuple[int, dt.datetime, str, int, str], ...]  # id, created, name, limit, unit

    def version_at(self, at: dt.datetime) -> tuple[int, dt.datetime, str, int, str]:
        """The version in force at ``at``; the first one for a visit before any was saved."""
        in_force = [v for v in self.versions if v[1] <= at]
        return in_force[-1] if in_force else self.versions[0]


@dataclass(frozen=True, slots=True)
class _Officer:
    id: int
    name: str
    badge_no: str
    role: Role


@dataclass
class _Context:
    station: Station
    tz: ZoneInfo
    now: dt.datetime
    today: dt.date
    first_own_day: dt.date | None  # the first day registered in StationDesk itself
    reviewed: set[dt.date]
    matters: dict[str, list[_Matter]]  # name or code (normalised) → matters
    officers_by_badge: dict[str, _Officer]
    officers_by_name: dict[str, list[_Officer]]

    @property
    def cutoff(self) -> dt.date:
        """Days strictly before this may be imported."""
        return min(self.first_own_day, self.today) if self.first_own_day else self.today


def _context(session: Session, now: dt.datetime) -> _Context:
    station = session.get(Station, 1)
    if station is None:
        raise ValidationError("本数据库尚未初始化，请先完成首次设置。")
    tz = ZoneInfo(station.timezone)
    imported = exists().where(LedgerImportVisit.visit_id == Visit.id)
    first_own = session.scalar(select(func.min(Visit.local_date)).where(~imported))
    reviewed = set(session.scalars(select(DayReview.day)))
    versions: dict[int, list[tuple[int, dt.datetime, str, int, str]]] = defaultdict(list)
    for vid, item_id, created, name, limit, unit in session.execute(
        select(
            ServiceItemVersion.id,
            ServiceItemVersion.item_id,
            ServiceItemVersion.created_at,
            ServiceItemVersion.name,
            ServiceItemVersion.time_limit_value,
            ServiceItemVersion.time_limit_unit,
        ).order_by(ServiceItemVersion.item_id, ServiceItemVersion.version_no)
    ):
        versions[item_id].append((vid, created, name, limit, unit))
    matters: dict[str, list[_Matter]] = defaultdict(list)
    for item_id, code, active in session.execute(
        select(ServiceItem.id, ServiceItem.code, ServiceItem.active)
    ):
        if not versions[item_id]:
            continue
        matter = _Matter(item_id, code, active, tuple(versions[item_id]))
        keys = {_normal(code).upper()} | {_normal(v[2]) for v in matter.versions}
        for key in keys:
            matters[key].append(matter)
    by_badge: dict[str, _Officer] = {}
    by_name: dict[str, list[_Officer]] = defaultdict(list)
    for oid, name, badge, role in session.execute(
        select(Officer.id, Officer.name, Officer.badge_no, Officer.role)
    ):
        officer = _Officer(oid, name, badge, Role(role))
        by_badge[badge.upper()] = officer
        by_name[_normal(name)].append(officer)
    return _Context(
        station,
        tz,
        now,
        now.astimezone(tz).date(),
        first_own,
        reviewed,
        dict(matters),
        by_badge,
        dict(by_name),
    )


# ---- checking rows --------------------------------------------------------------------------


@dataclass
class _Row:
    """One row checked: its values ready to write, or its problems."""

    row_no: int
    problems: list[tuple[str, str]] = field(default_factory=list)  # (field key, reason)
    day: dt.date | None = None
    arrived: dt.datetime | None = None
    ended: dt.datetime | None = None
    citizen_name: str = ""
    id_type: IdType = IdType.RESIDENT
    id_number: str = ""
    phone: str = ""
    matter: _Matter | None = None
    summary: str = ""
    result: str = ""
    status: VisitStatus | None = None
    officer: _Officer | None = None
    channel: Channel = Channel.WINDOW

    def fail(self, key: str, reason: str) -> None:
        self.problems.append((key, reason))


def _checked(call: Callable[[], Any], row: _Row, key: str) -> Any:
    try:
        return call()
    except ValidationError as error:
        for message in getattr(error, "errors", (error,)):
            row.fail(key, message.message)
        return None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_row(ctx: _Context, row_no: int, cells: Mapping[str, Any]) -> _Row:
    """One row against the form's checks and the ledger's rules; nothing read from the file
    or the database here (the context holds the lookups)."""
    row = _Row(row_no)
    text = {key: _cell_text(value) for key, value in cells.items()}
    # The document and the channel first: the name and the number are checked for them.
    _check_document_and_channel(row, text)
    _check_date(ctx, row, cells, text)
    _check_citizen(ctx, row, cells, text)
    _check_matter(ctx, row, text)
    _check_result(row, text)
    _check_officer(ctx, row, text)
    # When it was finished, if the sheet says.
    if text.get("ended") and row.arrived is not None:
        row.ended = _ended(ctx, cells.get("ended"), text["ended"], row)
    return row


def _check_document_and_channel(row: _Row, text: Mapping[str, str]) -> None:
    """The type of the citizen's document and the visit's channel."""
    id_type = _id_type_of(text.get("id_type", ""))
    if id_type is None:
        known = "、".join(ID_TYPE_LABELS.values())
        row.fail("id_type", f"证件类型“{text['id_type']}”无法识别（可写：{known}）。")
    row.id_type = id_type or IdType.RESIDENT
    channel = _channel_of(text.get("channel", ""))
    if channel is None:
        known = "、".join(CHANNEL_LABELS.values())
        row.fail("channel", f"来访渠道“{text['channel']}”无法识别（可写：{known}）。")
    row.channel = channel or Channel.WINDOW


def _check_date(
    ctx: _Context, row: _Row, cells: Mapping[str, Any], text: Mapping[str, str]
) -> None:
    """The date, the day's rules, the arrival time."""
    raw_date = cells.get("date")
    parsed = parse_date(raw_date) if text.get("date") else None
    if not text.get("date"):
        row.fail("date", "请填写日期。")
    elif parsed is None:
        row.fail(
            "date",
            f"日期“{text['date']}”无法识别（可写 2025-03-01、2025/3/1 或 2025年3月1日）。",
        )
    else:
        day, time_in_date = parsed
        row.day = day
        _check_day(ctx, row, day)
        time = time_in_date
        if text.get("time"):
            time = parse_time(cells.get("time"))
            if time is None:
                row.fail("time", f"到达时间“{text['time']}”无法识别（可写 9:30 或 09:30:00）。")
        row.arrived = dt.datetime.combine(day, time or dt.time(), ctx.tz)


def _check_day(ctx: _Context, row: _Row, day: dt.date) -> None:
    """A day that may be imported: before the station's own first day and today, not yet
    reviewed, not implausibly early."""
    if day > ctx.today:
        row.fail("date", f"日期 {day.isoformat()} 晚于今天。")
    elif day >= ctx.cutoff:
        if ctx.first_own_day is not None and ctx.first_own_day <= ctx.today:
            row.fail(
                "date",
                f"日期 {day.isoformat()} 不早于本所开始在本系统登记的第一天"
                f"（{ctx.first_own_day.isoformat()}）：只能导入此前的历史台账。",
            )
        else:
            row.fail("date", "只能导入昨天及以前的台账（今天的来访请在登记页登记）。")
    elif day in ctx.reviewed:
        row.fail("date", f"{day.isoformat()} 的台账已审核锁定，不能再导入该日的记录。")
    elif day.year < 2000:
        row.fail("date", f"日期 {day.isoformat()} 过早，请核对。")


def _check_citizen(
    ctx: _Context, row: _Row, cells: Mapping[str, Any], text: Mapping[str, str]
) -> None:
    """The citizen, as the registration form checks them."""
    name = _checked(lambda: check_citizen_name(row.id_type, text.get("citizen_name", "")), row,
                    "citizen_name")  # fmt: skip
    row.citizen_name = name or ""
    raw_number = cells.get("id_number")
    if _is_number(raw_number) and len(_cell_text(raw_number)) >= 16:
        row.fail(
            "id_number",
            "证件号码在 Excel 中存成了数字，末几位已经丢失：请把该列设为“文本”格式，"
            "核对号码后重新导入。",
        )
    elif text.get("id_number") or row.channel is not Channel.PHONE:
        on = row.day if row.day is not None and row.day <= ctx.today else ctx.today
        checked = _checked(
            lambda: check_id(row.id_type, text.get("id_number", ""), on), row, "id_number"
        )
        row.id_number = checked.number if checked is not None else ""
    phone = _checked(
        lambda: check_phone(text.get("phone", ""), required=row.channel is Channel.PHONE),
        row,
        "phone",
    )
    row.phone = phone or ""


def _check_matter(ctx: _Context, row: _Row, text: Mapping[str, str]) -> None:
    """The matter, in the catalogue; the summary as the form takes it."""
    matter_text = text.get("matter", "")
    if not matter_text:
        row.fail("matter", "请填写办理事项。")
    else:
        found = ctx.matters.get(_normal(matter_text)) or ctx.matters.get(
            _normal(matter_text).upper(), []
        )
        if not found:
            row.fail(
                "matter",
                f"服务事项目录中没有“{matter_text}”：请写目录中的事项名称或编码"
                "（如 居民身份证申领（首次） 或 SFZ-SL）。",
            )
        elif len(found) > 1:
            codes = "、".join(sorted(m.code for m in found))
            row.fail("matter", f"“{matter_text}”对应多个事项（{codes}），请写事项编码。")
        elif not found[0].active:
            row.fail("matter", f"事项“{matter_text}”已停用，请改写在用的事项或先在目录中启用。")
        else:
            row.matter = found[0]
    row.summary = (
        _checked(
            lambda: clean_text(
                text.get("summary", ""),
                field="summary",
                label="事由摘要",
                max_len=text_limits.SUMMARY,
                required=False,
            ),
            row,
            "summary",
        )
        or ""
    )


def _check_result(row: _Row, text: Mapping[str, str]) -> None:
    """The result, as a final status."""
    result_text = _checked(
        lambda: clean_text(
            text.get("result", ""), field="result", label="办理结果", max_len=text_limits.NOTE
        ),
        row,
        "result",
    )
    if result_text:
        row.result = result_text
        row.status = status_of(result_text)
        if row.status is None:
            row.fail(
                "result",
                f"办理结果“{result_text}”不是已办完的结果：历史台账只导入已办结、已引导、"
                "不予受理或咨询答复的事项（可写 办结、引导、不予受理、咨询）。",
            )


def _check_officer(ctx: _Context, row: _Row, text: Mapping[str, str]) -> None:
    """The officer, by 警号 or name, who may have given that result."""
    officer_text = text.get("officer", "")
    if not officer_text:
        row.fail("officer", "请填写经办民警（姓名或警号）。")
    else:
        row.officer = _find_officer(ctx, officer_text, row)
    if row.officer is not None:
        role = row.officer.role
        if not allows(role, Permission.HANDLE_VISITS):
            row.fail(
                "officer",
                f"{row.officer.name}（{role.label}）不办理窗口事项，请写实际经办的民警。",
            )
        elif row.status is VisitStatus.REFUSED and not allows(role, Permission.REFUSE_VISITS):
            row.fail(
                "officer",
                f"不予受理须由民警作出，{row.officer.name}是{role.label}，请写作出决定的民警。",
            )


def _find_officer(ctx: _Context, text: str, row: _Row) -> _Officer | None:
    plain = unicodedata.normalize("NFKC", text).strip()
    badge = ctx.officers_by_badge.get(code_text(plain).upper())
    if badge is not None:
        return badge
    match = _BADGE_IN.match(plain)
    if match is not None and match[2]:
        badge = ctx.officers_by_badge.get(match[2].upper())
        if badge is not None:
            return badge
    named = ctx.officers_by_name.get(_normal(plain), [])
    if len(named) == 1:
        return named[0]
    if len(named) > 1:
        badges = "、".join(o.badge_no for o in named)
        row.fail("officer", f"有 {len(named)} 位民警叫“{plain}”（警号 {badges}），请写警号。")
        return None
    row.fail(
        "officer",
        f"人员名单中没有“{plain}”：请写民警的姓名或警号；已调离的民警请先在人员管理中"
        "添加并停用其账号。",
    )
    return None


def _ended(ctx: _Context, value: Any, text: str, row: _Row) -> dt.datetime | None:
    arrived = row.arrived
    assert arrived is not None
    parsed = parse_date(value)
    if parsed is None:
        row.fail("ended", f"办结时间“{text}”无法识别（可写 2025-03-01 10:30）。")
        return None
    day, time = parsed
    if time is None:
        # A day without a time: the arrival's time on the same day, else the day's start.
        ended = arrived if day == arrived.date() else dt.datetime.combine(day, dt.time(), ctx.tz)
    else:
        ended = dt.datetime.combine(day, time, ctx.tz)
    if ended < arrived:
        row.fail("ended", "办结时间早于到达时间。")
    elif ended > ctx.now:
        row.fail("ended", "办结时间晚于现在。")
    elif day >= ctx.cutoff:
        row.fail(
            "ended",
            f"办结日期 {day.isoformat()} 已在本所开始使用本系统之后：该事项请在系统中补登记办理。",
        )
    elif day in ctx.reviewed:
        row.fail("ended", f"办结日期 {day.isoformat()} 的台账已审核锁定。")
    else:
        return ended
    return None


# ---- the service ----------------------------------------------------------------------------


def _mapping(mapping: Mapping[str, int | None], width: int) -> dict[str, int]:
    """The mapping checked: required fields present, columns inside the sheet, none twice."""
    unknown = set(mapping) - set(FIELD_BY_KEY)
    if unknown:
        raise ValueError(f"unknown import fields {sorted(unknown)}")
    chosen = {k: v for k, v in mapping.items() if v is not None}
    for spec in FIELDS:
        if spec.required and spec.key not in chosen:
            raise ValidationError(f"请为“{spec.label}”选择表格中的一列。", spec.key)
    if "id_number" not in chosen and "channel" not in chosen:
        raise ValidationError(
            "请为“证件号码”选择表格中的一列（只有电话来访可以不填证件号码）。", "id_number"
        )
    seen: dict[int, str] = {}
    for key, column in chosen.items():
        if not 0 <= column < width:
            raise ValidationError(f"“{FIELD_BY_KEY[key].label}”所选的列不在表格中。", key)
        if column in seen:
            raise ValidationError(
                f"同一列不能同时作为“{FIELD_BY_KEY[seen[column]].label}”"
                f"和“{FIELD_BY_KEY[key].label}”。",
                key,
            )
        seen[column] = key
    return chosen


def preview_rows(source: ImportSource, mapping: Mapping[str, int | None]) -> list[PreviewRow]:
    """The first rows as they will be imported: dates read, result as a status, the ID
    number and phone masked (as every list shows them)."""
    rows = []
    for row_no, values in source.sample:

        def cell(key: str, values: tuple[Any, ...] = values) -> Any:
            column = mapping.get(key)
            return values[column] if column is not None and column < len(values) else None

        date_text = _cell_text(cell("date"))
        parsed = parse_date(cell("date")) if date_text else None
        time = parse_time(cell("time")) if _cell_text(cell("time")) else None
        if time is None and parsed is not None:
            time = parsed[1]
        number = _cell_text(cell("id_number")).upper()
        phone = re.sub(r"[^\d转]", "", _cell_text(cell("phone")))
        result = _cell_text(cell("result"))
        status = status_of(result)
        rows.append(
            PreviewRow(
                row_no,
                (
                    str(row_no),
                    parsed[0].isoformat()
                    if parsed
                    else f"（无法识别：{_cell_text(cell('date'))}）",
                    time.strftime("%H:%M") if time else "",
                    mask_name(_cell_text(cell("citizen_name"))),
                    mask_id(number) if number else "",
                    mask_phone(phone) if phone else "",
                    _cell_text(cell("matter")),
                    result,
                    STATUS_LABELS[status] if status else "（无法导入）",
                    _cell_text(cell("officer")),
                ),
            )
        )
    return rows


def write_report(check: ImportCheck, path: Path) -> Path:
    """The rejected rows as .xlsx or .csv (row, column, reason), written whole or not at all.

    It names rows and columns, never the citizens' data: it can be handed round to fix the
    sheet.
    """
    from app.exports.files import check_target, write_atomically

    suffix = Path(path).suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise ValidationError("检查报告只能保存为 Excel（.xlsx）或 CSV（.csv）文件。", "path")
    target = check_target(Path(path), suffix, "检查报告")
    heading = (
        f"历史台账导入检查报告：{check.file_name}（工作表 {check.sheet}）",
        f"共 {check.rows_total} 行，可导入 {check.accepted} 行，未通过 {check.rejected_rows} 行。",
    )
    rows = [(p.row_no, p.column, p.reason) for p in check.problems]
    if suffix == ".csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        for line in heading:
            writer.writerow([line])
        writer.writerow(["行号", "列", "原因"])
        writer.writerows(rows)
        write_atomically(target, ("\ufeff" + out.getvalue()).encode("utf-8"))
    else:
        from app.exports.xlsx import Sheet, SheetColumn, write_workbook

        columns = (
            SheetColumn("行号", fmt="count", width=8),
            SheetColumn("列", width=16),
            SheetColumn("原因", width=80, wrap=True),
        )
        write_workbook(
            target,
            [Sheet("检查报告", columns, tuple(rows), heading=heading)],
            title="历史台账导入检查报告",
        )
    return target


class LedgerImportService(ServiceBase):
    """Read, check and import an earlier ledger; the chief and deputies only."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock) -> None:
        super().__init__(sessions, clock)
        # The last file parsed, by its SHA-256, suffix and sheet: a year's sheet takes
        # seconds to parse, and the import right after its check need not parse it again.
        self._parsed_file: tuple[tuple[str, str, str], _Table] | None = None

    def read(self, user: SessionUser, path: Path, sheet: str | None = None) -> ImportSource:
        """The file's sheets, the header row of ``sheet`` (the first by default), its first
        rows and a suggested mapping."""
        with self._sessions.begin() as session:
            self._supervisor(session, user)
        path = Path(path)
        data = _read_bytes(path)
        table = _load(data, path.suffix.lower(), sheet, HEADER_SCAN_ROWS + PREVIEW_ROWS)
        if not table.rows:
            raise ValidationError(f"工作表“{table.sheet}”是空的。", "sheet")
        head = _header_index(table.rows)
        header_no, header_values = table.rows[head]
        headers = _headers(header_values)
        sample = tuple(
            (n, tuple(v) + (None,) * (len(headers) - len(v)))
            for n, v in table.rows[head + 1 : head + 1 + PREVIEW_ROWS]
        )
        return ImportSource(
            path, path.name, table.sheets, table.sheet, header_no, headers, sample,
            guess_mapping(headers),
        )  # fmt: skip

    def check(
        self,
        user: SessionUser,
        path: Path,
        sheet: str | None,
        mapping: Mapping[str, int | None],
        progress: Progress | None = None,
    ) -> ImportCheck:
        """Every row checked as the import would; nothing is written."""
        parsed = self._parse(path, sheet, mapping)
        with self._sessions.begin() as session:
            self._supervisor(session, user)
            self._refuse_repeat(session, parsed.sha256)
            ctx = _context(session, self._clock.now())
        check, _rows = _check_all(parsed, ctx, progress)
        return check

    def import_(
        self,
        user: SessionUser,
        path: Path,
        sheet: str | None,
        mapping: Mapping[str, int | None],
        signature: ReviewSignature,
        progress: Progress | None = None,
    ) -> ImportResult:
        """Check again and, if no row is rejected, import every row in one transaction, each
        day it fills reviewed and locked under ``signature`` (the importer's, on the pad).

        A rejected row: ImportRejected (with the check), and nothing is written.
        """
        if not any(len(s) >= 2 for s in signature.strokes) or not signature.png.startswith(
            PNG_MAGIC
        ):
            raise ValidationError("请在签字板上签名确认导入后再导入。", "signature")
        parsed = self._parse(path, sheet, mapping)
        with self._writing() as session:
            actor = self._supervisor(session, user)
            self._refuse_repeat(session, parsed.sha256)
            now = self._clock.now()
            ctx = _context(session, now)
            check, rows = _check_all(parsed, ctx, None)
            if not check.ok:
                if check.rows_total == 0:
                    raise ValidationError("表格中没有可导入的数据行。", "file")
                raise ImportRejected(check)
            return _write(
                session, LedgerService(self._sessions, self._clock), actor, ctx, parsed, check,
                rows, signature, progress,
            )  # fmt: skip

    # ---- internals -----------------------------------------------------------------------

    def _supervisor(self, session: Session, user: SessionUser) -> Officer:
        actor = self._officer(session, user)
        if not allows(Role(actor.role), Permission.VIEW_ALL_VISITS):
            raise PermissionDenied(
                f"{Role(actor.role).label}不能导入历史台账：历史台账由所长或副所长导入。"
            )
        return actor

    @staticmethod
    def _refuse_repeat(session: Session, sha256: str) -> None:
        earlier = session.execute(
            select(LedgerImport.number, LedgerImport.at).where(LedgerImport.file_sha256 == sha256)
        ).first()
        if earlier is not None:
            raise ConflictError(
                f"该文件已于 {earlier.at.date().isoformat()} 导入过（导入编号 {earlier.number}），"
                "不能重复导入。"
            )

    def _parse(self, path: Path, sheet: str | None, mapping: Mapping[str, int | None]) -> _Parsed:
        """The file's rows: read again for every call (the file may have been fixed), but
        parsed only when its bytes changed (the import right after the check reuses them)."""
        path = Path(path)
        data = _read_bytes(path)
        key = (hashlib.sha256(data).hexdigest(), path.suffix.lower(), sheet or "")
        cached = self._parsed_file
        if cached is not None and cached[0] == key:
            table = cached[1]
        else:
            table = _load(data, path.suffix.lower(), sheet, None)
            self._parsed_file = (key, table)
        if not table.rows:
            raise ValidationError(f"工作表“{table.sheet}”是空的。", "sheet")
        head = _header_index(table.rows)
        headers = _headers(table.rows[head][1])
        chosen = _mapping(mapping, len(headers))
        body = table.rows[head + 1 :]
        if len(body) > MAX_ROWS:
            raise ValidationError(
                f"表格超过 {MAX_ROWS:,} 行，请按年份或月份拆成几个文件分别导入。", "file"
            )
        return _Parsed(path.name, key[0], table.sheet, headers, chosen, body)


@dataclass(frozen=True, slots=True)
class _Parsed:
    file_name: str
    sha256: str
    sheet: str
    headers: tuple[str, ...]
    mapping: dict[str, int]
    rows: list[tuple[int, tuple[Any, ...]]]

    def column(self, key: str) -> str:
        """The sheet's name for the column of ``key`` (the field's name if unmapped)."""
        index = self.mapping.get(key)
        return self.headers[index] if index is not None else FIELD_BY_KEY[key].label


def _check_all(
    parsed: _Parsed, ctx: _Context, progress: Progress | None
) -> tuple[ImportCheck, list[_Row]]:
    rows: list[_Row] = []
    problems: list[RejectedRow] = []
    total = len(parsed.rows)
    columns = list(parsed.mapping.items())
    for index, (row_no, values) in enumerate(parsed.rows):
        cells = {key: values[i] if i < len(values) else None for key, i in columns}
        row = _check_row(ctx, row_no, cells)
        rows.append(row)
        problems.extend(RejectedRow(row_no, parsed.column(k), r) for k, r in row.problems)
        if progress is not None and index % 2000 == 0:
            progress(index, total)
    rejected = sum(1 for r in rows if r.problems)
    days = {r.day for r in rows if r.day is not None and not r.problems}
    days |= {r.ended.astimezone(ctx.tz).date() for r in rows if r.ended and not r.problems}
    dates = [r.day for r in rows if r.day is not None]
    check = ImportCheck(
        parsed.file_name,
        parsed.sha256,
        parsed.sheet,
        total,
        total - rejected,
        rejected,
        tuple(problems),
        min(dates) if dates else None,
        max(dates) if dates else None,
        len(days),
    )
    return check, rows


def _reserve(session: Session, kind: str, year: int, count: int) -> int:
    """``count`` gap-free numbers of ``kind`` in ``year`` at once (as ``next_number`` gives
    one): the first of them."""
    counter, highest = numbering.counter_and_highest(session, kind, year)
    if counter is None:
        counter = Counter(kind=kind, year=year, last_no=0)
        session.add(counter)
    if counter.last_no < highest:
        numbering.repair_forward(session, counter, highest)
    first = counter.last_no + 1
    counter.last_no += count
    session.flush()
    return first


class _DueDates:
    """Due dates at acceptance, as ``accept_visit`` computes them, each computed once."""

    def __init__(self, calendar: WorkingDayCalendar) -> None:
        self._calendar = calendar
        self._known: dict[tuple[dt.date, int, str], tuple[dt.date, bool]] = {}

    def due(self, start: dt.date, days: int, unit: str) -> tuple[dt.date, bool]:
        """The due date of a matter accepted on ``start`` and whether a year was assumed."""
        key = (start, days, unit)
        found = self._known.get(key)
        if found is None:
            calendar = self._calendar
            if unit == "working_days":
                due = calendar.add_working_days(start, days)
            elif unit == "calendar_days":
                due = calendar.add_calendar_days(start, days)
            else:
                due = calendar.add_calendar_days(start, 0)
            found = self._known[key] = (due.due, bool(due.assumed_years))
        return found


def _chunks(items: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _insert(session: Session, model: type[Any], rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` in batches of plain executemany: no ORM object, no RETURNING."""
    table = model.__table__
    for chunk in _chunks(rows):
        session.execute(insert(table), list(chunk))


def _write(
    session: Session,
    ledgers: LedgerService,
    actor: Officer,
    ctx: _Context,
    parsed: _Parsed,
    check: ImportCheck,
    rows: list[_Row],
    signature: ReviewSignature,
    progress: Progress | None,
) -> ImportResult:
    record = _import_record(session, actor, ctx, parsed, check, rows)
    number = record.number
    # Numbers: gap-free in each year, in the order the citizens came.
    ordered = sorted(rows, key=lambda r: (r.arrived, r.row_no))
    by_year: dict[int, list[_Row]] = defaultdict(list)
    for row in ordered:
        assert row.arrived is not None
        by_year[row.arrived.year].append(row)
    first_seq = {y: _reserve(session, "visit", y, len(rs)) for y, rs in sorted(by_year.items())}
    visit_rows, steps = _visits_to_write(session, ctx, by_year, first_seq, number)
    total = len(visit_rows)
    _insert(session, Visit, visit_rows)
    visit_ids = _visit_ids(session, by_year, first_seq)
    if progress is not None:
        progress(total // 2, total * 2)
    in_order = [r for _y, rs in sorted(by_year.items()) for r in rs]
    transition_ids = _write_history(session, record, visit_ids, in_order, visit_rows, steps)
    if progress is not None:
        progress(total, total * 2)
    # Rows written in bulk are not seen by the flush: sealed at commit like any other.
    audit.touch(session, "visits", visit_ids)
    audit.touch(session, "visit_transitions", transition_ids)
    audit.touch(session, "ledger_import_visits", visit_ids)

    days = _sign_days(session, ledgers, actor, ctx, parsed, rows, number, signature, progress)
    first_day, last_day = check.date_from, check.date_to
    assert first_day is not None and last_day is not None
    audit.record(
        session,
        at=ctx.now,
        officer_id=actor.id,
        action="ledger_imported",
        entity_type="ledger_import",
        entity_id=number,
        after={
            "file": parsed.file_name,
            "sha256": parsed.sha256,
            "sheet": parsed.sheet,
            "rows": check.rows_total,
            "visits": total,
            "start": first_day.isoformat(),
            "end": last_day.isoformat(),
            "days": len(days),
        },
    )
    serials = [v["serial"] for v in visit_rows]
    return ImportResult(number, total, len(days), first_day, last_day, serials[0], serials[-1])


def _import_record(
    session: Session,
    actor: Officer,
    ctx: _Context,
    parsed: _Parsed,
    check: ImportCheck,
    rows: list[_Row],
) -> LedgerImport:
    """The import's own record, with its number (this year's next)."""
    year_now = ctx.today.year
    seq = next_number(session, "import", year_now)
    record = LedgerImport(
        number=f"{ctx.station.code}-DR-{year_now}-{seq:05d}",
        year=year_now,
        seq=seq,
        at=ctx.now,
        local_date=ctx.today,
        officer_id=actor.id,
        file_name=parsed.file_name[:260],
        file_sha256=parsed.sha256,
        sheet=parsed.sheet[:100],
        mapping_json=json.dumps(
            {k: parsed.headers[i] for k, i in parsed.mapping.items()},
            ensure_ascii=False,
            sort_keys=True,
        ),
        rows_total=check.rows_total,
        rows_imported=len(rows),
        rows_rejected=0,
        date_from=check.date_from,
        date_to=check.date_to,
    )
    session.add(record)
    session.flush()
    return record


def _visits_to_write(
    session: Session,
    ctx: _Context,
    by_year: dict[int, list[_Row]],
    first_seq: dict[int, int],
    number: str,
) -> tuple[list[dict[str, Any]], list[list[tuple[dt.datetime, str, str, str]]]]:
    """Each row as a visit to insert, numbered from ``first_seq`` of its year, and the
    status history each one gets."""
    cipher = cipher_of(session.get_bind().dialect)
    calendar = _DueDates(load_calendar(session))
    visit_rows: list[dict[str, Any]] = []
    steps: list[list[tuple[dt.datetime, str, str, str]]] = []
    for year, year_rows in sorted(by_year.items()):
        for offset, row in enumerate(year_rows):
            visit_rows.append(
                _visit_row(
                    row, ctx.station.code, year, first_seq[year] + offset, ctx.now, calendar, cipher
                )
            )
            steps.append(_steps(row, number))
    return visit_rows, steps


def _visit_ids(
    session: Session, by_year: dict[int, list[_Row]], first_seq: dict[int, int]
) -> list[int]:
    """The inserted visits' ids, by number: one index range per year (uq_visits_year_seq), in
    the rows' order."""
    visit_ids: list[int] = []
    for year, year_rows in sorted(by_year.items()):
        first = first_seq[year]
        visit_ids.extend(
            session.scalars(
                select(Visit.id)
                .where(Visit.year == year, Visit.seq >= first, Visit.seq < first + len(year_rows))
                .order_by(Visit.seq)
            )
        )
    return visit_ids


def _write_history(
    session: Session,
    record: LedgerImport,
    visit_ids: list[int],
    in_order: list[_Row],
    visit_rows: list[dict[str, Any]],
    steps: list[list[tuple[dt.datetime, str, str, str]]],
) -> list[int]:
    """Each visit linked to the import (with its row number) and its status history
    written; the ids of the transitions written."""
    _insert(
        session,
        LedgerImportVisit,
        [
            {"visit_id": vid, "import_id": record.id, "row_no": row.row_no}
            for vid, row in zip(visit_ids, in_order, strict=True)
        ],
    )
    _insert(
        session,
        VisitTransition,
        [
            {
                "visit_id": vid,
                "at": at,
                "officer_id": row["first_officer_id"],
                "from_status": source,
                "to_status": target,
                "reason": reason,
            }
            for vid, row, path in zip(visit_ids, visit_rows, steps, strict=True)
            for at, source, target, reason in path
        ],
    )
    return list(
        session.scalars(
            select(VisitTransition.id)
            .join(LedgerImportVisit, LedgerImportVisit.visit_id == VisitTransition.visit_id)
            .where(LedgerImportVisit.import_id == record.id)
        )
    )


def _sign_days(
    session: Session,
    ledgers: LedgerService,
    actor: Officer,
    ctx: _Context,
    parsed: _Parsed,
    rows: list[_Row],
    number: str,
    signature: ReviewSignature,
    progress: Progress | None,
) -> list[dt.date]:
    """Each day the import filled with arrivals: reviewed as the review builds it, signed,
    locked; the days, in order.

    A day that only holds a completion (a matter of January finished on 10 February) is not
    locked: the February file must still be able to fill it, and its ledger (locked with that
    file) then carries the completion as any day's ledger does.
    """
    total = len(rows)  # the visits written: one a row
    days = sorted({r.arrived.astimezone(ctx.tz).date() for r in rows if r.arrived is not None})
    comment = f"历史台账导入 {number}（{parsed.file_name}）：由{actor.name}导入并签字确认。"
    for index, day in enumerate(days):
        # Reviewed as the review does it (its own code), under the importer's signature.
        ledgers.sign_day_in(
            session, actor, day, ctx.now, comment[: text_limits.REVIEW_COMMENT], signature,
            import_number=number,
        )  # fmt: skip
        if progress is not None:
            progress(total + (index + 1) * total // max(len(days), 1), total * 2)
    return days


def _visit_row(
    row: _Row,
    code: str,
    year: int,
    seq: int,
    now: dt.datetime,
    calendar: _DueDates,
    cipher: Any,
) -> dict[str, Any]:
    arrived, matter, officer, status = row.arrived, row.matter, row.officer, row.status
    assert arrived is not None and matter is not None and officer is not None
    assert status is not None
    version_id, _created, _name, limit, unit = matter.version_at(arrived)
    accepted = due = None
    assumed = False
    if status is VisitStatus.COMPLETED:
        accepted = arrived
        due, assumed = calendar.due(arrived.date(), limit, unit)
    transitions = 3 if status is VisitStatus.COMPLETED else 2
    return {
        "serial": serial_for(code, year, seq),
        "year": year,
        "seq": seq,
        "arrived_at": arrived,
        "started_at": None,  # the ledger does not say when service began or ended
        "ended_at": None,
        "arrived_by_hand": False,
        "started_by_hand": False,
        "ended_by_hand": False,
        "local_date": arrived.date(),
        "citizen_name": row.citizen_name,
        "id_type": row.id_type.value,
        "id_number": row.id_number,
        "phone": row.phone,
        # What the Visit mapper's lookup hook fills (not run for rows written in bulk).
        "id_number_hash": cipher.blind("id", row.id_number) if row.id_number else "",
        "phone_hash": cipher.blind("phone", row.phone) if row.phone else "",
        "phone_tail": row.phone[-4:],
        "service_version_id": version_id,
        "channel": row.channel.value,
        "summary": row.summary,
        "in_scope": status is not VisitStatus.GUIDED,
        "first_officer_id": officer.id,
        "owner_id": officer.id,
        "status": status.value,
        "accepted_at": accepted,
        "due_date": due,
        "due_assumed": assumed,
        "paused_at": None,
        "remaining_days": None,
        "result": row.result,
        # What the form asks and an old ledger did not keep: said so, not left blank (a blank
        # 救济途径 on a refusal reads as a defect of the decision).
        "guided_unit": NOT_KEPT if status is VisitStatus.GUIDED else "",
        "guided_address": "",
        "guided_phone": "",
        "refusal_reason": row.result if status is VisitStatus.REFUSED else "",
        "refusal_redress": NOT_KEPT if status is VisitStatus.REFUSED else "",
        "void_reason": "",
        "row_version": transitions,
        "created_at": now,
    }


def _steps(row: _Row, number: str) -> list[tuple[dt.datetime, str, str, str]]:
    """The history the counter would have written: 登记, then 受理 and 办结, or the final
    status at once (引导, 不予受理, 答复)."""
    arrived, status = row.arrived, row.status
    assert arrived is not None and status is not None
    done = row.ended or arrived
    path = [(arrived, "", VisitStatus.REGISTERED.value, f"登记（历史台账导入 {number}）")]
    if status is VisitStatus.COMPLETED:
        path.append((arrived, VisitStatus.REGISTERED.value, VisitStatus.IN_PROGRESS.value, "受理"))
        path.append((done, VisitStatus.IN_PROGRESS.value, status.value, row.result))
    else:
        path.append((done, VisitStatus.REGISTERED.value, status.value, row.result))
    return path
