"""Service catalogue (服务事项目录): search, versioned edits, seeding from the shipped data."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from app.catalogue.dto import (
    MaterialLine,
    ServiceItemDetail,
    ServiceItemDraft,
    ServiceItemRow,
    VersionRow,
)
from app.core import audit, text_limits
from app.core.dto import SessionUser
from app.core.errors import ConflictError, NotFound, ValidationError
from app.core.pinyin import search_key
from app.core.roles import Permission
from app.core.service_base import ServiceBase
from app.core.validation import clean_text, code_text
from db.models import MATERIAL_FORMS, TIME_LIMIT_UNITS, Officer, ServiceItem, ServiceItemVersion
from db.models import ServiceMaterial as MaterialRow
from resources import CATALOGUE_FILE

UNIT_LABELS = {
    "working_days": "个工作日",
    "calendar_days": "日（自然日）",
    "on_the_spot": "当场办结",
}
CATEGORIES = ("居民身份证", "户籍管理", "居住证", "证明开具", "综合服务", "报案求助")
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9\-]{1,19}$")
MAX_TIME_LIMIT = 365


def time_limit_text(value: int, unit: str) -> str:
    """How a time limit reads on a screen or slip: 20个工作日, 3日（自然日）, 当场办结."""
    if unit == "on_the_spot":
        return UNIT_LABELS[unit]
    return f"{value}{UNIT_LABELS[unit]}"


def validate_draft(draft: ServiceItemDraft) -> ServiceItemDraft:
    """A cleaned copy of ``draft``, or a ValidationError naming the first bad field."""
    name = clean_text(
        draft.name, field="name", label="事项名称", max_len=text_limits.CATALOGUE_NAME
    )
    category = clean_text(
        draft.category, field="category", label="类别", max_len=text_limits.CATEGORY
    )
    value = _time_limit_value(draft)
    materials = _materials(draft)
    return ServiceItemDraft(
        name=name,
        category=category,
        legal_basis=clean_text(
            draft.legal_basis,
            field="legal_basis",
            label="设定依据",
            max_len=text_limits.CATALOGUE_TEXT,
        ),
        conditions=clean_text(
            draft.conditions,
            field="conditions",
            label="办理条件",
            max_len=text_limits.CATALOGUE_TEXT,
        ),
        procedure=clean_text(
            draft.procedure, field="procedure", label="办理流程", max_len=text_limits.CATALOGUE_TEXT
        ),
        time_limit_value=value,
        time_limit_unit=draft.time_limit_unit,
        time_limit_note=clean_text(
            draft.time_limit_note,
            field="time_limit_note",
            label="时限说明",
            max_len=text_limits.NOTE,
            required=False,
        ),
        fee=clean_text(
            draft.fee, field="fee", label="收费标准（免费请填“免费”）", max_len=text_limits.FEE
        ),
        fee_basis=clean_text(
            draft.fee_basis,
            field="fee_basis",
            label="收费依据",
            max_len=text_limits.NOTE,
            required=False,
        ),
        place=clean_text(draft.place, field="place", label="办理地点", max_len=text_limits.PLACE),
        hours=clean_text(draft.hours, field="hours", label="办理时间", max_len=text_limits.PLACE),
        materials=materials,
    )


def _time_limit_value(draft: ServiceItemDraft) -> int:
    """The draft's time limit checked against its unit: 0 for 当场办结, else 1..MAX_TIME_LIMIT."""
    if draft.time_limit_unit not in TIME_LIMIT_UNITS:
        raise ValidationError("请选择办理时限的单位。", "time_limit_unit")
    if draft.time_limit_value < 0:
        raise ValidationError("办理时限不能为负数。", "time_limit_value")
    if draft.time_limit_value > MAX_TIME_LIMIT:
        raise ValidationError(f"办理时限不能超过 {MAX_TIME_LIMIT} 天。", "time_limit_value")
    value = draft.time_limit_value
    if draft.time_limit_unit == "on_the_spot":
        value = 0
    elif value == 0:
        raise ValidationError(
            "按日计算的时限至少为 1 天；当场办结请选择“当场办结”。", "time_limit_value"
        )
    return value


def _materials(draft: ServiceItemDraft) -> tuple[MaterialLine, ...]:
    """The draft's material lines cleaned: at least one, no name twice, 1..20 copies each."""
    if not draft.materials:
        raise ValidationError("每个事项至少要列出一项所需材料。", "materials")
    materials: list[MaterialLine] = []
    seen: set[str] = set()
    for index, m in enumerate(draft.materials, start=1):
        field = f"materials.{index - 1}"
        mname = clean_text(
            m.name, field=field, label=f"第 {index} 项材料的名称", max_len=text_limits.UNIT
        )
        if mname in seen:
            raise ValidationError(f"材料“{mname}”重复列出。", field)
        seen.add(mname)
        if m.copies < 1 or m.copies > 20:
            raise ValidationError(f"第 {index} 项材料的份数应在 1 到 20 之间。", field)
        if m.form not in MATERIAL_FORMS:
            raise ValidationError(f"第 {index} 项材料请选择原件或复印件。", field)
        source = clean_text(
            m.source,
            field=field,
            label=f"第 {index} 项材料的来源",
            max_len=text_limits.UNIT,
            required=False,
        )
        materials.append(MaterialLine(mname, m.copies, m.form, source, bool(m.is_key)))
    return tuple(materials)


def load_shipped_catalogue(path: Path = CATALOGUE_FILE) -> list[tuple[str, ServiceItemDraft]]:
    """The catalogue shipped in resources/, as (code, draft) pairs, validated."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return [(item["code"], validate_draft(_draft_from_json(item))) for item in data["items"]]


def _draft_from_json(item: dict[str, Any]) -> ServiceItemDraft:
    return ServiceItemDraft(
        name=item["name"],
        category=item["category"],
        legal_basis=item["legal_basis"],
        conditions=item["conditions"],
        procedure=item["procedure"],
        time_limit_value=int(item["time_limit_value"]),
        time_limit_unit=item["time_limit_unit"],
        time_limit_note=item.get("time_limit_note", ""),
        fee=item["fee"],
        fee_basis=item.get("fee_basis", ""),
        place=item["place"],
        hours=item["hours"],
        materials=tuple(
            MaterialLine(
                m["name"], int(m["copies"]), m["form"], m.get("source", ""), bool(m["key"])
            )
            for m in item["materials"]
        ),
    )


def seed_catalogue(
    session: Session, items: list[tuple[str, ServiceItemDraft]], now: dt.datetime
) -> int:
    """Insert the shipped catalogue as version 1 of each matter; returns how many were added."""
    added = 0
    for code, draft in items:
        if session.scalars(select(ServiceItem.id).where(ServiceItem.code == code)).first():
            continue
        item = ServiceItem(code=code, active=True, current_version_no=1)
        session.add(item)
        session.flush()
        _add_version(session, item, 1, draft, now, None, "随软件提供的初始目录")
        added += 1
    return added


def _add_version(
    session: Session,
    item: ServiceItem,
    version_no: int,
    draft: ServiceItemDraft,
    now: dt.datetime,
    officer_id: int | None,
    note: str,
) -> ServiceItemVersion:
    version = ServiceItemVersion(
        item_id=item.id,
        version_no=version_no,
        name=draft.name,
        category=draft.category,
        legal_basis=draft.legal_basis,
        conditions=draft.conditions,
        procedure=draft.procedure,
        time_limit_value=draft.time_limit_value,
        time_limit_unit=draft.time_limit_unit,
        time_limit_note=draft.time_limit_note,
        fee=draft.fee,
        fee_basis=draft.fee_basis,
        place=draft.place,
        hours=draft.hours,
        search_key=search_key(draft.name, draft.category),
        change_note=note,
        created_at=now,
        created_by_id=officer_id,
    )
    session.add(version)
    session.flush()
    for position, m in enumerate(draft.materials, start=1):
        session.add(
            MaterialRow(
                version_id=version.id,
                position=position,
                name=m.name,
                copies=m.copies,
                form=m.form,
                source=m.source,
                is_key=m.is_key,
            )
        )
    session.flush()
    return version


def _draft_snapshot(draft: ServiceItemDraft) -> dict[str, Any]:
    return {
        "name": draft.name,
        "category": draft.category,
        "time_limit": time_limit_text(draft.time_limit_value, draft.time_limit_unit),
        "fee": draft.fee,
        "place": draft.place,
        "hours": draft.hours,
        "materials": [
            f"{m.name}×{m.copies}（{m.form}{'，要件' if m.is_key else ''}）"
            for m in draft.materials
        ],
    }


class CatalogueService(ServiceBase):
    """Reads for every officer; new matters and new versions for the administrator."""

    def list_items(self, text: str = "", include_inactive: bool = False) -> list[ServiceItemRow]:
        """Current versions matching ``text`` in name, category, code or pinyin (``sfz``)."""
        needle = (text or "").strip().lower()
        with self._sessions.begin() as session:
            query = (
                select(ServiceItem, ServiceItemVersion, func.count(MaterialRow.id))
                .join(
                    ServiceItemVersion,
                    (ServiceItemVersion.item_id == ServiceItem.id)
                    & (ServiceItemVersion.version_no == ServiceItem.current_version_no),
                )
                .outerjoin(MaterialRow, MaterialRow.version_id == ServiceItemVersion.id)
                .group_by(ServiceItem.id, ServiceItemVersion.id)
            )
            if not include_inactive:
                query = query.where(ServiceItem.active.is_(True))
            if needle:
                # autoescape: a typed % or _ is a character, not a LIKE wildcard.
                query = query.where(
                    or_(
                        ServiceItemVersion.name.contains(needle, autoescape=True),
                        ServiceItemVersion.category.contains(needle, autoescape=True),
                        func.lower(ServiceItem.code).contains(needle, autoescape=True),
                        ServiceItemVersion.search_key.contains(needle, autoescape=True),
                    )
                )
            rows = []
            fit: dict[int, int] = {}
            for item, version, count in session.execute(query):
                fit[item.id] = _fit(needle, item.code, version.name, version.search_key)
                rows.append(
                    ServiceItemRow(
                        item_id=item.id,
                        version_id=version.id,
                        code=item.code,
                        name=version.name,
                        category=version.category,
                        time_limit_text=time_limit_text(
                            version.time_limit_value, version.time_limit_unit
                        ),
                        fee=version.fee,
                        version_no=version.version_no,
                        material_count=count,
                        active=item.active,
                    )
                )
            # The station's usual order: ID cards first, then household matters, and so on.
            # What was typed decides first: the code itself, then a code or name it begins.
            rank = {name: i for i, name in enumerate(CATEGORIES)}
            rows.sort(
                key=lambda r: (
                    fit[r.item_id],
                    rank.get(r.category, len(rank)),
                    r.category,
                    r.code,
                )
            )
            return rows

    def get_item(self, item_id: int, version_no: int | None = None) -> ServiceItemDetail:
        """A matter's current version, or the version asked for."""
        with self._sessions.begin() as session:
            item = session.get(ServiceItem, item_id)
            if item is None:
                raise NotFound("找不到该服务事项，请刷新列表。")
            number = version_no or item.current_version_no
            version = session.scalars(
                select(ServiceItemVersion)
                .options(selectinload(ServiceItemVersion.materials))
                .where(
                    ServiceItemVersion.item_id == item.id,
                    ServiceItemVersion.version_no == number,
                )
            ).first()
            if version is None:
                raise NotFound(f"该事项没有第 {number} 版。")
            return _detail(session, item, version)

    def get_version(self, version_id: int) -> ServiceItemDetail:
        """The exact version a record used, however the catalogue changed since."""
        with self._sessions.begin() as session:
            version = session.get(ServiceItemVersion, version_id)
            if version is None:
                raise NotFound("找不到该版本的服务事项。")
            return _detail(session, version.item, version)

    def list_versions(self, item_id: int) -> list[VersionRow]:
        """Every version of a matter, newest first."""
        with self._sessions.begin() as session:
            rows = session.execute(
                select(ServiceItemVersion, Officer.name)
                .outerjoin(Officer, Officer.id == ServiceItemVersion.created_by_id)
                .where(ServiceItemVersion.item_id == item_id)
                .order_by(ServiceItemVersion.version_no.desc())
            ).all()
            return [
                VersionRow(v.id, v.version_no, v.name, v.created_at, who or "系统", v.change_note)
                for v, who in rows
            ]

    def create_item(
        self, user: SessionUser, code: str, draft: ServiceItemDraft
    ) -> ServiceItemDetail:
        """Add a new matter as version 1."""
        code = code_text(code)
        if not _CODE.match(code):
            raise ValidationError(
                "事项编码由 2–20 位大写字母、数字或连字符组成，如 SFZ-SL。", "code"
            )
        clean = validate_draft(draft)
        with self._writing() as session:
            actor = self._require(session, user, Permission.EDIT_CATALOGUE)
            if session.scalars(select(ServiceItem.id).where(ServiceItem.code == code)).first():
                raise ValidationError(f"事项编码 {code} 已被使用。", "code")
            item = ServiceItem(code=code, active=True, current_version_no=1)
            session.add(item)
            session.flush()
            now = self._clock.now()
            version = _add_version(session, item, 1, clean, now, actor.id, "新增事项")
            audit.record(
                session,
                at=now,
                officer_id=actor.id,
                action="catalogue_item_added",
                entity_type="service_item",
                entity_id=item.id,
                after={"code": code, "version": 1, **_draft_snapshot(clean)},
            )
            return _detail(session, item, version)

    def save_new_version(
        self,
        user: SessionUser,
        item_id: int,
        based_on_version_no: int,
        draft: ServiceItemDraft,
        change_note: str,
    ) -> ServiceItemDetail:
        """Store an edit as a new version; earlier versions and the records using them stay."""
        note = clean_text(
            change_note, field="change_note", label="修改说明", max_len=text_limits.REASON
        )
        clean = validate_draft(draft)
        with self._writing() as session:
            actor = self._require(session, user, Permission.EDIT_CATALOGUE)
            item = session.get(ServiceItem, item_id)
            if item is None:
                raise NotFound("找不到该服务事项，请刷新列表。")
            if item.current_version_no != based_on_version_no:
                raise ConflictError(
                    f"该事项已被他人改为第 {item.current_version_no} 版，请重新打开后再修改。"
                )
            old = session.scalars(
                select(ServiceItemVersion)
                .options(selectinload(ServiceItemVersion.materials))
                .where(
                    ServiceItemVersion.item_id == item.id,
                    ServiceItemVersion.version_no == item.current_version_no,
                )
            ).one()
            old_draft = _draft(old)
            if old_draft == clean:
                raise ValidationError("内容没有变化，无需保存新版本。", "name")
            now = self._clock.now()
            number = item.current_version_no + 1
            version = _add_version(session, item, number, clean, now, actor.id, note)
            item.current_version_no = number
            audit.record(
                session,
                at=now,
                officer_id=actor.id,
                action="catalogue_version_added",
                entity_type="service_item",
                entity_id=item.id,
                before={"version": old.version_no, **_draft_snapshot(old_draft)},
                after={"version": number, "note": note, **_draft_snapshot(clean)},
            )
            return _detail(session, item, version)

    def set_active(self, user: SessionUser, item_id: int, active: bool) -> None:
        """Retire a matter from registration (停用) or offer it again; nothing is deleted."""
        with self._writing() as session:
            actor = self._require(session, user, Permission.EDIT_CATALOGUE)
            item = session.get(ServiceItem, item_id)
            if item is None:
                raise NotFound("找不到该服务事项，请刷新列表。")
            if item.active == active:
                raise ConflictError("该事项已经是这个状态。")
            item.active = active
            audit.record(
                session,
                at=self._clock.now(),
                officer_id=actor.id,
                action="catalogue_item_activated" if active else "catalogue_item_retired",
                entity_type="service_item",
                entity_id=item.id,
                before={"active": not active},
                after={"active": active},
            )


def _draft(version: ServiceItemVersion) -> ServiceItemDraft:
    return ServiceItemDraft(
        name=version.name,
        category=version.category,
        legal_basis=version.legal_basis,
        conditions=version.conditions,
        procedure=version.procedure,
        time_limit_value=version.time_limit_value,
        time_limit_unit=version.time_limit_unit,
        time_limit_note=version.time_limit_note,
        fee=version.fee,
        fee_basis=version.fee_basis,
        place=version.place,
        hours=version.hours,
        materials=tuple(
            MaterialLine(m.name, m.copies, m.form, m.source, m.is_key) for m in version.materials
        ),
    )


def _detail(session: Session, item: ServiceItem, version: ServiceItemVersion) -> ServiceItemDetail:
    who = session.get(Officer, version.created_by_id) if version.created_by_id else None
    return ServiceItemDetail(
        item_id=item.id,
        version_id=version.id,
        code=item.code,
        version_no=version.version_no,
        current_version_no=item.current_version_no,
        active=item.active,
        draft=_draft(version),
        time_limit_text=time_limit_text(version.time_limit_value, version.time_limit_unit),
        change_note=version.change_note,
        created_at=version.created_at,
        created_by=who.name if who else "系统",
    )


def _fit(needle: str, code: str, name: str, key: str) -> int:
    """How closely a matter answers what was typed: 0 its code (``sfzsl`` is SFZ-SL), 1 the
    start of its code, 2 the start of its name or of the name's pinyin initials, 3 anywhere."""
    if not needle:
        return 0
    typed = needle.replace("-", "")
    plain = code.lower().replace("-", "")
    if typed == plain:
        return 0
    if plain.startswith(typed):
        return 1
    initials = key.split(" ", 1)[0] if key else ""
    if name.lower().startswith(needle) or initials.startswith(typed):
        return 2
    return 3
