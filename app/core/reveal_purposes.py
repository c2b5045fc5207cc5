"""Why a full ID number or phone is looked at: a purpose from a fixed list and a real sentence.

Every unmasked view is audited with both (PIPL art. 6: no more than the purpose needs). A
purpose is chosen, never typed, so the log can be counted by it; the detail says which matter
and what for, and filler such as “看看”“。。”“工作需要” is refused before anything is shown.
"""

from __future__ import annotations

import re

from app.core.errors import ValidationError
from app.core.validation import clean_text

HANDLING = "办理业务"
IDENTITY = "核查身份"
CALLBACK = "回访联系"
COMPLAINT = "投诉处理"
RECTIFICATION = "整改核实"
INVESTIGATION = "依法协助调查"

PURPOSES: tuple[str, ...] = (
    HANDLING,
    IDENTITY,
    CALLBACK,
    COMPLAINT,
    RECTIFICATION,
    INVESTIGATION,
)

# Which purposes each reveal accepts: the phone of a callback is for the call, nothing else.
ID_NUMBER_PURPOSES: tuple[str, ...] = (
    HANDLING,
    IDENTITY,
    COMPLAINT,
    RECTIFICATION,
    INVESTIGATION,
)
VISIT_PHONE_PURPOSES: tuple[str, ...] = (HANDLING, IDENTITY)
CALLBACK_PHONE_PURPOSES: tuple[str, ...] = (CALLBACK,)
COMPLAINT_PHONE_PURPOSES: tuple[str, ...] = (COMPLAINT,)

DETAIL_MAX = 200
DETAIL_LABEL = "具体事由"
DETAIL_EXAMPLE = "如：为群众出具无犯罪记录证明，核对证件号码"

# Words that say nothing about why: what is left once they are taken out must still say it.
# The field itself (号码, 电话 …) is among them: “查看完整号码” restates the button.
_FILLER = sorted(
    {
        "看看",
        "看一看",
        "看一下",
        "看下",
        "查看",
        "查看一下",
        "查一下",
        "查查",
        "查询",
        "测试",
        "试试",
        "随便",
        "无",
        "没有",
        "需要",
        "工作需要",
        "业务需要",
        "一下",
        "了解一下",
        "了解情况",
        "确认一下",
        "核对一下",
        "完整",
        "号码",
        "电话",
        "手机号",
        "手机号码",
        "证件号",
        "证件号码",
        "身份证号",
        "身份证号码",
        "信息",
        "用途",
    },
    key=len,
    reverse=True,
)
_WORD = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0002ebefA-Za-z0-9]")
_HAN_OR_DIGIT = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0002ebef0-9]")


def _words(text: str) -> str:
    """The letters, digits and Chinese characters of ``text`` (no spaces or punctuation)."""
    return "".join(_WORD.findall(text))


def _says_something(core: str) -> bool:
    return len(core) >= 4 and len(_HAN_OR_DIGIT.findall(core)) >= 2 and len(set(core)) >= 3


def check_reveal(purpose: str, detail: str, allowed: tuple[str, ...]) -> tuple[str, str]:
    """The purpose (one of ``allowed``) and the detail as recorded, or a ValidationError.

    The detail needs at least four characters of words, two of them Chinese characters or
    digits, not one character repeated; and something must remain once filler is taken out.
    """
    chosen = (purpose or "").strip()
    if chosen not in allowed:
        raise ValidationError(f"请从列表中选择查看用途：{'、'.join(allowed)}。", "purpose")
    text = clean_text(detail, field="detail", label=DETAIL_LABEL, max_len=DETAIL_MAX)
    core = _words(text)
    if not _says_something(core):
        raise ValidationError(
            f"请用一句话写明具体事由（至少 4 个字，说明为哪件事、做什么），{DETAIL_EXAMPLE}。",
            "detail",
        )
    rest = core
    for word in _FILLER:
        rest = rest.replace(word, "")
    if len(rest) < 3 or len(_HAN_OR_DIGIT.findall(rest)) < 2:
        raise ValidationError(
            f"“{text}”没有说明具体事由，请写明为哪件事、做什么，{DETAIL_EXAMPLE}。", "detail"
        )
    return chosen, text


def audit_after(purpose: str, detail: str) -> dict[str, str]:
    """What a reveal's audit event records."""
    return {"purpose": purpose, "detail": detail}
