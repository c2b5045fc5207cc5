"""短信回访: the list for the SMS platform (a reveal of phones) and its replies read back."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from app.callbacks.sms import HEADERS, REPLY_HINT, read_replies, reply_level, save_report
from app.core.clock import FixedClock
from app.core.errors import PermissionDenied, ValidationError
from app.services import Services
from db.models import AuditEvent, Callback, CallbackAttempt, Rating, Rectification
from tests.app.callbacks.test_callbacks import DAY, Desk, on_site, phone

DETAIL = "短信回访群众对九月办结事项的评价"
STATION = "测试市公安局测试分局和平路派出所"
# The test clock stands at 10:00 on DAY (Beijing time); replies come in the afternoon.
AFTERNOON = dt.timedelta(hours=8)


@pytest.fixture
def desk(services: Services, make_officer, chief) -> Desk:  # type: ignore[no-untyped-def]
    return Desk(services, make_officer, chief)


def sampled(desk: Desk, services: Services, *phones: str) -> list[int]:
    """Matters finished by 甲民警 today with these phones, every one sampled for a call."""
    visits = [desk.finish(desk.a, "ZM-BGGZ", p) for p in phones]
    services.callbacks.sample(desk.chief, DAY, share=100, seed=1)
    return visits


def replies_csv(path: Path, rows: Sequence[tuple[str, str, str]], encoding: str = "utf-8") -> Path:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(("手机号码", "回复内容", "回复时间"))
    writer.writerows(rows)
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def sheet_rows(path: Path) -> list[tuple[Any, ...]]:
    book = load_workbook(path)
    return [tuple(r) for r in book.worksheets[0].iter_rows(values_only=True)]


def callbacks_of(db: Any, visit_id: int) -> list[Callback]:
    with db.sessions() as session:
        return list(session.scalars(select(Callback).where(Callback.visit_id == visit_id)))


def ratings_of(db: Any, visit_id: int) -> list[Rating]:
    with db.sessions() as session:
        return list(
            session.scalars(select(Rating).where(Rating.visit_id == visit_id).order_by(Rating.id))
        )


# ---- export --------------------------------------------------------------------------------


def test_the_list_holds_full_mobile_numbers_and_the_template_fields_and_is_audited(
    desk: Desk,
    services: Services,
    tmp_path: Path,
    audit_log: Callable[[], list[dict[str, Any]]],
) -> None:
    sampled(desk, services, "13805710011", "0571-86001234", "13905710022")
    target = tmp_path / "名单.xlsx"
    done = services.sms.export(desk.chief, DAY, DAY, "callbacks", target, "回访联系", DETAIL)
    assert (done.rows, done.skipped) == (2, 1)  # the landline is left out and counted
    rows = sheet_rows(target)
    assert rows[0] == HEADERS
    assert sorted(r[0] for r in rows[1:]) == ["13805710011", "13905710022"]  # text, in full
    first = next(r for r in rows[1:] if r[0] == "13805710011")
    assert first[1].endswith("某") and "*" not in first[1]  # the SMS greets the citizen
    assert first[2].startswith("HPL-") and first[3]
    assert first[4].date() == DAY
    assert first[5:] == (STATION, REPLY_HINT)
    assert REPLY_HINT.startswith("回复1非常满意") and REPLY_HINT.endswith("5非常不满意")

    event = audit_log()[-1]
    assert event["action"] == "sms_phones_revealed"
    assert event["entity_type"] == "sms_list" and event["entity_id"] == "2025-09-29~2025-09-29"
    assert event["officer_id"] == desk.chief.officer_id
    assert event["after"] == {
        "purpose": "回访联系",
        "detail": DETAIL,
        "start": "2025-09-29",
        "end": "2025-09-29",
        "scope": "callbacks",
        "rows": 2,
        "skipped": 1,
        "format": "xlsx",
        "path": str(target),
    }
    # Everywhere else the phone stays masked: the worklist, the audit trail.
    assert {r.phone_masked for r in services.callbacks.worklist(desk.chief, everyone=True)} >= {
        "138****0011"
    }
    assert all("13805710011" not in str(e) for e in audit_log())


def test_the_csv_list_is_utf8_with_a_bom_and_lists_finished_matters_not_yet_replied(
    desk: Desk, services: Services, tmp_path: Path, clock: FixedClock
) -> None:
    visits = [desk.finish(desk.a, "ZM-BGGZ", p) for p in ("13805710011", "13905710022")]
    target = tmp_path / "list.csv"
    # Nothing was sampled: the callbacks list is empty, the finished list has both.
    assert (
        services.sms.export(desk.chief, DAY, DAY, "callbacks", target, "回访联系", DETAIL).rows == 0
    )
    services.sms.export(desk.chief, DAY, DAY, "finished", target, "回访联系", DETAIL)
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert tuple(rows[0]) == HEADERS
    assert sorted(r[0] for r in rows[1:]) == ["13805710011", "13905710022"]
    assert {r[4] for r in rows[1:]} == {"2025-09-29"}

    clock.advance(AFTERNOON)
    replies = replies_csv(tmp_path / "r.csv", [("13805710011", "2", "2025-09-29 15:00")])
    services.sms.import_replies(desk.chief, replies)
    services.sms.export(desk.chief, DAY, DAY, "finished", target, "回访联系", DETAIL)
    rows = list(csv.reader(io.StringIO(target.read_text("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["13905710022"]  # who replied is not asked again
    assert visits


def test_export_refuses_bad_periods_purposes_files_and_roles(
    desk: Desk,
    services: Services,
    tmp_path: Path,
    audit_log: Callable[[], list[dict[str, Any]]],
) -> None:
    sampled(desk, services, "13805710011")
    target = tmp_path / "l.xlsx"
    export = services.sms.export
    before = len(audit_log())
    with pytest.raises(ValidationError, match="早于开始日期"):
        export(desk.chief, DAY, DAY - dt.timedelta(days=1), "callbacks", target, "回访联系", DETAIL)
    with pytest.raises(ValidationError, match="不超过 92 天"):
        export(
            desk.chief, DAY - dt.timedelta(days=92), DAY, "callbacks", target, "回访联系", DETAIL
        )
    with pytest.raises(ValidationError) as caught:
        export(desk.chief, DAY, DAY, "callbacks", target, "回访联系", "看看")
    assert caught.value.field == "detail"
    with pytest.raises(ValidationError) as caught:
        export(desk.chief, DAY, DAY, "callbacks", target, "核查身份", DETAIL)
    assert caught.value.field == "purpose"
    with pytest.raises(ValidationError, match="名单范围"):
        export(desk.chief, DAY, DAY, "all", target, "回访联系", DETAIL)
    with pytest.raises(ValidationError, match=r"\.xlsx"):
        export(desk.chief, DAY, DAY, "callbacks", tmp_path / "l.pdf", "回访联系", DETAIL)
    with pytest.raises(ValidationError, match="不存在"):
        export(desk.chief, DAY, DAY, "callbacks", tmp_path / "no" / "l.xlsx", "回访联系", DETAIL)
    # An officer who calls back lists only the callbacks assigned to them, never all matters.
    with pytest.raises(PermissionDenied, match="所长或副所长"):
        export(desk.b, DAY, DAY, "finished", target, "回访联系", DETAIL)
    assert not target.exists() and len(audit_log()) == before
    (row,) = services.callbacks.worklist(desk.chief, everyone=True)
    for user in (desk.a, desk.b, desk.c):
        mine = export(user, DAY, DAY, "callbacks", target, "回访联系", DETAIL)
        assert mine.rows == (1 if user.officer_id == row.assigned_to_id else 0)


# ---- import --------------------------------------------------------------------------------


def test_a_reply_rates_the_matter_and_closes_its_callback_as_an_sms_attempt(
    desk: Desk,
    services: Services,
    tmp_path: Path,
    clock: FixedClock,
    db: Any,
    audit_log: Callable[[], list[dict[str, Any]]],
) -> None:
    (visit,) = sampled(desk, services, "13805710011")
    services.ratings.rate_on_site(desk.a, visit, on_site(5))
    clock.advance(AFTERNOON)
    path = replies_csv(tmp_path / "r.csv", [("138 0571 0011", "3 还行", "2025-09-29 15:30")])
    report = services.sms.import_replies(desk.chief, path)
    assert (report.total, report.rated, report.closed, report.duplicates) == (1, 1, 1, 0)
    assert report.problems == ()
    assert report.rows[0].result_label == "已记入评价" and report.rows[0].reason == "基本满意"
    assert report.rows[0].phone_masked == "138****0011"

    (callback,) = callbacks_of(db, visit)
    assert callback.state == "reached" and callback.pressure  # 非常满意 on site, 基本满意 by SMS
    _on_site, sms = ratings_of(db, visit)
    assert (sms.kind, sms.overall, sms.comment) == ("sms", 3, "3 还行")
    assert sms.rated_at == dt.datetime(2025, 9, 29, 7, 30, tzinfo=dt.UTC)  # 15:30 Beijing
    assert sms.recorded_by_id == desk.chief.officer_id
    assert sms.rated_officer_id == desk.a.officer_id
    assert callback.rating_id == sms.id
    with db.sessions() as session:
        (attempt,) = session.scalars(select(CallbackAttempt))
        assert (attempt.via, attempt.outcome, attempt.officer_id) == (
            "sms",
            "reached",
            desk.chief.officer_id,
        )
        # Recorded when imported (a later ledger carries it), sent at the reply's time.
        assert attempt.note == "短信回复（09-29 15:30）：3 还行"
        assert attempt.at == clock.now()
    (row,) = services.callbacks.worklist(desk.chief, everyone=True, include_done=True)
    assert row.callback_level == "基本满意" and row.attempts[0].outcome_label == "收到短信回复"

    event = audit_log()[-1]
    assert event["action"] == "sms_replies_imported" and event["entity_id"] == "r.csv"
    serial = services.visits.get(desk.chief, visit).row.serial
    assert event["after"] == {
        "path": str(path),
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "serial": [serial],
        "replies": 1,
        "ratings": 1,
        "closed": 1,
        "duplicates": 0,
        "rejected": 0,
        "rectification": [],
    }


def test_a_bad_reply_opens_a_rectification_and_a_home_visit(
    desk: Desk, services: Services, tmp_path: Path, clock: FixedClock, db: Any
) -> None:
    (visit,) = sampled(desk, services, "13805710011")
    clock.advance(AFTERNOON)
    path = replies_csv(tmp_path / "r.csv", [("13805710011", "5", "2025-09-29 16:00")])
    report = services.sms.import_replies(desk.chief, path)
    assert len(report.rectifications) == 1 and "整改督办" in report.summary
    with db.sessions() as session:
        rect = session.scalars(select(Rectification)).one()
        assert rect.number == report.rectifications[0]
        assert rect.rated_officer_id == desk.a.officer_id
    kinds = sorted((c.kind, c.state, c.reason) for c in callbacks_of(db, visit))
    assert kinds == [("home", "pending", "dissatisfied"), ("phone", "reached", "sample")]
    assert ratings_of(db, visit)[0].overall == 1  # 5 = 非常不满意


def test_the_officer_who_handled_the_matter_cannot_import_its_reply(
    desk: Desk, services: Services, tmp_path: Path, clock: FixedClock, count: Any
) -> None:
    visit = desk.finish(desk.chief, "HJ-CS", "13805710011")  # the chief handled this one
    clock.advance(AFTERNOON)
    path = replies_csv(tmp_path / "r.csv", [("13805710011", "1", "2025-09-29 15:00")])
    report = services.sms.import_replies(desk.chief, path)
    assert report.rated == 0
    (row,) = report.problems
    assert row.result == "rejected" and "经办过该事项" in row.reason
    assert count(Rating) == 0 and row.visit_serial
    assert visit


def test_a_deputy_imports_what_the_chief_handled_and_an_officer_only_their_own_callbacks(
    desk: Desk,
    services: Services,
    tmp_path: Path,
    clock: FixedClock,
    make_officer: Any,
    db: Any,
) -> None:
    from app.core.roles import Role

    deputy = make_officer(Role.DEPUTY, "副所长")
    chiefs = desk.finish(desk.chief, "HJ-CS", "13805710011")
    (visit,) = sampled(desk, services, "13905710022")
    (callback,) = callbacks_of(db, visit)
    caller = next(
        u for u in (desk.b, desk.c, desk.chief) if u.officer_id == callback.assigned_to_id
    )
    other = desk.b if caller is not desk.b else desk.c
    clock.advance(AFTERNOON)
    path = replies_csv(
        tmp_path / "r.csv",
        [("13805710011", "1", "2025-09-29 15:00"), ("13905710022", "2", "2025-09-29 15:01")],
    )
    if caller is not desk.chief:
        report = services.sms.import_replies(other, path)
        assert report.rated == 0
        assert {r.result for r in report.rows} == {"rejected"}
        assert any("不是指派给您" in r.reason for r in report.rows)
    report = services.sms.import_replies(deputy, path)
    assert report.rated == 2 and report.closed == 2  # both were sampled
    assert [r.overall for r in ratings_of(db, chiefs)] == [5]


def test_reimporting_the_same_file_changes_nothing(
    desk: Desk,
    services: Services,
    tmp_path: Path,
    clock: FixedClock,
    count: Any,
    audit_log: Callable[[], list[dict[str, Any]]],
) -> None:
    sampled(desk, services, "13805710011", "13905710022")
    clock.advance(AFTERNOON)
    path = replies_csv(
        tmp_path / "r.csv",
        [("13805710011", "1", "2025-09-29 15:00"), ("13905710022", "4", "2025-09-29 15:05")],
    )
    assert services.sms.import_replies(desk.chief, path).rated == 2
    ratings, attempts, rects = count(Rating), count(CallbackAttempt), count(Rectification)
    again = services.sms.import_replies(desk.chief, path)
    assert (again.rated, again.duplicates, again.problems) == (0, 2, ())
    assert "重复跳过 2 条" in again.summary
    assert (count(Rating), count(CallbackAttempt), count(Rectification)) == (
        ratings,
        attempts,
        rects,
    )
    assert audit_log()[-1]["after"]["duplicates"] == 2
    # A later, different reply of the same citizen does not count twice: the first one does.
    later = replies_csv(tmp_path / "l.csv", [("13805710011", "5", "2025-09-29 17:00")])
    (row,) = services.sms.import_replies(desk.chief, later).problems
    assert row.result == "rejected" and "首次回复为准" in row.reason
    assert count(Rating) == ratings


def test_unknown_phones_unreadable_replies_and_ambiguous_matches_are_listed_with_why(
    desk: Desk, services: Services, tmp_path: Path, clock: FixedClock, count: Any
) -> None:
    sampled(desk, services, "13805710011")
    desk.finish(desk.b, "HJ-CS", "13705710033")
    desk.finish(desk.b, "JZ-DJ", "13705710033")  # two matters, neither sampled
    desk.finish(desk.b, "HJ-CS", "13605710044")  # finished, not sampled: within the window
    clock.advance(AFTERNOON)
    path = replies_csv(
        tmp_path / "r.csv",
        [
            ("13805710011", "满意", "2025-09-29 15:00"),
            ("13305719999", "1", "2025-09-29 15:00"),
            ("13705710033", "2", "2025-09-29 15:00"),
            ("12345", "1", "2025-09-29 15:00"),
            ("13605710044", "1", "昨天"),
            ("13605710044", "12", "2025-09-29 15:00"),
            ("13805710011", "1", "2025-09-30 15:00"),  # later than now
        ],
    )
    report = services.sms.import_replies(desk.chief, path)
    assert report.rated == 0 and count(Rating) == 0
    results = [(r.line, r.result) for r in report.rows]
    assert results == [
        (2, "unreadable"),
        (3, "unmatched"),
        (4, "ambiguous"),
        (5, "unreadable"),
        (6, "unreadable"),
        (7, "unreadable"),
        (8, "unreadable"),
    ]
    reasons = {r.line: r.reason for r in report.rows}
    assert "1–5" in reasons[2] and "没有待回访或近期办结" in reasons[3]
    assert "多件事项" in reasons[4] and "HPL-" in reasons[4]
    assert "格式不正确" in reasons[5] and "回复时间" in reasons[6] and "晚于当前时间" in reasons[8]
    assert {r.phone_masked for r in report.rows} >= {"138****0011", "133****9999"}
    assert "13805710011" not in repr(report)


def test_a_finished_matter_without_a_callback_is_rated_within_the_window_only(
    desk: Desk, services: Services, tmp_path: Path, clock: FixedClock, db: Any
) -> None:
    visit = desk.finish(desk.b, "HJ-CS", "13605710044")
    clock.advance(dt.timedelta(days=40))
    late = replies_csv(tmp_path / "late.csv", [("13605710044", "1", "2025-11-05 09:00")])
    assert services.sms.import_replies(desk.chief, late).problems[0].result == "unmatched"
    soon = replies_csv(tmp_path / "soon.csv", [("13605710044", "2", "2025-10-10 09:00")])
    report = services.sms.import_replies(desk.chief, soon)
    assert (report.rated, report.closed) == (1, 0)
    assert [(r.kind, r.overall) for r in ratings_of(db, visit)] == [("sms", 4)]
    assert callbacks_of(db, visit) == []


def test_a_broken_file_writes_nothing(
    desk: Desk,
    services: Services,
    tmp_path: Path,
    clock: FixedClock,
    count: Any,
    audit_log: Callable[[], list[dict[str, Any]]],
) -> None:
    sampled(desk, services, "13805710011")
    clock.advance(AFTERNOON)
    before = (count(Rating), count(CallbackAttempt), len(audit_log()))
    no_time = tmp_path / "no_time.csv"
    no_time.write_text("号码,内容\n13805710011,1\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="找不到“回复时间”列"):
        services.sms.import_replies(desk.chief, no_time)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(ValidationError, match="不是有效的 Excel"):
        services.sms.import_replies(desk.chief, broken)
    empty = replies_csv(tmp_path / "empty.csv", [])
    with pytest.raises(ValidationError, match="没有回复记录"):
        services.sms.import_replies(desk.chief, empty)
    with pytest.raises(ValidationError, match=r"\.xlsx"):
        services.sms.import_replies(desk.chief, tmp_path / "r.txt")
    assert (count(Rating), count(CallbackAttempt), len(audit_log())) == before


def test_a_platforms_workbook_with_a_title_row_and_other_headers_is_read(
    desk: Desk, services: Services, tmp_path: Path, clock: FixedClock, db: Any
) -> None:
    (visit,) = sampled(desk, services, "13805710011")
    clock.advance(AFTERNOON)
    book = Workbook()
    sheet = book.active
    sheet.append(["短信上行记录 2025-09-29"])
    sheet.append(["序号", "手机号", "短信内容", "接收时间"])
    sheet.append([1, 13805710011, "１", dt.datetime(2025, 9, 29, 15, 0)])
    path = tmp_path / "platform.xlsx"
    book.save(path)
    report = services.sms.import_replies(desk.chief, path)
    assert report.rated == 1 and report.rows[0].line == 3
    assert ratings_of(db, visit)[0].overall == 5


def test_a_gbk_csv_is_read(tmp_path: Path) -> None:
    path = replies_csv(
        tmp_path / "gbk.csv", [("13805710011", "1非常满意", "2025/9/29 15:00")], "gb18030"
    )
    (reply,) = read_replies(path)
    assert (reply.phone, reply.text, reply.problem) == ("13805710011", "1非常满意", "")
    assert reply.at == dt.datetime(2025, 9, 29, 15, 0)


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("1", 5),
        (" 2 ", 4),
        ("3基本满意", 3),
        ("【4】", 2),
        ("５", 1),
        ("12", None),
        ("6", None),
        ("0", None),
        ("满意", None),
        ("", None),
        ("T", None),
    ],
)
def test_the_first_digit_is_the_level_one_being_the_best(text: str, level: int | None) -> None:
    assert reply_level(text) == level


def test_the_report_is_saved_with_masked_phones(
    desk: Desk, services: Services, tmp_path: Path, clock: FixedClock, db: Any
) -> None:
    sampled(desk, services, "13805710011")
    clock.advance(AFTERNOON)
    path = replies_csv(
        tmp_path / "r.csv",
        [("13805710011", "1", "2025-09-29 15:00"), ("13305719999", "好", "2025-09-29 15:00")],
    )
    report = services.sms.import_replies(desk.chief, path)
    save_report(report, tmp_path / "report.xlsx")
    rows = sheet_rows(tmp_path / "report.xlsx")
    assert rows[0][:5] == ("文件行号", "手机号码", "回复时间", "回复内容", "处理结果")
    assert [r[1] for r in rows[1:]] == ["138****0011", "133****9999"]
    assert [r[4] for r in rows[1:]] == ["已记入评价", "未找到对应事项"]
    save_report(report, tmp_path / "report.csv")
    assert "133****9999" in (tmp_path / "report.csv").read_text("utf-8-sig")
    with db.sessions() as session:
        actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-1] == "sms_replies_imported"  # the report holds masked phones only


def test_a_file_read_again_after_the_window_is_still_a_duplicate(
    desk: Desk, services: Services, tmp_path: Path, clock: FixedClock, count: Any
) -> None:
    sampled(desk, services, "13805710011")
    desk.finish(desk.b, "HJ-CS", "13805710011")  # the same citizen's other matter, not sampled
    clock.advance(AFTERNOON)
    path = replies_csv(tmp_path / "r.csv", [("13805710011", "2", "2025-09-29 15:00")])
    first = services.sms.import_replies(desk.chief, path)
    assert (first.rated, first.closed) == (1, 1)  # the one waiting for its call, not ambiguous
    clock.advance(dt.timedelta(days=40))
    again = services.sms.import_replies(desk.chief, path)
    assert (again.rated, again.duplicates, again.problems) == (0, 1, ())
    assert count(Rating) == 1


def test_the_finished_list_leaves_out_who_was_already_asked(
    desk: Desk, services: Services, tmp_path: Path
) -> None:
    (visit,) = sampled(desk, services, "13805710011")
    desk.finish(desk.b, "HJ-CS", "13905710022")
    (row,) = [
        r for r in services.callbacks.worklist(desk.chief, everyone=True) if r.visit_id == visit
    ]
    caller = next(u for u in (desk.b, desk.c, desk.chief) if u.officer_id == row.assigned_to_id)
    services.callbacks.log_attempt(caller, row.id, row.row_version, "reached", "", phone(4))
    target = tmp_path / "l.csv"
    assert (
        services.sms.export(desk.chief, DAY, DAY, "finished", target, "回访联系", DETAIL).rows == 1
    )
    assert "13905710022" in target.read_text("utf-8-sig")


def test_a_tab_separated_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "tabs.csv"
    path.write_text("号码\t内容\t时间\n13805710011\t1, 谢谢\t2025-09-29 15:00\n", encoding="utf-8")
    (reply,) = read_replies(path)
    assert (reply.phone, reply.text, reply.problem) == ("13805710011", "1, 谢谢", "")


# ---- after review -----------------------------------------------------------------------


def _sign() -> Any:
    from app.ledger.service import ReviewSignature

    strokes = (((10.0, 10.0, 0.5), (80.0, 40.0, 0.5)),)
    out = io.BytesIO()
    from PIL import Image

    Image.new("RGB", (60, 30), "white").save(out, format="PNG")
    return ReviewSignature(strokes, out.getvalue())


def test_a_reply_imported_after_the_days_review_is_carried_into_the_next_ledger(
    desk: Desk, services: Services, tmp_path: Path, clock: FixedClock
) -> None:
    (visit,) = sampled(desk, services, "13805710011")
    clock.advance(AFTERNOON)  # 18:00: the chief signs the day
    sha = services.ledger.ledger(desk.chief, DAY).content_sha256
    services.ledger.review(desk.chief, DAY, sha, "", _sign())
    clock.advance(dt.timedelta(hours=15))  # the next morning the platform's file comes
    path = replies_csv(tmp_path / "r.csv", [("13805710011", "1", "2025-09-29 16:30")])
    assert services.sms.import_replies(desk.chief, path).rated == 1
    serial = services.visits.get(desk.chief, visit).row.serial
    nxt = services.ledger.ledger(desk.chief, DAY + dt.timedelta(days=1))
    carried = [
        cells
        for section in nxt.sections
        for cells in (r.cells for r in section.rows)
        if serial in cells and "短信回访" in cells
    ]
    assert carried and "收到短信回复" in carried[0]


def test_a_matter_already_rated_by_phone_is_not_rated_again_by_sms(
    desk: Desk, services: Services, tmp_path: Path, clock: FixedClock, db: Any
) -> None:
    (visit,) = sampled(desk, services, "13805710011")
    (row,) = services.callbacks.worklist(desk.chief, everyone=True)
    caller = next(u for u in (desk.b, desk.c, desk.chief) if u.officer_id == row.assigned_to_id)
    services.callbacks.log_attempt(caller, row.id, row.row_version, "reached", "", phone(4))
    clock.advance(AFTERNOON)
    path = replies_csv(tmp_path / "r.csv", [("13805710011", "5", "2025-09-29 17:00")])
    report = services.sms.import_replies(desk.chief, path)
    assert report.rated == 0
    assert "以首次回访为准" in report.rows[0].reason
    assert [r.kind for r in ratings_of(db, visit)] == ["phone"]


def test_sampling_leaves_out_a_matter_the_citizen_rated_by_sms(
    desk: Desk, services: Services, tmp_path: Path, clock: FixedClock, db: Any
) -> None:
    visit = desk.finish(desk.a, "ZM-BGGZ", "13805710011")
    clock.advance(AFTERNOON)
    path = replies_csv(tmp_path / "r.csv", [("13805710011", "2", "2025-09-29 17:00")])
    assert services.sms.import_replies(desk.chief, path).rated == 1
    services.callbacks.sample(desk.chief, DAY, share=100, seed=1)
    assert callbacks_of(db, visit) == []


def test_the_finished_list_leaves_out_who_declined_a_callback(
    desk: Desk, services: Services, tmp_path: Path
) -> None:
    sampled(desk, services, "13805710011")
    (row,) = services.callbacks.worklist(desk.chief, everyone=True)
    caller = next(u for u in (desk.b, desk.c, desk.chief) if u.officer_id == row.assigned_to_id)
    services.callbacks.log_attempt(caller, row.id, row.row_version, "refused", "不愿接受回访")
    target = tmp_path / "l.csv"
    export = services.sms.export(desk.chief, DAY, DAY, "finished", target, "回访联系", DETAIL)
    assert export.rows == 0


def test_a_mistyped_phone_is_not_shown_in_full_in_the_report(
    desk: Desk, services: Services, tmp_path: Path, clock: FixedClock
) -> None:
    clock.advance(AFTERNOON)
    path = replies_csv(tmp_path / "r.csv", [("138057100119", "1", "2025-09-29 17:00")])
    (row,) = services.sms.import_replies(desk.chief, path).rows
    assert "138057100119" not in row.reason and "0119" in row.reason


def test_matching_reads_a_fixed_number_of_statements_however_many_replies_miss(
    desk: Desk, services: Services, tmp_path: Path, clock: FixedClock, sql: Any
) -> None:
    sampled(desk, services, "13805710011")
    clock.advance(AFTERNOON)

    def run(n: int, name: str) -> int:
        rows = [(f"1390000{k:04d}", "1", "2025-09-29 17:00") for k in range(n)]
        path = replies_csv(tmp_path / name, rows)
        with sql:
            report = services.sms.import_replies(desk.chief, path)
        assert report.rated == 0 and len(report.rows) == n
        return sql.count

    assert run(5, "a.csv") == run(60, "b.csv")
