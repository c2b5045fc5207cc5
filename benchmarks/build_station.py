"""Build a realistic StationDesk station database of N visits (default 1,000,000) quickly.

Run:  .venv/bin/python benchmarks/build_station.py --visits 1000000 --out /tmp/bench1m.sqlite3

What it builds
    Years of counter history in the proportions of ``stationdesk demo`` (app/demo/): every
    visit with its status transitions; handovers; one-time notices and pledges with their
    items, signatures and breaches; on-site ratings with signature rows and PNGs; daily callback
    samplings with callbacks, attempts, phone ratings and home visits; rectifications with
    their whole workflow and follow-up ratings; complaints and praise; one signed review of
    every past day's ledger (except the last three, as in the demo) with corrections (addenda);
    print records; logins; officers joining and leaving (19 over the years, 10 active now); and
    an audit event for everything the services would audit. About 200 visits a day (working
    days ~220-330, rest days 60-120), so a million visits span about 13.6 years. Statuses follow
    time: old matters are closed, recent ones open and some overdue.

How it stays a real StationDesk database
    The file is created by ``app.core.database.open_database`` (all migrations), and the station,
    its first officers (the demo logins, password ``Demo2026``) and the catalogue are created
    through the services, exactly as ``stationdesk init``/``demo`` do. Only the history is bulk
    loaded: a vectorised plan (numpy) decides every visit's life from the same rules and odds
    as the demo, then rows go in with the raw sqlite3 connection (``executemany``) in big
    batches, ``PRAGMA synchronous=OFF``, ``journal_mode=OFF`` and ``ignore_check_constraints``
    during the build only (every value comes from the schema's own vocabularies; the test's
    ``PRAGMA integrity_check`` verifies the CHECK constraints). Secondary indexes are dropped
    first and re-created after the load from their own stored SQL (sqlite_master), and the
    schema is checked to end exactly as migrated; every table gets its full ANALYZE (the same
    sqlite_stat1 rows as one ANALYZE of the finished file) and the file goes back to WAL
    (synchronous=FULL is the app's own per-connection setting). Counter rows end at the last
    number given per kind and year, so the app numbers the next visit, notice, rectification,
    complaint or addendum without a gap.

Personal data, sealed as the services seal it
    ``open_database`` makes the station key when it creates the file and keeps it outside the
    database (the key file under ``STATIONDESK_KEY_DIR``, else the user's key folder or the
    credential store); the builder reads it back (``app.core.station_key.load_key``) and every
    writing process makes its own ``StationCipher`` from it. ID numbers, phones and
    complainants' phones are stored as ``db.sealed.seal_text`` makes them, the signatures'
    strokes and PNG as ``seal_text``/``seal_bytes`` (one call per row: each gets its own nonce,
    even where the scribble comes from the small pool; ``image_sha256`` stays the hash of the
    clear strokes and image). ``id_number_hash``, ``phone_hash`` and ``phone_tail`` hold what
    the Visit mapper's ``_visit_lookup_hashes`` writes (``cipher.blind``, empty for an empty
    value, the phone's last four); a keyed hash depends on the value only, so it is made once
    per citizen who came and repeated for their visits. The process that writes the rows
    seals them (visits and complaints: the tables process; signatures: the audit process, a
    chunk at a time); the CPU time it took is reported per table.

Why the audit chain stays valid
    Every audited action gets the event the service would write (same action, entity,
    before/after JSON built with the same canonical form: sorted keys, no spaces, UTF-8). All
    events are sorted by time (ties keep each transaction's order) and numbered from the
    services' own head (``audit_head``) on; each hash is ``sha256`` over exactly the JSON array
    ``app.core.audit.event_hash`` hashes, ending with the previous event's hash, computed in id order
    (checked against ``event_hash`` itself before writing). Rows are only inserted, never
    updated, so the append-only triggers never fire; ``audit_head`` is set to the last id and
    hash. ``stationdesk check`` and ``app.core.audit.verify_chain`` recompute the chain.

Speed
    Three processes (fork, sharing the plan) work at once: the tables process writes every
    table but two into a side file (a copy of the migrated database, on /dev/shm), builds
    their indexes there and analyses them; the audit process builds, hashes (sequential by
    nature) and writes the audit events, then the signatures, straight into the database,
    and analyses those two; the ledger process writes the reviewed days' ledger JSON (handed
    over as UTF-8 bytes, stored with ``CAST(? AS TEXT)``). The side file and its statistics are
    merged at the end with ``INSERT INTO main.t SELECT * FROM part.t`` (SQLite copies whole
    records and indexes); only the station's small tables are analysed after that. Strings
    are concatenated by numpy as a balanced tree, timestamps turned into Python strings by one
    ASCII decode. Argon2 runs only for the officers the services create; later officers share
    one hash. Writing ~6.5 GB is also bound by the disk (about 250 MB/s here once the page
    cache is full).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import hmac
import io
import itertools
import json
import multiprocessing as mp
import multiprocessing.connection
import os
import shutil
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from json.encoder import encode_basestring as _q
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from numpy.dtypes import StringDType

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.core.audit import event_hash, head_mac
from app.core.clock import FixedClock
from app.core.crypto import StationCipher
from app.core.database import open_database
from app.core.passwords import PasswordHashing
from app.core.roles import Role
from app.core.row_seals import bound_tables, key_column
from app.core.station_key import load_key
from app.core.workdays import WorkingDayCalendar
from app.demo import (
    CHANNEL_WEIGHTS,
    COMPLAINTS,
    DEMO_OFFICERS,
    DEMO_PASSWORD,
    DEMO_STATION,
    GUIDE_TO,
    PRAISE,
)
from app.notices.service import PLEDGE_TERMS, PROMISE, canonical_json
from app.officers.dto import NewOfficer
from app.services import build_services
from db.sealed import cipher_of, seal_bytes, seal_text

S = StringDType()
US = 1_000_000
MINUTE = 60 * US
HOUR = 60 * MINUTE
DAY = 24 * HOUR
TZ_NAME = "Asia/Shanghai"
TZ = ZoneInfo(TZ_NAME)
TZ_OFFSET = 8 * HOUR  # Asia/Shanghai has kept UTC+8 without DST since 1991
NO = -1  # "none" in integer arrays (ids, times)

# ---- the station's people ---------------------------------------------------------------

# badge, name, role, phone, joined and left as fractions of the history (None: still there).
# The demo logins (app/demo/) are all here and active at the end, with the demo password.
_DEMO = {b: (n, r.value, p) for b, n, r, p in DEMO_OFFICERS}
ROSTER: tuple[tuple[str, str, str, str, float, float | None], ...] = (
    ("031001", *_DEMO["031001"], 0.0, None),
    ("031002", *_DEMO["031002"], 0.0, None),
    ("031099", *_DEMO["031099"], 0.0, None),
    ("031003", "黄志强", "deputy", "13805710003", 0.0, 0.45),
    ("031011", *_DEMO["031011"], 0.0, None),
    ("031014", "吴敏", "window", "13805710014", 0.0, 0.30),
    ("031015", "徐海波", "window", "13805710015", 0.0, 0.62),
    ("031017", "朱丽", "window", "13805710017", 0.0, 0.90),
    ("F03123", "林芳", "auxiliary", "13805710023", 0.0, 0.55),
    ("F03124", "罗勇", "auxiliary", "13805710024", 0.0, 0.38),
    ("031018", "胡建华", "window", "13805710018", 0.25, None),
    ("031016", "马晓东", "window", "13805710016", 0.35, 0.78),
    ("F03126", "梁超", "auxiliary", "13805710026", 0.40, 0.80),
    ("031019", "郭静", "window", "13805710019", 0.48, None),
    ("031012", *_DEMO["031012"], 0.58, None),
    ("F03125", "郑娜", "auxiliary", "13805710025", 0.62, 0.88),
    ("F03121", *_DEMO["F03121"], 0.74, None),
    ("031013", *_DEMO["031013"], 0.84, None),
    ("F03122", *_DEMO["F03122"], 0.92, None),
)
COUNTER_ROLES = ("window", "auxiliary", "deputy")
CALLER_ROLES = ("window", "auxiliary", "deputy", "chief")

# All 25 matters of the shipped catalogue; the demo's weights plus the four it leaves out.
MATTER_WEIGHTS = (
    ("SFZ-SL", 10),
    ("SFZ-HL", 14),
    ("SFZ-BL", 8),
    ("SFZ-LS", 5),
    ("HJ-CS", 6),
    ("HJ-SW", 3),
    ("HJ-QR-TK", 3),
    ("HJ-QR-GF", 3),
    ("HJ-QR-RC", 2),
    ("HJ-QC", 3),
    ("HJ-BG", 3),
    ("HJ-BG-ZY", 1),
    ("JZZ-SL", 6),
    ("JZZ-QZ", 5),
    ("JZZ-HB", 2),
    ("JZ-DJ", 6),
    ("ZM-WFZ", 8),
    ("ZM-BGGZ", 1),
    ("ZM-ZXHK", 2),
    ("ZM-QSGX", 3),
    ("ZM-LSSF", 1),
    ("ZX-ZC", 12),
    ("ZH-SWJC", 2),
    ("ZH-SWRL", 1),
    ("BA-SL", 3),
)

# Common surnames, most frequent first (weights roughly as the 2020 census ranks them).
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程"
    "魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "慕容")
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志红玉梅晓东海波宇浩然子涵欣怡梓轩"
    "俊杰文博雨萱思远佳琪嘉怡一诺梓涵浩宇家豪婷婷丹丹晨阳天佑慧敏瑞雪春燕秋菊冬梅鹏飞鑫淼"
)
AREAS = (
    ("330102", 12),
    ("330105", 14),
    ("330106", 12),
    ("330108", 8),
    ("330110", 10),
    ("330184", 5),
    ("330183", 3),
    ("330381", 3),
    ("330621", 2),
    ("340104", 3),
    ("341221", 3),
    ("320102", 2),
    ("321281", 2),
    ("410105", 2),
    ("411323", 3),
    ("420106", 2),
    ("430104", 2),
    ("360124", 2),
    ("510107", 2),
    ("522121", 2),
    ("350102", 1),
    ("370102", 1),
    ("130104", 1),
    ("110105", 1),
    ("310115", 1),
    ("440305", 1),
    ("500103", 1),
    ("610113", 1),
)
ID_WEIGHTS = np.array((7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2), np.int64)
CHECK_CHARS = np.frombuffer(b"10X98765432", np.uint8)

# Outcomes of a walk-in.
WAITING, VOIDED, ANSWERED, GUIDED, REFUSED, SPOT, ACCEPTED = range(7)
PLAIN, NOTICE, PLEDGE, HANDOVER = range(4)
STATUS = (
    "registered",
    "in_progress",
    "waiting_materials",
    "completed",
    "guided",
    "refused",
    "answered",
    "voided",
)
ST = {name: code for code, name in enumerate(STATUS)}
STATUS_LABEL = (
    "已登记",
    "办理中",
    "待补材料",
    "已办结",
    "已引导",
    "不予受理",
    "当场答复",
    "已作废",
)
LEVELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
CLOSED_OK = (ST["completed"], ST["guided"], ST["refused"], ST["answered"])

TXT_REGISTERED = "登记"
TXT_ACCEPT = "受理"
TXT_DONE = "已办结，群众已领取"
TXT_SPOT = "材料齐全，当场办结"
TXT_ANSWER = "已当场解答办理条件、材料和流程"
TXT_VOID = "群众临时有事离开，未办理"
TXT_GUIDE_NOTE = "已告知承办单位地址、电话及所需材料"
TXT_REFUSE = "申请人不符合本事项的办理条件（户籍不在本所辖区）。"
TXT_REDRESS = (
    "可向户籍所在地派出所申请；对本决定不服的，可依法申请行政复议或提起行政诉讼，"
    "也可拨打 12389 反映。"
)
TXT_OUT_OF_SCOPE = "咨询社保卡补办"
TXT_HANDOVER = "本人轮休，移交同事跟进"
TXT_DECLINE = "本人本周外出培训，无法接手"
TXT_BREACH_ITEM = "单位出具的在职证明"
TXT_BREACH_WHY = "用证单位临时提出"
BAD_COMMENTS = ("排队时间太长", "民警解释不耐烦", "材料要求讲得不清楚，跑了两趟")
GOOD_COMMENTS = ("服务热情，办事快", "解释很清楚，谢谢")
TXT_CAUSE = "调取窗口录音录像并询问当事民警，情况基本属实。"
TXT_APPEAL = "群众所需材料确属法定要求，本人已按告知单一次性告知，有录像为证。"
TXT_ACTION = "对当事民警进行提醒谈话，窗口增设材料清单展板。"
TXT_RESULT = "当事民警已书面说明并改进，窗口材料清单已张贴。"
TXT_APPEAL_REASON = "经查看录像，民警告知规范。"
TXT_FOLLOW = "整改后满意"
TXT_CORR_NEW = "群众来电补充：需加急"
TXT_CORR_WHY = "首接民警漏记群众诉求"
TXT_VERIFY_NOTE = "调取录像、询问当事民警和在场群众。"
TXT_HANDLE_NOTE = "已按规定处理并在所务会通报。"
TXT_REPLY = "已向投诉人反馈核查和处理结果。"
CALL_NOTE_GOOD = "本人接听，对办理结果满意"
CALL_NOTE_BAD = "本人接听，提出改进意见"
CALL_NOTE_HOME = "所领导上门，当面听取意见并解释"
CALL_NOTE_REFUSED = "群众表示很忙，不愿接受回访"
OUTCOME_NAMES = ("reached", "no_answer", "wrong_number", "refused")
OUTCOME_LABELS = {
    "reached": "接通",
    "no_answer": "无人接听",
    "wrong_number": "号码错误",
    "refused": "拒绝回访",
}
CALLBACK_SHARE = 15  # the demo samples 15 % (plus every 差评 and every requested call)


# ---- small vectorised helpers -----------------------------------------------------------


def cat(*parts: Any) -> np.ndarray:
    """Concatenate string arrays and scalars element-wise (numpy StringDType, in C).

    Pairwise, as a balanced tree: each character is copied about log2(parts) times, not once
    per part that follows it.
    """
    arrays: list[Any] = [
        p if isinstance(p, str) else (p if p.dtype == S else np.asarray(p).astype(S)) for p in parts
    ]
    while len(arrays) > 1:
        pairs = [
            a + b if isinstance(a, str) and isinstance(b, str) else np.strings.add(a, b)
            for a, b in zip(arrays[0::2], arrays[1::2], strict=False)
        ]
        arrays = pairs + arrays[len(pairs) * 2 :]
    return arrays[0]


def sarr(values: Sequence[str] | np.ndarray) -> np.ndarray:
    """A StringDType array."""
    return (
        np.asarray(values, dtype=object).astype(S)
        if not isinstance(values, np.ndarray)
        else (values.astype(S))
    )


def pick(table: Sequence[str], index: np.ndarray) -> np.ndarray:
    """``table[index]`` as a StringDType array."""
    return np.asarray(table, dtype=object)[index].astype(S)


def zfill(values: np.ndarray, width: int) -> np.ndarray:
    """Zero-padded decimal strings."""
    return np.strings.zfill(values.astype(S), width)


def jbool(mask: np.ndarray) -> np.ndarray:
    """JSON booleans."""
    return np.where(mask, "true", "false").astype(S)


def jint_or_null(values: np.ndarray) -> np.ndarray:
    """JSON integers, ``null`` for NO."""
    return np.where(values == NO, "null", values.astype(S)).astype(S)


def with_none(values: list[Any], mask: np.ndarray) -> list[Any]:
    """Replace the entries where ``mask`` holds by None (SQL NULL)."""
    for i in np.flatnonzero(mask).tolist():
        values[i] = None
    return values


def rank_within(keys: np.ndarray) -> np.ndarray:
    """1-based running number within runs of equal ``keys`` (keys already grouped)."""
    n = len(keys)
    if n == 0:
        return np.zeros(0, np.int64)
    starts = np.r_[0, np.flatnonzero(keys[1:] != keys[:-1]) + 1]
    run = np.repeat(starts, np.diff(np.r_[starts, n]))
    return np.arange(n) - run + 1


# ---- time ----------------------------------------------------------------------------------


class Times:
    """Local days as indexes from the first day of the history, times as UTC microseconds."""

    def __init__(self, first: dt.date, days: int) -> None:
        self.first = first
        self.days = days
        # Local midnight of the first day, in UTC microseconds.
        self.local_base = (
            int(dt.datetime.combine(first, dt.time(), dt.UTC).timestamp()) * US - TZ_OFFSET
        )
        self.utc_base = self.local_base - (self.local_base % DAY)
        dates = [first - dt.timedelta(days=1) + dt.timedelta(days=k) for k in range(days + 2)]
        self.date_text = [d.isoformat() for d in dates[1:]]
        self._utc_dates = np.frombuffer("".join(d.isoformat() for d in dates).encode(), np.uint8)
        self._utc_dates = self._utc_dates.reshape(-1, 10)
        self._local_dates = self._utc_dates[1:]
        self._date_u = np.array(self.date_text, dtype="U10")

    def at(self, day: np.ndarray | int, minutes: np.ndarray | float) -> np.ndarray:
        """The instant of local ``minutes`` after midnight of ``day``."""
        return (
            self.local_base
            + np.asarray(day, np.int64) * DAY
            + (np.asarray(minutes, np.float64) * MINUTE).astype(np.int64)
        )

    def day_of(self, us: np.ndarray) -> np.ndarray:
        """The local day index of instants."""
        return (np.asarray(us, np.int64) - self.local_base) // DAY

    def date(self, day: np.ndarray) -> np.ndarray:
        """'YYYY-MM-DD' of local day indexes (fixed-width unicode)."""
        return self._date_u[np.asarray(day, np.int64)]

    def stamp(self, us: np.ndarray) -> np.ndarray:
        """Stored form of UTC instants: 'YYYY-MM-DD HH:MM:SS.ffffff' (SQLAlchemy's SQLite)."""
        return self._unicode(self._stamp_digits(us))

    def stamp_list(self, us: np.ndarray) -> list[str]:
        """``stamp(us).tolist()``, made faster (one ASCII decode, then slices)."""
        return self._strings(self._stamp_digits(us))

    def iso_utc(self, us: np.ndarray) -> np.ndarray:
        """``at.astimezone(UTC).isoformat(timespec='microseconds')`` as the audit hash uses."""
        return self._unicode(self._iso_utc_digits(us))

    def iso_utc_list(self, us: np.ndarray) -> list[str]:
        """``iso_utc(us).tolist()``, made faster."""
        return self._strings(self._iso_utc_digits(us))

    def iso_local(self, us: np.ndarray) -> np.ndarray:
        """Local ISO time with offset, as ``datetime.isoformat()`` of the station's clock."""
        return self._unicode(self._iso_local_digits(us))

    def hm(self, us: np.ndarray) -> np.ndarray:
        """Local 'HH:MM'."""
        digits = np.ascontiguousarray(self._iso_local_digits(us)[:, 11:16])
        return self._unicode(digits).astype(S)

    def _stamp_digits(self, us: np.ndarray) -> np.ndarray:
        return self._digits(np.asarray(us, np.int64), self.utc_base, self._utc_dates, b" ", b"")

    def _iso_utc_digits(self, us: np.ndarray) -> np.ndarray:
        return self._digits(
            np.asarray(us, np.int64), self.utc_base, self._utc_dates, b"T", b"+00:00"
        )

    def _iso_local_digits(self, us: np.ndarray) -> np.ndarray:
        return self._digits(
            np.asarray(us, np.int64) + TZ_OFFSET,
            self.local_base + TZ_OFFSET,
            self._local_dates,
            b"T",
            b"+08:00",
        )

    @staticmethod
    def _unicode(digits: np.ndarray) -> np.ndarray:
        """Rows of ASCII digits as a fixed-width unicode array."""
        width = digits.shape[1]
        return digits.view(f"S{width}").ravel().astype(f"U{width}")

    @staticmethod
    def _strings(digits: np.ndarray) -> list[str]:
        """Rows of ASCII digits as Python strings: one decode, then slices (3x ``tolist``)."""
        count, width = digits.shape
        text = digits.tobytes().decode("ascii")
        return [text[i : i + width] for i in range(0, count * width, width)]

    @staticmethod
    def _digits(
        us: np.ndarray, base: int, dates: np.ndarray, sep: bytes, tail: bytes
    ) -> np.ndarray:
        rel = us - base
        day = rel // DAY
        tod = rel % DAY
        n = len(us)
        width = 26 + len(tail)
        out = np.empty((n, width), np.uint8)
        out[:, :10] = dates[day]
        out[:, 10] = sep[0]
        sec = tod // US
        micro = tod % US
        for col, value in ((11, sec // 3600), (14, (sec // 60) % 60), (17, sec % 60)):
            out[:, col] = 48 + value // 10
            out[:, col + 1] = 48 + value % 10
        out[:, 13] = out[:, 16] = ord(":")
        out[:, 19] = ord(".")
        for k in range(6):
            out[:, 25 - k] = 48 + micro % 10
            micro = micro // 10
        if tail:
            out[:, 26:] = np.frombuffer(tail, np.uint8)
        return out


class WorkCal:
    """The app's working-day calendar (chinesecalendar + shipped schedules) as arrays."""

    def __init__(self, first: dt.date, days: int) -> None:
        cal = WorkingDayCalendar()
        dates = [first + dt.timedelta(days=k) for k in range(days)]
        self.work = np.array([cal.is_workday(d) for d in dates], bool)
        unknown = np.array([not cal.knows_year(d.year) for d in dates], bool)
        self.cw = np.cumsum(self.work)
        self.cu = np.cumsum(unknown)
        self.weekday = np.array([d.weekday() for d in dates], np.int64)
        self.month = np.array([d.month for d in dates], np.int64)
        self.year = np.array([d.year for d in dates], np.int64)
        self.dates = dates

    def add_wd(self, start: np.ndarray, n: np.ndarray | int) -> tuple[np.ndarray, np.ndarray]:
        """``WorkingDayCalendar.add_working_days``: the n-th working day after each start."""
        start = np.asarray(start, np.int64)
        n = np.broadcast_to(np.asarray(n, np.int64), start.shape)
        end = np.searchsorted(self.cw, self.cw[start] + n, side="left")
        end = np.where(n == 0, start, end)
        return end, (self.cu[end] - self.cu[start]) > 0

    def between(self, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """``working_days_between``: working days after ``start`` up to ``end``."""
        return np.maximum(0, self.cw[np.asarray(end)] - self.cw[np.asarray(start)])

    def next_work(self, day: np.ndarray) -> np.ndarray:
        """The first working day on or after each day."""
        day = np.asarray(day, np.int64)
        return np.searchsorted(self.cw, self.cw[day] - self.work[day] + 1, side="left")


# ---- the station as the services created it ----------------------------------------------


@dataclass
class Item:
    """One matter's current catalogue version."""

    code: str
    item_id: int
    version_id: int
    name: str
    limit: int
    unit: str
    fields: dict[str, Any]
    materials: list[dict[str, Any]]


@dataclass
class Base:
    """What the services created, read back: ids, texts and the chain's head."""

    head_id: int
    head_hash: str
    officer_ids: dict[str, int]
    items: list[Item]
    station: dict[str, Any]
    dimensions: list[str]
    skeleton: list[dict[str, Any]]  # the ledger's sections (key, title, columns, widths)
    summary_labels: list[str]
    shared_hash: str
    init_time: int
    # The station key open_database made (kept in its key file or the credential store): each
    # writing process seals the personal data with it, as the services' sealed columns do.
    station_key: bytes = field(repr=False, default=b"")

    def cipher(self) -> StationCipher:
        """The station's cipher, made in the process that uses it."""
        return StationCipher(self.station_key)


def _initialise(path: Path, first_day: dt.date, hashing: PasswordHashing) -> Base:
    """Create the file, the station, its first officers and catalogue through the services."""
    start = dt.datetime.combine(first_day, dt.time(7, 30), TZ)
    db = open_database(path)
    try:
        clock = FixedClock(start)
        services = build_services(db.sessions, clock, hashing)
        badge, name, role, phone, *_ = ROSTER[0]
        chief = services.station.initialize(
            DEMO_STATION, NewOfficer(badge, name, Role(role), DEMO_PASSWORD, phone)
        )
        for badge, name, role, phone, joined, _left in ROSTER[1:]:
            if joined == 0.0:
                services.officers.add_officer(
                    chief,
                    NewOfficer(
                        badge, name, Role(role), DEMO_PASSWORD, phone, must_change_password=False
                    ),
                )
        # One matter edited twice, as the demo does, so the version history has something.
        rows = services.catalogue.list_items("JZZ-SL")
        if rows:
            detail = services.catalogue.get_item(rows[0].item_id)
            draft = replace(
                detail.draft, hours="工作日 8:30-12:00，14:00-17:30；周六上午 9:00-12:00"
            )
            services.catalogue.save_new_version(
                chief, detail.item_id, detail.version_no, draft, "增加周六上午办理时间"
            )
            draft2 = replace(draft, place="一楼综合窗口 3 号")
            services.catalogue.save_new_version(
                chief, detail.item_id, detail.version_no + 1, draft2, "窗口调整"
            )
        # The ledger's sections as the service builds them (an empty day before the history).
        empty = services.ledger.ledger(chief, first_day - dt.timedelta(days=1))
        skeleton = [
            {"key": s.key, "title": s.title, "columns": list(s.columns), "widths": list(s.widths)}
            for s in empty.sections
        ]
        labels = [label for label, _value in empty.summary]
        dimensions = list(services.ratings.dimensions())
        key_id = cipher_of(db.engine.dialect).key_id
    finally:
        db.dispose()
    # The key itself, not the engine's cipher object (its AES context cannot be pickled).
    station_key = load_key(key_id)
    if station_key is None:
        raise RuntimeError(f"the station key {key_id} open_database made cannot be read back")
    con = sqlite3.connect(path)
    try:
        head_id, head_hash = con.execute(
            "SELECT last_id, last_hash FROM audit_head WHERE id = 1"
        ).fetchone()
        officer_ids = dict(con.execute("SELECT badge_no, id FROM officers"))
        station = dict(
            zip(
                (
                    "name",
                    "code",
                    "address",
                    "phone_consult",
                    "phone_supervision",
                    "phone_12389",
                    "phone_12345",
                    "timezone",
                    "verify_days",
                    "rectify_days",
                    "complaint_verify_days",
                    "complaint_handle_days",
                    "complaint_reply_days",
                ),
                con.execute(
                    "SELECT name, code, address, phone_consult, phone_supervision, phone_12389,"
                    " phone_12345, timezone, verify_days, rectify_days, complaint_verify_days,"
                    " complaint_handle_days, complaint_reply_days FROM stations WHERE id = 1"
                ).fetchone(),
                strict=True,
            )
        )
        items = []
        for code, item_id, version_id in con.execute(
            "SELECT i.code, i.id, v.id FROM service_items i JOIN service_item_versions v"
            " ON v.item_id = i.id AND v.version_no = i.current_version_no ORDER BY i.id"
        ).fetchall():
            row = con.execute(
                "SELECT name, legal_basis, conditions, procedure, time_limit_value,"
                " time_limit_unit, fee, place, hours FROM service_item_versions WHERE id = ?",
                (version_id,),
            ).fetchone()
            keys = (
                "name",
                "legal_basis",
                "conditions",
                "procedure",
                "time_limit_value",
                "time_limit_unit",
                "fee",
                "place",
                "hours",
            )
            fields = dict(zip(keys, row, strict=True))
            materials = [
                dict(zip(("name", "copies", "form", "source", "is_key"), m, strict=True))
                for m in con.execute(
                    "SELECT name, copies, form, source, is_key FROM service_materials"
                    " WHERE version_id = ? ORDER BY position",
                    (version_id,),
                )
            ]
            for m in materials:
                m["is_key"] = bool(m["is_key"])
            items.append(
                Item(
                    code,
                    item_id,
                    version_id,
                    fields["name"],
                    fields["time_limit_value"],
                    fields["time_limit_unit"],
                    fields,
                    materials,
                )
            )
    finally:
        con.close()
    if station["timezone"] != TZ_NAME:
        raise SystemExit(f"the builder assumes {TZ_NAME}, the station says {station['timezone']}")
    return Base(
        head_id=head_id,
        head_hash=head_hash,
        officer_ids=officer_ids,
        items=items,
        station=station,
        dimensions=dimensions,
        skeleton=skeleton,
        summary_labels=labels,
        shared_hash=hashing.hash(DEMO_PASSWORD),
        init_time=int(start.timestamp()) * US,
        station_key=station_key,
    )


# ---- how many visits on which day --------------------------------------------------------


def _day_weights(cal: WorkCal, rng: np.random.Generator) -> np.ndarray:
    """Expected visits per day: working days ~255 (Mondays more, at most 330), rest days 60-120."""
    dow_work = np.array((1.1, 1.0, 0.97, 0.96, 0.93, 0.95, 0.95))
    rest = np.array((60.0, 60.0, 60.0, 60.0, 60.0, 115.0, 70.0))
    season = np.array((0, 0.95, 0.85, 1.0, 1.0, 1.0, 1.04, 1.08, 1.08, 1.04, 0.95, 1.0, 1.02))
    base = np.where(cal.work, 255.0 * dow_work[cal.weekday], rest[cal.weekday])
    noise = np.clip(rng.normal(1.0, 0.07, len(base)), 0.8, 1.2)
    return np.minimum(base * season[cal.month] * noise, 330.0)


def _span(visits: int, now_local: dt.datetime, seed: int) -> tuple[dt.date, np.ndarray]:
    """The first day of the history and the visits of each day up to today."""
    today = now_local.date()
    back = max(8, min(40 * 366, int(visits / 150) + 30))
    first = today - dt.timedelta(days=back)
    cal = WorkCal(first, back + 1)
    weights = _day_weights(cal, np.random.default_rng(seed))
    weights[-1] *= _today_share(now_local)
    total = np.cumsum(weights[::-1])
    days = int(np.searchsorted(total, visits)) + 1
    days = max(8, min(days, back + 1))
    w = weights[-days:]
    counts = np.floor(w * visits / w.sum()).astype(np.int64)
    short = visits - int(counts.sum())
    if short:
        frac = w * visits / w.sum() - counts
        counts[np.argsort(-frac)[:short]] += 1
    return today - dt.timedelta(days=days - 1), counts


def _today_share(now_local: dt.datetime) -> float:
    minutes = now_local.hour * 60 + now_local.minute
    return float(min(1.0, max(0.2, (minutes - 510) / 540)))


# ---- the plan: every decision, as arrays -------------------------------------------------


@dataclass
class Events:
    """Audit events of one kind of action: times, ordering keys and their texts."""

    t: np.ndarray
    key: np.ndarray  # keeps one transaction's events together at equal times
    phase: np.ndarray | int
    officer: np.ndarray | int
    action: np.ndarray | str
    etype: str
    eid: np.ndarray | str
    before: np.ndarray | str
    after: np.ndarray | str


@dataclass
class Plan:
    """Every row of the history, decided up front (ids, numbers, times, states)."""

    n: int
    times: Times
    cal: WorkCal
    base: Base
    now: int
    today: int
    rng: np.random.Generator
    stats: dict[str, Any] = field(default_factory=dict)

    # -- officers ----------------------------------------------------------------------

    def officers(self) -> None:
        days = self.today + 1
        # No new walk-ins for someone about to leave: their matters end before they go. In a
        # history too short for that, nobody leaves (and later officers still join).
        lead = 45
        self.o_badge = [r[0] for r in ROSTER]
        self.o_name = [r[1] for r in ROSTER]
        self.o_role = [r[2] for r in ROSTER]
        self.o_phone = [r[3] for r in ROSTER]
        self.o_join = np.array([round(r[4] * days) for r in ROSTER], np.int64)
        self.o_leave = np.array(
            [round(r[5] * days) if r[5] is not None else 10**9 for r in ROSTER], np.int64
        )
        stays = (self.o_leave > self.today) | (self.o_leave - self.o_join < 2 * lead)
        self.o_leave = np.where(stays, 10**9, self.o_leave)
        ids = dict(self.base.officer_ids)
        next_id = max(ids.values()) + 1
        for badge in sorted(
            (r[0] for r in ROSTER if r[0] not in ids),
            key=lambda b: (self.o_join[self.o_badge.index(b)], self.o_badge.index(b)),
        ):
            ids[badge] = next_id
            next_id += 1
        self.o_id = np.array([ids[b] for b in self.o_badge], np.int64)
        self.id_name = {int(i): n for i, n in zip(self.o_id, self.o_name, strict=True)}
        self.id_badge = {int(i): b for i, b in zip(self.o_id, self.o_badge, strict=True)}
        self.id_role = {int(i): r for i, r in zip(self.o_id, self.o_role, strict=True)}
        self.chief = ids["031001"]
        self.deputy = ids["031002"]
        day = np.arange(self.cal.work.size)[:, None]
        active = (self.o_join[None, :] <= day) & (day < self.o_leave[None, :])
        counter = np.array([r in COUNTER_ROLES for r in self.o_role])
        caller = np.array([r in CALLER_ROLES for r in self.o_role])
        intake = (self.o_join[None, :] <= day) & (day < self.o_leave[None, :] - lead)
        self.intake = _table(intake & counter[None, :], self.o_id)
        self.staff = _table(active & counter[None, :], self.o_id)
        self.callers = _table(active & caller[None, :], self.o_id)
        self.police = {
            int(i)
            for i, r in zip(self.o_id, self.o_role, strict=True)
            if r in ("window", "deputy", "chief")
        }

    def pick_officer(
        self,
        table: tuple[np.ndarray, np.ndarray],
        day: np.ndarray,
        avoid: Sequence[np.ndarray] = (),
    ) -> np.ndarray:
        """A random officer of the day's table, different from ``avoid`` where possible."""
        ids, counts = table
        day = np.asarray(day, np.int64)
        out = np.full(day.shape, NO, np.int64)
        todo = np.ones(day.shape, bool)
        for _ in range(6):
            r = (self.rng.random(day.shape) * np.maximum(counts[day], 1)).astype(np.int64)
            cand = ids[day, r]
            ok = todo & (counts[day] > 0)
            for a in avoid:
                ok &= cand != a
            out[ok] = cand[ok]
            todo &= ~ok
            if not todo.any():
                break
        # Whoever is left: the first of the table who is not to be avoided, else the chief.
        for i in np.flatnonzero(todo).tolist():
            options = [int(x) for x in ids[day[i], : counts[day[i]]]]
            bad = {int(a[i]) for a in avoid}
            good = [x for x in options if x not in bad]
            out[i] = good[0] if good else self.chief
        return out

    # -- visits ------------------------------------------------------------------------

    def visits(self, counts: np.ndarray, now_local: dt.datetime) -> None:
        rng, cal, times = self.rng, self.cal, self.times
        n = self.n
        day = np.repeat(np.arange(len(counts)), counts)
        u = rng.random(n)
        work = cal.work[day]
        minutes = np.where(
            work,
            np.where(u < 0.5, 510 + u * 420, 630 + u * 420),
            540 + u * 180,
        )
        today = day == self.today
        if today.any():
            now_min = now_local.hour * 60 + now_local.minute + now_local.second / 60
            allowed = (
                np.r_[np.arange(510, 720), np.arange(840, 1050)]
                if cal.work[self.today]
                else np.arange(540, 720)
            )
            allowed = allowed[allowed < now_min - 5]
            if allowed.size == 0:
                lo = max(30.0, now_min - 180)
                allowed = np.arange(lo, max(lo + 1, now_min - 5))
            k = int(today.sum())
            minutes[today] = rng.choice(allowed, k) + rng.random(k)
        created = times.at(day, minutes) + rng.integers(0, MINUTE, n)
        order = np.argsort(created, kind="stable")
        created, day = created[order], day[order]
        self.v_day = day
        self.v_created = created
        self.v_id = np.arange(1, n + 1, dtype=np.int64)
        by_hand = rng.random(n) < 0.4
        waited = np.where(by_hand, rng.integers(5, 26, n), rng.integers(1, 4, n))
        self.v_arrived = created - waited * MINUTE
        self.v_by_hand = by_hand
        self.v_year = cal.year[day]
        year_change = np.r_[True, self.v_year[1:] != self.v_year[:-1]]
        self.v_seq = rank_within(np.cumsum(year_change))
        code = self.base.station["code"]
        self.v_serial = cat(f"{code}-", self.v_year, "-", zfill(self.v_seq, 6))
        self.v_officer = self.pick_officer(self.intake, day)
        weights = np.array([w for _, w in MATTER_WEIGHTS], float)
        codes = [c for c, _ in MATTER_WEIGHTS]
        by_code = {it.code: k for k, it in enumerate(self.base.items)}
        matter = rng.choice(len(codes), n, p=weights / weights.sum())
        self.v_item = np.array([by_code[c] for c in codes], np.int64)[matter]
        items = self.base.items
        self.i_version = np.array([it.version_id for it in items], np.int64)
        self.i_limit = np.array([it.limit for it in items], np.int64)
        self.i_unit = np.array(
            [("working_days", "calendar_days", "on_the_spot").index(it.unit) for it in items]
        )
        self.i_name = [it.name for it in items]
        chan_names = [c.value for c, _ in CHANNEL_WEIGHTS]
        chan_w = np.array([w for _, w in CHANNEL_WEIGHTS], float)
        self.v_channel = rng.choice(len(chan_names), n, p=chan_w / chan_w.sum())
        self.chan_names = chan_names
        self._citizens()

    def _citizens(self) -> None:
        rng, n = self.rng, self.n
        pool = max(50, int(n * 0.62))
        weights = np.array([0.9 ** (k / 6) for k in range(len(SURNAMES))])
        surname = np.asarray(list(SURNAMES), dtype=object)[
            rng.choice(len(SURNAMES), pool, p=weights / weights.sum())
        ]
        compound = rng.random(pool) < 0.002
        surname[compound] = np.asarray(COMPOUND_SURNAMES, dtype=object)[
            rng.integers(0, len(COMPOUND_SURNAMES), int(compound.sum()))
        ]
        given = np.asarray(list(GIVEN), dtype=object)
        g1 = given[rng.integers(0, len(given), pool)]
        g2 = given[rng.integers(0, len(given), pool)]
        two = rng.random(pool) < 0.7
        names = cat(surname.astype(S), g1.astype(S), np.where(two, g2, "").astype(S))
        area_codes = [a for a, _ in AREAS]
        aw = np.array([w for _, w in AREAS], float)
        area = np.asarray(area_codes, dtype=object)[
            rng.choice(len(area_codes), pool, p=aw / aw.sum())
        ]
        latest = self.times.first - dt.timedelta(days=1)
        minor = rng.random(pool) < 0.08
        age_days = np.where(
            minor,
            rng.integers(30, 17 * 365, pool),
            rng.integers(18 * 365, 85 * 365, pool),
        )
        age_days = np.maximum(age_days, 1)
        born = np.datetime64(latest.isoformat()) - age_days.astype("timedelta64[D]")
        birth = np.strings.replace(np.datetime_as_string(born, unit="D").astype(S), "-", "")
        order_no = zfill(rng.integers(1, 1000, pool), 3)
        first17 = cat(area.astype(S), birth, order_no)
        digits = (
            np.frombuffer(first17.astype("U17").astype("S17").tobytes(), np.uint8).reshape(pool, 17)
            - 48
        )
        check = CHECK_CHARS[(digits.astype(np.int64) @ ID_WEIGHTS) % 11]
        id_number = cat(first17, check.view("S1").astype("U1").astype(S))
        prefix = np.asarray(["13", "15", "17", "18", "19", "13", "15", "18"], dtype=object)
        phone = cat(
            prefix[rng.integers(0, len(prefix), pool)].astype(S),
            zfill(rng.integers(0, 10**9, pool), 9),
        )
        # Returning citizens: a skewed draw makes some come back again and again.
        who = np.minimum((pool * rng.random(self.n) ** 1.6).astype(np.int64), pool - 1)
        self.v_who = who
        self.v_name = names[who]
        self.v_idn = id_number[who]
        self.v_phone = phone[who]
        self.pool_names, self.pool_idn, self.pool_phones = names, id_number, phone

    # -- what happens to each walk-in --------------------------------------------------

    def outcomes(self) -> None:
        rng, cal, n = self.rng, self.cal, self.n
        day, item = self.v_day, self.v_item
        codes = np.array([it.code for it in self.base.items], dtype=object)
        code = codes[item]
        unit = self.i_unit[item]
        is_zx = code == "ZX-ZC"
        spot = unit == 2
        pledgeable = np.isin(code, ("HJ-QR-GF", "HJ-QR-RC"))
        has_nonkey = np.array(
            [any(not m["is_key"] for m in it.materials) for it in self.base.items]
        )
        police = np.isin(self.v_officer, list(self.police))
        roll = rng.random(n)
        out_scope = is_zx & (rng.random(n) < 0.25)
        t_act = self.v_created + rng.integers(2 * MINUTE, 10 * MINUTE, n)
        waiting = ((day == self.today) & (rng.random(n) < 0.3)) | (t_act > self.now)
        outcome = np.select(
            [waiting, out_scope, roll < 0.03, is_zx, (roll < 0.07) & police, spot],
            [WAITING, GUIDED, VOIDED, ANSWERED, REFUSED, SPOT],
            ACCEPTED,
        )
        branch = np.select(
            [pledgeable & (roll < 0.5) & has_nonkey[item], roll < 0.22, roll < 0.32],
            [PLEDGE, NOTICE, HANDOVER],
            PLAIN,
        )
        self.v_outcome = outcome
        self.v_branch = np.where(outcome == ACCEPTED, branch, NO)
        self.v_out_scope = out_scope
        self.v_t_act = t_act
        guide = rng.integers(0, len(GUIDE_TO), n)
        self.v_guide = guide
        # Due dates from the catalogue version's limit, as accept_visit computes them.
        limit = self.i_limit[item]
        wd, wd_assumed = cal.add_wd(day, np.where(unit == 0, limit, 0))
        due = np.where(unit == 0, wd, np.where(unit == 1, day + limit, day))
        self.v_due0 = np.where((outcome == ACCEPTED) | (outcome == SPOT), due, NO)
        self.v_due_assumed = np.where(unit == 0, wd_assumed, False) & (self.v_due0 != NO)
        self.v_unit = unit

    def accepted_flow(self) -> None:
        """Notices, pledges, handovers and completion days of the accepted matters."""
        rng, cal, times = self.rng, self.cal, self.times
        acc = np.flatnonzero(self.v_outcome == ACCEPTED)
        m = acc.size
        day = self.v_day[acc]
        branch = self.v_branch[acc]
        due0 = self.v_due0[acc]
        unit = self.v_unit[acc]
        owner = self.v_officer[acc].copy()
        t_acc = self.v_t_act[acc]
        start = day.copy()
        due = due0.copy()
        stuck = np.zeros(m, bool)  # no completion planned (pledge never kept, pending …)
        # One-time notices: missing materials, the citizen returns after 2-7 days.
        nb = np.flatnonzero((branch == NOTICE) | (branch == PLEDGE))
        self.n_visit = acc[nb]
        self.n_kind = np.where(branch[nb] == PLEDGE, 1, 0)  # 0 notice, 1 pledge
        self.n_t = t_acc[nb]
        k = nb.size
        is_pledge = self.n_kind == 1
        ret_off = np.where(is_pledge, rng.integers(2, 10, k), rng.integers(2, 8, k))
        ret_day = day[nb] + ret_off
        old = ret_day < self.today - 90
        brought = np.where(is_pledge, (rng.random(k) < 0.8) | old, True)
        t_ret = times.at(ret_day, 510 + rng.random(k) * 60)
        items = self.base.items
        owed: list[list[int]] = []
        n_items = np.zeros(k, np.int64)
        pick_one = rng.random(k)
        pick_two = rng.random(k)
        for j, (vi, pl) in enumerate(zip(self.n_visit.tolist(), is_pledge.tolist(), strict=True)):
            mats = items[self.v_item[vi]].materials
            n_items[j] = len(mats)
            if pl:
                owed.append([p for p, mm in enumerate(mats) if not mm["is_key"]])
            else:
                size = min(len(mats), 1 if pick_one[j] < 2 / 3 else 2)
                first = int(pick_two[j] * len(mats))
                owed.append(sorted({first, (first + 1) % len(mats)}) if size == 2 else [first])
        self.n_owed = owed
        self.n_items = n_items
        owed_count = np.array([len(o) for o in owed], np.int64)
        partial = (~is_pledge) & (owed_count > 1) & (rng.random(k) < 0.2)
        self.n_breach = (~is_pledge) & (rng.random(k) < 0.08) & (t_ret <= self.now)
        self.n_t_breach = t_ret - rng.integers(20 * US, 50 * US, k)
        self.n_t_ret1 = np.where(brought & (t_ret <= self.now), t_ret, NO)
        t_ret2 = times.at(ret_day + 2, 510 + rng.random(k) * 60)
        self.n_partial = partial & (self.n_t_ret1 != NO)
        t_full = np.where(partial, t_ret2, t_ret)
        self.n_t_full = np.where(brought & (t_full <= self.now), t_full, NO)
        self.n_t_ret2 = np.where(self.n_partial & (t_ret2 <= self.now), t_ret2, NO)
        self.n_clerk = self.pick_officer(self.staff, ret_day)
        self.n_clerk2 = self.pick_officer(self.staff, ret_day + 2)
        self.n_owner = owner[nb]
        deadline = due0[nb]  # the latest deadline is the matter's own limit
        self.n_deadline = deadline
        full_day = times.day_of(np.where(self.n_t_full != NO, self.n_t_full, 0))
        # A notice pauses the clock; when the materials are in, the due date moves on.
        shift = np.where(
            unit[nb] == 0,
            cal.between(day[nb], np.maximum(full_day, day[nb])),
            np.maximum(full_day - day[nb], 0),
        )
        moved, moved_assumed = cal.add_wd(due0[nb], shift)
        moved = np.where(unit[nb] == 0, moved, due0[nb] + shift)
        resumed = (~is_pledge) & (self.n_t_full != NO)
        due[nb] = np.where(resumed, moved, due0[nb])
        self.v_due_assumed[acc[nb]] |= resumed & (unit[nb] == 0) & moved_assumed
        start[nb] = np.where(self.n_t_full != NO, full_day, start[nb])
        stuck[nb] = self.n_t_full == NO
        self.n_resumed = resumed
        self.n_remaining = np.where(
            due0[nb] <= day[nb],
            0,
            np.where(unit[nb] == 0, cal.between(day[nb], due0[nb]), due0[nb] - day[nb]),
        )
        # Handovers: offered the same minute, decided one or two days later.
        hb = np.flatnonzero(branch == HANDOVER)
        h = hb.size
        dec_day = day[hb] + rng.integers(1, 3, h)
        self.h_visit = acc[hb]
        self.h_from = owner[hb]
        self.h_to = self.pick_officer(
            self.intake, np.minimum(dec_day, self.today), avoid=(owner[hb],)
        )
        self.h_t = t_acc[hb]
        t_dec = times.at(dec_day, 510 + rng.random(h) * 60)
        self.h_accepted = rng.random(h) < 0.85
        self.h_t_dec = np.where(t_dec <= self.now, t_dec, NO)
        taken = self.h_accepted & (self.h_t_dec != NO)
        owner[hb] = np.where(taken, self.h_to, owner[hb])
        start[hb] = dec_day
        stuck[hb] = self.h_t_dec == NO
        # Completion: mostly within the limit, 12 % late (the demo's plan_completion).
        span = np.maximum(1, due - start)
        late = rng.random(m) < 0.12
        offset = np.where(
            late, span + rng.integers(1, 6, m), 1 + (rng.random(m) * span).astype(np.int64)
        )
        t_done = times.at(start + offset, 510 + rng.random(m) * 540)
        stale = rng.random(m) < 0.0003  # forgotten: old matters still open (and overdue)
        done = ~stuck & ~stale & (t_done <= self.now)
        self.a_idx = acc
        self.a_owner = owner
        self.a_due = due
        self.a_t_done = np.where(done, t_done, NO)
        self.v_owner = self.v_officer.copy()
        self.v_owner[acc] = owner
        self.v_due = self.v_due0.copy()
        self.v_due[acc] = due

    def final_state(self) -> None:
        """Status, times and texts of every visit as of now."""
        n = self.n
        out = self.v_outcome
        status = np.full(n, ST["registered"], np.int64)
        status[out == VOIDED] = ST["voided"]
        status[out == ANSWERED] = ST["answered"]
        status[out == GUIDED] = ST["guided"]
        status[out == REFUSED] = ST["refused"]
        status[out == SPOT] = ST["completed"]
        acc = self.a_idx
        status[acc] = ST["in_progress"]
        status[acc[self.a_t_done != NO]] = ST["completed"]
        waiting = self.n_visit[(self.n_kind == 0) & (self.n_t_full == NO)]
        status[waiting] = ST["waiting_materials"]
        self.v_status = status
        same = np.isin(out, (VOIDED, ANSWERED, GUIDED, REFUSED, SPOT))
        t_final = np.where(same, self.v_t_act, NO)
        t_final[acc] = self.a_t_done
        self.v_t_final = t_final
        self.v_started = np.where(
            self.v_by_hand, self.v_created, np.where(out == WAITING, NO, self.v_arrived)
        )
        self.v_ended = np.where(same, self.v_t_act, NO)
        self.v_accepted = np.where((out == SPOT) | (out == ACCEPTED), self.v_t_act, NO)
        self.v_paused = np.full(n, NO, np.int64)
        self.v_paused[waiting] = self.n_t[(self.n_kind == 0) & (self.n_t_full == NO)]
        self.v_remaining = np.full(n, NO, np.int64)
        self.v_remaining[waiting] = self.n_remaining[(self.n_kind == 0) & (self.n_t_full == NO)]
        # The officer who finished: the owner then.
        self.v_summary_fix = np.zeros(n, bool)

    # -- prints, ratings, callbacks ------------------------------------------------------

    def prints(self) -> None:
        rng = self.rng
        out = self.v_outcome
        acc = np.flatnonzero((out == ACCEPTED) & (rng.random(self.n) < 0.9))
        guided = np.flatnonzero((out == GUIDED) & (rng.random(self.n) < 0.7))
        refused = np.flatnonzero(out == REFUSED)
        visit = np.r_[acc, guided, refused]
        kind = np.r_[
            np.zeros(acc.size, np.int64),
            np.ones(guided.size, np.int64),
            np.full(refused.size, 2, np.int64),
        ]
        t = self.v_t_act[visit] + rng.integers(20 * US, 40 * US, visit.size)
        copy = np.ones(visit.size, np.int64)
        officer = self.v_officer[visit]
        # 2 % of receipts are printed again (补打) when the citizen comes to collect.
        again = acc[rng.random(acc.size) < 0.02]
        again_done = self.a_t_done[np.searchsorted(self.a_idx, again)]
        again = again[again_done != NO]
        again_t = again_done[again_done != NO] - rng.integers(60 * US, 120 * US, again.size)
        visit = np.r_[visit, again]
        kind = np.r_[kind, np.zeros(again.size, np.int64)]
        t = np.r_[t, again_t]
        copy = np.r_[copy, np.full(again.size, 2, np.int64)]
        officer = np.r_[officer, self.v_owner[again]]
        # Every notice is printed when issued (two parts, one print).
        nv = self.n_visit
        self.p_visit = np.r_[visit, nv]
        self.p_kind = np.r_[kind, np.full(nv.size, 3, np.int64)]
        self.p_notice = np.r_[np.full(visit.size, NO, np.int64), np.arange(nv.size)]
        self.p_t = np.r_[t, self.n_t + rng.integers(20 * US, 40 * US, nv.size)]
        self.p_copy = np.r_[copy, np.ones(nv.size, np.int64)]
        self.p_officer = np.r_[officer, self.n_owner]

    def _levels(self, base: np.ndarray) -> np.ndarray:
        dims = np.repeat(base[:, None], len(self.base.dimensions), axis=1)
        dims -= (self.rng.random(dims.shape) < 0.15).astype(np.int64)
        return np.clip(dims, 1, 5)

    def ratings_on_site(self) -> None:
        rng = self.rng
        done = np.flatnonzero(np.isin(self.v_status, CLOSED_OK) & (self.v_t_final != NO))
        t = self.v_t_final[done] + MINUTE + rng.integers(0, 20 * US, done.size)
        keep = t <= self.now
        done, t = done[keep], t[keep]
        roll = rng.random(done.size)
        rated = roll >= 0.12
        done, t, roll = done[rated], t[rated], roll[rated]
        declined = roll < 0.17
        base = np.where(roll < 0.75, 5, np.where(roll < 0.92, 4, 3))
        dims = self._levels(base)
        overall = base.copy()
        bad_pick = rng.random(done.size) < 0.035
        which = rng.integers(0, dims.shape[1], done.size)
        rows = np.flatnonzero(bad_pick)
        dims[rows, which[rows]] = rng.choice((1, 2), rows.size)
        overall[rows] = rng.choice((2, 3), rows.size)
        low = (overall <= 2) | (dims.min(axis=1) <= 2)
        comment = np.full(done.size, -1, np.int64)
        comment[low] = rng.integers(0, len(BAD_COMMENTS), int(low.sum()))
        praise = (~low) & (overall == 5) & (rng.random(done.size) < 0.2)
        comment[praise] = 10 + rng.integers(0, len(GOOD_COMMENTS), int(praise.sum()))
        self.r_visit = done
        self.r_t = t
        self.r_kind = np.zeros(done.size, np.int64)  # 0 on_site, 1 phone, 2 home, 3 follow_up
        self.r_declined = declined
        self.r_overall = np.where(declined, NO, overall)
        self.r_dims = dims
        self.r_comment = np.where(declined, -1, comment)
        self.r_requested = (~declined) & (rng.random(done.size) < 0.05)
        self.r_by = self.v_owner[done]
        self.r_rated = self.v_owner[done]
        self.r_bad = (~declined) & low
        self.r_png = rng.integers(0, 64, done.size)

    def callbacks(self) -> None:
        """Daily samplings of the finished matters, the calls, phone ratings, home visits."""
        rng, cal, times = self.rng, self.cal, self.times
        work_days = np.flatnonzero(cal.work[: self.today + 1])
        # Each working day at 17:10 the chief samples the days since the previous one.
        batch_day = work_days[1:]
        prev = work_days[:-1]
        t_batch = times.at(batch_day, 17 * 60 + 10)
        keep = t_batch <= self.now
        batch_day, prev, t_batch = batch_day[keep], prev[keep], t_batch[keep]
        self.b_day, self.b_start = batch_day, prev
        self.b_end = batch_day - 1
        self.b_t = t_batch
        nb = batch_day.size
        # Which batch covers each local day (finished that day).
        cover = np.full(self.cal.work.size, NO, np.int64)
        for j in range(nb):
            cover[prev[j] : batch_day[j]] = j
        fin = np.flatnonzero(np.isin(self.v_status, CLOSED_OK) & (self.v_t_final != NO))
        fin_day = times.day_of(self.v_t_final[fin])
        batch = cover[np.minimum(fin_day, cover.size - 1)]
        ok = batch != NO
        ok &= self.v_t_final[fin] < t_batch[np.maximum(batch, 0)]
        fin, batch = fin[ok], batch[ok]
        self.b_eligible = np.bincount(batch, minlength=nb)
        mandatory = np.zeros(self.n, np.int64)  # 1 bad, 2 requested
        mandatory[self.r_visit[self.r_requested]] = 2
        mandatory[self.r_visit[self.r_bad]] = 1
        must = mandatory[fin]
        chosen = (must > 0) | (rng.random(fin.size) < CALLBACK_SHARE / 100)
        c_visit = fin[chosen]
        c_batch = batch[chosen]
        order = np.lexsort((c_visit, c_batch))
        c_visit, c_batch = c_visit[order], c_batch[order]
        self.b_sampled = np.bincount(c_batch, minlength=nb)
        self.b_mandatory = np.bincount(c_batch[mandatory[c_visit] > 0], minlength=nb)
        c_reason = np.where(mandatory[c_visit] == 1, 1, np.where(mandatory[c_visit] == 2, 2, 0))
        c_t = t_batch[c_batch] + rank_within(c_batch) * 100_000  # one transaction per batch
        c_day = batch_day[c_batch]
        handover_to = np.full(self.n, NO, np.int64)
        taken = self.h_accepted & (self.h_t_dec != NO)
        handover_to[self.h_visit[taken]] = self.h_to[taken]
        c_to = self.pick_officer(
            self.callers,
            c_day,
            avoid=(self.v_officer[c_visit], self.v_owner[c_visit], handover_to[c_visit]),
        )
        c_due, _ = cal.add_wd(c_day, 2)
        # Phone callbacks (kind 0), then the home visits their 差评 call for (kind 1).
        self.c_visit, self.c_batch, self.c_kind = c_visit, c_batch, np.zeros(c_visit.size, np.int64)
        self.c_reason, self.c_t, self.c_day, self.c_to, self.c_due = (
            c_reason,
            c_t,
            c_day,
            c_to,
            c_due,
        )
        self._attempts(home=False)
        self._home_visits()
        self._attempts(home=True)

    def _attempts(self, home: bool) -> None:
        """Up to three calls, on the working days after the sampling (16:30 onwards)."""
        rng, cal, times = self.rng, self.cal, self.times
        sel = np.flatnonzero(self.c_kind == (1 if home else 0))
        state = np.zeros(sel.size, np.int64)  # 0 pending 1 reached 2 refused 3 unreachable
        tries = np.zeros(sel.size, np.int64)
        closed = np.full(sel.size, NO, np.int64)
        day = self.c_day[sel]
        a_cb, a_t, a_out, a_no = [], [], [], []
        for k in range(1, 4):
            live = np.flatnonzero(state == 0)
            if live.size == 0:
                break
            when_day, _ = cal.add_wd(day[live], k)
            t = times.at(when_day, 16 * 60 + 30 + rng.random(live.size) * 90)
            # The last days' callbacks are still on the lists (the demo leaves 60 % of them).
            skip = (when_day >= self.today - 2) & (rng.random(live.size) < 0.6)
            go = (t <= self.now) & ~skip
            live, t = live[go], t[go]
            roll = rng.random(live.size)
            outcome = np.where(roll < 0.2, 1, np.where(roll < 0.24, 2, np.where(roll < 0.28, 3, 0)))
            tries[live] += outcome == 1
            new_state = np.select(
                [outcome == 0, outcome == 3, outcome == 2, (outcome == 1) & (tries[live] >= 3)],
                [1, 2, 3, 3],
                0,
            )
            state[live] = new_state
            closed[live] = np.where(new_state != 0, t, NO)
            a_cb.append(sel[live])
            a_t.append(t)
            a_out.append(outcome)
            a_no.append(np.full(live.size, k))
        cb = np.concatenate(a_cb) if a_cb else np.zeros(0, np.int64)
        t = np.concatenate(a_t) if a_t else np.zeros(0, np.int64)
        outcome = np.concatenate(a_out) if a_out else np.zeros(0, np.int64)
        number = np.concatenate(a_no) if a_no else np.zeros(0, np.int64)
        if not home:
            self.c_state = np.zeros(self.c_visit.size, np.int64)
            self.c_closed = np.full(self.c_visit.size, NO, np.int64)
            self.c_rating = np.full(self.c_visit.size, NO, np.int64)
            self.c_pressure = np.zeros(self.c_visit.size, bool)
            self.t_cb, self.t_t, self.t_out, self.t_k = cb, t, outcome, number
        else:
            self.c_state = np.r_[self.c_state, np.zeros(sel.size, np.int64)]
            self.c_closed = np.r_[self.c_closed, np.full(sel.size, NO, np.int64)]
            self.c_rating = np.r_[self.c_rating, np.full(sel.size, NO, np.int64)]
            self.c_pressure = np.r_[self.c_pressure, np.zeros(sel.size, bool)]
            self.t_cb = np.r_[self.t_cb, cb]
            self.t_t = np.r_[self.t_t, t]
            self.t_out = np.r_[self.t_out, outcome]
            self.t_k = np.r_[self.t_k, number]
        self.c_state[sel] = state
        self.c_closed[sel] = closed
        # Reached: the citizen rates on the same five levels.
        reached = outcome == 0
        r_cb = cb[reached]
        r_t = t[reached]
        roll = rng.random(r_cb.size)
        base = np.where(roll < 0.8, 5, np.where(roll < 0.93, 4, 3))
        if not home:
            base = np.where(rng.random(r_cb.size) < 0.04, 2, base)
        dims = self._levels(base)
        visit = self.c_visit[r_cb]
        onsite = np.full(self.n, NO, np.int64)
        ok = ~self.r_declined
        onsite[self.r_visit[ok]] = self.r_overall[ok]
        pressure = (onsite[visit] != NO) & (onsite[visit] - base >= 2)
        self.c_pressure[r_cb] = pressure
        start = self.r_visit.size
        self.r_visit = np.r_[self.r_visit, visit]
        self.r_t = np.r_[self.r_t, r_t]
        self.r_kind = np.r_[self.r_kind, np.full(r_cb.size, 2 if home else 1)]
        self.r_declined = np.r_[self.r_declined, np.zeros(r_cb.size, bool)]
        self.r_overall = np.r_[self.r_overall, base]
        self.r_dims = np.r_[self.r_dims, dims]
        self.r_comment = np.r_[self.r_comment, np.full(r_cb.size, -1)]
        self.r_requested = np.r_[self.r_requested, np.zeros(r_cb.size, bool)]
        self.r_by = np.r_[self.r_by, self.c_to[r_cb]]
        self.r_rated = np.r_[self.r_rated, self.v_owner[visit]]
        self.r_bad = np.r_[self.r_bad, (base <= 2) | (dims.min(axis=1) <= 2)]
        self.r_png = np.r_[self.r_png, np.full(r_cb.size, NO)]
        self.c_rating[r_cb] = np.arange(start, start + r_cb.size)
        self.r_callback = np.r_[getattr(self, "r_callback", np.full(start, NO)), r_cb]

    def _home_visits(self) -> None:
        """A 差评 by phone: a rectification and a home visit by the chief."""
        bad = np.flatnonzero((self.r_kind == 1) & self.r_bad)
        visit = self.r_visit[bad]
        _, first = np.unique(visit, return_index=True)
        bad, visit = bad[first], visit[first]
        day = self.times.day_of(self.r_t[bad])
        n = bad.size
        self.c_visit = np.r_[self.c_visit, visit]
        self.c_batch = np.r_[self.c_batch, np.full(n, NO)]
        self.c_kind = np.r_[self.c_kind, np.ones(n, np.int64)]
        self.c_reason = np.r_[self.c_reason, np.full(n, 3)]
        self.c_t = np.r_[self.c_t, self.r_t[bad]]
        self.c_day = np.r_[self.c_day, day]
        self.c_to = np.r_[self.c_to, np.full(n, self.chief)]
        due, _ = self.cal.add_wd(day, self.base.station["rectify_days"])
        self.c_due = np.r_[self.c_due, due]
        self.c_home_rating = bad  # the phone rating that called for it

    def rectifications(self) -> None:
        """Every 差评 opens one; the chief works it through on working-day evenings."""
        rng, cal, times = self.rng, self.cal, self.times
        src = np.flatnonzero(self.r_bad & (self.r_kind != 3))
        t_open = self.r_t[src]
        order = np.argsort(t_open, kind="stable")
        src, t_open = src[order], t_open[order]
        k = src.size
        day = times.day_of(t_open)
        verify_due, _ = cal.add_wd(day, self.base.station["verify_days"])
        rectify_due, _ = cal.add_wd(day, self.base.station["rectify_days"])
        evening = 17 * 60 + 40

        def step(after: np.ndarray, age: int) -> np.ndarray:
            d = cal.next_work(np.maximum(after + 1, verify_due + age))
            return d

        d_ver = cal.next_work(np.maximum(verify_due, day + 1))
        d_rect = step(d_ver, 2)
        d_follow = step(d_rect, 3)
        d_close = np.where(d_follow >= verify_due + 4, d_follow, step(d_follow, 4))
        t_ver = times.at(d_ver, evening) + rng.integers(0, 5 * MINUTE, k)
        t_rect = times.at(d_rect, evening) + rng.integers(0, 5 * MINUTE, k)
        t_follow = times.at(d_follow, evening) + rng.integers(0, 5 * MINUTE, k)
        t_close = np.maximum(
            times.at(d_close, evening) + rng.integers(0, 5 * MINUTE, k), t_follow + US
        )
        rated = self.r_rated[src]
        where = np.zeros(int(self.o_id.max()) + 1, np.int64)
        where[self.o_id] = np.arange(self.o_id.size)
        rated_active_then = (self.o_join[where[rated]] <= d_ver) & (
            d_ver < self.o_leave[where[rated]]
        )
        appeal = (rng.random(k) < 0.25) & rated_active_then
        now = self.now

        def done(t: np.ndarray) -> np.ndarray:
            return np.where(t <= now, t, NO)

        self.x_src = src
        self.x_visit = self.r_visit[src]
        self.x_rated = rated
        self.x_owner = np.full(k, self.chief)
        self.x_t = t_open
        self.x_verify_due = verify_due
        self.x_rectify_due = rectify_due
        self.x_t_ver = done(t_ver)
        self.x_t_appeal = np.where(appeal, done(t_ver + US), NO)
        self.x_t_rect = np.where(self.x_t_ver != NO, done(t_rect), NO)
        self.x_t_follow = np.where(self.x_t_rect != NO, done(t_follow), NO)
        self.x_t_decide = np.where(appeal, self.x_t_follow, NO)
        self.x_upheld = rng.random(k) < 0.5
        self.x_t_close = np.where(self.x_t_follow != NO, done(t_close), NO)
        # Follow-up ratings (整改回访): 满意 on every dimension.
        f = np.flatnonzero(self.x_t_follow != NO)
        start = self.r_visit.size
        self.r_visit = np.r_[self.r_visit, self.x_visit[f]]
        self.r_t = np.r_[self.r_t, self.x_t_follow[f]]
        self.r_kind = np.r_[self.r_kind, np.full(f.size, 3)]
        self.r_declined = np.r_[self.r_declined, np.zeros(f.size, bool)]
        self.r_overall = np.r_[self.r_overall, np.full(f.size, 4)]
        self.r_dims = np.r_[self.r_dims, np.full((f.size, self.r_dims.shape[1]), 4)]
        self.r_comment = np.r_[self.r_comment, np.full(f.size, 20)]
        self.r_requested = np.r_[self.r_requested, np.zeros(f.size, bool)]
        self.r_by = np.r_[self.r_by, np.full(f.size, self.chief)]
        self.r_rated = np.r_[self.r_rated, self.x_rated[f]]
        self.r_bad = np.r_[self.r_bad, np.zeros(f.size, bool)]
        self.r_png = np.r_[self.r_png, np.full(f.size, NO)]
        self.r_callback = np.r_[self.r_callback, np.full(f.size, NO)]
        self.x_follow_rating = np.full(k, NO, np.int64)
        self.x_follow_rating[f] = np.arange(start, start + f.size)
        self.r_rect = np.full(self.r_visit.size, NO, np.int64)
        self.r_rect[src] = np.arange(k)

    # -- complaints, reviews, corrections, logins ----------------------------------------

    def complaints(self) -> None:
        rng, cal, times = self.rng, self.cal, self.times
        days = np.flatnonzero(cal.work[: self.today + 1])
        t = times.at(days, 17 * 60 + 50)
        days = days[t <= self.now]
        complaint = rng.random(days.size) < 0.3
        praise = rng.random(days.size) < 0.08
        if days.size and not complaint.any():
            complaint[0] = True
        if days.size and not praise.any():
            praise[-1] = True
        kind = np.r_[np.zeros(int(complaint.sum()), np.int64), np.ones(int(praise.sum()), np.int64)]
        day = np.r_[days[complaint], days[praise]]
        t = times.at(day, 17 * 60 + 50) + rng.integers(0, 5 * MINUTE, day.size) + kind * MINUTE
        order = np.argsort(t, kind="stable")
        kind, day, t = kind[order], day[order], t[order]
        k = day.size
        self.q_kind, self.q_day, self.q_t = kind, day, t
        self.q_text = np.where(
            kind == 0, rng.integers(0, len(COMPLAINTS), k), rng.integers(0, len(PRAISE), k)
        )
        self.q_officer = self.pick_officer(self.staff, day, avoid=(np.full(k, self.deputy),))
        who = rng.integers(0, len(self.pool_names), k)
        self.q_name = self.pool_names[who]
        self.q_phone = self.pool_phones[who]
        st = self.base.station
        self.q_verify_due, _ = cal.add_wd(day, st["complaint_verify_days"])
        self.q_handle_due, _ = cal.add_wd(day, st["complaint_handle_days"])
        self.q_reply_due, _ = cal.add_wd(day, st["complaint_reply_days"])
        self.q_finding = rng.choice(("属实", "部分属实", "不属实", "不属实"), k)
        self.q_outcome = np.where(
            self.q_finding == "不属实", "澄清正名", rng.choice(("改进", "追责"), k)
        )
        # One step per working evening once old enough: 1, 2, 4 and 8 days after receipt.
        steps = []
        previous = day
        for age in (1, 2, 4, 8):
            d = cal.next_work(np.maximum(previous + 1, day + age))
            steps.append(d)
            previous = d
        self.q_steps = []
        alive = kind == 0
        for d in steps:
            when = times.at(d, 17 * 60 + 50) + rng.integers(0, 5 * MINUTE, k)
            when = np.where(alive & (when <= self.now), when, NO)
            self.q_steps.append(when)
            alive = when != NO

    def reviews(self) -> None:
        rng, times = self.rng, self.times
        last = self.today - 4
        days = np.arange(0, max(0, last + 1))
        t = times.at(days, 18 * 60 + 5) + rng.integers(0, 10 * MINUTE, days.size)
        keep = t <= self.now
        self.d_day, self.d_t = days[keep], t[keep]
        # Now and then a registration error turns up the morning after: a correction.
        starts = np.searchsorted(self.v_day, self.d_day)
        ends = np.searchsorted(self.v_day, self.d_day, side="right")
        has = ends > starts
        fix = has & (rng.random(self.d_day.size) < 0.15)
        if has.any() and not fix.any():
            fix[np.flatnonzero(has)[0]] = True
        first_by_arrival = np.array(
            [
                s + int(np.argmin(self.v_arrived[s:e])) if e > s else NO
                for s, e in zip(starts.tolist(), ends.tolist(), strict=True)
            ],
            np.int64,
        )
        k = np.flatnonzero(fix)
        t_fix = times.at(self.d_day[k] + 1, 8 * 60 + 30) + rng.integers(0, 20 * MINUTE, k.size)
        ok = t_fix <= self.now
        k, t_fix = k[ok], t_fix[ok]
        self.e_visit = first_by_arrival[k]
        self.e_day = self.d_day[k]
        self.e_t = t_fix
        self.e_made = self.e_day + 1
        self.v_summary_fix[self.e_visit] = True

    def logins(self) -> None:
        rng, cal, times = self.rng, self.cal, self.times
        ids, counts = self.staff
        rows, who = [], []
        for d in range(self.today + 1):
            people = ids[d, : counts[d]]
            if not cal.work[d]:
                people = people[rng.random(people.size) < 0.4]
            else:
                people = np.r_[people, self.chief]
            rows.append(np.full(people.size, d))
            who.append(people)
        day = np.concatenate(rows)
        self.l_officer = np.concatenate(who)
        t = times.at(day, 8 * 60 + rng.random(day.size) * 28)
        keep = t <= self.now
        self.l_t, self.l_officer = t[keep], self.l_officer[keep]

    # -- ids and numbers ---------------------------------------------------------------

    def numbering(self) -> None:
        times = self.times
        code = self.base.station["code"]

        def ids_by_time(t: np.ndarray) -> np.ndarray:
            order = np.argsort(t, kind="stable")
            out = np.empty(t.size, np.int64)
            out[order] = np.arange(1, t.size + 1)
            return out

        def numbers(t: np.ndarray, infix: str, width: int) -> tuple[np.ndarray, ...]:
            year = self.cal.year[times.day_of(t)]
            order = np.lexsort((t, year))
            seq = np.empty(t.size, np.int64)
            seq[order] = rank_within(year[order])
            return year, seq, cat(f"{code}-{infix}-", year, "-", zfill(seq, width))

        self.n_id = ids_by_time(self.n_t)
        self.n_year, self.n_seq, self.n_number = numbers(self.n_t, "GZ", 5)
        self.h_id = ids_by_time(self.h_t)
        self.r_id = ids_by_time(self.r_t)
        self.x_id = ids_by_time(self.x_t)
        self.x_year, self.x_seq, self.x_number = numbers(self.x_t, "ZG", 5)
        self.b_id = np.arange(1, self.b_day.size + 1)
        self.c_id = ids_by_time(self.c_t)
        self.t_id = ids_by_time(self.t_t)
        self.q_id = ids_by_time(self.q_t)
        self.q_year, self.q_seq, self.q_number = numbers(self.q_t, "TS", 5)
        self.d_id = np.arange(1, self.d_day.size + 1)
        self.e_id = ids_by_time(self.e_t)
        self.e_year, self.e_seq, self.e_number = numbers(self.e_t, "GZJL", 5)
        self.p_id = ids_by_time(self.p_t)
        # Counters: the last number of each kind and year.
        self.counters = []
        for kind, year, seq in (
            ("visit", self.v_year, self.v_seq),
            ("notice", self.n_year, self.n_seq),
            ("rectification", self.x_year, self.x_seq),
            ("complaint", self.q_year, self.q_seq),
            ("addendum", self.e_year, self.e_seq),
        ):
            for y in np.unique(year).tolist():
                self.counters.append((kind, int(y), int(seq[year == y].max())))


def _table(mask: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per day: the ids where ``mask`` holds (padded) and how many."""
    counts = mask.sum(axis=1)
    width = max(1, int(counts.max()))
    out = np.zeros((mask.shape[0], width), np.int64)
    for d in range(mask.shape[0]):
        row = ids[mask[d]]
        out[d, : row.size] = row
    return out, counts


def make_plan(
    visits: int, seed: int, now: dt.datetime, counts: np.ndarray, first: dt.date, base: Base
) -> Plan:
    """Decide the whole history."""
    now_local = now.astimezone(TZ)
    today = len(counts) - 1
    horizon = today + 1 + 600
    times = Times(first, horizon)
    cal = WorkCal(first, horizon)
    plan = Plan(
        visits, times, cal, base, int(now.timestamp() * US), today, np.random.default_rng(seed + 1)
    )
    plan.officers()
    plan.visits(counts, now_local)
    plan.outcomes()
    plan.accepted_flow()
    plan.final_state()
    plan.prints()
    plan.ratings_on_site()
    plan.callbacks()
    plan.rectifications()
    plan.complaints()
    plan.reviews()
    plan.logins()
    plan.numbering()
    return plan


# ---- signatures: a pool of scribbles ------------------------------------------------------


def _scribbles(
    count: int, seed: int, points: int = 6, strokes: int = 2
) -> list[tuple[str, bytes, str]]:
    """(strokes_json, png, image_sha256) of ``count`` signature scribbles (as the demo draws)."""
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        lines = [
            [
                [float(20 + 45 * k + rng.integers(0, 16)), float(65 + rng.integers(-25, 26)), 0.6]
                for k in range(points)
            ]
            for _ in range(strokes)
        ]
        image = Image.new("RGB", (320, 130), "white")
        draw = ImageDraw.Draw(image)
        for line in lines:
            draw.line([(x, y) for x, y, _p in line], fill="black", width=4)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        png = buffer.getvalue()
        text = json.dumps(lines)
        out.append((text, png, hashlib.sha256(text.encode("utf-8") + b"|" + png).hexdigest()))
    return out


# ---- writing ----------------------------------------------------------------------------


class Writer:
    """Big transactions on one SQLite file (journal and sync off: a build, not a ledger)."""

    def __init__(self, path: Path, log: Callable[[str], None]) -> None:
        self.con = sqlite3.connect(path, isolation_level=None, timeout=600)
        self.con.execute("PRAGMA journal_mode=OFF")
        self.con.execute("PRAGMA synchronous=OFF")
        self.con.execute("PRAGMA cache_size=-400000")
        self.con.execute("PRAGMA foreign_keys=OFF")
        # Every row is built from the schema's own vocabularies; the CHECK constraints (an IN
        # list is rebuilt for every row) are verified at the end by the test's integrity_check.
        self.con.execute("PRAGMA ignore_check_constraints=ON")
        self.log = log
        self.rows: dict[str, int] = {}
        self.sealing: dict[str, float] = {}  # CPU seconds spent sealing, per table

    def sealed(self, table: str, since: float) -> None:
        """Count the CPU time from ``since`` (``time.process_time``) as sealing ``table``."""
        self.sealing[table] = self.sealing.get(table, 0.0) + time.process_time() - since

    def counts(self) -> dict[str, Any]:
        """Rows per table, and the sealing CPU time under ``SEALING + table``."""
        return self.rows | {SEALING + t: s for t, s in self.sealing.items()}

    def insert(
        self,
        table: str,
        columns: dict[str, Any],
        batch: int = 200_000,
        text: Sequence[str] = (),
    ) -> None:
        """Insert columns (lists, or one value for every row) in big transactions; the columns
        named in ``text`` come as UTF-8 bytes and are stored as TEXT."""
        names = list(columns)
        length = max(len(v) for v in columns.values() if isinstance(v, list))
        cols = [v if isinstance(v, list) else itertools.repeat(v, length) for v in columns.values()]
        marks = ", ".join("CAST(? AS TEXT)" if name in text else "?" for name in names)
        sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})"
        rows = zip(*cols, strict=True)
        self.con.execute("BEGIN")
        for _ in range(0, length, batch):
            self.con.executemany(sql, itertools.islice(rows, batch))
        self.con.execute("COMMIT")
        self.rows[table] = self.rows.get(table, 0) + length

    def close(self) -> None:
        self.con.close()


def _stamps(times: Times, values: np.ndarray) -> list[Any]:
    """Stored timestamps, None where NO."""
    missing = values == NO
    out = times.stamp_list(np.where(missing, times.local_base, values))
    return with_none(out, missing) if missing.any() else out


def _dates(times: Times, days: np.ndarray) -> list[Any]:
    missing = days == NO
    out = times.date(np.where(missing, 0, days)).tolist()
    return with_none(out, missing) if missing.any() else out


def _ints(values: np.ndarray) -> list[Any]:
    missing = values == NO
    out = values.tolist()
    return with_none(out, missing) if missing.any() else out


def _mask_id(numbers: np.ndarray) -> np.ndarray:
    """``app.core.identity.mask_id`` for 18-character numbers: first 6 + 8 stars + last 4."""
    return cat(np.strings.slice(numbers, 0, 6), "********", np.strings.slice(numbers, 14, 18))


# ---- personal data, sealed as the services store it ---------------------------------------

SEALING = "_sealing "  # the key prefix of sealing times in the row counts the processes return


def _seal_texts(cipher: StationCipher, values: list[str]) -> list[str]:
    """``db.sealed.seal_text`` of every value: each row its own nonce, as a service writes it."""
    seal = seal_text
    return [seal(cipher, value) for value in values]


def _citizen_columns(plan: Plan, cipher: StationCipher) -> dict[str, list[str]]:
    """The visits' sealed ID numbers and phones with the lookup columns the Visit mapper's
    ``_visit_lookup_hashes`` fills: ``cipher.blind`` of each (empty stays empty) and the
    phone's last four. A keyed hash depends on the value alone: it is made once for each
    citizen who came (about 0.4 per visit) and repeated for their visits."""
    used, inverse = np.unique(plan.v_who, return_inverse=True)
    numbers = plan.pool_idn[used].tolist()
    phones = plan.pool_phones[used].tolist()
    blind = cipher.blind
    number_hash = np.asarray([blind("id", x) if x else "" for x in numbers], dtype=object)
    phone_hash = np.asarray([blind("phone", x) if x else "" for x in phones], dtype=object)
    tail = np.asarray([x[-4:] for x in phones], dtype=object)
    return {
        "id_number": _seal_texts(cipher, plan.v_idn.tolist()),
        "phone": _seal_texts(cipher, plan.v_phone.tolist()),
        "id_number_hash": number_hash[inverse].tolist(),
        "phone_hash": phone_hash[inverse].tolist(),
        "phone_tail": tail[inverse].tolist(),
    }


class Shared:
    """Results one process computes for another (over pipes, or in memory with one process).

    Each pair of processes has its own pipe, and a send runs in a thread: the sender goes on
    with its own work instead of waiting until the receiver gets round to reading (a pipe
    holds 64 KB; the notices' hashes alone are megabytes).
    """

    def __init__(self, inboxes: Sequence[Any] = (), outboxes: dict[str, Any] | None = None) -> None:
        self.inboxes = list(inboxes)
        self.outboxes = outboxes
        self.data: dict[str, Any] = {}
        self.sending: list[threading.Thread] = []

    def send(self, to: str, name: str, value: Any) -> None:
        if self.outboxes is None:
            self.data[name] = value
            return
        thread = threading.Thread(target=self.outboxes[to].send, args=((name, value),))
        thread.start()
        self.sending.append(thread)

    def receive(self, name: str) -> Any:
        while name not in self.data:
            ready: list[Any] = mp.connection.wait(self.inboxes)
            for inbox in ready:
                key, value = inbox.recv()
                self.data[key] = value
        return self.data[name]

    def flush(self) -> None:
        """Wait until everything sent has been read."""
        for thread in self.sending:
            thread.join()


def _safe(values: Sequence[str]) -> None:
    """Texts spliced into JSON by hand must need no escaping."""
    for text in values:
        if _q(text) != f'"{text}"':
            raise ValueError(f"text needs JSON escaping: {text!r}")


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# ---- notices: the frozen snapshot each citizen signed ----------------------------------


def notice_texts(plan: Plan) -> tuple[list[str], list[str], list[list[str]]]:
    """Each notice's snapshot JSON (as NoticeService._snapshot builds it), SHA-256, owed names."""
    from app.catalogue.service import time_limit_text

    st = plan.base.station
    phones = (
        f"咨询电话：{st['phone_consult'] or '（本所未设置）'}；"
        f"本所监督电话：{st['phone_supervision'] or '（本所未设置）'}；"
        f"公安监督举报电话：{st['phone_12389']}；政务服务便民热线：{st['phone_12345']}"
    )
    items = plan.base.items
    serial = plan.v_serial[plan.n_visit].tolist()
    name = plan.v_name[plan.n_visit].tolist()
    masked = _mask_id(plan.v_idn[plan.n_visit]).tolist()
    deadline = plan.times.date(plan.n_deadline).tolist()
    _safe(serial + name + masked)
    marks = ("\x01S\x01", "\x01C\x01", "\x01I\x01", "\x01D\x01")
    templates: dict[tuple[int, int, int, tuple[int, ...]], str] = {}
    texts, shas, owed_names = [], [], []
    item_of = plan.v_item[plan.n_visit].tolist()
    for j in range(plan.n_visit.size):
        item_index = item_of[j]
        officer = int(plan.n_owner[j])
        pledge = int(plan.n_kind[j])
        owed = tuple(plan.n_owed[j])
        key = (item_index, pledge, officer, owed)
        template = templates.get(key)
        item = items[item_index]
        if template is None:
            snapshot = {
                "kind": "pledge" if pledge else "notice",
                "station": st["name"],
                "station_address": st["address"],
                "serial": marks[0],
                "citizen_name": marks[1],
                "id_text": marks[2],
                "service_name": item.name,
                "service_version_id": item.version_id,
                "legal_basis": item.fields["legal_basis"],
                "conditions": item.fields["conditions"],
                "procedure": item.fields["procedure"],
                "time_limit_text": time_limit_text(item.limit, item.unit),
                "fee": item.fields["fee"],
                "place": item.fields["place"],
                "hours": item.fields["hours"],
                "officer_name": plan.id_name[officer],
                "officer_badge": plan.id_badge[officer],
                "officer_phone": plan.o_phone[plan.o_badge.index(plan.id_badge[officer])],
                "phones": phones,
                "deadline": marks[3],
                "promise": PLEDGE_TERMS if pledge else PROMISE,
                "items": [
                    {
                        "name": m["name"],
                        "copies": m["copies"],
                        "form": m["form"],
                        "source": m["source"],
                        "is_key": m["is_key"],
                        "state": "missing" if p in owed else "provided",
                        "note": "",
                        "extra": False,
                    }
                    for p, m in enumerate(item.materials)
                ],
            }
            template = canonical_json(snapshot).replace("\\u0001", "\x01")
            templates[key] = template
        text = (
            template.replace(marks[0], serial[j])
            .replace(marks[1], name[j])
            .replace(marks[2], masked[j])
            .replace(marks[3], deadline[j])
        )
        texts.append(text)
        shas.append(hashlib.sha256(text.encode("utf-8")).hexdigest())
        owed_names.append([item.materials[p]["name"] for p in owed])
    return texts, shas, owed_names


# ---- ledgers: each reviewed day as the chief signed it ----------------------------------


def ledger_reviews(plan: Plan) -> tuple[list[bytes], list[str], list[int], list[str]]:
    """Each reviewed day's ledger JSON (LedgerService's canonical form, UTF-8), SHA-256, rows,
    comment. The JSON stays encoded: it crosses to the tables process as bytes (no re-encoding)
    and is stored as TEXT by ``CAST(? AS TEXT)``.

    The visits section lists every visit of the day as it stood at the evening review; the
    other sections what happened that day (handovers, notices and breaches, pledges due,
    on-site ratings, callbacks, rectifications opened, complaints received, corrections).
    """
    times = plan.times
    names = plan.id_name
    out = plan.v_outcome
    status_at = np.select(
        [
            out == VOIDED,
            out == ANSWERED,
            out == GUIDED,
            out == REFUSED,
            out == SPOT,
            out == ACCEPTED,
        ],
        [
            ST["voided"],
            ST["answered"],
            ST["guided"],
            ST["refused"],
            ST["completed"],
            ST["in_progress"],
        ],
        ST["registered"],
    )
    status_at[plan.n_visit[plan.n_kind == 0]] = ST["waiting_materials"]

    def hm_or_blank(values: np.ndarray) -> np.ndarray:
        return np.where(
            values == NO, "", times.hm(np.where(values == NO, times.local_base, values))
        )

    officer_names = [names[int(i)] for i in plan.o_id.tolist()]
    _safe(officer_names + list(plan.i_name) + list(STATUS_LABEL))
    where = np.zeros(int(plan.o_id.max()) + 1, np.int64)
    where[plan.o_id] = np.arange(plan.o_id.size)
    first_name = pick(officer_names, where[plan.v_officer])
    due = np.where(plan.v_due0 == NO, "", times.date(np.where(plan.v_due0 == NO, 0, plan.v_due0)))
    visit_rows = cat(
        '[["',
        plan.v_serial,
        '","',
        times.hm(plan.v_arrived),
        '","',
        hm_or_blank(plan.v_started).astype(S),
        '","',
        hm_or_blank(plan.v_ended).astype(S),
        '","',
        plan.v_name,
        '","',
        _mask_id(plan.v_idn),
        '","',
        pick(plan.i_name, plan.v_item),
        '","',
        first_name,
        '","',
        first_name,
        '","',
        pick(STATUS_LABEL, status_at),
        '","',
        due.astype(S),
        # 逾期 (a day's own visits are never overdue that evening) and 窗口 (migration 0018:
        # the history was registered before counters were numbered, as the visits' '' says).
        '","",""],false,[',
        plan.v_officer,
        "],",
        plan.v_id,
        "]",
    ).tolist()
    order = np.lexsort((plan.v_arrived, plan.v_day))
    day_start = np.searchsorted(plan.v_day[order], np.arange(plan.today + 2))
    order_list = order.tolist()

    def per_day(day_of: np.ndarray) -> tuple[list[int], np.ndarray]:
        o = np.argsort(day_of, kind="stable")
        return o.tolist(), np.searchsorted(day_of[o], np.arange(plan.today + 2))

    serial = plan.v_serial.tolist()
    h_order, h_start = per_day(times.day_of(plan.h_t))
    n_order, n_start = per_day(plan.v_day[plan.n_visit])
    b_idx = np.flatnonzero(plan.n_breach)
    b_order, b_start = per_day(times.day_of(plan.n_t_breach[b_idx]))
    p_idx = np.flatnonzero(plan.n_kind == 1)
    p_order, p_start = per_day(plan.n_deadline[p_idx])
    onsite = np.flatnonzero(plan.r_kind == 0)
    r_order, r_start = per_day(times.day_of(plan.r_t[onsite]))
    a_order, a_start = per_day(times.day_of(plan.t_t))
    x_order, x_start = per_day(times.day_of(plan.x_t))
    q_order, q_start = per_day(plan.q_day)
    e_order, e_start = per_day(plan.e_made)
    r_hm = times.hm(plan.r_t).tolist()
    a_hm = times.hm(plan.t_t).tolist()
    h_hm = times.hm(plan.h_t).tolist()
    dims = plan.base.dimensions
    deadline = times.date(plan.n_deadline).tolist()
    notice_numbers = plan.n_number.tolist()
    rectify_due = times.date(plan.x_rectify_due).tolist()
    addendum_day = times.date(plan.e_day).tolist()
    # Summary figures.
    final_day = np.where(plan.v_t_final != NO, times.day_of(np.maximum(plan.v_t_final, 0)), NO)
    finished = np.isin(plan.v_status, CLOSED_OK) & (plan.v_t_final != NO)
    fin_days = final_day[finished]
    on_time = (plan.v_due[finished] == NO) | (fin_days <= plan.v_due[finished])
    size = plan.today + 2
    fin_count = np.bincount(fin_days, minlength=size)
    ontime_count = np.bincount(fin_days[on_time], minlength=size)
    closed_any = plan.v_t_final != NO
    closed_before = np.cumsum(np.bincount(final_day[closed_any] + 1, minlength=size + 1))[:size]
    registered_before = np.r_[0, np.cumsum(np.bincount(plan.v_day, minlength=size))][:size]
    carried = registered_before - closed_before
    voided_count = np.bincount(plan.v_day[plan.v_status == ST["voided"]], minlength=size)
    x_number = plan.x_number.tolist()
    q_number = plan.q_number.tolist()
    e_number = plan.e_number.tolist()
    heads = {
        s["key"]: (
            f'{{"columns":{_dump(s["columns"])},"key":"{s["key"]}","rows":',
            f',"title":{_q(s["title"])},"widths":{_dump(s["widths"])}}}',
        )
        for s in plan.base.skeleton
    }

    def pct(part: int, whole: int) -> str:
        return f"{part * 100 / whole:.1f}%" if whole else "—"

    # Python lists, not numpy scalars, in the per-day loops below.
    h_visit, h_from, h_to = plan.h_visit.tolist(), plan.h_from.tolist(), plan.h_to.tolist()
    n_visit, n_owner, n_kind = plan.n_visit.tolist(), plan.n_owner.tolist(), plan.n_kind.tolist()
    n_clerk, n_t_full = plan.n_clerk.tolist(), plan.n_t_full.tolist()
    n_owed = [len(o) for o in plan.n_owed]
    r_visit, r_declined, r_overall = (
        plan.r_visit.tolist(),
        plan.r_declined.tolist(),
        plan.r_overall.tolist(),
    )
    r_bad, r_rated, r_comment = plan.r_bad.tolist(), plan.r_rated.tolist(), plan.r_comment.tolist()
    low = plan.r_dims <= 2
    low_dims = {
        row: "、".join(dims[i] for i in range(len(dims)) if row[i])
        for row in set(map(tuple, np.unique(low, axis=0).tolist()))
    }
    r_low = [low_dims[tuple(row)] for row in low.tolist()]
    t_cb, t_out = plan.t_cb.tolist(), plan.t_out.tolist()
    c_visit, c_rating, c_pressure = (
        plan.c_visit.tolist(),
        plan.c_rating.tolist(),
        plan.c_pressure.tolist(),
    )
    c_kind, c_to = plan.c_kind.tolist(), plan.c_to.tolist()
    x_visit, x_rated, x_owner = plan.x_visit.tolist(), plan.x_rated.tolist(), plan.x_owner.tolist()
    q_kind, q_text, q_officer = plan.q_kind.tolist(), plan.q_text.tolist(), plan.q_officer.tolist()
    e_visit, out_scope = plan.e_visit.tolist(), plan.v_out_scope.tolist()
    contents, shas, counts, comments = [], [], [], []
    review_t = plan.d_t.tolist()
    for j, d in enumerate(plan.d_day.tolist()):
        rows = [visit_rows[i] for i in order_list[day_start[d] : day_start[d + 1]]]
        t_review = review_t[j]
        handovers = [
            [
                [
                    serial[v],
                    h_hm[k],
                    names[h_from[k]],
                    names[h_to[k]],
                    TXT_HANDOVER,
                    "待接收",
                ],
                True,
                [h_from[k], h_to[k]],
                v + 1,
            ]
            for k in h_order[h_start[d] : h_start[d + 1]]
            for v in [h_visit[k]]
        ]
        notice_rows = [
            [
                [
                    notice_numbers[k],
                    "容缺承诺" if n_kind[k] else "一次性告知",
                    serial[v],
                    names[n_owner[k]],
                    f"{n_owed[k]} 项",
                    deadline[k],
                    "待补正",
                ],
                False,
                [n_owner[k]],
                v + 1,
            ]
            for k in n_order[n_start[d] : n_start[d + 1]]
            for v in [n_visit[k]]
        ]
        breaches = [
            [
                [
                    notice_numbers[k],
                    f"超出告知范围：{TXT_BREACH_ITEM}",
                    serial[v],
                    names[n_owner[k]],
                    "",
                    "",
                    TXT_BREACH_WHY,
                ],
                True,
                [n_owner[k], n_clerk[k]],
                v + 1,
            ]
            for k in b_idx[b_order[b_start[d] : b_start[d + 1]]].tolist()
            for v in [n_visit[k]]
        ]
        pledges = [
            [
                [
                    notice_numbers[k],
                    serial[v],
                    names[n_owner[k]],
                    deadline[k],
                    "已补齐" if 0 <= n_t_full[k] <= t_review else "待补正",
                ],
                not (0 <= n_t_full[k] <= t_review),
                [n_owner[k]],
                v + 1,
            ]
            for k in p_idx[p_order[p_start[d] : p_start[d + 1]]].tolist()
            for v in [n_visit[k]]
        ]
        ratings = []
        rated = satisfied = strict = bad = 0
        for k in onsite[r_order[r_start[d] : r_start[d + 1]]].tolist():
            v = r_visit[k]
            declined = r_declined[k]
            overall = r_overall[k]
            if not declined:
                rated += 1
                satisfied += overall >= 3
                strict += overall >= 4
            bad += r_bad[k]
            ratings.append(
                [
                    [
                        r_hm[k],
                        serial[v],
                        names[r_rated[k]],
                        "拒绝评价" if declined else LEVELS[overall],
                        "" if declined else r_low[k],
                        _comment(r_comment[k]),
                    ],
                    r_bad[k],
                    [r_rated[k]],
                    v + 1,
                ]
            )
        calls = []
        reached = 0
        for k in a_order[a_start[d] : a_start[d + 1]]:
            c = t_cb[k]
            v = c_visit[c]
            outcome = OUTCOME_NAMES[t_out[k]]
            rating = c_rating[c] if outcome == "reached" else NO
            reached += outcome == "reached"
            pressure = c_pressure[c] and rating != NO
            calls.append(
                [
                    [
                        a_hm[k],
                        "上门回访" if c_kind[c] else "电话回访",
                        serial[v],
                        names[c_to[c]],
                        OUTCOME_LABELS[outcome],
                        LEVELS[r_overall[rating]] if rating != NO else "",
                        "评价落差" if pressure else "",
                    ],
                    pressure,
                    [c_to[c]],
                    v + 1,
                ]
            )
        rects = [
            [
                [
                    x_number[k],
                    serial[v],
                    names[x_rated[k]],
                    names[x_owner[k]],
                    "待核实",
                    rectify_due[k],
                    "新开",
                ],
                False,
                [x_rated[k], x_owner[k]],
                v + 1,
            ]
            for k in x_order[x_start[d] : x_start[d + 1]]
            for v in [x_visit[k]]
        ]
        complaints = []
        new_complaints = new_praise = 0
        for k in q_order[q_start[d] : q_start[d + 1]]:
            praise = bool(q_kind[k])
            new_praise += praise
            new_complaints += not praise
            channel = (PRAISE if praise else COMPLAINTS)[q_text[k]][0]
            complaints.append(
                [
                    [
                        q_number[k],
                        "表扬" if praise else "投诉",
                        channel,
                        names[q_officer[k]],
                        "已登记" if praise else "待核实",
                        "新收",
                    ],
                    False,
                    [q_officer[k]],
                    None,
                ]
            )
        addenda = [
            [
                [
                    e_number[k],
                    addendum_day[k],
                    serial[v],
                    "事由摘要",
                    TXT_OUT_OF_SCOPE if out_scope[v] else "",
                    TXT_CORR_NEW,
                    TXT_CORR_WHY,
                    names[plan.chief],
                ],
                True,
                [plan.chief],
                v + 1,
            ]
            for k in e_order[e_start[d] : e_start[d + 1]]
            for v in [e_visit[k]]
        ]
        by_key = {
            "visits": None,
            "handovers": handovers,
            "notices": notice_rows + breaches,
            "pledges": pledges,
            "ratings": ratings,
            "callbacks": calls,
            "rectifications": rects,
            "complaints": complaints,
            "addenda": addenda,
        }
        parts = []
        count = 0
        for key, (head, tail) in heads.items():
            if key == "visits":
                body = "[" + ",".join(rows) + "]"
                count += len(rows)
            else:
                section_rows = by_key.get(key) or []
                body = _dump(section_rows)
                count += len(section_rows)
            parts.append(head + body + tail)
        values = {
            "登记": f"{len(rows)} 件（其中作废 {int(voided_count[d])} 件）",
            "当日办结": f"{int(fin_count[d])} 件，按期 {int(ontime_count[d])} 件，按期率 "
            f"{pct(int(ontime_count[d]), int(fin_count[d]))}",
            "上日结转在办": f"{int(carried[d])} 件（其中已过办结期限 0 件）",
            "当日登记逾期": "0 件",
            "现场评价": f"{len(ratings)} 次，满意率 {pct(satisfied, rated)}（非常满意+满意+基本满意），"
            f"严格满意率 {pct(strict, rated)}（非常满意+满意），差评 {bad} 件",
            "一次性告知": f"出具 {len(notice_rows)} 份，超出告知范围 {len(breaches)} 次",
            "回访": f"{len(calls)} 次，接通 {reached} 次",
            "整改督办": f"新开及逾期 {len(rects)} 件（逾期 0 件）",
            "投诉表扬": f"新收投诉 {new_complaints} 件、表扬 {new_praise} 件；逾期未结投诉 0 件",
            "更正记录": f"{len(addenda)} 条",
        }
        summary = [[label, values.get(label, "—")] for label in plan.base.summary_labels]
        content = '{"sections":[' + ",".join(parts) + '],"summary":' + _dump(summary) + "}"
        if j % 500 == 0:  # the hand-made JSON is exactly LedgerService's canonical form
            canonical = json.dumps(
                json.loads(content), ensure_ascii=False, sort_keys=True, separators=(",", ":")
            )
            if canonical != content:
                raise RuntimeError(f"ledger JSON of day {d} is not canonical")
        encoded = content.encode("utf-8")
        contents.append(encoded)
        shas.append(hashlib.sha256(encoded).hexdigest())
        counts.append(count)
        comments.append("已逐条核对。" if rows else "当日无登记。")
    return contents, shas, counts, comments


def _comment(code: int) -> str:
    if code < 0:
        return ""
    if code < 10:
        return BAD_COMMENTS[code]
    if code < 20:
        return GOOD_COMMENTS[code - 10]
    return TXT_FOLLOW


def _dims_json(plan: Plan) -> np.ndarray:
    """``json.dumps(dims, ensure_ascii=False, sort_keys=True)`` of each rating."""
    names = plan.base.dimensions
    order = sorted(range(len(names)), key=lambda i: names[i])
    parts: list[Any] = ["{"]
    for n, i in enumerate(order):
        parts += [f'"{names[i]}": ' if n == 0 else f', "{names[i]}": ', plan.r_dims[:, i]]
    parts.append("}")
    return np.where(plan.r_declined, "{}", cat(*parts)).astype(S)


# ---- the entity tables -----------------------------------------------------------------


def write_tables(
    plan: Plan, path: Path, shared: Shared, log: Callable[[str], None]
) -> dict[str, Any]:
    """Every table but the audit events and signatures, into ``path`` (merged in later)."""
    times = plan.times
    w = Writer(path, log)
    t0 = time.perf_counter()
    notice_texts_, notice_shas, owed_names = notice_texts(plan)
    notice_numbers = plan.n_number.tolist()
    shared.send("audit", "notices", (notice_shas, owed_names))
    log(f"tables: notices prepared in {time.perf_counter() - t0:.1f} s")
    n = plan.n

    # visits
    out = plan.v_outcome
    status = plan.v_status
    completed_spot = out == SPOT
    result = np.select(
        [status == ST["completed"], status == ST["answered"], status == ST["guided"]],
        [np.where(completed_spot, TXT_SPOT, TXT_DONE), TXT_ANSWER, TXT_GUIDE_NOTE],
        "",
    )
    guided = out == GUIDED
    units = np.asarray([g[0] for g in GUIDE_TO], dtype=object)[plan.v_guide]
    addresses = np.asarray([g[1] for g in GUIDE_TO], dtype=object)[plan.v_guide]
    phones = np.asarray([g[2] for g in GUIDE_TO], dtype=object)[plan.v_guide]
    summary = np.where(
        plan.v_summary_fix, TXT_CORR_NEW, np.where(plan.v_out_scope, TXT_OUT_OF_SCOPE, "")
    )
    handover_state = np.zeros(n, np.int64)
    handover_state[plan.h_visit] = np.where(plan.h_t_dec != NO, 2, 1)
    resumed = np.zeros(n, np.int64)
    resumed[plan.n_visit] = (plan.n_kind == 0) & (plan.n_t_full != NO)
    noticed = np.zeros(n, np.int64)
    noticed[plan.n_visit] = 1
    row_version = (
        1
        + plan.v_by_hand
        + ((out == SPOT) | (out == ACCEPTED))
        + (plan.v_t_final != NO)
        + noticed
        + resumed
        + handover_state
        + plan.v_summary_fix
    )
    cipher = plan.base.cipher()
    mark = time.process_time()
    citizen = _citizen_columns(plan, cipher)
    w.sealed("visits", mark)
    log(f"tables: ID numbers and phones sealed and hashed in {w.sealing['visits']:.1f} s CPU")
    w.insert(
        "visits",
        {
            "id": plan.v_id.tolist(),
            "serial": plan.v_serial.tolist(),
            "year": plan.v_year.tolist(),
            "seq": plan.v_seq.tolist(),
            "arrived_at": _stamps(times, plan.v_arrived),
            "started_at": _stamps(times, plan.v_started),
            "ended_at": _stamps(times, plan.v_ended),
            "arrived_by_hand": plan.v_by_hand.astype(np.int64).tolist(),
            "started_by_hand": plan.v_by_hand.astype(np.int64).tolist(),
            "ended_by_hand": 0,
            "local_date": times.date(plan.v_day).tolist(),
            "citizen_name": plan.v_name.tolist(),
            "id_type": "resident",
            **citizen,
            "service_version_id": plan.i_version[plan.v_item].tolist(),
            "channel": np.asarray(plan.chan_names, dtype=object)[plan.v_channel].tolist(),
            "summary": summary.tolist(),
            "in_scope": (~plan.v_out_scope).astype(np.int64).tolist(),
            "first_officer_id": plan.v_officer.tolist(),
            "owner_id": plan.v_owner.tolist(),
            "status": np.asarray(STATUS, dtype=object)[status].tolist(),
            "accepted_at": _stamps(times, plan.v_accepted),
            "due_date": _dates(times, plan.v_due),
            "due_assumed": plan.v_due_assumed.astype(np.int64).tolist(),
            "paused_at": _stamps(times, plan.v_paused),
            "remaining_days": _ints(plan.v_remaining),
            "result": result.tolist(),
            "guided_unit": np.where(guided, units, "").tolist(),
            "guided_address": np.where(guided, addresses, "").tolist(),
            "guided_phone": np.where(guided, phones, "").tolist(),
            "refusal_reason": np.where(out == REFUSED, TXT_REFUSE, "").tolist(),
            "refusal_redress": np.where(out == REFUSED, TXT_REDRESS, "").tolist(),
            "void_reason": np.where(out == VOIDED, TXT_VOID, "").tolist(),
            "row_version": row_version.tolist(),
            "created_at": _stamps(times, plan.v_created),
        },
    )
    log(f"tables: visits at {time.perf_counter() - t0:.1f} s")

    # visit_transitions
    tr = _transitions(plan, notice_numbers, owed_names)
    order = np.lexsort((tr["phase"], tr["visit"], tr["t"]))
    w.insert(
        "visit_transitions",
        {
            "id": list(range(1, order.size + 1)),
            "visit_id": (tr["visit"][order] + 1).tolist(),
            "at": _stamps(times, tr["t"][order]),
            "officer_id": tr["officer"][order].tolist(),
            "from_status": np.asarray(("", *STATUS), dtype=object)[tr["src"][order] + 1].tolist(),
            "to_status": np.asarray(STATUS, dtype=object)[tr["dst"][order]].tolist(),
            "reason": np.asarray(tr["reason"], dtype=object)[order].tolist(),
        },
    )
    log(f"tables: transitions at {time.perf_counter() - t0:.1f} s")

    # handovers
    decided = plan.h_t_dec != NO
    w.insert(
        "handovers",
        {
            "id": plan.h_id.tolist(),
            "visit_id": (plan.h_visit + 1).tolist(),
            "from_officer_id": plan.h_from.tolist(),
            "to_officer_id": plan.h_to.tolist(),
            "reason": TXT_HANDOVER,
            "state": np.where(
                ~decided, "pending", np.where(plan.h_accepted, "accepted", "declined")
            ).tolist(),
            "created_at": _stamps(times, plan.h_t),
            "decided_at": _stamps(times, plan.h_t_dec),
            "decline_reason": np.where(decided & ~plan.h_accepted, TXT_DECLINE, "").tolist(),
        },
    )

    # notices, their items and breaches
    fulfilled = plan.n_t_full != NO
    returns = (plan.n_t_ret1 != NO).astype(np.int64) + (plan.n_t_ret2 != NO)
    w.insert(
        "notices",
        {
            "id": plan.n_id.tolist(),
            "number": notice_numbers,
            "year": plan.n_year.tolist(),
            "seq": plan.n_seq.tolist(),
            "kind": np.where(plan.n_kind == 1, "pledge", "notice").tolist(),
            "visit_id": (plan.n_visit + 1).tolist(),
            "officer_id": plan.n_owner.tolist(),
            "state": np.where(fulfilled, "fulfilled", "open").tolist(),
            "snapshot_json": notice_texts_,
            "content_sha256": notice_shas,
            "supplement_deadline": times.date(plan.n_deadline).tolist(),
            "issued_at": _stamps(times, plan.n_t),
            "local_date": times.date(plan.v_day[plan.n_visit]).tolist(),
            "fulfilled_at": _stamps(times, plan.n_t_full),
            "voided_at": None,
            "void_reason": "",
            "signature_declined_note": "",
            "return_visits": returns.tolist(),
            "row_version": (1 + returns + plan.n_breach).tolist(),
        },
    )
    _notice_items(w, plan)
    b = np.flatnonzero(plan.n_breach)
    b = b[np.argsort(plan.n_t_breach[b], kind="stable")]
    w.insert(
        "notice_breaches",
        {
            "id": list(range(1, b.size + 1)),
            "notice_id": plan.n_id[b].tolist(),
            "item_name": TXT_BREACH_ITEM,
            "reason": TXT_BREACH_WHY,
            "at": _stamps(times, plan.n_t_breach[b]),
            "local_date": times.date(times.day_of(plan.n_t_breach[b])).tolist(),
            "officer_id": plan.n_clerk[b].tolist(),
            "issuer_id": plan.n_owner[b].tolist(),
        },
    )
    log(f"tables: notices at {time.perf_counter() - t0:.1f} s")

    # ratings
    r_dims = _dims_json(plan).tolist()
    comments_r = [_comment(c) for c in plan.r_comment.tolist()]
    kinds = np.asarray(("on_site", "phone", "home", "follow_up"), dtype=object)
    w.insert(
        "ratings",
        {
            "id": plan.r_id.tolist(),
            "visit_id": (plan.r_visit + 1).tolist(),
            "kind": kinds[plan.r_kind].tolist(),
            "declined": plan.r_declined.astype(np.int64).tolist(),
            "overall": _ints(plan.r_overall),
            "dimensions_json": r_dims,
            "comment": comments_r,
            "rated_at": _stamps(times, plan.r_t),
            "local_date": times.date(times.day_of(plan.r_t)).tolist(),
            "recorded_by_id": plan.r_by.tolist(),
            "rated_officer_id": plan.r_rated.tolist(),
            "callback_requested": plan.r_requested.astype(np.int64).tolist(),
        },
    )
    log(f"tables: ratings at {time.perf_counter() - t0:.1f} s")

    # rectifications
    state = np.select(
        [plan.x_t_close != NO, plan.x_t_rect != NO, plan.x_t_ver != NO],
        ["closed", "rectified", "verified"],
        "open",
    )
    appealed = plan.x_t_appeal != NO
    decided_a = plan.x_t_decide != NO
    steps = sum(
        (t != NO).astype(np.int64)
        for t in (
            plan.x_t_ver,
            plan.x_t_appeal,
            plan.x_t_rect,
            plan.x_t_decide,
            plan.x_t_follow,
            plan.x_t_close,
        )
    )
    follow = plan.x_follow_rating
    w.insert(
        "rectifications",
        {
            "id": plan.x_id.tolist(),
            "number": plan.x_number.tolist(),
            "year": plan.x_year.tolist(),
            "seq": plan.x_seq.tolist(),
            "visit_id": (plan.x_visit + 1).tolist(),
            "rating_id": plan.r_id[plan.x_src].tolist(),
            "rated_officer_id": plan.x_rated.tolist(),
            "owner_id": plan.x_owner.tolist(),
            "state": state.tolist(),
            "opened_at": _stamps(times, plan.x_t),
            "verify_due": times.date(plan.x_verify_due).tolist(),
            "rectify_due": times.date(plan.x_rectify_due).tolist(),
            "verified_at": _stamps(times, plan.x_t_ver),
            "cause": np.where(plan.x_t_ver != NO, TXT_CAUSE, "").tolist(),
            "action": np.where(plan.x_t_rect != NO, TXT_ACTION, "").tolist(),
            "result": np.where(plan.x_t_rect != NO, TXT_RESULT, "").tolist(),
            "follow_up_rating_id": _ints(
                np.where(follow != NO, plan.r_id[np.maximum(follow, 0)], NO)
            ),
            "appeal_text": np.where(appealed, TXT_APPEAL, "").tolist(),
            "appeal_decision": np.where(
                decided_a, np.where(plan.x_upheld, "upheld", "rejected"), ""
            ).tolist(),
            "appeal_reason": np.where(decided_a, TXT_APPEAL_REASON, "").tolist(),
            "appeal_decided_by_id": _ints(np.where(decided_a, plan.chief, NO)),
            "closed_at": _stamps(times, plan.x_t_close),
            "row_version": (1 + steps).tolist(),
        },
    )

    # callback batches, callbacks and attempts
    start_d = plan.b_start
    w.insert(
        "callback_batches",
        {
            "id": plan.b_id.tolist(),
            "period_kind": np.where(start_d == plan.b_end, "day", "custom").tolist(),
            "period_start": times.date(start_d).tolist(),
            "period_end": times.date(plan.b_end).tolist(),
            "share": CALLBACK_SHARE,
            "seed": [plan.cal.dates[d].toordinal() for d in start_d.tolist()],
            "eligible": plan.b_eligible.tolist(),
            "sampled": plan.b_sampled.tolist(),
            "created_at": _stamps(times, plan.b_t),
            "created_by_id": plan.chief,
        },
    )
    attempts_per = np.bincount(plan.t_cb, minlength=plan.c_visit.size)
    c_state = np.asarray(("pending", "reached", "refused", "unreachable"), dtype=object)[
        plan.c_state
    ]
    reasons = np.asarray(("sample", "bad", "requested", "dissatisfied"), dtype=object)[
        plan.c_reason
    ]
    rating_ids = np.where(plan.c_rating != NO, plan.r_id[np.maximum(plan.c_rating, 0)], NO)
    w.insert(
        "callbacks",
        {
            "id": plan.c_id.tolist(),
            "batch_id": _ints(
                np.where(plan.c_batch != NO, plan.b_id[np.maximum(plan.c_batch, 0)], NO)
            ),
            "visit_id": (plan.c_visit + 1).tolist(),
            "kind": np.where(plan.c_kind == 1, "home", "phone").tolist(),
            "reason": reasons.tolist(),
            "assigned_to_id": plan.c_to.tolist(),
            "created_at": _stamps(times, plan.c_t),
            "local_date": times.date(plan.c_day).tolist(),
            "due_date": times.date(plan.c_due).tolist(),
            "state": c_state.tolist(),
            "rating_id": _ints(rating_ids),
            "pressure": plan.c_pressure.astype(np.int64).tolist(),
            "closed_at": _stamps(times, plan.c_closed),
            "row_version": (1 + attempts_per).tolist(),
        },
    )
    outcome = np.asarray(OUTCOME_NAMES, dtype=object)[plan.t_out]
    home = plan.c_kind[plan.t_cb] == 1
    reached_base = np.where(
        plan.c_rating[plan.t_cb] != NO, plan.r_overall[np.maximum(plan.c_rating[plan.t_cb], 0)], 5
    )
    note = np.select(
        [
            home & (plan.t_out == 0),
            (plan.t_out == 0) & (reached_base >= 4),
            plan.t_out == 0,
            plan.t_out == 3,
        ],
        [CALL_NOTE_HOME, CALL_NOTE_GOOD, CALL_NOTE_BAD, CALL_NOTE_REFUSED],
        "",
    )
    order = np.argsort(plan.t_id)
    w.insert(
        "callback_attempts",
        {
            "id": plan.t_id[order].tolist(),
            "callback_id": plan.c_id[plan.t_cb[order]].tolist(),
            "at": _stamps(times, plan.t_t[order]),
            "local_date": times.date(times.day_of(plan.t_t[order])).tolist(),
            "officer_id": plan.c_to[plan.t_cb[order]].tolist(),
            "outcome": outcome[order].tolist(),
            "note": note[order].tolist(),
        },
    )
    log(f"tables: callbacks at {time.perf_counter() - t0:.1f} s")

    # complaints and praise
    praise = plan.q_kind == 1
    s1, s2, s3, s4 = plan.q_steps
    q_state = np.select(
        [praise, s4 != NO, s3 != NO, s2 != NO, s1 != NO],
        ["closed", "closed", "replied", "handled", "verified"],
        "received",
    )
    texts = [
        (PRAISE if p else COMPLAINTS)[int(i)]
        for p, i in zip(praise.tolist(), plan.q_text.tolist(), strict=True)
    ]
    mark = time.process_time()
    complainant_phones = _seal_texts(cipher, plan.q_phone.tolist())
    w.sealed("complaints", mark)
    w.insert(
        "complaints",
        {
            "id": plan.q_id.tolist(),
            "number": plan.q_number.tolist(),
            "year": plan.q_year.tolist(),
            "seq": plan.q_seq.tolist(),
            "kind": np.where(praise, "praise", "complaint").tolist(),
            "channel": [t[0] for t in texts],
            "received_on": times.date(plan.q_day).tolist(),
            "recorded_at": _stamps(times, plan.q_t),
            "recorded_by_id": plan.deputy,
            "complainant_name": plan.q_name.tolist(),
            "complainant_phone": complainant_phones,
            "officer_id": plan.q_officer.tolist(),
            "visit_id": None,
            "content": [t[1] for t in texts],
            "state": q_state.tolist(),
            "handler_id": _ints(np.where(praise, NO, plan.chief)),
            "verify_due": _dates(times, np.where(praise, NO, plan.q_verify_due)),
            "handle_due": _dates(times, np.where(praise, NO, plan.q_handle_due)),
            "reply_due": _dates(times, np.where(praise, NO, plan.q_reply_due)),
            "finding": np.where(s1 != NO, plan.q_finding, "").tolist(),
            "verify_note": np.where(s1 != NO, TXT_VERIFY_NOTE, "").tolist(),
            "verified_at": _stamps(times, s1),
            "outcome": np.where(s2 != NO, plan.q_outcome, "").tolist(),
            "handle_note": np.where(s2 != NO, TXT_HANDLE_NOTE, "").tolist(),
            "handled_at": _stamps(times, s2),
            "reply_method": np.where(s3 != NO, "电话", "").tolist(),
            "reply_text": np.where(s3 != NO, TXT_REPLY, "").tolist(),
            "replied_at": _stamps(times, s3),
            "closed_at": _stamps(times, np.where(praise, plan.q_t, s4)),
            "row_version": (1 + sum((s != NO).astype(np.int64) for s in plan.q_steps)).tolist(),
        },
    )

    # day reviews (from the ledger process) and corrections
    contents, review_shas, comments = shared.receive("ledgers")
    w.insert(
        "day_reviews",
        {
            "id": plan.d_id.tolist(),
            "day": times.date(plan.d_day).tolist(),
            "reviewed_by_id": plan.chief,
            "reviewed_at": _stamps(times, plan.d_t),
            "comment": comments,
            "content_json": contents,
            "content_sha256": review_shas,
        },
        batch=500,
        text=("content_json",),
    )
    order = np.argsort(plan.e_id)
    w.insert(
        "addenda",
        {
            "id": plan.e_id[order].tolist(),
            "number": plan.e_number[order].tolist(),
            "year": plan.e_year[order].tolist(),
            "seq": plan.e_seq[order].tolist(),
            "day": times.date(plan.e_day[order]).tolist(),
            "made_on": times.date(plan.e_made[order]).tolist(),
            "at": _stamps(times, plan.e_t[order]),
            "officer_id": plan.chief,
            "entity_type": "visit",
            "entity_id": (plan.e_visit[order] + 1).tolist(),
            "entity_label": plan.v_serial[plan.e_visit[order]].tolist(),
            "field": "summary",
            "field_label": "事由摘要",
            "old_value": np.where(
                plan.v_out_scope[plan.e_visit[order]], TXT_OUT_OF_SCOPE, ""
            ).tolist(),
            "new_value": TXT_CORR_NEW,
            "reason": TXT_CORR_WHY,
        },
    )

    # print records
    order = np.argsort(plan.p_id)
    kind = np.asarray(("receipt", "guidance", "refusal", ""), dtype=object)[plan.p_kind[order]]
    notice_kind = np.where(
        plan.p_notice[order] != NO, plan.n_id[np.maximum(plan.p_notice[order], 0)], 0
    )
    kind = np.where(plan.p_kind[order] == 3, cat("notice", notice_kind), kind.astype(S))
    w.insert(
        "print_records",
        {
            "id": plan.p_id[order].tolist(),
            "visit_id": (plan.p_visit[order] + 1).tolist(),
            "kind": kind.tolist(),
            "copy_no": plan.p_copy[order].tolist(),
            "at": _stamps(times, plan.p_t[order]),
            "officer_id": plan.p_officer[order].tolist(),
        },
    )
    log(f"tables: rows written at {time.perf_counter() - t0:.1f} s")
    w.close()
    return w.counts()


def _transitions(plan: Plan, numbers: list[str], owed_names: list[list[str]]) -> dict[str, Any]:
    """Every status change (and owner change) of every visit: visit, time, officer, from, to."""
    out = plan.v_outcome
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, int, np.ndarray | int, Any, int]] = []
    every = np.arange(plan.n)
    parts.append((every, plan.v_created, plan.v_officer, -1, ST["registered"], TXT_REGISTERED, 0))
    acc = np.flatnonzero((out == SPOT) | (out == ACCEPTED))
    parts.append(
        (
            acc,
            plan.v_t_act[acc],
            plan.v_officer[acc],
            ST["registered"],
            ST["in_progress"],
            TXT_ACCEPT,
            2,
        )
    )
    spot = np.flatnonzero(out == SPOT)
    parts.append(
        (
            spot,
            plan.v_t_act[spot],
            plan.v_officer[spot],
            ST["in_progress"],
            ST["completed"],
            TXT_SPOT,
            3,
        )
    )
    for code, status, reason in (
        (VOIDED, "voided", TXT_VOID),
        (ANSWERED, "answered", TXT_ANSWER),
        (REFUSED, "refused", TXT_REFUSE),
    ):
        idx = np.flatnonzero(out == code)
        parts.append(
            (idx, plan.v_t_act[idx], plan.v_officer[idx], ST["registered"], ST[status], reason, 3)
        )
    idx = np.flatnonzero(out == GUIDED)
    units = [f"引导至{g[0]}" for g in GUIDE_TO]
    parts.append(
        (
            idx,
            plan.v_t_act[idx],
            plan.v_officer[idx],
            ST["registered"],
            ST["guided"],
            [units[g] for g in plan.v_guide[idx].tolist()],
            3,
        )
    )
    k = np.flatnonzero(plan.n_kind == 0)
    parts.append(
        (
            plan.n_visit[k],
            plan.n_t[k],
            plan.n_owner[k],
            ST["in_progress"],
            ST["waiting_materials"],
            [f"出具一次性告知单 {numbers[j]}：{'、'.join(owed_names[j])}" for j in k.tolist()],
            4,
        )
    )
    k = np.flatnonzero((plan.n_kind == 0) & (plan.n_t_full != NO))
    clerk = np.where(plan.n_partial[k], plan.n_clerk2[k], plan.n_clerk[k])
    parts.append(
        (
            plan.n_visit[k],
            plan.n_t_full[k],
            clerk,
            ST["waiting_materials"],
            ST["in_progress"],
            [f"按告知单 {numbers[j]} 补齐材料，恢复办理" for j in k.tolist()],
            0,
        )
    )
    k = np.flatnonzero(plan.h_accepted & (plan.h_t_dec != NO))
    parts.append(
        (
            plan.h_visit[k],
            plan.h_t_dec[k],
            plan.h_to[k],
            ST["in_progress"],
            ST["in_progress"],
            f"接收移交：{TXT_HANDOVER}",
            0,
        )
    )
    done = plan.a_t_done != NO
    parts.append(
        (
            plan.a_idx[done],
            plan.a_t_done[done],
            plan.a_owner[done],
            ST["in_progress"],
            ST["completed"],
            TXT_DONE,
            0,
        )
    )
    visit = np.concatenate([p[0] for p in parts])
    t = np.concatenate([p[1] for p in parts])
    officer = np.concatenate([p[2] for p in parts])
    src = np.concatenate([np.full(p[0].size, p[3]) for p in parts])
    dst = np.concatenate([np.broadcast_to(np.asarray(p[4]), p[0].shape) for p in parts])
    phase = np.concatenate([np.full(p[0].size, p[6]) for p in parts])
    reasons: list[str] = []
    for p in parts:
        reasons.extend(p[5] if isinstance(p[5], list) else [p[5]] * p[0].size)
    return {
        "visit": visit,
        "t": t,
        "officer": officer,
        "src": src,
        "dst": dst,
        "phase": phase,
        "reason": reasons,
    }


def _notice_items(w: Writer, plan: Plan) -> None:
    """Every material of every notice, in notice id order: provided, or missing and arrived."""
    items = plan.base.items
    offsets = np.r_[0, np.cumsum([len(it.materials) for it in items])]
    flat = [m for it in items for m in it.materials]
    order = np.argsort(plan.n_id)
    item = plan.v_item[plan.n_visit[order]]
    count = plan.n_items[order]
    notice = np.repeat(order, count)
    position = rank_within(np.repeat(np.arange(order.size), count)) - 1
    material = offsets[np.repeat(item, count)] + position
    owed_first = np.full(notice.size, False)
    owed = np.zeros(notice.size, bool)
    starts = np.r_[0, np.cumsum(count)[:-1]]
    for k, j in enumerate(order.tolist()):
        for rank, p in enumerate(plan.n_owed[j]):
            owed[starts[k] + p] = True
            owed_first[starts[k] + p] = rank == 0
    first = plan.n_partial[notice] & owed_first & (plan.n_t_ret1[notice] != NO)
    arrived = np.where(first, plan.n_t_ret1[notice], np.where(owed, plan.n_t_full[notice], NO))
    fields = ("name", "copies", "form", "source", "is_key")
    table = {f: np.asarray([m[f] for m in flat], dtype=object)[material].tolist() for f in fields}
    w.insert(
        "notice_items",
        {
            "id": list(range(1, notice.size + 1)),
            "notice_id": plan.n_id[notice].tolist(),
            "position": (position + 1).tolist(),
            "name": table["name"],
            "copies": table["copies"],
            "form": table["form"],
            "source": table["source"],
            "is_key": [int(x) for x in table["is_key"]],
            "state": np.where(owed, "missing", "provided").tolist(),
            "note": "",
            "extra": 0,
            "arrived_at": _stamps(plan.times, arrived),
        },
    )


# ---- the audit chain --------------------------------------------------------------------


class Chain:
    """Audit events of every kind, gathered before they are sorted, numbered and hashed."""

    def __init__(self) -> None:
        self.t: list[np.ndarray] = []
        self.key: list[np.ndarray] = []
        self.phase: list[np.ndarray] = []
        self.officer: list[np.ndarray] = []
        self.text: tuple[list[Any], ...] = ([], [], [], [], [])  # action etype eid before after

    def add(
        self,
        t: np.ndarray,
        key: np.ndarray | int,
        phase: int,
        officer: np.ndarray | int,
        action: Any,
        etype: str,
        eid: Any,
        before: Any,
        after: Any,
    ) -> None:
        """Events of one action for many entities (arrays of equal length, or one value)."""
        t = np.asarray(t, np.int64)
        n = t.size
        if n == 0:
            return
        self.t.append(t)
        self.key.append(np.broadcast_to(np.asarray(key, np.int64), (n,)))
        self.phase.append(np.full(n, phase, np.int64))
        self.officer.append(np.broadcast_to(np.asarray(officer, np.int64), (n,)))
        for column, value in zip(self.text, (action, etype, eid, before, after), strict=True):
            if isinstance(value, np.ndarray):
                column.extend(value.tolist())
            elif isinstance(value, list):
                column.extend(value)
            else:
                column.extend([value] * n)


def _json_list(values: list[str]) -> str:
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))


def build_events(plan: Plan, shared: Shared, log: Callable[[str], None]) -> Chain:
    """Every audit event the services would have written, with their canonical JSON."""
    ch = Chain()
    times = plan.times
    serial = plan.v_serial
    visit_key = np.arange(1, plan.n + 1)
    out = plan.v_outcome
    first = plan.v_officer
    officer_badge = {i: b for i, b in plan.id_badge.items()}

    def vkey(idx: np.ndarray) -> np.ndarray:
        return visit_key[idx]

    # Logins, officers joining and leaving.
    ch.add(
        plan.l_t,
        7 * 10**10 + np.arange(plan.l_t.size),
        0,
        plan.l_officer,
        "login",
        "officer",
        plan.l_officer.astype(S),
        "",
        "",
    )
    for j, badge in enumerate(plan.o_badge):
        oid = int(plan.o_id[j])

        def snap(active: bool, j: int = j, badge: str = badge) -> str:
            return (
                f'{{"active":{"true" if active else "false"},"badge_no":"{badge}",'
                f'"name":"{plan.o_name[j]}","phone":"{plan.o_phone[j]}","role":"{plan.o_role[j]}"}}'
            )

        if plan.o_join[j] > 0:
            t = times.at(np.array([plan.o_join[j]]), 9 * 60)
            ch.add(
                t,
                8 * 10**10 + oid,
                0,
                plan.chief,
                "officer_added",
                "officer",
                str(oid),
                "",
                snap(True),
            )
        if plan.o_leave[j] <= plan.today:
            t = times.at(np.array([plan.o_leave[j]]), 17 * 60)
            ch.add(
                t,
                8 * 10**10 + oid,
                1,
                plan.chief,
                "officer_deactivated",
                "officer",
                str(oid),
                snap(True),
                snap(False),
            )

    # Registration and the first sitting.
    masked = _mask_id(plan.v_idn)
    chan = pick(plan.chan_names, plan.v_channel)
    version = plan.i_version[plan.v_item]
    ch.add(
        plan.v_created,
        visit_key,
        0,
        first,
        "visit_registered",
        "visit",
        serial,
        "",
        cat(
            '{"channel":"',
            chan,
            '","citizen":"',
            plan.v_name,
            '","id":"',
            masked,
            '","in_scope":',
            jbool(~plan.v_out_scope),
            ',"serial":"',
            serial,
            '","service_version":',
            version,
            "}",
        ),
    )
    hand = np.flatnonzero(plan.v_by_hand)
    ch.add(
        plan.v_created[hand],
        vkey(hand),
        1,
        first[hand],
        "visit_time_started",
        "visit",
        serial[hand],
        '{"started":null}',
        cat('{"started":"', times.iso_local(plan.v_created[hand]).astype(S), '"}'),
    )
    acc = np.flatnonzero((out == SPOT) | (out == ACCEPTED))
    ch.add(
        plan.v_t_act[acc],
        vkey(acc),
        2,
        first[acc],
        "visit_in_progress",
        "visit",
        serial[acc],
        '{"status":"registered"}',
        cat(
            '{"due_date":"',
            times.date(plan.v_due0[acc]).astype(S),
            '","reason":"受理","status":"in_progress"}',
        ),
    )
    for code, status, reason in (
        (VOIDED, "voided", TXT_VOID),
        (ANSWERED, "answered", TXT_ANSWER),
        (REFUSED, "refused", TXT_REFUSE),
    ):
        idx = np.flatnonzero(out == code)
        ch.add(
            plan.v_t_act[idx],
            vkey(idx),
            3,
            first[idx],
            f"visit_{status}",
            "visit",
            serial[idx],
            '{"status":"registered"}',
            f'{{"due_date":null,"reason":{_q(reason)},"status":"{status}"}}',
        )
    idx = np.flatnonzero(out == GUIDED)
    guided_after = [
        f'{{"due_date":null,"reason":{_q("引导至" + g[0])},"status":"guided"}}' for g in GUIDE_TO
    ]
    ch.add(
        plan.v_t_act[idx],
        vkey(idx),
        3,
        first[idx],
        "visit_guided",
        "visit",
        serial[idx],
        '{"status":"registered"}',
        pick(guided_after, plan.v_guide[idx]),
    )
    idx = np.flatnonzero(out == SPOT)
    ch.add(
        plan.v_t_act[idx],
        vkey(idx),
        3,
        first[idx],
        "visit_completed",
        "visit",
        serial[idx],
        '{"status":"in_progress"}',
        cat(
            '{"due_date":"',
            times.date(plan.v_day[idx]).astype(S),
            f'","reason":{_q(TXT_SPOT)},"status":"completed"}}',
        ),
    )

    # Prints.
    slip = plan.p_kind != 3
    idx = np.flatnonzero(slip)
    kinds = pick(("receipt", "guidance", "refusal"), plan.p_kind[idx])
    ch.add(
        plan.p_t[idx],
        vkey(plan.p_visit[idx]),
        0,
        plan.p_officer[idx],
        np.where(plan.p_copy[idx] > 1, "slip_reprinted", "slip_printed").astype(S),
        "visit",
        serial[plan.p_visit[idx]],
        "",
        cat('{"copy_no":', plan.p_copy[idx], ',"kind":"', kinds, '","via":"gui"}'),
    )
    idx = np.flatnonzero(~slip)
    ch.add(
        plan.p_t[idx],
        vkey(plan.p_visit[idx]),
        0,
        plan.p_officer[idx],
        "notice_printed",
        "notice",
        plan.n_number[plan.p_notice[idx]],
        "",
        '{"copy_no":1,"via":"gui"}',
    )

    # Handovers.
    ch.add(
        plan.h_t,
        vkey(plan.h_visit),
        6,
        plan.h_from,
        "handover_requested",
        "visit",
        serial[plan.h_visit],
        "",
        cat(
            '{"handover":',
            plan.h_id,
            f',"reason":{_q(TXT_HANDOVER)},"to":"',
            pick([officer_badge[int(i)] for i in plan.h_to.tolist()], np.arange(plan.h_to.size)),
            '"}',
        ),
    )
    k = np.flatnonzero(plan.h_accepted & (plan.h_t_dec != NO))
    ch.add(
        plan.h_t_dec[k],
        vkey(plan.h_visit[k]),
        0,
        plan.h_to[k],
        "handover_accepted",
        "visit",
        serial[plan.h_visit[k]],
        cat('{"owner":', plan.h_from[k], "}"),
        cat('{"handover":', plan.h_id[k], ',"owner":', plan.h_to[k], "}"),
    )
    k = np.flatnonzero(~plan.h_accepted & (plan.h_t_dec != NO))
    ch.add(
        plan.h_t_dec[k],
        vkey(plan.h_visit[k]),
        0,
        plan.h_to[k],
        "handover_declined",
        "visit",
        serial[plan.h_visit[k]],
        "",
        cat('{"handover":', plan.h_id[k], f',"reason":{_q(TXT_DECLINE)}}}'),
    )

    # Completions days later.
    k = np.flatnonzero(plan.a_t_done != NO)
    idx = plan.a_idx[k]
    ch.add(
        plan.a_t_done[k],
        vkey(idx),
        0,
        plan.a_owner[k],
        "visit_completed",
        "visit",
        serial[idx],
        '{"status":"in_progress"}',
        cat(
            '{"due_date":"',
            times.date(plan.a_due[k]).astype(S),
            f'","reason":{_q(TXT_DONE)},"status":"completed"}}',
        ),
    )

    # Ratings at the counter (a 差评 opens its rectification first).
    x_of_rating = plan.r_rect
    x_number = plan.x_number
    onsite = np.flatnonzero(plan.r_kind == 0)
    rv = plan.r_visit[onsite]
    rect = x_of_rating[onsite]
    bad = rect != NO
    ob = onsite[bad]
    ch.add(
        plan.r_t[ob],
        vkey(plan.r_visit[ob]),
        0,
        NO,
        "rectification_opened",
        "rectification",
        x_number[rect[bad]],
        "",
        cat(
            '{"owner":',
            plan.x_owner[rect[bad]],
            ',"rated":',
            plan.x_rated[rect[bad]],
            ',"visit":"',
            serial[plan.r_visit[ob]],
            '"}',
        ),
    )
    ch.add(
        plan.r_t[onsite],
        vkey(rv),
        1,
        plan.r_by[onsite],
        np.where(plan.r_declined[onsite], "rating_declined", "rating_saved").astype(S),
        "visit",
        serial[rv],
        "",
        cat(
            '{"bad":',
            jbool(bad),
            ',"kind":"on_site","rectification":"',
            np.where(bad, x_number[np.maximum(rect, 0)], "").astype(S),
            '"}',
        ),
    )

    # Corrections (更正记录) of reviewed days.
    old = np.where(plan.v_out_scope[plan.e_visit], TXT_OUT_OF_SCOPE, "").astype(S)
    ch.add(
        plan.e_t,
        vkey(plan.e_visit),
        0,
        plan.chief,
        "correction_recorded",
        "visit",
        serial[plan.e_visit],
        cat('{"summary":"', old, '"}'),
        cat(
            '{"addendum":"',
            plan.e_number,
            f'","reason":{_q(TXT_CORR_WHY)},"summary":{_q(TXT_CORR_NEW)}}}',
        ),
    )

    # Callback samplings, attempts (with their rectifications and home visits).
    seeds = np.array([plan.cal.dates[d].toordinal() for d in plan.b_start.tolist()], np.int64)
    ch.add(
        plan.b_t,
        2 * 10**10 + plan.b_id,
        0,
        plan.chief,
        "callbacks_sampled",
        "callback_batch",
        plan.b_id.astype(S),
        "",
        cat(
            '{"eligible":',
            plan.b_eligible,
            ',"end":"',
            times.date(plan.b_end).astype(S),
            '","mandatory":',
            plan.b_mandatory,
            ',"sampled":',
            plan.b_sampled,
            ',"seed":',
            seeds,
            f',"share":{CALLBACK_SHARE},"start":"',
            times.date(plan.b_start).astype(S),
            '"}',
        ),
    )
    cb = plan.t_cb
    reached = plan.t_out == 0
    rating = np.where(reached, plan.c_rating[cb], NO)
    rect = np.where(rating != NO, x_of_rating[np.maximum(rating, 0)], NO)
    home_of_rating = np.full(plan.r_visit.size, NO, np.int64)
    home_idx = np.flatnonzero(plan.c_kind == 1)
    home_of_rating[plan.c_home_rating] = home_idx
    home = np.where(rating != NO, home_of_rating[np.maximum(rating, 0)], NO)
    cv = plan.c_visit[cb]
    akey = 3 * 10**10 + np.arange(cb.size)
    r = np.flatnonzero(rect != NO)
    ch.add(
        plan.t_t[r],
        akey[r],
        0,
        NO,
        "rectification_opened",
        "rectification",
        x_number[rect[r]],
        "",
        cat(
            '{"owner":',
            plan.x_owner[rect[r]],
            ',"rated":',
            plan.x_rated[rect[r]],
            ',"visit":"',
            serial[cv[r]],
            '"}',
        ),
    )
    h = np.flatnonzero(home != NO)
    ch.add(
        plan.t_t[h],
        akey[h],
        1,
        NO,
        "home_visit_scheduled",
        "visit",
        serial[cv[h]],
        "",
        cat('{"assigned_to":', plan.c_to[home[h]], ',"reason":"dissatisfied"}'),
    )
    state = np.select(
        [plan.t_out == 0, plan.t_out == 3, plan.t_out == 2, plan.t_k >= 3],
        ["reached", "refused", "unreachable", "unreachable"],
        "pending",
    ).astype(S)
    overall = plan.r_overall[np.maximum(rating, 0)]
    pressure = reached & plan.c_pressure[cb]
    after = cat(
        "{",
        np.where(reached, '"declined":false,', "").astype(S),
        np.where(home != NO, cat('"home_visit":', plan.c_id[np.maximum(home, 0)], ","), "").astype(
            S
        ),
        '"kind":"',
        np.where(plan.c_kind[cb] == 1, "home", "phone").astype(S),
        '",',
        '"outcome":"',
        pick(OUTCOME_NAMES, plan.t_out),
        '",',
        np.where(reached, cat('"overall":', overall, ","), "").astype(S),
        np.where(pressure, '"pressure":true,', "").astype(S),
        np.where(
            rect != NO, cat('"rectification":"', x_number[np.maximum(rect, 0)], '",'), ""
        ).astype(S),
        '"state":"',
        state,
        '"}',
    )
    ch.add(plan.t_t, akey, 2, plan.c_to[cb], "callback_attempt", "visit", serial[cv], "", after)

    # Rectification workflow.
    xkey = 4 * 10**10 + np.arange(plan.x_t.size)

    def step(t: np.ndarray, phase: int, officer: Any, act: str, after: str, shift: int = 0) -> None:
        k = np.flatnonzero(t != NO)
        who = officer[k] if isinstance(officer, np.ndarray) else officer
        ch.add(t[k] + shift, xkey[k], phase, who, act, "rectification", x_number[k], "", after)

    step(plan.x_t_ver, 0, plan.x_owner, "rectification_verified", f'{{"cause":{_q(TXT_CAUSE)}}}')
    step(
        plan.x_t_appeal, 1, plan.x_rated, "rectification_appealed", f'{{"appeal":{_q(TXT_APPEAL)}}}'
    )
    step(
        plan.x_t_rect,
        0,
        plan.x_owner,
        "rectification_rectified",
        f'{{"action":{_q(TXT_ACTION)},"result":{_q(TXT_RESULT)}}}',
    )
    k = np.flatnonzero(plan.x_t_decide != NO)
    ch.add(
        plan.x_t_decide[k] - 1000,
        xkey[k],
        0,
        plan.chief,
        "rectification_appeal_decided",
        "rectification",
        x_number[k],
        "",
        cat(
            '{"decision":"',
            np.where(plan.x_upheld[k], "upheld", "rejected").astype(S),
            f'","reason":{_q(TXT_APPEAL_REASON)}}}',
        ),
    )
    step(
        plan.x_t_follow,
        1,
        plan.x_owner,
        "rectification_follow_up",
        '{"declined":false,"overall":4}',
    )
    step(plan.x_t_close, 2, plan.x_owner, "rectification_closed", "")
    k = np.flatnonzero(plan.x_t_close != NO)
    ch.text[4][-k.size :] = [""] * k.size  # closing has no ``after`` (None → "")

    # Complaints and praise.
    qkey = 5 * 10**10 + np.arange(plan.q_t.size)
    praise = plan.q_kind == 1
    channel = sarr(
        [
            (PRAISE if p else COMPLAINTS)[int(i)][0]
            for p, i in zip(praise.tolist(), plan.q_text.tolist(), strict=True)
        ]
    )
    ch.add(
        plan.q_t,
        qkey,
        0,
        plan.deputy,
        np.where(praise, "praise_recorded", "complaint_recorded").astype(S),
        "complaint",
        plan.q_number,
        "",
        cat(
            '{"anonymous":false,"channel":"',
            channel,
            '","handler":',
            np.where(praise, "null", str(plan.chief)).astype(S),
            ',"kind":"',
            np.where(praise, "praise", "complaint").astype(S),
            '","officer":',
            plan.q_officer,
            ',"received_on":"',
            times.date(plan.q_day).astype(S),
            '","visit":""}',
        ),
    )
    s1, s2, s3, s4 = plan.q_steps
    k = np.flatnonzero(s1 != NO)
    ch.add(
        s1[k],
        qkey[k],
        0,
        plan.chief,
        "complaint_verified",
        "complaint",
        plan.q_number[k],
        '{"state":"received"}',
        cat(
            '{"finding":"',
            plan.q_finding[k].astype(S),
            f'","state":"verified","verify_note":{_q(TXT_VERIFY_NOTE)}}}',
        ),
    )
    k = np.flatnonzero(s2 != NO)
    ch.add(
        s2[k],
        qkey[k],
        0,
        plan.chief,
        "complaint_handled",
        "complaint",
        plan.q_number[k],
        '{"state":"verified"}',
        cat(
            f'{{"handle_note":{_q(TXT_HANDLE_NOTE)},"outcome":"',
            plan.q_outcome[k].astype(S),
            '","state":"handled"}',
        ),
    )
    k = np.flatnonzero(s3 != NO)
    ch.add(
        s3[k],
        qkey[k],
        0,
        plan.chief,
        "complaint_replied",
        "complaint",
        plan.q_number[k],
        '{"state":"handled"}',
        f'{{"reply_method":"电话","reply_text":{_q(TXT_REPLY)},"state":"replied"}}',
    )
    k = np.flatnonzero(s4 != NO)
    ch.add(
        s4[k],
        qkey[k],
        0,
        plan.chief,
        "complaint_closed",
        "complaint",
        plan.q_number[k],
        '{"state":"replied"}',
        '{"state":"closed"}',
    )

    # Notices and pledges: issue, print, breaches, returns.
    notice_shas, owed_names = shared.receive("notices")
    numbers = plan.n_number
    nv = plan.n_visit
    owed_json = sarr([_json_list(o) for o in owed_names])
    owed_text = sarr(["、".join(o) for o in owed_names])
    k = np.flatnonzero(plan.n_kind == 0)
    ch.add(
        plan.n_t[k],
        vkey(nv[k]),
        4,
        plan.n_owner[k],
        "visit_waiting_materials",
        "visit",
        serial[nv[k]],
        '{"status":"in_progress"}',
        cat(
            '{"due_date":"',
            times.date(plan.v_due0[nv[k]]).astype(S),
            '","reason":"出具一次性告知单 ',
            numbers[k],
            "：",
            owed_text[k],
            '","status":"waiting_materials"}',
        ),
    )
    action = np.where(plan.n_kind == 1, "pledge_issued", "notice_issued").astype(S)
    ch.add(
        plan.n_t,
        vkey(nv),
        5,
        plan.n_owner,
        action,
        "notice",
        numbers,
        "",
        cat(
            '{"deadline":"',
            times.date(plan.n_deadline).astype(S),
            '","owed":',
            owed_json,
            ',"sha256":"',
            sarr(notice_shas),
            '","signed":true,"visit":"',
            serial[nv],
            '"}',
        ),
    )
    b = np.flatnonzero(plan.n_breach)
    ch.add(
        plan.n_t_breach[b],
        vkey(nv[b]),
        0,
        plan.n_clerk[b],
        "notice_breach",
        "notice",
        numbers[b],
        "",
        cat(
            '{"issuer":',
            plan.n_owner[b],
            f',"item":{_q(TXT_BREACH_ITEM)},"reason":{_q(TXT_BREACH_WHY)}}}',
        ),
    )
    k = np.flatnonzero(plan.n_partial)
    first_owed = sarr([_json_list(owed_names[j][:1]) for j in k.tolist()])
    ch.add(
        plan.n_t_ret1[k],
        vkey(nv[k]),
        0,
        plan.n_clerk[k],
        "notice_materials_received",
        "notice",
        numbers[k],
        "",
        cat('{"received":', first_owed, ',"return_visit":1}'),
    )
    k = np.flatnonzero(plan.n_t_full != NO)
    notice_k = k[plan.n_kind[k] == 0]
    clerk = np.where(plan.n_partial[notice_k], plan.n_clerk2[notice_k], plan.n_clerk[notice_k])
    ch.add(
        plan.n_t_full[notice_k],
        vkey(nv[notice_k]),
        0,
        clerk,
        "visit_in_progress",
        "visit",
        serial[nv[notice_k]],
        '{"status":"waiting_materials"}',
        cat(
            '{"due_date":"',
            times.date(plan.v_due[nv[notice_k]]).astype(S),
            '","reason":"按告知单 ',
            numbers[notice_k],
            ' 补齐材料，恢复办理","status":"in_progress"}',
        ),
    )
    who = np.where(
        plan.n_kind[k] == 1,
        plan.n_owner[k],
        np.where(plan.n_partial[k], plan.n_clerk2[k], plan.n_clerk[k]),
    )
    received = sarr(
        [_json_list(owed_names[j][1:] if plan.n_partial[j] else owed_names[j]) for j in k.tolist()]
    )
    ch.add(
        plan.n_t_full[k],
        vkey(nv[k]),
        1,
        who,
        "notice_fulfilled",
        "notice",
        numbers[k],
        "",
        cat('{"received":', received, ',"return_visit":', np.where(plan.n_partial[k], 2, 1), "}"),
    )

    # Reviews of the days' ledgers.
    review_shas, review_rows = shared.receive("reviews")
    ch.add(
        plan.d_t,
        6 * 10**10 + plan.d_id,
        0,
        plan.chief,
        "day_reviewed",
        "ledger",
        times.date(plan.d_day).astype(S),
        "",
        cat('{"rows":', np.asarray(review_rows, np.int64), ',"sha256":"', sarr(review_shas), '"}'),
    )
    return ch


def write_audit(
    plan: Plan, path: Path, shared: Shared, index_sql: list[str], log: Callable[[str], None]
) -> tuple[int, str, dict[str, Any]]:
    """Sort, number, hash (sequentially, from the services' head) and insert every event; then
    the signatures (their hashes come from the other processes) and the audit index."""
    t0 = time.perf_counter()
    ch = build_events(plan, shared, log)
    t = np.concatenate(ch.t)
    order = np.lexsort((np.concatenate(ch.phase), np.concatenate(ch.key), t))
    log(f"audit: {t.size:,} events built and sorted in {time.perf_counter() - t0:.1f} s")
    t = t[order]
    if t.size and t[0] < plan.base.init_time:
        raise RuntimeError("an event predates the station's initialisation")
    officer = np.concatenate(ch.officer)[order]
    pick_rows = order.tolist()
    action, etype, eid, before, after = ([col[i] for i in pick_rows] for col in ch.text)
    del ch, pick_rows, order
    w = Writer(path, log)
    sql = (
        "INSERT INTO audit_events (id, at, officer_id, action, entity_type, entity_id, before_json,"
        " after_json, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)"
    )
    prev = plan.base.head_hash
    next_id = plan.base.head_id + 1
    # The chain is keyed (app/core/audit.py): HMAC with the station's audit key, no seals.
    audit_key = plan.base.cipher().audit_key
    sha = hashlib.sha256
    q = _q
    quoted = {a: q(a) for a in set(action) | set(etype)}
    officers = with_none(officer.tolist(), officer == NO)
    officer_text = [("null" if o is None else str(o)) for o in officers]
    batch = 250_000
    for start in range(0, t.size, batch):
        end = min(t.size, start + batch)
        part = t[start:end]
        iso = plan.times.iso_utc_list(part)
        stored = plan.times.stamp_list(part)
        ids = range(next_id, next_id + end - start)
        hashes: list[str] = []
        prevs: list[str] = []
        add_hash, add_prev = hashes.append, prevs.append
        for i, ts, off, a, e, x, b, f in zip(
            ids,
            iso,
            officer_text[start:end],
            action[start:end],
            etype[start:end],
            eid[start:end],
            before[start:end],
            after[start:end],
            strict=True,
        ):
            add_prev(prev)
            prev = hmac.new(
                audit_key,
                f'[{i},"{ts}",{off},{quoted[a]},{quoted[e]},{q(x)},{q(b)},{q(f)},"{prev}",""]'.encode(),
                sha,
            ).hexdigest()
            add_hash(prev)
        if start == 0 or end == t.size:
            _check_hashes(
                plan,
                ids,
                part,
                officers[start:end],
                action[start:end],
                etype[start:end],
                eid[start:end],
                before[start:end],
                after[start:end],
                prevs,
                hashes,
            )
        w.con.execute("BEGIN")
        w.con.executemany(
            sql,
            zip(
                ids,
                stored,
                officers[start:end],
                action[start:end],
                etype[start:end],
                eid[start:end],
                before[start:end],
                after[start:end],
                prevs,
                hashes,
                strict=True,
            ),
        )
        w.con.execute("COMMIT")
        next_id += end - start
    w.rows["audit_events"] = int(t.size)
    log(f"audit: {t.size:,} events hashed and written at {time.perf_counter() - t0:.1f} s")
    del action, etype, eid, before, after, officers, officer_text
    _signatures(w, plan, shared)
    log(
        f"audit: signatures written at {time.perf_counter() - t0:.1f} s"
        f" (sealing them {w.sealing.get('signatures', 0.0):.1f} s CPU)"
    )
    w.con.execute("PRAGMA threads=2")
    for statement in index_sql:
        w.con.execute(statement)
    _analyze(w.con, DIRECT)
    log(f"audit: index built and analysed at {time.perf_counter() - t0:.1f} s")
    w.close()
    return next_id - 1, prev, w.counts()


def _signatures(w: Writer, plan: Plan, shared: Shared) -> None:
    """Citizens' signatures on notices and on-site ratings, the chief's on each ledger."""
    times = plan.times
    notice_shas, _owed = shared.receive("notices")
    review_shas, _rows = shared.receive("reviews")
    pool = _scribbles(64, 5)
    ledger_pool = _scribbles(8, 6, points=7, strokes=1)
    signed = np.flatnonzero((plan.r_kind == 0) & ~plan.r_declined)
    dims = _dims_json(plan)[signed].tolist()
    comments = [_comment(c) for c in plan.r_comment[signed].tolist()]
    # RatingService._sign: SHA-256 of json.dumps([visit_id, overall, dimensions_json, comment]).
    rating_sha = [
        hashlib.sha256(f"[{v}, {o}, {_q(d)}, {_q(c)}]".encode()).hexdigest()
        for v, o, d, c in zip(
            (plan.r_visit[signed] + 1).tolist(),
            plan.r_overall[signed].tolist(),
            dims,
            comments,
            strict=True,
        )
    ]
    check = (
        json.dumps(
            [
                int(plan.r_visit[signed[0]] + 1),
                int(plan.r_overall[signed[0]]),
                dims[0],
                comments[0],
            ],
            ensure_ascii=False,
        )
        if signed.size
        else ""
    )
    if signed.size and hashlib.sha256(check.encode()).hexdigest() != rating_sha[0]:
        raise RuntimeError("rating signature content differs from RatingService._sign")
    sig_t = np.r_[plan.n_t, plan.r_t[signed], plan.d_t]
    order = np.argsort(sig_t, kind="stable")
    kind = np.repeat(np.array([0, 1, 2]), [plan.n_t.size, signed.size, plan.d_t.size])[order]
    doc = np.r_[plan.n_id, plan.r_id[signed], plan.d_id][order]
    names = np.r_[
        plan.v_name[plan.n_visit],
        plan.v_name[plan.r_visit[signed]],
        np.full(plan.d_t.size, plan.id_name[plan.chief], dtype=object).astype(S),
    ][order]
    contents = notice_shas + rating_sha + review_shas
    png = np.r_[plan.n_id % 64, plan.r_png[signed], 64 + plan.d_id % 8][order].tolist()
    scribbles = pool + ledger_pool
    columns = {
        "id": list(range(1, order.size + 1)),
        "document_type": np.asarray(("notice", "rating", "ledger"), dtype=object)[kind].tolist(),
        "document_id": doc.tolist(),
        "signer_name": names.tolist(),
        "signed_at": _stamps(times, sig_t[order]),
        "content_sha256": [contents[i] for i in order.tolist()],
        # image_sha256 is of the clear strokes and image (as signature_digest makes it).
        "image_sha256": [scribbles[p][2] for p in png],
    }
    # The scribbles come from a small pool, but each row is sealed on its own (a fresh nonce,
    # as SealedText/SealedBytes write it); a chunk at a time, so the sealed images of all
    # ~0.9 M signatures are never in memory at once.
    cipher = plan.base.cipher()
    seal_t, seal_b = seal_text, seal_bytes
    strokes_pool = [s[0] for s in scribbles]
    image_pool = [s[1] for s in scribbles]
    chunk = 100_000
    for start in range(0, len(png), chunk):
        part = png[start : start + chunk]
        mark = time.process_time()
        strokes = [seal_t(cipher, strokes_pool[p]) for p in part]
        images = [seal_b(cipher, image_pool[p]) for p in part]
        w.sealed("signatures", mark)
        w.insert(
            "signatures",
            {name: values[start : start + chunk] for name, values in columns.items()}
            | {"strokes_json": strokes, "png": images},
            batch=chunk,
        )


def _check_hashes(
    plan: Plan,
    ids: range,
    t: np.ndarray,
    officers: list[Any],
    action: list[str],
    etype: list[str],
    eid: list[str],
    before: list[str],
    after: list[str],
    prevs: list[str],
    hashes: list[str],
) -> None:
    """The first and last events of a batch, through ``app.core.audit.event_hash`` itself."""
    for k in {0, len(hashes) - 1, len(hashes) // 2}:
        at = dt.datetime.fromtimestamp(int(t[k]) // US, dt.UTC).replace(microsecond=int(t[k]) % US)
        expected = event_hash(
            event_id=ids[k],
            at=at,
            officer_id=officers[k],
            action=action[k],
            entity_type=etype[k],
            entity_id=eid[k],
            before_json=before[k],
            after_json=after[k],
            prev_hash=prevs[k],
            key=plan.base.cipher().audit_key,
        )
        if expected != hashes[k]:
            raise RuntimeError(f"audit event {ids[k]}: hash differs from app.core.audit.event_hash")
        for text in (before[k], after[k]):
            if (
                text
                and json.dumps(
                    json.loads(text), ensure_ascii=False, sort_keys=True, separators=(",", ":")
                )
                != text
            ):
                raise RuntimeError(f"audit event {ids[k]}: JSON not canonical: {text}")


# ---- putting it together ----------------------------------------------------------------

TABLES = (
    "visits",
    "visit_transitions",
    "handovers",
    "notices",
    "notice_items",
    "notice_breaches",
    "ratings",
    "rectifications",
    "callback_batches",
    "callbacks",
    "callback_attempts",
    "complaints",
    "day_reviews",
    "addenda",
    "print_records",
)  # fmt: skip  (written by the tables process into a side file, then merged)
DIRECT = ("audit_events", "signatures")  # written into the database itself


@dataclass
class BuildReport:
    """What was built, how big, how long each part took."""

    path: Path
    visits: int
    first_day: dt.date
    last_day: dt.date
    rows: dict[str, int]
    seconds: float
    phases: dict[str, float]
    size_bytes: int
    # CPU seconds spent sealing personal data (and making its lookup hashes), per table, in
    # the processes that write them (part of "rows and chain").
    sealing: dict[str, float] = field(default_factory=dict)


def _log(text: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {text} (cpu {time.process_time():.1f} s)", flush=True)


def _ledger_job(plan: Plan, shared: Shared, log: Callable[[str], None]) -> None:
    began = time.perf_counter()
    contents, shas, counts, comments = ledger_reviews(plan)
    shared.send("audit", "reviews", (shas, counts))
    shared.send("tables", "ledgers", (contents, shas, comments))
    log(f"ledgers: {len(contents):,} reviewed days in {time.perf_counter() - began:.1f} s")
    shared.flush()


def _tables_job(
    plan: Plan, part: Path, shared: Shared, index_sql: list[str], log: Callable[[str], None]
) -> dict[str, Any]:
    rows = write_tables(plan, part, shared, log)
    began = time.perf_counter()
    con = sqlite3.connect(part, isolation_level=None)
    con.execute("PRAGMA threads=2")
    con.execute("PRAGMA cache_size=-400000")
    for statement in index_sql:
        con.execute(statement)
    _analyze(con, TABLES)
    con.close()
    log(f"tables: indexes built and analysed in {time.perf_counter() - began:.1f} s")
    shared.flush()
    return rows


def _analyze(con: sqlite3.Connection, tables: Sequence[str]) -> None:
    """Full statistics of ``tables`` (what a plain ANALYZE writes for them), where they were
    written: the processes analyse their own tables at once and the rows are merged."""
    for table in tables:
        con.execute(f'ANALYZE "{table}"')


def _run(target: Callable[..., Any], args: tuple[Any, ...], result: Any) -> None:
    """A child process: run, send the result (or the error) back, never raise out of the fork."""
    try:
        result.send(("ok", target(*args)))
    except BaseException as exc:  # reported by the parent
        import traceback

        result.send(("error", f"{exc!r}\n{traceback.format_exc()}"))
        raise


def _tune_malloc() -> None:
    """Keep freed memory for reuse: numpy's big temporaries otherwise cost page faults."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 1 << 30)  # M_MMAP_THRESHOLD
        libc.mallopt(-1, 1 << 30)  # M_TRIM_THRESHOLD


def build_station(
    path: Path | str,
    visits: int = 1_000_000,
    *,
    seed: int = 11,
    now: dt.datetime | None = None,
    jobs: int = 3,
    hashing: PasswordHashing | None = None,
    quiet: bool = False,
    scratch: Path | None = None,
) -> BuildReport:
    """Build the station database at ``path`` (must not exist) and return what was built.

    ``jobs`` 1 runs everything in this process; otherwise three processes (tables, audit
    chain and signatures, ledgers) work at once. ``scratch`` holds the side file of the
    tables process (default: /dev/shm when it has room, else next to ``path``).
    """
    log = (lambda _text: None) if quiet else _log
    path = Path(path)
    if path.exists():
        raise FileExistsError(f"{path} exists; the builder makes a new database")
    _tune_malloc()
    started = time.perf_counter()
    phases: dict[str, float] = {}
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    first_day, counts = _span(visits, now.astimezone(TZ), seed)
    base = _initialise(path, first_day, hashing or PasswordHashing())
    phases["init (services)"] = time.perf_counter() - started
    log(f"station initialised through the services ({first_day} to {now.astimezone(TZ).date()})")
    mark = time.perf_counter()
    plan = make_plan(visits, seed, now, counts, first_day, base)
    phases["plan"] = time.perf_counter() - mark
    log(f"plan made in {phases['plan']:.1f} s")
    mark = time.perf_counter()
    con = sqlite3.connect(path, isolation_level=None, timeout=600)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA foreign_keys=OFF")
    schema_before = _schema(con)
    index_sql = {
        table: [
            sql
            for (sql,) in con.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
                " AND tbl_name = ? ORDER BY name",
                (table,),
            )
        ]
        for table in TABLES + DIRECT
    }
    index_names = {
        table: [
            name
            for (name,) in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
                " AND tbl_name = ?",
                (table,),
            )
        ]
        for table in TABLES + DIRECT
    }
    with_trigger = {
        t for (t,) in con.execute("SELECT tbl_name FROM sqlite_master WHERE type = 'trigger'")
    }
    scratch = scratch or _scratch_dir(path, visits)
    part = scratch / f".{path.name}.{os.getpid()}.tables"
    con.execute("BEGIN")
    _write_officers(con, plan)
    con.execute("COMMIT")
    shutil.copyfile(path, part)
    try:
        side = sqlite3.connect(part, isolation_level=None)
        side.execute("PRAGMA journal_mode=OFF")
        for table in TABLES:
            for name in index_names[table]:
                side.execute(f'DROP INDEX "{name}"')
        side.close()
        for table in DIRECT:
            for name in index_names[table]:
                con.execute(f'DROP INDEX "{name}"')
        direct_sql = [sql for table in DIRECT for sql in index_sql[table]]
        table_sql = [sql for table in TABLES for sql in index_sql[table]]
        rows: dict[str, Any] = {}
        if jobs <= 1:
            shared = Shared()
            _ledger_job(plan, shared, log)
            rows.update(_tables_job(plan, part, shared, table_sql, log))
            last_id, last_hash, audit_rows = write_audit(plan, path, shared, direct_sql, log)
            rows.update(audit_rows)
        else:
            rows.update(_fork_jobs(plan, path, part, direct_sql, table_sql, log))
            last_id, last_hash = rows.pop("_head_id"), rows.pop("_head_hash")
        phases["rows and chain"] = time.perf_counter() - mark
        sealing = {k[len(SEALING) :]: rows.pop(k) for k in list(rows) if k.startswith(SEALING)}
        mark = time.perf_counter()
        con.execute("ATTACH DATABASE ? AS part", (str(part),))
        con.execute("BEGIN")
        for table in TABLES:
            con.execute(f"INSERT INTO main.{table} SELECT * FROM part.{table}")
        marks = ", ".join("?" * len(TABLES))
        con.execute(
            f"INSERT INTO main.sqlite_stat1 SELECT * FROM part.sqlite_stat1 WHERE tbl IN ({marks})",
            TABLES,
        )
        # The bulk rows carry no seals: like rows from before the chain was keyed, they are
        # counted, not judged, by ``stationdesk check`` (the head says up to which id).
        sealed_from = json.dumps(
            {
                t.name: con.execute(
                    f"SELECT coalesce(max({key_column(t).name}), 0) FROM {t.name}"
                ).fetchone()[0]
                for t in bound_tables()
            },
            sort_keys=True,
            separators=(",", ":"),
        )
        keyed_from = con.execute("SELECT keyed_from FROM audit_head WHERE id = 1").fetchone()[0]
        mac = head_mac(plan.base.cipher().audit_key, last_id, last_hash, keyed_from, sealed_from)
        con.execute(
            "UPDATE audit_head SET last_id = ?, last_hash = ?, sealed_from = ?, mac = ?"
            " WHERE id = 1",
            (last_id, last_hash, sealed_from, mac),
        )
        con.executemany(
            "INSERT INTO counters (kind, year, last_no) VALUES (?, ?, ?)", plan.counters
        )
        con.execute("COMMIT")
        con.execute("DETACH DATABASE part")
        del with_trigger
        phases["merge"] = time.perf_counter() - mark
    finally:
        part.unlink(missing_ok=True)
    mark = time.perf_counter()
    # Full statistics (the planner sees the real selectivity): the big tables were analysed
    # by the processes that wrote them, the station's own small tables are analysed here.
    _analyze(con, [t for t in _tables(con) if t not in TABLES + DIRECT])
    phases["analyze"] = time.perf_counter() - mark
    if _schema(con) != schema_before:
        raise RuntimeError("the schema differs from the migrated one after the build")
    con.execute("PRAGMA synchronous=FULL")
    con.execute("PRAGMA journal_mode=WAL")
    con.close()
    seconds = time.perf_counter() - started
    return BuildReport(
        path,
        visits,
        first_day,
        first_day + dt.timedelta(days=plan.today),
        rows,
        seconds,
        phases,
        path.stat().st_size,
        sealing,
    )


def _fork_jobs(
    plan: Plan,
    path: Path,
    part: Path,
    direct_sql: list[str],
    table_sql: list[str],
    log: Callable[[str], None],
) -> dict[str, Any]:
    """Three processes (fork: they share the plan): ledgers, tables, audit and signatures."""
    ctx = mp.get_context("fork")
    # One pipe for each sender and receiver: two senders never write into one pipe at once.
    pairs = (("tables", "audit"), ("ledgers", "audit"), ("ledgers", "tables"))
    pipes = {pair: ctx.Pipe(duplex=False) for pair in pairs}

    def shared(name: str) -> Shared:
        inboxes = [pipe[0] for (_sender, to), pipe in pipes.items() if to == name]
        outboxes = {to: pipe[1] for (sender, to), pipe in pipes.items() if sender == name}
        return Shared(inboxes, outboxes)

    results = {name: ctx.Pipe(duplex=False) for name in ("ledgers", "tables", "audit")}
    jobs = {
        "ledgers": (_ledger_job, (plan, shared("ledgers"), log)),
        "tables": (_tables_job, (plan, part, shared("tables"), table_sql, log)),
        "audit": (write_audit, (plan, path, shared("audit"), direct_sql, log)),
    }
    processes = {
        name: ctx.Process(target=_run, args=(target, args, results[name][1]), name=name)
        for name, (target, args) in jobs.items()
    }
    for process in processes.values():
        process.start()
    for _reader, writer in results.values():
        writer.close()
    out: dict[str, Any] = {}
    failures: list[str] = []
    pending = dict(processes)
    while pending:
        readers: dict[Any, str] = {results[name][0]: name for name in pending}
        sentinels: dict[Any, str] = {pending[name].sentinel: name for name in pending}
        for ready in mp.connection.wait([*readers, *sentinels]):
            name = readers.get(ready) or sentinels[ready]
            if name not in pending:
                continue
            try:
                status, value = results[name][0].recv()
            except EOFError:
                status, value = "error", f"exited with code {pending[name].exitcode}"
            pending.pop(name).join()
            if status != "ok":
                failures.append(f"{name}: {value}")
                for other in pending.values():
                    other.terminate()
            elif name == "tables":
                out.update(value)
            elif name == "audit":
                last_id, last_hash, rows = value
                out.update(rows)
                out["_head_id"], out["_head_hash"] = last_id, last_hash
    if failures:
        raise RuntimeError("a builder process failed:\n" + "\n".join(failures))
    return out


def _scratch_dir(path: Path, visits: int) -> Path:
    shm = Path("/dev/shm")
    need = visits * 3_000 + 200_000_000  # the side file: about 2.3 KB a visit
    if shm.is_dir() and os.access(shm, os.W_OK) and shutil.disk_usage(shm).free > 2 * need:
        return shm
    return path.parent


def _tables(con: sqlite3.Connection) -> list[str]:
    return [
        name
        for (name,) in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]


def _schema(con: sqlite3.Connection) -> list[tuple[Any, ...]]:
    return con.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master"
        " WHERE name NOT LIKE 'sqlite_stat%' ORDER BY type, name"
    ).fetchall()


def _write_officers(con: sqlite3.Connection, plan: Plan) -> None:
    """Officers who joined later (one shared password hash), and the departures."""
    times = plan.times
    known = {b for (b,) in con.execute("SELECT badge_no FROM officers")}
    rows = []
    for j, badge in enumerate(plan.o_badge):
        if badge in known:
            continue
        joined = times.stamp(times.at(np.array([plan.o_join[j]]), 9 * 60))[0]
        rows.append(
            (
                int(plan.o_id[j]),
                badge,
                plan.o_name[j],
                plan.o_role[j],
                plan.o_phone[j],
                plan.base.shared_hash,
                0,
                1,
                0,
                None,
                joined,
            )
        )
    con.executemany(
        "INSERT INTO officers (id, badge_no, name, role, phone, password_hash,"
        " must_change_password, active, failed_attempts, locked_until, created_at)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        rows,
    )
    left = [(int(plan.o_id[j]),) for j in range(len(plan.o_badge)) if plan.o_leave[j] <= plan.today]
    con.executemany("UPDATE officers SET active = 0 WHERE id = ?", left)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, required=True, help="new SQLite file")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--jobs", type=int, default=3, help="1: one process; else three")
    parser.add_argument("--force", action="store_true", help="replace --out if it exists")
    args = parser.parse_args(argv)
    if args.force:
        for suffix in ("", "-wal", "-shm", "-journal", ".build.json"):
            Path(f"{args.out}{suffix}").unlink(missing_ok=True)
    report = build_station(args.out, args.visits, seed=args.seed, jobs=args.jobs)
    # For bench_station.py: how long the load took (the file itself stays the app's own).
    Path(f"{report.path}.build.json").write_text(
        json.dumps(
            {
                "seconds": report.seconds,
                "visits": report.visits,
                "bytes": report.size_bytes,
                "phases": report.phases,
                "sealing_cpu": report.sealing,
                "rows": report.rows,
            }
        )
    )
    print(f"built {report.path}: {report.visits:,} visits, {report.first_day} to {report.last_day}")
    print(f"time {report.seconds:.1f} s; file {report.size_bytes / 1e6:,.0f} MB")
    for name, seconds in report.phases.items():
        print(f"  {name:<18} {seconds:6.1f} s")
    print(f"sealing personal data: {sum(report.sealing.values()):.1f} s CPU in the writers")
    for table, seconds in report.sealing.items():
        print(f"  {table:<18} {seconds:6.1f} s CPU")
    for table, count in sorted(report.rows.items()):
        print(f"  {table:<20} {count:>12,}  ({count / report.visits:.3f} per visit)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
