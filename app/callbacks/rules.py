"""回访's words and numbers: outcomes, states, reasons, kinds, who may call, the time limits."""

from __future__ import annotations

from app.core.roles import Role

OUTCOMES: dict[str, str] = {
    "reached": "接通",
    "no_answer": "无人接听",
    "wrong_number": "号码错误",
    "refused": "拒绝回访",
}
HOME_OUTCOMES: dict[str, str] = {
    "reached": "见到本人",
    "no_answer": "未遇本人",
    "wrong_number": "地址有误",
    "refused": "拒绝回访",
}
STATES: dict[str, str] = {
    "pending": "待回访",
    "reached": "已回访",
    "refused": "拒绝回访",
    "unreachable": "无法联系",
}
REASONS: dict[str, str] = {
    "sample": "随机抽样",
    "bad": "现场差评",
    "requested": "群众要求回访",
    "dissatisfied": "回访不满意",
    "manual": "所长安排",
}
KINDS: dict[str, str] = {"phone": "电话回访", "home": "上门回访"}
CALLER_ROLES = (Role.WINDOW, Role.AUXILIARY, Role.DEPUTY, Role.CHIEF)
PHONE_DUE_DAYS = 2  # working days to make a sampled call
MAX_UNANSWERED = 3  # after three unanswered calls the citizen counts as unreachable
PRESSURE_GAP = 2  # phone level this far below the on-site one flags the matter
DONE_STATES = ("reached", "refused", "unreachable")
# With finished callbacks shown, those of this many days back (pending ones always).
DONE_SHOWN_DAYS = 30
