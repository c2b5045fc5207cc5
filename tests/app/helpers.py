"""Plain helpers shared by the service tests (no fixtures)."""

from __future__ import annotations

import re
from typing import Any

from app.catalogue.dto import MaterialLine, ServiceItemDraft

CJK = re.compile(r"[\u4e00-\u9fff]")


def has_chinese(text: str) -> bool:
    """Whether ``text`` contains at least one CJK ideograph."""
    return bool(CJK.search(text))


def valid_draft(**changes: Any) -> ServiceItemDraft:
    """A catalogue draft that passes validation; keyword arguments replace fields."""
    fields: dict[str, Any] = {
        "name": "测试事项",
        "category": "综合服务",
        "legal_basis": "《测试条例》第一条",
        "conditions": "本辖区居民",
        "procedure": "窗口受理，当场审核",
        "time_limit_value": 5,
        "time_limit_unit": "working_days",
        "time_limit_note": "",
        "fee": "免费",
        "fee_basis": "",
        "place": "一楼综合窗口",
        "hours": "工作日 8:30-17:30",
        "materials": (MaterialLine("居民身份证", 1, "原件", "本人", True),),
    }
    fields.update(changes)
    return ServiceItemDraft(**fields)
