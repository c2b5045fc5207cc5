"""``stationdesk check`` over signed records: notices, signatures, on-site ratings, corrections.

A notice's content hash and a signature's image hash are recomputed; each signature must sign
what its document holds now (a notice's hash, a reviewed ledger's hash, a rating's level and
words). A signature's image carries its own hash, so an image swapped together with that hash
is told by the hash recorded elsewhere when it was signed: a rating's in its ``rating_saved``
event, a ledger's and the listed notices' in the ``day_reviewed`` event.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import LargeBinary, Text, select, type_coerce
from sqlalchemy.orm import Session

from app.appointments.service import home_service_content_sha256
from app.core.crypto import SealedDataDamaged
from app.core.signatures import image_digest
from app.integrity.business_check import ROWS_PER_BATCH, Context
from app.ratings.service import LEVELS, rating_content_sha256
from db.models import Addendum, Appointment, Notice, Rating, Signature, Visit
from db.sealed import open_bytes


def check_notices(ctx: Context) -> str:
    """Each notice's frozen content against its SHA-256 (remembered for the signatures)."""
    last = count = 0
    while True:
        rows = ctx.session.execute(
            select(Notice.id, Notice.number, Notice.snapshot_json, Notice.content_sha256)
            .where(Notice.id > last)
            .order_by(Notice.id)
            .limit(ROWS_PER_BATCH)
        ).all()
        if not rows:
            break
        for notice_id, number, snapshot, sha in rows:
            count += 1
            ctx.notices[notice_id] = (number, sha)
            if hashlib.sha256((snapshot or "").encode("utf-8")).hexdigest() != sha:
                ctx.findings.add(f"告知单 {number}：存档内容与其校验值不符（告知内容被改动）")
        last = rows[-1][0]
    return f"告知单：{count} 份已重算内容校验值"


def check_signatures(ctx: Context) -> str:
    """Every signature: bound to its document as it is now, its image as it was signed."""
    manifest: dict[str, str] = {}
    ledger_images: dict[int, str] = {}
    review_by_day = {r.day.isoformat(): r for r in ctx.reviews.values()}
    for day, event in ctx.review_events.items():
        listed = event.get("notice_signatures")
        if isinstance(listed, dict):
            manifest.update((str(k), str(v)) for k, v in listed.items())
        if event.get("signature") and day in review_by_day:
            ledger_images[review_by_day[day].id] = str(event["signature"])
    columns: list[Any] = [
        Signature.id, Signature.document_type, Signature.document_id, Signature.content_sha256,
        Signature.image_sha256,
    ]  # fmt: skip
    if ctx.cipher is not None:
        columns += [
            type_coerce(Signature.strokes_json, Text()),
            type_coerce(Signature.png, LargeBinary()),
        ]
    last = count = 0
    signed_notices: set[str] = set()
    while True:
        rows = ctx.session.execute(
            select(*columns).where(Signature.id > last).order_by(Signature.id).limit(500)
        ).all()
        if not rows:
            break
        ratings = _ratings(ctx.session, [r[2] for r in rows if r[1] == "rating"])
        homes = _homes(ctx.session, [r[2] for r in rows if r[1] == "appointment"])
        for row in rows:
            count += 1
            sig_id, kind, doc_id, content_sha, image_sha = row[:5]
            name = _document(ctx, kind, doc_id, content_sha, ratings, signed_notices, homes)
            if name is None:
                ctx.findings.add(f"签字（第 {sig_id} 号）：所签的文件已不存在")
                continue
            recorded = ""
            if kind == "ledger":
                recorded = ledger_images.get(doc_id, "")
            elif kind == "notice":
                number = ctx.notices[doc_id][0]
                recorded = manifest.get(number) or ctx.notice_signatures.get(number, "")
            elif kind == "rating":
                recorded = (ctx.rating_events.get(doc_id) or (False, None, "", ""))[2]
            if recorded and recorded != image_sha:
                ctx.findings.add(f"{name}：签字图像与签字时记录的不同（签字被调换）")
            if ctx.cipher is not None:
                _image(ctx, name, row[5], row[6], image_sha)
        last = rows[-1][0]
    for number in sorted(set(manifest) - signed_notices):
        ctx.findings.add(f"告知单 {number}：审核时有群众签字，现已不存在（被删除）")
    # A notice issued with a signature and still here (a deleted notice is its own finding).
    notices_here = {number for number, _ in ctx.notices.values()}
    for number in sorted(set(ctx.notice_signatures) - set(manifest) - signed_notices):
        if number in notices_here:
            ctx.findings.add(f"告知单 {number}：出具时有群众签字，现已不存在（被删除）")
    images = (
        "已重算签字图像校验值" if ctx.cipher is not None else "签字图像未核对（本机没有站点密钥）"
    )
    if ctx.cleared_signatures:
        images += f"（{ctx.cleared_signatures} 个签字图像已按保存期限清除）"
    return f"签字：{count} 个已核对所签内容；{images}"


def _ratings(session: Session, ids: list[int]) -> dict[int, tuple[Any, ...]]:
    if not ids:
        return {}
    rows = session.execute(
        select(
            Rating.id, Rating.visit_id, Rating.overall, Rating.dimensions_json, Rating.comment,
            Visit.serial,
        )
        .outerjoin(Visit, Visit.id == Rating.visit_id)
        .where(Rating.id.in_(ids))
    )  # fmt: skip
    return {row[0]: tuple(row[1:]) for row in rows}


def _homes(session: Session, ids: list[int]) -> dict[int, tuple[str, str]]:
    """Each home service's number and what its citizen signed, as it stands now."""
    if not ids:
        return {}
    rows = session.execute(
        select(Appointment, Visit.serial)
        .outerjoin(Visit, Visit.id == Appointment.visit_id)
        .where(Appointment.id.in_(ids))
    )
    return {b.id: (b.number, home_service_content_sha256(b, serial or "")) for b, serial in rows}


def _document(
    ctx: Context,
    kind: str,
    doc_id: int,
    content_sha: str,
    ratings: dict[int, tuple[Any, ...]],
    signed_notices: set[str],
    homes: dict[int, tuple[str, str]],
) -> str | None:
    """How a finding names the signed document (None: it is gone); checks what it signs."""
    if kind == "ledger":
        review = ctx.reviews.get(doc_id)
        return None if review is None else f"{review.label}的所长签字"
    if kind == "notice":
        if doc_id not in ctx.notices:
            return None
        number, sha = ctx.notices[doc_id]
        signed_notices.add(number)
        name = f"告知单 {number} 的群众签字"
        if content_sha != sha:
            ctx.findings.add(f"{name}：所签内容与告知单现存内容不符")
        return name
    if kind == "rating":
        if doc_id not in ratings:
            return None
        visit_id, overall, dims, comment, serial = ratings[doc_id]
        name = f"登记 {serial} 的现场评价签字"
        if rating_content_sha256(visit_id, overall, dims, comment) != content_sha:
            ctx.findings.add(f"{name}：所签的评价与现存评价不符（评价被改动）")
        return name
    if kind == "appointment":
        if doc_id not in homes:
            return None
        number, signed = homes[doc_id]
        name = f"上门服务 {number} 的群众签字"
        if signed != content_sha:
            ctx.findings.add(f"{name}：所签的上门记录与现存记录不符（上门结果或时间被改动）")
        return name
    return f"签字（{kind} 第 {doc_id} 号）"


def _image(ctx: Context, name: str, strokes: str | None, png: bytes | None, image: str) -> None:
    assert ctx.cipher is not None
    try:
        clear = ctx.open(strokes)
        picture = open_bytes(ctx.cipher, bytes(png or b""))
    except (SealedDataDamaged, ValueError):
        clear = None
    if clear is None:
        ctx.findings.add(f"{name}：签字密文无法解开（被改动或换成了别的密文）")
    elif not clear and not picture:
        ctx.cleared_signatures += 1  # cleared past its retention period; its hash stays
    elif image_digest(clear, picture) != image:
        ctx.findings.add(f"{name}：签字图像与其校验值不符（图像被改动）")


def check_ratings(ctx: Context) -> str:
    """Each on-site rating's level (or refusal) as its event recorded it."""
    expected = dict(ctx.rating_events)
    first_tracked = min(expected, default=None)
    last = count = untracked = 0
    while True:
        rows = ctx.session.execute(
            select(Rating.id, Rating.declined, Rating.overall, Visit.serial)
            .outerjoin(Visit, Visit.id == Rating.visit_id)
            .where(Rating.id > last, Rating.kind == "on_site")
            .order_by(Rating.id)
            .limit(ROWS_PER_BATCH)
        ).all()
        if not rows:
            break
        for rating_id, declined, overall, serial in rows:
            count += 1
            event = expected.pop(rating_id, None)
            if event is None:
                if first_tracked is not None and rating_id > first_tracked:
                    ctx.findings.add(
                        f"登记 {serial} 的现场评价：没有评价时的审计事件（疑为事后插入）"
                    )
                else:
                    untracked += 1
                continue
            was, now = _level(event[0], event[1]), _level(bool(declined), overall)
            if was != now:
                ctx.findings.add(
                    f"登记 {serial} 的现场评价：现为“{now}”，评价时记录为“{was}”（评价被改动）"
                )
        last = rows[-1][0]
    for _declined, _overall, _image_sha, serial in expected.values():
        ctx.findings.add(f"登记 {serial} 的现场评价：审计事件记有评价，评价记录已不存在（被删除）")
    old = ctx.old_rating_events
    note = f"；{old} 条早期评价事件未记评价等级，对应评价未核对" if old else ""
    return f"现场评价：{count - untracked} 条已与评价时的审计事件核对{note}"


def _level(declined: bool, overall: int | None) -> str:
    return "拒绝评价" if declined else LEVELS.get(overall or 0, "（无）")


def check_corrections(ctx: Context) -> str:
    """Every correction of a visit made through the program: its event says the same."""
    count = 0
    for number, label, field_name, old, new in ctx.session.execute(
        select(
            Addendum.number, Addendum.entity_label, Addendum.field, Addendum.old_value,
            Addendum.new_value,
        ).where(Addendum.entity_type == "visit")
    ):  # fmt: skip
        count += 1
        event = ctx.correction_events.get(number)
        if event is None:
            ctx.findings.add(
                f"更正记录 {number}（登记 {label}）：找不到登记时的审计事件（疑为伪造）"
            )
        elif event[0].get(field_name) != old or event[1].get(field_name) != new:
            ctx.findings.add(f"更正记录 {number}（登记 {label}）：内容与登记时的审计事件不符")
    return f"更正记录：{count} 条与审计事件核对"
