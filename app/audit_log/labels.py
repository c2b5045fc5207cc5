"""The audit log in words: every action, record kind and field the services write, in Chinese.

The services log codes (``visit_completed``, ``{"status": "completed"}``); the audit-log viewer
and its export show what a station chief reads. State, kind and reason words come from the
tables the rest of the program shows, so the log says 待补材料 where the counter does.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from functools import cache
from zoneinfo import ZoneInfo

from app.appointments.service import KIND_LABELS as APPOINTMENT_KINDS
from app.appointments.service import REASON_LABELS as APPOINTMENT_REASONS
from app.appointments.service import STATE_LABELS as APPOINTMENT_STATES
from app.backup.service import REASON_LABELS as BACKUP_REASONS
from app.callbacks.service import HOME_OUTCOMES, OUTCOMES
from app.callbacks.service import REASONS as CALLBACK_REASONS
from app.callbacks.service import STATES as CALLBACK_STATES
from app.callbacks.sms import SOURCES as SMS_SOURCES
from app.casefile.service import APPEAL_DECISIONS, RECTIFICATION_STATES, SLIP_NAMES
from app.catalogue.service import UNIT_LABELS
from app.complaints.service import KIND_LABELS as COMPLAINT_KINDS
from app.complaints.service import STATE_LABELS as COMPLAINT_STATES
from app.core.identity import mask_name, mask_phone
from app.core.roles import ROLE_LABELS
from app.holidays.service import SCHEDULE_SOURCES
from app.notices.dto import NOTICE_STATE_LABELS
from app.ratings.service import KIND_LABELS as RATING_KINDS
from app.ratings.service import LEVELS
from app.station.service import CALLBACK_PERIODS
from app.visits.dto import HANDOVER_STATE_LABELS, NameChoice
from app.visits.rules import CHANNEL_LABELS, STATUS_LABELS

UNKNOWN_ACTION = "其他操作"
UNKNOWN_ENTITY = "其他记录"
UNKNOWN_FIELD = "其他"
EMPTY = "—"

_CATEGORY_NAMES: dict[str, str] = {
    "login": "登录与密码",
    "reveal": "查看完整信息",
    "print": "打印",
    "export": "导出与备份",
    "casework": "办件",
    "supervision": "整改与投诉",
    "ledger": "台账审核与更正",
    "admin": "人员与设置",
}

# action → (what the chief reads, category): one table, so an action is in one category only.
_ACTIONS: dict[str, tuple[str, str]] = {
    "login": ("登录", "login"),
    "logout": ("退出登录", "login"),
    "login_failed": ("登录失败（密码错误）", "login"),
    "login_refused": ("拒绝登录（账号不存在、停用或锁定）", "login"),
    "password_changed": ("修改本人密码", "login"),
    "password_reset": ("重置密码", "login"),
    "id_number_revealed": ("查看完整证件号码", "reveal"),
    "phone_revealed": ("查看完整电话", "reveal"),
    "complaint_phone_revealed": ("查看投诉人完整电话", "reveal"),
    "sms_phones_revealed": ("导出短信回访名单（完整手机号码）", "reveal"),
    "slip_printed": ("打印回执/凭条", "print"),
    "slip_reprinted": ("补打回执/凭条", "print"),
    "notice_printed": ("打印告知单", "print"),
    "notice_reprinted": ("补打告知单", "print"),
    "rectification_printed": ("打印整改督办单", "print"),
    "rectification_reprinted": ("补打整改督办单", "print"),
    "register_printed": ("打印现场回访登记簿", "print"),
    "case_file_printed": ("打印办件档案", "print"),
    "shift_record_printed": ("打印交接班记录", "print"),
    "ledger_printed": ("打印每日台账", "print"),
    "monthly_report_printed": ("打印月度通报", "print"),
    "ledger_exported": ("导出每日台账", "export"),
    "statistics_exported": ("导出统计表", "export"),
    "audit_exported": ("导出审计日志", "export"),
    "backup_written": ("备份数据库", "export"),
    "backup_failed": ("备份失败", "export"),
    "database_restored": ("用备份恢复数据库", "export"),
    "key_sheet_printed": ("打印密钥恢复单", "export"),
    "visit_registered": ("登记来访", "casework"),
    "visit_in_progress": ("受理或恢复办理", "casework"),
    "visit_waiting_materials": ("转为待补材料", "casework"),
    "visit_completed": ("办结", "casework"),
    "visit_guided": ("引导办理", "casework"),
    "visit_refused": ("不予受理", "casework"),
    "visit_answered": ("当场答复", "casework"),
    "visit_voided": ("作废登记", "casework"),
    "visit_time_arrived": ("记录到达时间", "casework"),
    "visit_time_started": ("记录开始办理时间", "casework"),
    "visit_time_ended": ("记录结束时间", "casework"),
    "visit_reassigned": ("指派负责民警", "casework"),
    "handover_requested": ("发起移交", "casework"),
    "appointment_booked": ("登记预约或上门服务申请", "casework"),
    "appointment_rescheduled": ("改约（预约/上门）", "casework"),
    "appointment_cancelled": ("取消预约（上门）", "casework"),
    "appointment_missed": ("登记预约未到", "casework"),
    "appointment_arrived": ("预约群众到窗口登记", "casework"),
    "appointment_served": ("登记上门服务结果", "casework"),
    "shift_handed_over": ("交接班（登记交接班记录）", "casework"),
    "handover_accepted": ("接收移交", "casework"),
    "handover_declined": ("拒收移交", "casework"),
    "handover_cancelled": ("撤回移交", "casework"),
    "notice_issued": ("出具一次性告知单", "casework"),
    "pledge_issued": ("出具容缺受理承诺书", "casework"),
    "notice_materials_received": ("登记补交材料（尚未补齐）", "casework"),
    "notice_fulfilled": ("材料补齐", "casework"),
    "notice_breach": ("登记超出告知范围的要求", "casework"),
    "notice_voided": ("作废告知单", "casework"),
    "rating_saved": ("现场评价", "casework"),
    "rating_declined": ("群众不愿评价（现场）", "casework"),
    "callbacks_sampled": ("回访抽样", "casework"),
    "callback_attempt": ("登记回访结果", "casework"),
    "sms_replies_imported": ("导入短信回复（短信回访评价）", "casework"),
    "callback_reassigned": ("改派回访", "casework"),
    "home_visit_scheduled": ("安排上门回访", "casework"),
    "rectification_opened": ("差评生成整改督办", "supervision"),
    "rectification_verified": ("核实差评原因", "supervision"),
    "rectification_rectified": ("记录整改措施和结果", "supervision"),
    "rectification_follow_up": ("整改回访", "supervision"),
    "rectification_appealed": ("民警申诉", "supervision"),
    "rectification_appeal_decided": ("处理申诉", "supervision"),
    "rectification_closed": ("整改销号", "supervision"),
    "complaint_recorded": ("登记投诉", "supervision"),
    "praise_recorded": ("登记表扬", "supervision"),
    "complaint_verified": ("核实投诉", "supervision"),
    "complaint_handled": ("处理投诉", "supervision"),
    "complaint_replied": ("答复投诉人", "supervision"),
    "complaint_closed": ("投诉办结", "supervision"),
    "complaint_reassigned": ("改派投诉承办人", "supervision"),
    "day_reviewed": ("审核并锁定每日台账", "ledger"),
    "correction_recorded": ("登记台账更正", "ledger"),
    "ledger_imported": ("导入历史台账（所填各日一并审核锁定）", "ledger"),
    "officer_added": ("新增人员", "admin"),
    "officer_updated": ("修改人员信息", "admin"),
    "officer_activated": ("启用账号", "admin"),
    "officer_deactivated": ("停用账号", "admin"),
    "role_change_requested": ("申请变更角色", "admin"),
    "role_change_confirmed": ("确认角色变更", "admin"),
    "role_change_withdrawn": ("撤回或驳回角色变更申请", "admin"),
    "station_initialized": ("首次设置本所", "admin"),
    "settings_changed": ("修改本所设置", "admin"),
    "catalogue_seeded": ("导入内置服务事项目录", "admin"),
    "catalogue_item_added": ("新增服务事项", "admin"),
    "catalogue_version_added": ("保存服务事项新版本", "admin"),
    "catalogue_item_activated": ("启用服务事项", "admin"),
    "catalogue_item_retired": ("停用服务事项", "admin"),
    "holiday_set": ("录入放假/调休", "admin"),
    "holiday_removed": ("删除放假/调休安排", "admin"),
    "calendar_year_confirmed": ("确认年度节假日安排", "admin"),
    "calendar_year_unconfirmed": ("取消年度节假日确认", "admin"),
    "counter_repaired": ("自动校正编号计数器", "admin"),
    "personal_data_purged": ("清理过期个人信息", "admin"),
    "integrity_checked": ("检查数据完整性", "admin"),
    "rows_sealed": ("封存数据变更（系统）", "admin"),
}

ACTION_LABELS: dict[str, str] = {action: label for action, (label, _) in _ACTIONS.items()}

CATEGORIES: dict[str, tuple[str, frozenset[str]]] = {
    key: (name, frozenset(a for a, (_, c) in _ACTIONS.items() if c == key))
    for key, name in _CATEGORY_NAMES.items()
}

ENTITY_LABELS: dict[str, str] = {
    "visit": "来访", "notice": "告知单", "ledger": "台账", "officer": "人员", "handover": "移交",
    "ledger_import": "历史台账导入",
    "rectification": "整改督办", "complaint": "投诉表扬", "callback": "回访",
    "callback_batch": "回访抽样", "rating_register": "现场回访登记簿", "monthly_report": "月度通报",
    "statistics": "统计表", "audit_log": "审计日志", "backup": "备份", "station_key": "本所密钥",
    "station": "本所", "service_item": "服务事项", "holiday": "节假日安排",
    "calendar_year": "年度日历", "counter": "编号计数器", "audit": "审计链",
    "sms_list": "短信回访名单", "sms_replies": "短信回复",
    "shift": "交接班记录", "appointment": "预约（上门）服务",
}  # fmt: skip

FIELD_LABELS: dict[str, str] = {
    # registration and the matter
    "serial": "受理编号", "visit": "受理编号", "citizen": "群众姓名", "citizen_name": "群众姓名",
    "id": "证件号码", "phone": "联系电话", "summary": "事由摘要", "service_version": "事项版本号",
    "channel": "渠道", "in_scope": "属本所职责", "name_check": "姓名核对", "last_visit": "上次登记",
    "last_name": "上次登记的姓名", "typed_name": "本次填写的姓名", "choice": "姓名以何为准",
    "choice_label": "核对结果", "status": "状态", "state": "状态", "reason": "原因",
    "due_date": "办结期限", "arrived": "到达时间", "started": "开始办理时间", "ended": "结束时间",
    "owner": "负责民警", "handover": "移交记录号", "from": "自", "to": "至",
    "on_behalf_of": "原负责民警", "initiated_by": "发起人", "void": "作废登记",
    "addendum": "更正记录编号",
    # reveals and prints
    "purpose": "查看用途", "detail": "具体事由", "callback": "回访记录号", "kind": "类别",
    "copy_no": "打印次数", "printed_copy_no": "纸面标注次数", "copy": "份次", "via": "操作方式",
    "note": "说明", "supervisor": "所领导版本", "format": "文件格式", "path": "文件位置",
    "file": "文件位置", "rows": "条数", "month": "月份", "officers": "民警数", "matters": "事项数",
    # notices
    "owed": "需补交的材料", "deadline": "补交期限", "sha256": "内容校验值", "signed": "群众已签字",
    "signature": "签字校验值", "notice_signatures": "告知单签字校验值",
    "received": "本次补交的材料", "return_visit": "补交次数", "item": "额外要求的材料",
    "issuer": "出具民警",
    # ratings, callbacks, rectifications
    "rating": "评价记录号", "overall": "总体评价", "bad": "差评", "declined": "不愿评价",
    "rectification": "整改督办单号", "rated": "被评价民警", "cause": "原因核实",
    "action": "整改措施", "result": "整改结果", "appeal": "申诉理由", "decision": "申诉决定",
    "start": "开始日期", "end": "结束日期", "share": "抽样比例（%）", "seed": "抽样种子",
    "eligible": "可抽样事项数", "sampled": "抽中数", "mandatory": "必访数", "outcome": "结果",
    "pressure": "疑似施压", "home_visit": "上门回访记录号", "assigned_to": "回访民警",
    # complaints
    "officer": "涉及民警", "handler": "承办人", "received_on": "收到日期", "anonymous": "匿名",
    "finding": "核实结论", "verify_note": "核实情况", "handle_note": "处理情况",
    "reply_method": "答复方式", "reply_text": "答复内容",
    # officers and logins
    "badge_no": "警号", "name": "名称", "role": "角色", "active": "在用", "basis": "依据",
    "handed_over": "代为移交的事项", "request": "申请编号", "requested_by": "申请人",
    "by_badge_no": "接替登录的民警", "failed_attempts": "连续输错次数", "locked_until": "锁定至",
    # backups, retention, integrity
    "size_bytes": "文件大小", "removed": "删除的旧备份", "replaced": "被替换的数据库（已留存）",
    "ended_before": "办结日期早于", "retain_years": "保存年限", "visits": "登记件数",
    "complaints": "投诉件数", "signatures": "签字数", "ok": "检查通过", "last": "已用到的编号",
    # catalogue and calendar
    "code": "编码", "version": "版本", "category": "事项类别", "time_limit": "办理时限",
    "fee": "收费", "place": "办理地点", "hours": "办公时间", "materials": "材料清单",
    "items": "事项数", "day": "日期", "is_workday": "调休上班", "title": "通知标题",
    "record": "记录编号",
    "sheet": "工作表", "days": "锁定的天数", "import": "历史台账导入编号",
    "kept": "本人继续负责", "handed": "移交同事",
    "holidays": "放假天数", "workdays": "调休上班天数", "confirmed": "已确认", "source": "录入方式",
    # station settings (app.station.dto.StationSettings)
    "address": "地址", "phone_consult": "咨询电话", "phone_supervision": "监督电话",
    "phone_12389": "12389 监督举报电话", "phone_12345": "12345 政务服务热线",
    "paper_size": "回执纸张", "timezone": "时区", "lockout_attempts": "锁定前可输错次数",
    "lockout_minutes": "锁定时长（分钟）", "rating_dimensions": "评价维度",
    "verify_days": "整改核实期限（工作日）", "rectify_days": "整改期限（工作日）",
    "callback_share": "回访抽样比例（%）", "callback_period": "回访抽样周期",
    "complaint_verify_days": "投诉核实期限（工作日）",
    "complaint_handle_days": "投诉处理期限（工作日）",
    "complaint_reply_days": "投诉答复期限（工作日）", "review_after": "台账可审核时间",
    "idle_lock_minutes": "无操作锁屏（分钟）", "backup_folder": "备份文件夹",
    "backup_keep": "自动备份保留份数", "retain_contact_years": "联系信息保存年限",
    "first_officer": "首个账号",
    # 短信回访 (app.callbacks.sms)
    "scope": "名单范围", "skipped": "未列入（无手机号码）", "replies": "回复条数",
    "ratings": "记入评价", "closed": "结束的待回访", "duplicates": "重复跳过",
    "rejected": "未导入",
    "home_days_town": "上门服务时限·城区（工作日）",
    "home_days_country": "上门服务时限·农村（工作日）",
    "redress_review_body": "行政复议机关", "redress_court": "行政诉讼法院",
    # appointments and home service
    "slot": "预约时间", "served_at": "上门时间", "bookings": "预约（上门）件数",
}  # fmt: skip

# Where one key means something else on one kind of record.
_FIELD_OVERRIDES: dict[tuple[str, str], str] = {
    ("officer", "name"): "姓名",
    ("audit_log", "officer"): "限定人员",
    ("audit_log", "category"): "限定操作类别",
    ("audit_log", "record"): "限定记录编号",
    ("station", "name"): "单位名称",
    ("station", "code"): "本所简码",
    ("holiday", "name"): "节日名称",
    ("service_item", "name"): "事项名称",
    ("service_item", "code"): "事项编码",
    ("visit", "from"): "移交人",
    ("visit", "to"): "接收人",
    ("backup", "from"): "所用备份文件",
    ("ledger", "rows"): "台账行数",
    ("appointment", "result"): "办理结果",
    ("appointment", "reason"): "原因",
}

# 警号 (str): "from" and "to" hold one only on a handover (elsewhere a date or a file, which
# matches no badge).
BADGE_KEYS = frozenset(
    {"from", "to", "on_behalf_of", "initiated_by", "by_badge_no", "first_officer"}
)
# Keys naming an officer, by id (int) or by 警号 (str, BADGE_KEYS): the caller shows the name.
OFFICER_KEYS = BADGE_KEYS | {
    "owner", "officer", "handler", "assigned_to", "issuer", "rated", "requested_by",
}  # fmt: skip
CITIZEN_NAME_KEYS = frozenset({"citizen", "citizen_name", "typed_name", "last_name"})
# A person's phone (an officer's, a citizen's); the station's public numbers are not masked.
PHONE_KEYS = frozenset({"phone"})
# Files and folders: shown as they are ("from" too, on a restore's backup record).
PATH_KEYS = frozenset({"path", "file", "replaced", "removed", "backup_folder"})

_LOGIN_REASONS = {
    "unknown_badge": "警号不存在",
    "inactive": "账号已停用",
    "locked": "账号已锁定",
    "colleague_login": "同事在本窗口登录",
}
_KINDS = {**COMPLAINT_KINDS, **RATING_KINDS, **SLIP_NAMES}
_CODES: dict[str, tuple[tuple[str, Mapping[str, str]], ...]] = {
    "status": (("", {s.value: label for s, label in STATUS_LABELS.items()}),),
    "state": (
        ("complaint", COMPLAINT_STATES),
        ("notice", NOTICE_STATE_LABELS),
        ("rectification", RECTIFICATION_STATES),
        ("handover", HANDOVER_STATE_LABELS),
        ("visit", CALLBACK_STATES),  # callback_attempt: the callback's state
        ("callback", CALLBACK_STATES),
        ("appointment", APPOINTMENT_STATES),
    ),
    "kind": (("appointment", APPOINTMENT_KINDS), ("", _KINDS)),
    "channel": (("", {c.value: label for c, label in CHANNEL_LABELS.items()}),),
    "reason": (
        ("officer", _LOGIN_REASONS),
        ("backup", BACKUP_REASONS),
        ("visit", CALLBACK_REASONS),  # home_visit_scheduled
        ("appointment", APPOINTMENT_REASONS),
    ),
    "outcome": (("visit", OUTCOMES),),
    "via": (("", {"gui": "程序界面", "cli": "命令行"}),),
    "format": (("", {"pdf": "PDF 文件", "xlsx": "电子表格（xlsx）", "csv": "CSV 文件"}),),
    "role": (("", {r.value: label for r, label in ROLE_LABELS.items()}),),
    "decision": (("", APPEAL_DECISIONS),),
    "basis": (("", {"chief": "所长直接办理", "first_chief": "任命本所首任所长"}),),
    "choice": (("", {c.value: c.label for c in NameChoice if c.value}),),
    "source": (("", SCHEDULE_SOURCES),),
    "callback_period": (("", CALLBACK_PERIODS),),
    "paper_size": (("", {"80mm": "80mm 热敏卷纸"}),),
    "timezone": (("", {"Asia/Shanghai": "北京时间", "Asia/Urumqi": "乌鲁木齐时间"}),),
    "time_limit_unit": (("", UNIT_LABELS),),
    "scope": (("", SMS_SOURCES),),
}
_HASH = re.compile(r"[0-9a-f]{64}")
_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[+-]\d{2}:\d{2}|Z)")


def action_label(action: str) -> str:
    """The action as the chief reads it; never the code, even for one this table lacks."""
    return ACTION_LABELS.get(action, UNKNOWN_ACTION)


def entity_label(entity_type: str) -> str:
    """The kind of record an event concerns, in Chinese."""
    return ENTITY_LABELS.get(entity_type, UNKNOWN_ENTITY)


def field_label(key: str, entity_type: str = "") -> str:
    """A before/after key's name, with the few that mean something else on one record kind."""
    return _FIELD_OVERRIDES.get((entity_type, key)) or FIELD_LABELS.get(key, UNKNOWN_FIELD)


def value_text(
    key: str,
    value: object,
    entity_type: str = "",
    *,
    siblings: Mapping[str, object] | None = None,
    zone: str = "Asia/Shanghai",
) -> str:
    """A before/after value as the chief reads it: codes in words, fingerprints shortened,
    times in the station's ``zone``; — for nothing.

    ``entity_type`` picks the table of a key several record kinds use ("state", "reason");
    ``siblings`` (the rest of the same before/after) tells a home visit's outcome from a
    call's. Officer ids, citizens' names and phones at the top level are the caller's
    (OFFICER_KEYS, CITIZEN_NAME_KEYS, PHONE_KEYS); inside a nested record they are masked here.
    """
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list | tuple):
        items = [value_text(key, v, entity_type, zone=zone) for v in value]
        if not items:
            return EMPTY
        # Materials are often "A、B 或 C": then the items are told apart by "；".
        return ("；" if any("、" in i for i in items) else "、").join(items)
    if isinstance(value, Mapping):
        parts = [
            f"{FIELD_LABELS.get(str(k), str(k))}：{_nested(str(k), v, entity_type, zone)}"
            for k, v in value.items()
        ]
        return "；".join(parts) or EMPTY
    if isinstance(value, int):
        if key == "overall":
            return LEVELS.get(value, str(value))
        if key == "size_bytes":
            return f"{value:,} 字节"
        return str(value)
    text = str(value)
    if isinstance(value, str):
        word = _code(key, text, entity_type, siblings)
        if word is not None:
            return word
        if _HASH.fullmatch(text):
            return text[:12].upper() + "…"  # as the ledger prints its fingerprints
        if _STAMP.fullmatch(text):
            stamp = dt.datetime.fromisoformat(text).astimezone(_zone(zone))
            return stamp.strftime("%Y-%m-%d %H:%M")
        if key == "rating_dimensions":
            return text.replace(",", "、")
    return text


def _nested(key: str, value: object, entity_type: str, zone: str) -> str:
    if isinstance(value, str) and value:
        if key in CITIZEN_NAME_KEYS:
            return mask_name(value)
        if key in PHONE_KEYS:
            return mask_phone(value)
    return value_text(key, value, entity_type, zone=zone)


def _code(
    key: str, value: str, entity_type: str, siblings: Mapping[str, object] | None
) -> str | None:
    tables = _CODES.get(key, ())
    if key == "outcome" and siblings is not None and siblings.get("kind") == "home":
        tables = (("visit", HOME_OUTCOMES), *tables)
    for owner, table in tables:
        if owner in ("", entity_type) and value in table:
            return table[value]
    if entity_type not in {owner for owner, _ in tables}:
        # A record kind this key is not known on (or none given): any table that knows it.
        for _, table in tables:
            if value in table:
                return table[value]
    return None


@cache
def _zone(name: str) -> dt.tzinfo:
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError):
        return ZoneInfo("Asia/Shanghai")
