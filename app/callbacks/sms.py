"""短信回访: the list a station's SMS platform sends to, and the replies it collects read back.

Export: the pending phone callbacks, or all matters, finished in a period, one mobile number a
row with the columns an SMS platform imports (手机号码, 姓名, 受理编号, 办理事项, 办结日期 and
the template's 派出所名称 and 回复说明). The platform must send to the number, so the file holds
full numbers: writing it is a reveal of phones, asked for a purpose and a detail and audited
with the period, the list and the row count, like any other full number shown. Landlines and
matters without a phone are left out and counted.

Import: the platform's replies (号码, 内容, 时间) as callback outcomes. A reply is matched to a
matter by the keyed phone hash among the matters the export can reach: finished before the
reply and either still waiting for their phone callback or finished at most ``REPLY_DAYS``
days before it. ``1`` … ``5`` are 非常满意 … 非常不满意 (the SMS says so); the reply becomes a
rating of kind ``sms`` and closes a pending phone callback as reached with an attempt
``via='sms'``, exactly as an officer logging the call would (pressure flag, a 差评 opening a
rectification and a home visit). The officer who imports must not have handled the matter;
such rows are refused and listed, never skipped in silence. One transaction, audited once.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.callbacks._assignment import record_reached
from app.callbacks._base import finished_visits
from app.callbacks._callers import handlers
from app.callbacks.rules import CALLER_ROLES
from app.core import audit, text_limits
from app.core.dto import SessionUser
from app.core.errors import (
    ConflictError,
    PermissionDenied,
    StationDeskError,
    ValidationError,
)
from app.core.identity import mask_phone, normalise_phone
from app.core.reveal_purposes import CALLBACK_PHONE_PURPOSES, audit_after, check_reveal
from app.core.roles import Permission, Role, allows
from app.core.service_base import ServiceBase, load_station
from app.ratings.service import LEVELS, RATABLE
from db.models import (
    Callback,
    CallbackAttempt,
    Officer,
    Rating,
    ServiceItemVersion,
    Station,
    Visit,
    VisitTransition,
)
from db.sealed import cipher_of

SOURCES: dict[str, str] = {
    "callbacks": "待回访事项（电话回访抽样中尚未回访的）",
    "finished": "期间内办结的全部事项",
}
MAX_DAYS = 92  # one export covers at most about three months (as one callback sampling)
REPLY_DAYS = 31  # a reply reaches a matter finished at most this long before it
_WINDOW = dt.timedelta(days=REPLY_DAYS)
MAX_REPLY_ROWS = 20_000
AUDIT_SERIALS = 200  # the import's audit event names at most this many matters rated
ARRIVAL_SLACK_DAYS = 366  # a matter finished in the reply window came in at most this long before
HEADERS = ("手机号码", "姓名", "受理编号", "办理事项", "办结日期", "派出所名称", "回复说明")
# 1 is the best, as such SMS usually read; the app's LEVELS count 5 as the best.
REPLY_LEVELS: dict[str, int] = {"1": 5, "2": 4, "3": 3, "4": 2, "5": 1}
REPLY_HINT = "回复" + "，".join(f"{d}{LEVELS[level]}" for d, level in REPLY_LEVELS.items())
EXPORTED = "sms_phones_revealed"
IMPORTED = "sms_replies_imported"
SMS_NOTE = "短信回复"
CALLBACK_KINDS = ("phone", "home", "sms")  # ratings given after the visit, when asked
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# Header variants a platform's export may use, compared without spaces and case.
PHONE_HEADERS = ("手机号码", "手机号", "号码", "手机", "电话号码", "电话", "联系电话", "回复号码",
                 "发送号码", "主叫号码", "mobile", "phone")  # fmt: skip
TEXT_HEADERS = ("回复内容", "内容", "短信内容", "回复", "上行内容", "回复短信", "content", "reply")
TIME_HEADERS = ("回复时间", "时间", "接收时间", "上行时间", "收到时间", "回复日期", "time")
_TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y%m%d%H%M%S",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日%H:%M:%S",
    "%Y年%m月%d日%H:%M",
)

# What happened to one reply, as the report says it.
RESULTS: dict[str, str] = {
    "rated": "已记入评价",
    "duplicate": "重复（已导入过），跳过",
    "unreadable": "无法识别",
    "unmatched": "未找到对应事项",
    "ambiguous": "对应多件事项",
    "rejected": "不予导入",
}


@dataclass(frozen=True, slots=True)
class SmsExport:
    """What one export wrote."""

    path: Path
    rows: int
    skipped: int  # matters left out: no phone, or a landline


@dataclass(frozen=True, slots=True)
class SmsReply:
    """One reply as read from the platform's file; ``line`` is its row in the file."""

    line: int
    phone: str
    text: str
    at: dt.datetime | None
    problem: str = ""  # why the row cannot be used, before any matching


@dataclass(frozen=True, slots=True)
class SmsReplyRow:
    """One reply in the report: the phone masked, what became of it and why."""

    line: int
    phone_masked: str
    text: str
    at: str
    result: str  # a key of RESULTS
    reason: str
    visit_serial: str = ""

    @property
    def result_label(self) -> str:
        """The result in Chinese."""
        return RESULTS[self.result]


@dataclass(frozen=True, slots=True)
class SmsImportReport:
    """What an import did: the counts and every reply that was not recorded, with why."""

    file_name: str
    total: int
    rated: int
    closed: int  # pending phone callbacks closed as reached
    duplicates: int
    rectifications: tuple[str, ...]
    rows: tuple[SmsReplyRow, ...]

    @property
    def problems(self) -> tuple[SmsReplyRow, ...]:
        """The replies not recorded (duplicates aside): unmatched, unreadable, refused."""
        return tuple(r for r in self.rows if r.result not in ("rated", "duplicate"))

    @property
    def summary(self) -> str:
        """One sentence for the dialog."""
        text = (
            f"共读取回复 {self.total} 条：记入评价 {self.rated} 条"
            f"（其中结束待回访 {self.closed} 件）"
        )
        if self.duplicates:
            text += f"，重复跳过 {self.duplicates} 条"
        if self.problems:
            text += f"，未导入 {len(self.problems)} 条（见下表）"
        text += "。"
        if self.rectifications:
            text += f"差评 {len(self.rectifications)} 条已生成整改督办并安排上门回访。"
        return text


@dataclass(slots=True)
class _Target:
    visit: Visit
    finished_at: dt.datetime
    callback: Callback | None


@dataclass(slots=True)
class _Import:
    """One import of replies: what they may reach (read once), and what became of each."""

    session: Session
    station: Station
    actor: Officer
    supervisor: bool  # may import any matter's reply, and be told the serials
    now: dt.datetime
    tz: ZoneInfo
    targets: dict[str, list[_Target]]  # per phone, the matters a reply may reach
    handled: dict[int, set[int]]  # per matter, who handled it
    earlier: dict[int, list[dt.datetime]]  # per matter, its SMS ratings' reply times
    asked: set[int]  # the matters rated by phone or at home already
    report: list[SmsReplyRow] = field(default_factory=list)
    rectifications: list[str] = field(default_factory=list)
    rated_serials: list[str] = field(default_factory=list)
    rated: int = 0
    closed: int = 0
    duplicates: int = 0

    def take(self, reply: SmsReply) -> None:
        """One reply: recorded as its matter's rating, or listed with why not."""
        if reply.problem:
            self._row(reply, "unreadable", reply.problem)
            return
        assert reply.at is not None
        if reply.at > self.now:
            self._row(reply, "unreadable", "回复时间晚于当前时间，请核对文件。")
            return
        level = reply_level(reply.text)
        target = self._target(reply, reply.at)
        if target is None:
            return
        refused = self._refusal(target, level)
        if refused is not None:
            result, reason = refused
            self._row(reply, result, reason, target.visit.serial)
            return
        assert level is not None  # a reply without one is refused above
        self._record(reply, reply.at, target, level)

    def _target(self, reply: SmsReply, at: dt.datetime) -> _Target | None:
        """The one matter the reply answers; None (the reply listed with why) when it was
        imported before, or answers no matter, or more than one."""
        known = self.targets.get(reply.phone, [])
        # Already imported: found before anything else (its callback is closed now, and
        # the window may have passed), so that a file read again changes nothing.
        seen = next((t for t in known if at in self.earlier.get(t.visit.id, [])), None)
        if seen is not None:
            self.duplicates += 1
            self._row(reply, "duplicate", "该回复已经导入过。", seen.visit.serial)
            return None
        reachable = [
            t
            for t in known
            if t.finished_at <= at and (t.callback is not None or at - t.finished_at <= _WINDOW)
        ]
        if not reachable:
            self._row(reply, "unmatched", "该号码在回复前没有待回访或近期办结的事项。")
            return None
        waiting = [t for t in reachable if t.callback is not None]
        if len(reachable) > 1 and len(waiting) == 1:
            reachable = waiting
        if len(reachable) > 1:
            # Serials only to a supervisor: an officer may not know of the others.
            which = (
                "、".join(t.visit.serial for t in reachable)
                if self.supervisor
                else f"{len(reachable)} 件"
            )
            self._row(reply, "ambiguous", f"该号码对应多件事项（{which}），请电话回访核实。")
            return None
        return reachable[0]

    def _refusal(self, target: _Target, level: int | None) -> tuple[str, str] | None:
        """Why the reply may not be recorded on its matter (result, reason); None if it may."""
        visit = target.visit
        if self.earlier.get(visit.id):
            return "rejected", "该事项已有短信回复评价，以首次回复为准。"
        if visit.id in self.asked:
            return "rejected", "该事项已电话或上门回访，以首次回访为准。"
        if level is None:
            return "unreadable", f"回复内容不是 1–5 的评价（{REPLY_HINT}）。"
        if self.actor.id in self.handled[visit.id]:
            return (
                "rejected",
                "您经办过该事项，不能登记本人办理事项的回访评价，请由其他民警导入。",
            )
        callback = target.callback
        if not self.supervisor and (callback is None or callback.assigned_to_id != self.actor.id):
            return "rejected", "该事项不是指派给您的待回访事项，请由所长或副所长导入。"
        return None

    def _record(self, reply: SmsReply, at: dt.datetime, target: _Target, level: int) -> None:
        """The reply as the matter's rating of kind ``sms``, and what it sets off, as an
        officer logging the call would record it; a pending phone callback closed."""
        visit, callback = target.visit, target.callback
        comment = _comment(reply.text)
        try:
            _saved, after = record_reached(
                self.session, self.station, visit, callback, "sms", False, level, {}, comment,
                self.actor.id, self.now, rated_at=at,
            )  # fmt: skip
        except StationDeskError as exc:
            # The whole file waits: say which matter stopped it.
            raise ConflictError(f"{visit.serial}：{exc.message}（本次导入未保存）") from exc
        self.earlier.setdefault(visit.id, []).append(at)
        self.rated += 1
        if "rectification" in after:
            self.rectifications.append(str(after["rectification"]))
        if callback is not None:
            self._close(callback, at, comment)
            target.callback = None  # closed: a later reply finds it by the window only
            self.closed += 1
        self._row(reply, "rated", LEVELS[level], visit.serial)
        self.rated_serials.append(visit.serial)

    def _close(self, callback: Callback, at: dt.datetime, comment: str) -> None:
        """The pending phone callback closed as reached, the reply its attempt."""
        # Recorded now, by the importer (a reply read after the day's review is
        # carried into the next ledger as any later record); sent at reply.at.
        sent = at.astimezone(self.tz).strftime("%m-%d %H:%M")
        self.session.add(
            CallbackAttempt(
                callback_id=callback.id,
                at=self.now,
                local_date=self.now.astimezone(self.tz).date(),
                officer_id=self.actor.id,
                outcome="reached",
                note=f"{SMS_NOTE}（{sent}）：{comment}"[: text_limits.NOTE],
                via="sms",
            )
        )
        callback.closed_at = self.now
        callback.row_version += 1

    def _row(self, reply: SmsReply, result: str, reason: str, serial: str = "") -> None:
        self.report.append(_report_row(reply, self.tz, result, reason, serial))


class SmsService(ServiceBase):
    """The SMS list written for the platform, and the platform's replies read back."""

    # ---- export -------------------------------------------------------------------------

    def export(
        self,
        user: SessionUser,
        start: dt.date,
        end: dt.date,
        source: str,
        path: Path,
        purpose: str,
        detail: str,
    ) -> SmsExport:
        """The period's list as .xlsx or .csv (UTF-8 with BOM), written whole or not at all.

        Full numbers: a reveal, for 回访联系 and a stated detail, audited with the period, the
        list, the row count and the file. Supervisors may list either source; an officer who
        calls back, only the callbacks assigned to them.
        """
        if source not in SOURCES:
            raise ValidationError("请选择名单范围：待回访事项或期间内办结的事项。", "source")
        _check_period(start, end)
        chosen, text = check_reveal(purpose, detail, CALLBACK_PHONE_PURPOSES)
        target = check_file(Path(path), "短信回访名单")
        with self._sessions.begin() as session:
            actor = self._may_export(session, user, source)
            station = load_station(session)
            rows, skipped = self._list(session, station, actor, start, end, source)
            station_name = station.name
        cells = [(*row, station_name, REPLY_HINT) for row in rows]
        after = {
            **audit_after(chosen, text),
            "start": start.isoformat(),
            "end": end.isoformat(),
            "scope": source,
            "rows": len(cells),
            "skipped": skipped,
            "format": target.suffix.lower()[1:],
            "path": str(target),
        }

        def audited() -> AbstractContextManager[None]:
            return self._export_recorded(user, source, after)

        write_table(target, "短信回访名单", HEADERS, cells, audited)
        return SmsExport(target, len(cells), skipped)

    # ---- import -------------------------------------------------------------------------

    def import_replies(self, user: SessionUser, path: Path) -> SmsImportReport:
        """Read the platform's replies and record each as a callback outcome (see the module).

        A file that cannot be read, or lacks a column, changes nothing (ValidationError); else
        every usable reply is recorded in one transaction, and the rest listed with why.
        """
        source = Path(path)
        read = read_replies(source)
        with self._writing() as session:
            actor = self._officer(session, user)
            if Role(actor.role) not in CALLER_ROLES:
                raise PermissionDenied("导入短信回复由所长、副所长或承担回访的民警进行。")
            station = load_station(session)
            now = self._clock.now()
            replies = [_localised(r, ZoneInfo(station.timezone)) for r in read]
            run = self._import_run(session, station, actor, replies, now)
            # Oldest first: a citizen who replied twice is counted by the first reply.
            for reply in sorted(replies, key=lambda r: (r.at or now, r.line)):
                run.take(reply)
            session.flush()
            run.report.sort(key=lambda r: r.line)
            audit.record(
                session,
                at=now,
                officer_id=actor.id,
                action=IMPORTED,
                entity_type="sms_replies",
                entity_id=source.name,
                after={
                    "path": str(source),
                    "sha256": _file_sha256(source),
                    "replies": len(replies),
                    "ratings": run.rated,
                    "closed": run.closed,
                    "duplicates": run.duplicates,
                    "rejected": len(replies) - run.rated - run.duplicates,
                    "rectification": run.rectifications,
                    # The matters rated: their own audit trail names this import.
                    "serial": run.rated_serials[:AUDIT_SERIALS]
                    + (
                        [f"等 {len(run.rated_serials)} 件"]
                        if len(run.rated_serials) > AUDIT_SERIALS
                        else []
                    ),
                },
            )
            return SmsImportReport(
                source.name, len(replies), run.rated, run.closed, run.duplicates,
                tuple(run.rectifications), tuple(run.report),
            )  # fmt: skip

    def _import_run(
        self,
        session: Session,
        station: Station,
        actor: Officer,
        replies: list[SmsReply],
        now: dt.datetime,
    ) -> _Import:
        """An import of ``replies``, with what they may reach read once: the matters of each
        phone, who handled them, the SMS ratings they have, whether they were asked already."""
        readable = [r for r in replies if not r.problem and r.at is not None]
        since = min((r.at for r in readable if r.at), default=now) - _WINDOW
        targets = self._targets(session, [r.phone for r in readable], since.date())
        handled: dict[int, set[int]] = {}
        for part in _chunks(sorted({t.visit.id for ts in targets.values() for t in ts})):
            handled |= handlers(session, part)
        return _Import(
            session=session,
            station=station,
            actor=actor,
            supervisor=allows(Role(actor.role), Permission.VIEW_ALL_VISITS),
            now=now,
            tz=ZoneInfo(station.timezone),
            targets=targets,
            handled=handled,
            earlier=_sms_ratings(session, list(handled)),
            # Asked already by phone or at home: the first answer stands (no second rating,
            # no second rectification for one matter).
            asked=_called_ratings(session, list(handled)),
        )

    # ---- internals ----------------------------------------------------------------------

    def _may_export(self, session: Session, user: SessionUser, source: str) -> Officer:
        actor = self._officer(session, user)
        role = Role(actor.role)
        if allows(role, Permission.VIEW_ALL_VISITS):
            return actor
        if role in CALLER_ROLES and source == "callbacks":
            return actor
        if role in CALLER_ROLES:
            raise PermissionDenied("期间内办结事项的短信名单由所长或副所长导出。")
        raise PermissionDenied("短信回访名单由所长、副所长或承担回访的民警导出。")

    @contextmanager
    def _export_recorded(
        self, user: SessionUser, source: str, after: dict[str, Any]
    ) -> Iterator[None]:
        # The permission is checked again where the event is written: a role changed while
        # the list was read does not get the file.
        with self._writing() as session:
            actor = self._may_export(session, user, source)
            audit.record(
                session,
                at=self._clock.now(),
                officer_id=actor.id,
                action=EXPORTED,
                entity_type="sms_list",
                entity_id=f"{after['start']}~{after['end']}",
                after=after,
            )
            yield

    def _list(
        self,
        session: Session,
        station: Station,
        actor: Officer,
        start: dt.date,
        end: dt.date,
        source: str,
    ) -> tuple[list[tuple[str, str, str, str, dt.date]], int]:
        """The rows (phone, name, serial, matter, finished on) and how many were left out."""
        tz = ZoneInfo(station.timezone)
        visits = finished_visits(session, station, start, end)
        ids = [v.id for v in visits]
        if source == "callbacks":
            query = select(Callback.visit_id).where(
                Callback.kind == "phone", Callback.state == "pending", Callback.visit_id.in_(ids)
            )
            if not allows(Role(actor.role), Permission.VIEW_ALL_VISITS):
                query = query.where(Callback.assigned_to_id == actor.id)
            keep = set(session.scalars(query))
        else:
            # Asked already (by phone, at home or by SMS), or declined to be asked or not
            # reachable by phone: not asked again.
            asked = set(
                session.scalars(
                    select(Rating.visit_id).where(
                        Rating.kind.in_(CALLBACK_KINDS), Rating.visit_id.in_(ids)
                    )
                )
            ) | set(
                session.scalars(
                    select(Callback.visit_id).where(
                        Callback.kind == "phone",
                        Callback.state.in_(("refused", "unreachable")),
                        Callback.visit_id.in_(ids),
                    )
                )
            )
            keep = set(ids) - asked
        chosen = [v for v in visits if v.id in keep]
        finished = _finished_at(session, [v.id for v in chosen])
        matters = {
            version_id: name
            for version_id, name in session.execute(
                select(ServiceItemVersion.id, ServiceItemVersion.name).where(
                    ServiceItemVersion.id.in_({v.service_version_id for v in chosen})
                )
            )
        }
        rows: list[tuple[str, str, str, str, dt.date]] = []
        skipped = 0
        for v in chosen:
            if not _MOBILE.match(v.phone or ""):
                skipped += 1
                continue
            day = finished[v.id].astimezone(tz).date()
            rows.append((v.phone, v.citizen_name, v.serial, matters[v.service_version_id], day))
        return rows, skipped

    def _targets(
        self, session: Session, phones: Sequence[str], since: dt.date
    ) -> dict[str, list[_Target]]:
        """The finished matters of each phone that a reply may reach: those with a pending
        phone callback, and those that came in from a year before the window on (a matter
        finished in the window came in not long before; ten years of a returning citizen's
        visits are not read)."""
        if not phones:
            return {}
        cipher = cipher_of(session.get_bind().dialect)
        by_hash = {cipher.blind("phone", p): p for p in set(phones)}
        pending = (
            select(Callback.visit_id)
            .where(Callback.kind == "phone", Callback.state == "pending")
            .scalar_subquery()
        )
        came_after = since - dt.timedelta(days=ARRIVAL_SLACK_DAYS)
        visits: list[Visit] = []
        for part in _chunks(list(by_hash)):
            visits += session.scalars(
                select(Visit).where(
                    Visit.phone_hash.in_(part),
                    Visit.status.in_([s.value for s in RATABLE]),
                    or_(Visit.local_date >= came_after, Visit.id.in_(pending)),
                )
            )
        finished = _finished_at(session, [v.id for v in visits])
        callbacks = {
            c.visit_id: c
            for part in _chunks([v.id for v in visits])
            for c in session.scalars(
                select(Callback).where(
                    Callback.visit_id.in_(part),
                    Callback.kind == "phone",
                    Callback.state == "pending",
                )
            )
        }
        out: dict[str, list[_Target]] = defaultdict(list)
        for v in visits:
            if v.id in finished:
                out[by_hash[v.phone_hash]].append(_Target(v, finished[v.id], callbacks.get(v.id)))
        return out


# ---- reading and writing files ----------------------------------------------------------


def check_file(path: Path, kind: str) -> Path:
    """A file an export may write: .xlsx or .csv, in a folder that exists."""
    from app.exports.files import check_target

    suffix = Path(path).suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise ValidationError(f"{kind}只能保存为 Excel（.xlsx）或 CSV（.csv）文件。", "path")
    return check_target(Path(path), suffix, kind)


def write_table(
    target: Path,
    title: str,
    headers: Sequence[str],
    cells: Sequence[Sequence[Any]],
    guard: Callable[[], AbstractContextManager[object]] | None = None,
) -> None:
    """One table as .xlsx (text cells stay text: numbers keep their leading digits) or as
    .csv in UTF-8 with a byte-order mark (Excel opens the Chinese as Chinese); atomic."""
    if target.suffix.lower() == ".csv":
        from app.exports.files import write_atomically

        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(headers)
        for row in cells:
            writer.writerow([_csv_cell(c) for c in row])
        write_atomically(target, ("\ufeff" + out.getvalue()).encode("utf-8"), guard)
        return
    from app.exports.xlsx import Sheet, SheetColumn, write_workbook

    columns = tuple(
        SheetColumn(h, fmt="date") if isinstance(_first(cells, i), dt.date) else SheetColumn(h)
        for i, h in enumerate(headers)
    )
    sheet = Sheet(title, columns, tuple(tuple(r) for r in cells))
    write_workbook(target, [sheet], title=title, guard=guard)


def save_report(report: SmsImportReport, path: Path) -> Path:
    """The import's report (every reply and what became of it; phones masked) as a file."""
    target = check_file(Path(path), "导入报告")
    cells = [
        (r.line, r.phone_masked, r.at, r.text, r.result_label, r.reason, r.visit_serial)
        for r in report.rows
    ]
    headers = ("文件行号", "手机号码", "回复时间", "回复内容", "处理结果", "说明", "受理编号")
    write_table(target, "短信回复导入报告", headers, cells)
    return target


def read_replies(path: Path) -> list[SmsReply]:
    """The replies in a platform's .xlsx or .csv; a ValidationError (in Chinese) when the file
    cannot be read or lacks a column. Rows that cannot be used carry their ``problem``."""
    source = Path(path)
    suffix = source.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise ValidationError("请选择短信平台导出的 Excel（.xlsx）或 CSV（.csv）文件。", "path")
    if not source.is_file():
        raise ValidationError(f"找不到文件“{source}”，请重新选择。", "path")
    table = _xlsx_rows(source) if suffix == ".xlsx" else _csv_rows(source)
    header_at, columns = _find_header(table)
    replies: list[SmsReply] = []
    for number, cells in enumerate(table[header_at + 1 :], start=header_at + 2):
        phone_cell, text_cell, time_cell = (cells[c] if c < len(cells) else None for c in columns)
        if all(_blank(c) for c in (phone_cell, text_cell, time_cell)):
            continue
        if len(replies) >= MAX_REPLY_ROWS:
            raise ValidationError(
                f"文件中的回复超过 {MAX_REPLY_ROWS:,} 条，请分成几个文件导入。", "path"
            )
        replies.append(_reply(number, phone_cell, text_cell, time_cell))
    if not replies:
        raise ValidationError("文件中没有回复记录（列名下面是空的）。", "path")
    return replies


def reply_level(text: str) -> int | None:
    """The level a reply gives (1 非常满意 → 5 … 5 非常不满意 → 1), or None when it is not one
    digit 1–5 at its start ("1", "1谢谢", "【2】"; not "12", "好", "满意")."""
    body = unicodedata.normalize("NFKC", text or "").strip()
    body = body.lstrip("[(（【<《「 '\"")
    if not body or body[0] not in REPLY_LEVELS:
        return None
    if len(body) > 1 and body[1].isdigit():
        return None
    return REPLY_LEVELS[body[0]]


def _reply(line: int, phone_cell: Any, text_cell: Any, time_cell: Any) -> SmsReply:
    raw_phone = _phone_text(phone_cell)
    phone = normalise_phone(raw_phone)
    if phone.startswith("86") and len(phone) == 13:
        phone = phone[2:]
    text = _comment("" if text_cell is None else str(text_cell))
    at = _time(time_cell)
    problem = ""
    if not _MOBILE.match(phone):
        digits = re.sub(r"\D", "", raw_phone or "")
        problem = (
            f"手机号码格式不正确（{len(digits)} 位数字，尾号 {digits[-4:]}）。"
            if digits
            else "手机号码为空或格式不正确。"
        )
        phone = re.sub(r"\D", "", phone)
    elif at is None:
        problem = f"回复时间“{'' if time_cell is None else time_cell}”无法识别。"
    return SmsReply(line, phone, text, at, problem)


def _localised(reply: SmsReply, tz: ZoneInfo) -> SmsReply:
    """The reply with its time aware, in UTC: a time without a zone is the station's."""
    if reply.at is None:
        return reply
    at = reply.at if reply.at.tzinfo is not None else reply.at.replace(tzinfo=tz)
    return replace(reply, at=at.astimezone(dt.UTC))


def _report_row(
    reply: SmsReply, tz: ZoneInfo, result: str, reason: str, serial: str
) -> SmsReplyRow:
    shown = reply.at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if reply.at else ""
    return SmsReplyRow(reply.line, _masked(reply.phone), reply.text, shown, result, reason, serial)


def _phone_text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return str(cell)
    if isinstance(cell, int):
        return str(cell)
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _time(cell: Any) -> dt.datetime | None:
    """A reply's time as the file gives it (without a zone: the station's, see _localised)."""
    value: dt.datetime | None = None
    if isinstance(cell, dt.datetime):
        value = cell
    elif isinstance(cell, str):
        text = unicodedata.normalize("NFKC", cell).strip()
        text = re.sub(r"\s+", " ", text)
        for fmt in _TIME_FORMATS:
            try:
                value = dt.datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    return value


def _find_header(table: list[list[Any]]) -> tuple[int, tuple[int, int, int]]:
    """The header row (among the first ten; a platform may put a title above) and the
    columns of phone, text and time."""
    wanted = (("手机号码", PHONE_HEADERS), ("回复内容", TEXT_HEADERS), ("回复时间", TIME_HEADERS))
    best: tuple[int, dict[str, int]] = (0, {})
    for index, cells in enumerate(table[:10]):
        names = [_header(c) for c in cells]
        found: dict[str, int] = {}
        for label, variants in wanted:
            for variant in variants:
                if variant.lower() in names:
                    found[label] = names.index(variant.lower())
                    break
        if len(found) == len(wanted):
            return index, (found["手机号码"], found["回复内容"], found["回复时间"])
        if len(found) > len(best[1]):
            best = (index, found)
    missing = [label for label, _ in wanted if label not in best[1]]
    accepted = "；".join(f"{label}：{'、'.join(v)}" for label, v in wanted if label in missing)
    raise ValidationError(
        f"文件中找不到“{'”“'.join(missing)}”列。请确认第一行是列名（可用的列名——{accepted}）。",
        "path",
    )


def _header(cell: Any) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(cell or ""))).lower()


def _xlsx_rows(path: Path) -> list[list[Any]]:
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (OSError, BadZipFile, KeyError, ValueError):
        raise ValidationError(
            f"无法读取“{path.name}”：文件不是有效的 Excel（.xlsx）文件，或已损坏。",
            "path",
        ) from None
    try:
        sheet = book.worksheets[0]
        rows: list[list[Any]] = []
        for values in sheet.iter_rows(values_only=True):
            rows.append(list(values))
            if len(rows) > MAX_REPLY_ROWS + 20:
                break
        return rows
    finally:
        book.close()


def _csv_rows(path: Path) -> list[list[Any]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValidationError(f"无法读取“{path.name}”：{exc.strerror or exc}。", "path") from None
    # Platforms in China often write GBK; Excel's "CSV UTF-8" writes a byte-order mark.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # gb18030 decodes any bytes; kept for the type checker
        raise ValidationError(f"无法读取“{path.name}”：文件编码无法识别。", "path")
    if "\x00" in text:
        raise ValidationError(f"无法读取“{path.name}”：这不是文本格式的 CSV 文件。", "path")
    # Commas, or the tabs or semicolons some platforms write: whichever the first line has most.
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(",\t;", key=first.count)
    return [list(r) for r in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _comment(text: str) -> str:
    """The reply as stored: printable, one line, at most a note's length."""
    clean = _UNSTORABLE.sub("", unicodedata.normalize("NFC", text or ""))
    clean = re.sub(r"\s+", " ", clean).strip()
    return clean[: text_limits.NOTE - len(SMS_NOTE) - 1]


def _masked(phone: str) -> str:
    return mask_phone(phone) if phone else "（空）"


def _csv_cell(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula (=, +, -, @) starts with '."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _first(cells: Sequence[Sequence[Any]], column: int) -> Any:
    return cells[0][column] if cells else None


# ---- queries ------------------------------------------------------------------------------


def _check_period(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise ValidationError("结束日期早于开始日期，请重新选择期间。", "period")
    if (end - start).days >= MAX_DAYS:
        raise ValidationError(f"一次导出的期间不超过 {MAX_DAYS} 天，请分次导出。", "period")


def _finished_at(session: Session, visit_ids: list[int]) -> dict[int, dt.datetime]:
    """When each visit was finished (its move into a finished status)."""
    return {
        visit_id: _aware(at)
        for part in _chunks(visit_ids)
        for visit_id, at in session.execute(
            select(VisitTransition.visit_id, func.max(VisitTransition.at))
            .where(
                VisitTransition.visit_id.in_(part),
                VisitTransition.to_status.in_([s.value for s in RATABLE]),
            )
            .group_by(VisitTransition.visit_id)
        )
    }


def _file_sha256(path: Path) -> str:
    """The file's SHA-256, so that the evidence can be checked later."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _called_ratings(session: Session, visit_ids: list[int]) -> set[int]:
    """Which of the visits were already rated by phone or at home."""
    found: set[int] = set()
    for part in _chunks(visit_ids):
        found.update(
            session.scalars(
                select(Rating.visit_id).where(
                    Rating.visit_id.in_(part), Rating.kind.in_(("phone", "home"))
                )
            )
        )
    return found


def _chunks(ids: Sequence[Any], size: int = 900) -> Iterator[list[Any]]:
    """``ids`` in parts small enough for one IN list on any SQLite build or PostgreSQL."""
    items = list(ids)
    for at in range(0, len(items), size):
        yield items[at : at + size]


def _sms_ratings(session: Session, visit_ids: list[int]) -> dict[int, list[dt.datetime]]:
    """The reply times of the SMS ratings each visit already has."""
    out: dict[int, list[dt.datetime]] = defaultdict(list)
    for part in _chunks(visit_ids):
        for visit_id, at in session.execute(
            select(Rating.visit_id, Rating.rated_at).where(
                Rating.visit_id.in_(part), Rating.kind == "sms"
            )
        ):
            out[visit_id].append(_aware(at))
    return out


def _aware(at: dt.datetime) -> dt.datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)
