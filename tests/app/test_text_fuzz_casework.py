"""Any text a paste can carry, through the casework after a matter: one-time notices, ratings,
rectifications and callbacks (issue 18 item 7, issue 21; the pattern of test_text_fuzz.py).

Every text-taking call either refuses the text with a Chinese ValidationError and writes
nothing (no row in any table these services write, no audit event, no seal, no number used),
or stores exactly the text given with the surrounding whitespace trimmed: in its own row and
wherever else the call copies it (a notice's frozen content, a visit's history). Lookups by a
typed or scanned number find the record or say in Chinese why not, and write nothing.

A stored example stays in the database for the next one, and most calls need a record in a
given state (a visit without a notice, an open notice, a rectification awaiting its cause …).
So each call takes the newest record in that state and a new one is made only when none is
left; where one call's success leaves a record in the state the next call needs (a notice
issued is one to breach and void, a 差评 opens a rectification, a cause recorded makes it
ready for its measures), one property runs those calls in turn. That keeps 150 examples a
test (STATIONDESK_FUZZ_EXAMPLES) affordable, and every call still gets them all.
"""

from __future__ import annotations

import dataclasses
import io
import json
import unicodedata
from collections.abc import Callable
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pytest
from hypothesis import event, given
from hypothesis import strategies as st
from PIL import Image
from sqlalchemy import ColumnElement, select

from app.callbacks.service import OUTCOMES
from app.core.clock import FixedClock
from app.core.database import Database
from app.core.dto import SessionUser
from app.core.errors import NotFound, ValidationError
from app.core.identity import IdType
from app.core.reveal_purposes import CALLBACK
from app.core.roles import Role
from app.notices.dto import NewNotice, NoticeItemInput, SignatureInput
from app.ratings.service import RatingInput
from app.services import Services
from app.visits.dto import NameChoice, NewVisit
from db.models import (
    AuditEvent,
    AuditSeal,
    Callback,
    CallbackAttempt,
    Counter,
    Notice,
    NoticeBreach,
    NoticeItem,
    PrintRecord,
    Rating,
    Rectification,
    Signature,
    Visit,
    VisitTransition,
)
from tests.app.helpers import has_chinese
from tests.app.test_text_fuzz import FUZZ, SPECIAL, TEXT

T = TypeVar("T")
FULL_ID = "11010519491231002X"
PHONE = "13805710011"
STROKES = (((10.0, 10.0, 0.5), (60.0, 40.0, 0.5)),)
# What the casework services write, and the audit trail that seals every write.
WRITTEN = (
    Visit, VisitTransition, Notice, NoticeItem, NoticeBreach, Signature, Rating, Rectification,
    Callback, CallbackAttempt, PrintRecord, Counter, AuditEvent, AuditSeal,
)  # fmt: skip


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(out, format="PNG")
    return out.getvalue()


PNG = _png()
CALLBACK_BATCH = 45  # finished matters sampled at once for phone callbacks


def _or_plain(plain: str) -> st.SearchStrategy[str]:
    """TEXT, or in about half the examples a plain value the field takes (a failure then
    shrinks to the plain value)."""
    return st.booleans().flatmap(lambda fuzz: TEXT if fuzz else st.just(plain))


def _fuzzed(**plain: str) -> st.SearchStrategy[dict[str, str]]:
    """The fields of one call: TEXT in one of them and the plain value the field takes in
    the others, or (as often as any one field) TEXT in all. So a call with several fields
    stores often enough to be checked, no example is spent on plain values only, and a
    failure shrinks to the one field that broke it."""
    every = tuple(plain)
    return st.sampled_from([(k,) for k in plain] + [every]).flatmap(
        lambda fuzz: st.fixed_dictionaries(
            {k: TEXT if k in fuzz else st.just(v) for k, v in plain.items()}
        )
    )


# Row counts of every table the services write, and the numbers given, in one statement
# (plain SQL: it runs around every call, and the examples are many).
_WRITTEN_SQL = "SELECT " + ", ".join(
    [f"(SELECT count(*) FROM {m.__tablename__})" for m in WRITTEN]
    + [f"(SELECT coalesce(sum(last_no), 0) FROM {Counter.__tablename__})"]
)


def _written(db: Database) -> tuple[int, ...]:
    """How many rows each table the services write holds, and the numbers given so far."""
    with db.engine.connect() as connection:
        return tuple(connection.exec_driver_sql(_WRITTEN_SQL).one())


def _refused_or_exact(
    db: Database,
    what: str,
    call: Callable[[], T],
    stored: Callable[[T], tuple[object, ...]],
    expected: tuple[object, ...],
) -> T | None:
    """``call``'s result when it stored exactly ``expected``; None when it refused in Chinese
    and wrote nothing. Anything else fails."""
    before = _written(db)
    try:
        result = call()
    except ValidationError as refused:
        assert has_chinese(refused.message), refused.message
        assert _written(db) == before, "a refused save wrote something"
        event(f"{what}: refused")
        return None
    assert stored(result) == expected
    event(f"{what}: stored")
    return result


def _get(db: Database, model: type[T], row_id: int) -> T:
    """The row as stored now, readable after its session is gone."""
    with db.sessions() as session:
        row = session.get(model, row_id)
        assert row is not None
        session.expunge(row)
        return row


class Casework:
    """A station with a window officer who handles matters (and is rated), a colleague who
    calls back, and the chief who owns the rectifications.

    Each call takes the newest record in the state it needs, and makes one only when there is
    none: what one example used up, or another call's success left behind (a notice issued
    is one to void; a cause recorded makes a rectification ready for its measures).
    """

    def __init__(
        self,
        db: Database,
        services: Services,
        chief: SessionUser,
        make_officer: Callable[..., SessionUser],
        clock: FixedClock,
    ) -> None:
        self.db, self.s, self.chief = db, services, chief
        self.officer = make_officer(Role.WINDOW, "张伟")
        self.caller = make_officer(Role.WINDOW, "刘洋")
        self.item = services.catalogue.list_items("ZM-WFZ")[0].item_id
        self.dims = services.ratings.dimensions()
        self._checklist: tuple[NoticeItemInput, ...] = ()
        self._scans: dict[int, str] = {}
        self._users = {u.officer_id: u for u in (chief, self.officer, self.caller)}
        self._sampled = False
        zone = ZoneInfo(services.station.settings().timezone)
        self.today = clock.now().astimezone(zone).date()

    def _newest(self, model: Any, *where: ColumnElement[bool]) -> int | None:
        with self.db.sessions() as session:
            found: int | None = session.scalars(
                select(model.id).where(*where).order_by(model.id.desc()).limit(1)
            ).first()
            return found

    # ---- visits and notices ---------------------------------------------------------

    def visit(self) -> int:
        v = self.s.visits.register(
            self.officer,
            NewVisit(
                "王小明", IdType.RESIDENT, FULL_ID, PHONE, self.item,
                name_choice=NameChoice.CURRENT,  # one test ID number, always the same name
            ),
        )  # fmt: skip
        return v.row.id

    def finished(self) -> int:
        visit_id = self.visit()
        version = _get(self.db, Visit, visit_id).row_version
        return self.s.visits.complete_on_the_spot(self.officer, visit_id, version, "已出具").row.id

    def free_visit(self) -> int:
        """An open visit the officer may issue a notice for (none, or only voided ones)."""
        live = (
            select(Notice.id).where(Notice.visit_id == Visit.id, Notice.state != "voided").exists()
        )
        found = self._newest(Visit, Visit.status.in_(("registered", "in_progress")), ~live)
        return found or self.visit()

    def notice_of(self, visit_id: int, **kw: Any) -> NewNotice:
        """The matter's checklist with its first material owed; the citizen refused to sign."""
        if not self._checklist:
            draft = self.s.notices.draft(self.officer, visit_id)
            first = dataclasses.replace(draft.items[0], state="missing")
            self._checklist = (first, *draft.items[1:])
        version = _get(self.db, Visit, visit_id).row_version
        new = NewNotice(visit_id, version, self._checklist, signature_declined_note="群众拒绝签字")
        return dataclasses.replace(new, **kw)

    def scan(self, notice_id: int) -> str:
        """What a scanner types for the notice's QR code."""
        if notice_id not in self._scans:
            self._scans[notice_id] = self.s.notices.slip(self.officer, notice_id).qr_payload
        return self._scans[notice_id]

    def open_notice(self) -> int:
        found = self._newest(Notice, Notice.state == "open")
        return found or self.s.notices.issue(self.officer, self.notice_of(self.free_visit())).id

    # ---- ratings and rectifications -------------------------------------------------

    def rating(self, overall: int | None, comment: str = "", **kw: Any) -> RatingInput:
        return RatingInput(
            overall=overall,
            dimensions=tuple((d, overall) for d in self.dims),
            comment=comment,
            signer_name=kw.pop("signer_name", "王小明"),
            strokes=STROKES,
            png=PNG,
            **kw,
        )

    def unrated_visit(self) -> int:
        """A finished visit the citizen has not yet rated at the counter."""
        rated = (
            select(Rating.id).where(Rating.visit_id == Visit.id, Rating.kind == "on_site").exists()
        )
        return self._newest(Visit, Visit.status == "completed", ~rated) or self.finished()

    def rectification_of(self, number: str) -> int:
        with self.db.sessions() as session:
            return session.scalars(
                select(Rectification.id).where(Rectification.number == number)
            ).one()

    def rect(self, rect_id: int) -> Rectification:
        return _get(self.db, Rectification, rect_id)

    def rect_for(self, step: str) -> int:
        """A rectification (of the officer's work, owned by the chief) ready for ``step``."""
        ready: dict[str, tuple[ColumnElement[bool], ...]] = {
            "verify": (Rectification.state == "open",),
            "rectify": (Rectification.state == "verified",),
            "follow up": (Rectification.state != "closed",),
            "appeal": (Rectification.state != "closed", Rectification.appeal_text == ""),
            "decide": (Rectification.appeal_text != "", Rectification.appeal_decision == ""),
        }
        found = self._newest(Rectification, *ready[step])
        if found:
            return found
        if step == "rectify":
            made = self.rect_for("verify")
            self.s.rectifications.verify(
                self.chief, made, self.rect(made).row_version, "高峰只开一窗"
            )
            return made
        if step == "decide":
            made = self.rect_for("appeal")
            self.s.rectifications.appeal(self.officer, made, "群众对法定材料要求不满，有录像为证")
            return made
        rated = self.s.ratings.rate_on_site(self.officer, self.unrated_visit(), self.rating(1))
        return self.rectification_of(rated.rectification)

    # ---- callbacks ------------------------------------------------------------------

    def pending_callback(self, batch: int = CALLBACK_BATCH) -> tuple[int, SessionUser]:
        """A pending callback and the officer it is given to. The first time, a day of
        finished matters sampled at once (one write for many phone callbacks); later, home
        visits (上门回访) to the same citizens, and then to the citizens of new matters."""
        found = self._newest(Callback, Callback.state == "pending")
        if found is None:
            if not self._sampled:
                for _ in range(batch):
                    self.finished()
                self.s.callbacks.sample(self.chief, self.today, share=100, seed=1)
                self._sampled = True
            else:
                home = (
                    select(Callback.id)
                    .where(Callback.visit_id == Visit.id, Callback.kind == "home")
                    .exists()
                )
                visit_id = self._newest(Visit, Visit.status == "completed", ~home)
                self.s.callbacks.schedule_home_visit(
                    self.chief, visit_id or self.finished(), self.caller.officer_id
                )
            found = self._newest(Callback, Callback.state == "pending")
            assert found is not None
        return found, self._users[_get(self.db, Callback, found).assigned_to_id]


@pytest.fixture
def case(
    db: Database,
    services: Services,
    chief: SessionUser,
    make_officer: Callable[..., SessionUser],
    clock: FixedClock,
) -> Casework:
    return Casework(db, services, chief, make_officer, clock)


# ---- one-time notices -------------------------------------------------------------------


@given(
    texts=_fuzzed(
        name="单位出具的在职证明", note="须加盖单位公章", source="申请人所在单位", signer="王小明"
    ),
    state=st.sampled_from(["missing", "correction"]),
    extra=st.booleans(),
)
@FUZZ
def test_issuing_a_notice_refuses_or_keeps_its_material_and_signer_exactly(
    db: Database, services: Services, case: Casework, texts: dict[str, str], state: str, extra: bool
) -> None:
    name, note, source, signer = texts["name"], texts["note"], texts["source"], texts["signer"]
    listed = case.notice_of(case.free_visit(), signature_declined_note="")
    owed = dataclasses.replace(
        listed.items[0], name=name, note=note, source=source, state=state, extra=extra
    )
    new = dataclasses.replace(listed, items=(owed, *listed.items[1:]))
    try:  # what the citizen is shown to sign: refused alike, before anyone signs
        _content, digest = services.notices.content(case.officer, new)
    except ValidationError as refused:
        assert has_chinese(refused.message), refused.message
        digest = "0" * 64
    signed = dataclasses.replace(new, signature=SignatureInput(signer, STROKES, PNG, digest))

    def stored(detail: Any) -> tuple[object, ...]:
        with db.sessions() as session:
            item = session.scalars(
                select(NoticeItem).where(
                    NoticeItem.notice_id == detail.id, NoticeItem.position == 1
                )
            ).one()
            signed_by = session.scalars(
                select(Signature.signer_name).where(
                    Signature.document_type == "notice", Signature.document_id == detail.id
                )
            ).one()
            frozen = json.loads(session.get_one(Notice, detail.id).snapshot_json)["items"][0]
            moved = session.scalars(
                select(VisitTransition.reason)
                .where(VisitTransition.visit_id == new.visit_id)
                .order_by(VisitTransition.id.desc())
            ).first()
            return (
                item.name, item.note, item.source, signed_by,
                frozen["name"], frozen["note"], frozen["source"],
                (moved or "").removeprefix(f"出具一次性告知单 {detail.number}："),
            )  # fmt: skip

    n, no, so = name.strip(), note.strip(), source.strip()
    _refused_or_exact(
        db,
        "notices.issue",
        lambda: services.notices.issue(case.officer, signed),
        stored,
        # The material as listed, as frozen for the signature, and in the matter's history
        # (出具一次性告知单 number：the owed materials).
        (n, no, so, signer.strip(), n, no, so, n),
    )


@given(
    declined=TEXT,
    breach=_fuzzed(item_name="单位出具的在职证明", reason="用途单位新要求"),
    void_reason=TEXT,
)
@FUZZ
def test_a_notice_refused_signature_breach_and_voiding_refuse_or_keep_the_text_exactly(
    db: Database,
    services: Services,
    case: Casework,
    declined: str,
    breach: dict[str, str],
    void_reason: str,
) -> None:
    item_name, reason = breach["item_name"], breach["reason"]
    # Issued without a signature: the officer's note of the citizen's refusal to sign.
    new = case.notice_of(case.free_visit(), signature_declined_note=declined)
    _refused_or_exact(
        db,
        "notices.issue unsigned",
        lambda: services.notices.issue(case.officer, new),
        lambda detail: (_get(db, Notice, detail.id).signature_declined_note,),
        (declined.strip(),),
    )

    # A demand beyond the notice (超出告知范围): they accumulate on the notice.
    notice_id = case.open_notice()

    def last_breach(_detail: Any) -> tuple[object, ...]:
        with db.sessions() as session:
            last = session.scalars(
                select(NoticeBreach)
                .where(NoticeBreach.notice_id == notice_id)
                .order_by(NoticeBreach.id.desc())
            ).first()
            assert last is not None
            return last.item_name, last.reason

    _refused_or_exact(
        db,
        "notices.record_breach",
        lambda: services.notices.record_breach(case.officer, notice_id, item_name, reason),
        last_breach,
        (item_name.strip(), reason.strip()),
    )

    # Voided: the matter runs again, its history saying why (告知单 … 作废：reason).
    notice = _get(db, Notice, notice_id)

    def voided(_detail: Any) -> tuple[object, ...]:
        with db.sessions() as session:
            moved = session.scalars(
                select(VisitTransition.reason)
                .where(VisitTransition.visit_id == notice.visit_id)
                .order_by(VisitTransition.id.desc())
            ).first()
        return _get(db, Notice, notice_id).void_reason, moved

    text = void_reason.strip()
    _refused_or_exact(
        db,
        "notices.void",
        lambda: services.notices.void(case.officer, notice_id, notice.row_version, void_reason),
        voided,
        (text, f"告知单 {notice.number} 作废：{text}"),
    )


# ---- ratings and the rectifications a 差评 opens ------------------------------------------


@given(
    rating=_fuzzed(comment="等了很久", signer="王小明"),
    declined=st.sampled_from([False, False, True]),  # a 差评 opens a rectification for below
    cause=TEXT,
    measures=_fuzzed(action="高峰加开窗口", result="等候时间降至 10 分钟内"),
    follow_up=TEXT,
    follow_level=st.sampled_from([4, 1, None]),  # None: the citizen would not rate again
    appeal=TEXT,
    decision=TEXT,
    upheld=st.booleans(),
)
@FUZZ
def test_ratings_and_rectifications_refuse_or_keep_every_text_exactly(
    db: Database,
    services: Services,
    case: Casework,
    rating: dict[str, str],
    declined: bool,
    cause: str,
    measures: dict[str, str],
    follow_up: str,
    follow_level: int | None,
    appeal: str,
    decision: str,
    upheld: bool,
) -> None:
    # The citizen's rating at the counter: the comment, and the name signed on the pad. A
    # 差评 (the comment is taken alike at any level): it opens the rectification fuzzed next.
    comment, signer = rating["comment"], rating["signer"]
    action, result = measures["action"], measures["result"]
    visit_id = case.unrated_visit()
    given_ = case.rating(None if declined else 1, comment, signer_name=signer, declined=declined)

    def rated(saved: Any) -> tuple[object, ...]:
        with db.sessions() as session:
            signed_by = session.scalars(
                select(Signature.signer_name).where(
                    Signature.document_type == "rating", Signature.document_id == saved.rating_id
                )
            ).first()
        return _get(db, Rating, saved.rating_id).comment, signed_by

    _refused_or_exact(
        db,
        "ratings.rate_on_site",
        lambda: services.ratings.rate_on_site(case.officer, visit_id, given_),
        rated,
        # A refusal to rate is not signed: the pad's name is neither checked nor kept.
        (comment.strip(), None if declined else signer.strip()),
    )

    # 核实: the cause, by the chief who owns the rectification (a 差评 above opened it).
    rect_id = case.rect_for("verify")
    version = case.rect(rect_id).row_version
    _refused_or_exact(
        db,
        "rectifications.verify",
        lambda: services.rectifications.verify(case.chief, rect_id, version, cause),
        lambda _row: (case.rect(rect_id).cause,),
        (cause.strip(),),
    )

    # 整改: what was done and what came of it.
    rect_id = case.rect_for("rectify")
    version = case.rect(rect_id).row_version
    _refused_or_exact(
        db,
        "rectifications.rectify",
        lambda: services.rectifications.rectify(case.chief, rect_id, version, action, result),
        lambda _row: (case.rect(rect_id).action, case.rect(rect_id).result),
        (action.strip(), result.strip()),
    )

    # 整改回访: the citizen rates again (may do so more than once); the comment.
    rect_id = case.rect_for("follow up")
    version = case.rect(rect_id).row_version
    again = case.rating(follow_level, follow_up, declined=follow_level is None)

    def followed(_row: Any) -> tuple[object, ...]:
        rating_id = case.rect(rect_id).follow_up_rating_id
        assert rating_id is not None
        return (_get(db, Rating, rating_id).comment,)

    _refused_or_exact(
        db,
        "rectifications.record_follow_up",
        lambda: services.rectifications.record_follow_up(case.chief, rect_id, version, again),
        followed,
        (follow_up.strip(),),
    )

    # 申诉 by the rated officer, and the chief's decision on it.
    rect_id = case.rect_for("appeal")
    _refused_or_exact(
        db,
        "rectifications.appeal",
        lambda: services.rectifications.appeal(case.officer, rect_id, appeal),
        lambda _row: (case.rect(rect_id).appeal_text,),
        (appeal.strip(),),
    )
    rect_id = case.rect_for("decide")
    _refused_or_exact(
        db,
        "rectifications.decide_appeal",
        lambda: services.rectifications.decide_appeal(case.chief, rect_id, upheld, decision),
        lambda _row: (case.rect(rect_id).appeal_decision, case.rect(rect_id).appeal_reason),
        ("upheld" if upheld else "rejected", decision.strip()),
    )


# ---- callbacks --------------------------------------------------------------------------


@given(
    purpose=_or_plain(CALLBACK),
    detail=st.booleans().flatmap(
        lambda fuzz: TEXT.map(lambda t: f"为回访群众拨号{t}") if fuzz else TEXT
    ),
    outcome=st.sampled_from(sorted(OUTCOMES)),
    call=_fuzzed(note="群众表示满意", comment="民警态度很好"),
    level=st.sampled_from([5, 1, None]),  # None: reached, but would not rate
)
@FUZZ
def test_a_callback_reveal_and_attempt_refuse_or_keep_the_text_exactly(
    db: Database,
    services: Services,
    case: Casework,
    purpose: str,
    detail: str,
    outcome: str,
    call: dict[str, str],
    level: int | None,
) -> None:
    note, comment = call["note"], call["comment"]
    callback_id, caller = case.pending_callback()

    # The full number, to dial it: audited with the purpose and the stated detail.
    def revealed(phone: str) -> tuple[object, ...]:
        with db.sessions() as session:
            after = session.scalars(
                select(AuditEvent.after_json)
                .where(AuditEvent.action == "phone_revealed")
                .order_by(AuditEvent.id.desc())
            ).first()
        assert after is not None
        logged = json.loads(after)
        return phone, logged["purpose"], logged["detail"], logged["callback"]

    _refused_or_exact(
        db,
        "callbacks.reveal_phone",
        lambda: services.callbacks.reveal_phone(caller, callback_id, purpose, detail),
        revealed,
        (PHONE, purpose.strip(), detail.strip(), callback_id),
    )

    # The call: its note, and the comment of a citizen reached.
    version = _get(db, Callback, callback_id).row_version
    given_ = case.rating(level, comment, declined=level is None)

    def logged(_row: Any) -> tuple[object, ...]:
        callback = _get(db, Callback, callback_id)
        with db.sessions() as session:
            last = session.scalars(
                select(CallbackAttempt.note)
                .where(CallbackAttempt.callback_id == callback_id)
                .order_by(CallbackAttempt.id.desc())
            ).first()
        rated = _get(db, Rating, callback.rating_id).comment if callback.rating_id else None
        return last, rated

    _refused_or_exact(
        db,
        "callbacks.log_attempt",
        lambda: services.callbacks.log_attempt(caller, callback_id, version, outcome, note, given_),
        logged,
        # Only a citizen reached gives a rating; otherwise it is neither taken nor checked.
        (note.strip(), comment.strip() if outcome == "reached" else None),
    )


# ---- lookups by a typed or scanned number -----------------------------------------------


def _full_width(text: str) -> str:
    """``text`` with its ASCII letters, digits and signs in their full-width forms (Ａ, ０, ｜)."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@given(data=st.data())
@FUZZ
def test_a_typed_or_scanned_number_or_a_filter_finds_or_says_why_in_chinese(
    db: Database, services: Services, case: Casework, data: st.DataObject
) -> None:
    notice = _get(db, Notice, case.open_notice())
    rect = case.rect(case.rect_for("verify"))
    scanned = case.scan(notice.id)
    text = data.draw(
        TEXT
        | st.sampled_from([notice.number, notice.number.lower(), f" {rect.number}\t", scanned])
        # As an input method in full-width mode types it, or a keyboard-wedge scanner under one.
        | st.sampled_from([_full_width(notice.number), _full_width(scanned)])
        | st.sampled_from(["open", "overdue", "officer", "matter"])
        | TEXT.map(lambda t: f"SD|{t}")
        | TEXT.map(lambda t: f"SD|{notice.number}|{t}")
    )
    lookups: list[tuple[Callable[[], Any], Callable[[Any], str]]] = [
        (lambda: services.notices.find(case.officer, text), lambda d: d.number),
        (lambda: services.notices.slip_by_number(case.officer, text), lambda r: r[1].number),
        (
            lambda: services.rectifications.rectification_slip_by_number(case.chief, text),
            lambda r: r[1].number,
        ),
    ]
    before = _written(db)
    for call, number in lookups:
        try:
            found = call()
        except (ValidationError, NotFound) as refused:
            assert has_chinese(refused.message), refused.message
        else:
            assert number(found) in (notice.number, rect.number)
            assert number(found) in unicodedata.normalize("NFKC", text).upper()

    # The register's state filter and the completion rate's grouping, as a caller passes them.
    day = notice.local_date
    shown = services.notices.register(case.officer, day, day, state=text)
    assert not text or all(row.state == text for row in shown)  # "": no filter, all states
    try:
        services.notices.completion(case.officer, day, day, text)
    except ValidationError as refused:
        assert has_chinese(refused.message), refused.message
        assert text not in ("officer", "matter")
    assert _written(db) == before, "a lookup wrote something"


# ---- what the fuzz must not mistake for a refusal ---------------------------------------


def test_unusual_but_printable_text_is_taken_everywhere(
    db: Database, services: Services, case: Casework
) -> None:
    """Rare ideographs, combining marks and an ideographic space are a citizen's real words:
    a property that passed by refusing everything would not notice them refused."""
    text = "王\u3000e\u0301" + "".join(c for c in SPECIAL if c.isprintable() and c.strip())
    assert len(text) <= 40  # short enough for a signer's name

    notice = services.notices.issue(
        case.officer, case.notice_of(case.free_visit(), signature_declined_note=text)
    )
    assert notice.signature_declined_note == text
    breached = services.notices.record_breach(case.officer, notice.id, text, text)
    assert breached.breaches[-1].item_name == text and breached.breaches[-1].reason == text
    services.notices.void(case.officer, notice.id, breached.row_version, text)
    assert _get(db, Notice, notice.id).void_reason == text

    listed = case.notice_of(case.free_visit(), signature_declined_note="")
    owed = dataclasses.replace(listed.items[0], name=text, note=text, source=text)
    new = dataclasses.replace(listed, items=(owed, *listed.items[1:]))
    _content, digest = services.notices.content(case.officer, new)
    signed = services.notices.issue(
        case.officer,
        dataclasses.replace(new, signature=SignatureInput(text, STROKES, PNG, digest)),
    )
    item = signed.items[0]
    assert (item.name, item.note, item.source, signed.signer_name) == (text,) * 4

    rated = services.ratings.rate_on_site(
        case.officer, case.unrated_visit(), case.rating(1, text, signer_name=text)
    )
    assert _get(db, Rating, rated.rating_id).comment == text
    rect = case.rectification_of(rated.rectification)
    row = services.rectifications.verify(case.chief, rect, case.rect(rect).row_version, text)
    row = services.rectifications.rectify(case.chief, rect, row.row_version, text, text)
    row = services.rectifications.record_follow_up(
        case.chief, rect, row.row_version, case.rating(4, text)
    )
    row = services.rectifications.appeal(case.officer, rect, text)
    row = services.rectifications.decide_appeal(case.chief, rect, False, text)
    assert (row.cause, row.action, row.result, row.appeal_text, row.appeal_reason) == (text,) * 5

    callback, caller = case.pending_callback(batch=1)
    services.callbacks.reveal_phone(caller, callback, CALLBACK, f"为回访{text}拨号")
    done = services.callbacks.log_attempt(
        caller, callback, 1, "reached", text, case.rating(5, text)
    )
    assert done.attempts[-1].note == text
