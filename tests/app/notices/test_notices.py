"""One-time notices: frozen content, signatures, pause/resume, pledges, breaches, rates, PDF."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path

import pypdfium2
import pytest
from PIL import Image, ImageDraw

from app.catalogue.dto import MaterialLine
from app.core.clock import FixedClock
from app.core.dto import SessionUser
from app.core.errors import ConflictError, ValidationError
from app.core.identity import IdType
from app.core.roles import Role
from app.notices.dto import NewNotice, SignatureInput
from app.printing.qr_codes import parse_scan
from app.printing.slip_pdf import render_slip
from app.services import Services
from app.visits.dto import NameChoice, NewVisit

FULL_ID = "11010519491231002X"
BEIJING = dt.timezone(dt.timedelta(hours=8))


def signature_png() -> bytes:
    image = Image.new("RGB", (400, 150), "white")
    ImageDraw.Draw(image).line([(20, 100), (120, 40), (220, 110), (380, 30)], fill="black", width=5)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


STROKES = (((20.0, 100.0, 0.5), (120.0, 40.0, 0.7), (220.0, 110.0, 0.6)),)


class Counter:
    """A window officer at the counter, with the matter ZM-WFZ (3 working days) at hand."""

    def __init__(
        self, services: Services, chief: SessionUser, officer: SessionUser, clock: FixedClock
    ) -> None:
        self.s, self.chief, self.officer, self.clock = services, chief, officer, clock

    def visit(self, code: str = "ZM-WFZ", name: str = "王小明") -> int:
        item = self.s.catalogue.list_items(code)[0]
        v = self.s.visits.register(
            self.officer,
            NewVisit(
                name,
                IdType.RESIDENT,
                FULL_ID,
                "13805710011",
                item.item_id,
                name_choice=NameChoice.CURRENT,  # one test ID under several names
            ),
        )
        return v.row.id

    def new(self, visit_id: int, missing: tuple[str, ...] = (), **kw: object) -> NewNotice:
        draft = self.s.notices.draft(self.officer, visit_id)
        items = tuple(
            dataclasses.replace(i, state="missing")
            if i.name in missing or (not missing and n == 0)
            else i
            for n, i in enumerate(draft.items)
        )
        notice = NewNotice(visit_id, draft.row_version, items, **kw)  # type: ignore[arg-type]
        return notice

    def signed(self, notice: NewNotice) -> NewNotice:
        _content, digest = self.s.notices.content(self.officer, notice)
        return dataclasses.replace(
            notice, signature=SignatureInput("王小明", STROKES, signature_png(), digest)
        )

    def issue(self, visit_id: int, **kw: object):  # type: ignore[no-untyped-def]
        return self.s.notices.issue(self.officer, self.signed(self.new(visit_id, **kw)))  # type: ignore[arg-type]


@pytest.fixture
def desk(services: Services, chief: SessionUser, make_officer, clock: FixedClock) -> Counter:  # type: ignore[no-untyped-def]
    settings = dataclasses.replace(
        services.station.settings(),
        phone_consult="0571-86001110",
        phone_supervision="0571-86001234",
    )
    services.station.update_settings(chief, settings)
    return Counter(services, chief, make_officer(Role.WINDOW, "张伟"), clock)


def test_issuing_pauses_the_clock_and_the_return_resumes_it_moved_by_the_pause(
    desk: Counter,
) -> None:
    desk.clock._now = dt.datetime(2025, 9, 30, 10, 0, tzinfo=BEIJING)  # due +3 wd = 10-11
    notice = desk.issue(desk.visit())
    visit = desk.s.visits.get(desk.officer, notice.visit_id)
    assert visit.row.status.value == "waiting_materials" and visit.row.due_date == dt.date(
        2025, 10, 11
    )
    assert notice.number.endswith("-GZ-2025-00001")

    desk.clock._now = dt.datetime(
        2025, 10, 10, 9, 0, tzinfo=BEIJING
    )  # 2 working days paused: 10-09, 10-10
    owed = [i.id for i in notice.items if i.owed]
    done = desk.s.notices.record_return(desk.officer, notice.id, notice.row_version, owed)

    visit = desk.s.visits.get(desk.officer, notice.visit_id)
    assert done.state == "fulfilled"
    assert visit.row.status.value == "in_progress" and visit.row.owner_name == "张伟"
    assert visit.row.due_date == dt.date(
        2025, 10, 14
    )  # 10-11 moved by two working days (10-13 Mon, 10-14 Tue)


def test_the_snapshot_is_immune_to_catalogue_edits(desk: Counter) -> None:
    notice = desk.issue(desk.visit())
    before = render_slip(desk.s.notices.slip(desk.officer, notice.id))
    item = desk.s.catalogue.list_items("ZM-WFZ")[0]
    detail = desk.s.catalogue.get_item(item.item_id)
    changed = dataclasses.replace(
        detail.draft,
        fee="收费 999 元",
        materials=(*detail.draft.materials, MaterialLine("新增材料", 1, "原件", "", True)),
    )
    desk.s.catalogue.save_new_version(desk.chief, item.item_id, detail.version_no, changed, "改")

    again = desk.s.notices.find(desk.officer, notice.number)
    after_text = pdf_text(render_slip(desk.s.notices.slip(desk.officer, notice.id)))
    assert [i.name for i in again.items] == [i.name for i in notice.items]
    assert "999" not in after_text and "新增材料" not in after_text
    assert again.content_sha256 == notice.content_sha256
    assert pdf_text(before).count(notice.number) >= 2


def test_a_demand_beyond_the_notice_is_a_breach_counted_to_the_issuer(
    desk: Counter, make_officer
) -> None:  # type: ignore[no-untyped-def]
    notice = desk.issue(desk.visit())
    colleague = make_officer(Role.WINDOW, "刘洋")  # the citizen comes back to another counter

    scanned = desk.s.notices.slip(colleague, notice.id).qr_payload  # what the scanner types
    with pytest.raises(ValidationError, match="二维码校验失败"):
        desk.s.notices.find(colleague, f"SD|{notice.number}|ABCDEF12")
    found = desk.s.notices.find(colleague, scanned)
    breached = desk.s.notices.record_breach(
        colleague, found.id, "单位出具的在职证明", "用途单位新要求"
    )

    assert (
        breached.breaches[0].issuer_name == "张伟" and breached.breaches[0].officer_name == "刘洋"
    )
    row = desk.s.notices.register(desk.officer, dt.date(2000, 1, 1), dt.date(2100, 1, 1))[0]
    assert row.breaches == 1
    with pytest.raises(ValidationError):
        desk.s.notices.record_breach(colleague, found.id, "材料", "")


def test_a_pledge_keeps_the_clock_running_and_a_missed_deadline_shows(desk: Counter) -> None:
    visit_id = desk.visit("HJ-QR-GF")  # 购房落户: the social-insurance proof is not a key material
    draft = desk.s.notices.draft(desk.officer, visit_id)
    non_key = next(i.name for i in draft.items if not i.is_key)
    key = next(i.name for i in draft.items if i.is_key)
    deadline = draft.latest_deadline
    assert deadline is not None
    with pytest.raises(ValidationError) as refused:
        desk.issue(visit_id, missing=(key,), pledge=True, supplement_deadline=deadline)
    assert "要件" in refused.value.message

    pledge = desk.issue(visit_id, missing=(non_key,), pledge=True, supplement_deadline=deadline)

    visit = desk.s.visits.get(desk.officer, visit_id)
    assert pledge.title == "容缺受理承诺书" and visit.row.status.value == "in_progress"
    desk.clock.advance(dt.timedelta(days=30))
    assert desk.s.notices.find(desk.officer, pledge.number).state == "overdue"
    rows = desk.s.notices.register(
        desk.chief if False else desk.officer,
        dt.date(2000, 1, 1),
        dt.date(2100, 1, 1),
        state="overdue",
    )
    assert [r.number for r in rows] == [pledge.number]


def test_bad_notices_are_refused_and_nothing_is_saved(desk: Counter, count) -> None:  # type: ignore[no-untyped-def]
    from db.models import Notice

    visit_id = desk.visit()
    draft = desk.s.notices.draft(desk.officer, visit_id)
    nothing = NewNotice(visit_id, draft.row_version, draft.items, signature_declined_note="拒签")
    with pytest.raises(ValidationError, match="没有需补交"):
        desk.s.notices.issue(desk.officer, nothing)
    too_late = desk.new(
        visit_id,
        supplement_deadline=(draft.latest_deadline or dt.date.today()) + dt.timedelta(days=1),
    )
    with pytest.raises(ValidationError, match="不能超过"):
        desk.s.notices.issue(desk.officer, desk.signed(too_late))
    empty_pad = dataclasses.replace(
        desk.signed(desk.new(visit_id)), signature=SignatureInput("王小明", (), b"", "x")
    )
    with pytest.raises(ValidationError, match="没有笔迹"):
        desk.s.notices.issue(desk.officer, empty_pad)
    assert count(Notice) == 0

    first = desk.signed(desk.new(visit_id))
    desk.s.notices.issue(desk.officer, first)
    with pytest.raises(ConflictError):  # a double click issues the same form twice
        desk.s.notices.issue(desk.officer, first)
    assert count(Notice) == 1


def test_a_signature_cannot_serve_a_second_document(desk: Counter) -> None:
    first_visit, second_visit = desk.visit(), desk.visit(name="李四")
    signed_first = desk.signed(desk.new(first_visit))
    desk.s.notices.issue(desk.officer, signed_first)

    reused = dataclasses.replace(desk.new(second_visit), signature=signed_first.signature)
    with pytest.raises(ConflictError, match="重新签字"):
        desk.s.notices.issue(desk.officer, reused)


def test_a_voided_notice_cannot_be_fulfilled(desk: Counter) -> None:
    notice = desk.issue(desk.visit())
    voided = desk.s.notices.void(desk.officer, notice.id, notice.row_version, "开错事项")
    assert desk.s.visits.get(desk.officer, notice.visit_id).row.status.value == "in_progress"
    with pytest.raises(ConflictError, match="作废"):
        desk.s.notices.record_return(desk.officer, voided.id, voided.row_version, [])


def test_one_visit_completion_rate_on_hand_computed_data(desk: Counter, make_officer) -> None:  # type: ignore[no-untyped-def]
    other = make_officer(Role.WINDOW, "陈静")
    # 张伟: 3 notices — one done at the first return, one needing two returns, one with a breach.
    done = desk.issue(desk.visit())
    desk.s.notices.record_return(
        desk.officer, done.id, done.row_version, [i.id for i in done.items if i.owed]
    )
    two = desk.issue(
        desk.visit(name="李四"),
        missing=tuple(
            i.name for i in desk.s.notices.draft(desk.officer, desk.visit(name="赵六")).items[:2]
        ),
    )
    first_item = [i.id for i in two.items if i.owed][:1]
    two = desk.s.notices.record_return(desk.officer, two.id, two.row_version, first_item)
    desk.s.notices.record_return(
        desk.officer, two.id, two.row_version, [i.id for i in two.items if i.owed]
    )
    breach = desk.issue(desk.visit(name="王五"))
    desk.s.notices.record_breach(desk.officer, breach.id, "额外材料", "理由")
    desk.s.notices.record_return(
        desk.officer, breach.id, breach.row_version + 1, [i.id for i in breach.items if i.owed]
    )
    # 陈静: 1 notice done at once, 1 voided (does not count).
    counter2 = Counter(desk.s, desk.chief, other, desk.clock)
    good = counter2.issue(counter2.visit(name="孙七"))
    desk.s.notices.record_return(
        other, good.id, good.row_version, [i.id for i in good.items if i.owed]
    )
    void = counter2.issue(counter2.visit(name="周八"))
    desk.s.notices.void(other, void.id, void.row_version, "错开")

    rates = {
        r.label: (r.issued, r.one_visit, r.rate_text)
        for r in desk.s.notices.completion(
            desk.officer, dt.date(2000, 1, 1), dt.date(2100, 1, 1), "officer"
        )
    }
    assert rates == {"张伟": (3, 1, "33%"), "陈静": (1, 1, "100%")}


def pdf_text(pdf: bytes) -> str:
    doc = pypdfium2.PdfDocument(pdf)
    try:
        return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()


@pytest.mark.parametrize("paper", ["A4", "A5", "80mm"])
def test_the_notice_pdf_lists_what_is_owed_and_carries_the_signature(
    tmp_path: Path, desk: Counter, paper: str
) -> None:
    desk.s.station.update_settings(
        desk.chief, dataclasses.replace(desk.s.station.settings(), paper_size=paper)
    )
    visit_id = desk.visit()
    draft = desk.s.notices.draft(desk.officer, visit_id)
    owed = tuple(i.name for i in draft.items[:2])
    notice = desk.issue(visit_id, missing=owed, supplement_deadline=draft.latest_deadline)
    pdf = render_slip(desk.s.notices.slip(desk.officer, notice.id))
    text = pdf_text(pdf)

    flat = "".join(text.split())  # names wrap inside table cells
    for name in owed:
        assert "".join(name.split()) in flat
    assert "张伟" in text and desk.officer.badge_no in text
    assert draft.latest_deadline is not None and draft.latest_deadline.isoformat() in text
    for phone in ("0571-86001110", "0571-86001234", "12389", "12345"):
        assert phone in text
    assert FULL_ID not in text and "群众联" in text and "存根联" in text
    assert "不再要求您提供其他材料" in flat
    doc = pypdfium2.PdfDocument(pdf)
    images = [
        o for page in doc for o in page.get_objects() if o.type == pypdfium2.raw.FPDF_PAGEOBJ_IMAGE
    ]
    assert len(images) == 2, "one signature image on each part"
    path = tmp_path / "notice.pdf"
    path.write_bytes(pdf)
    if shutil.which("pdffonts"):
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
        assert "NotoSansSC" in fonts and " no " not in fonts.split("\n", 2)[2]
    if shutil.which("zbarimg") and shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-r", "200", "-f", "1", "-l", "1", "-png", str(path), str(tmp_path / "p")],
            check=True,
        )
        page = next(tmp_path.glob("p*.png"))
        decoded = subprocess.run(
            ["zbarimg", "--quiet", "--raw", str(page)], capture_output=True, text=True
        ).stdout
        # A text a phone shows readably (issue 14), which the counter's scanner still parses.
        assert "一次性告知单" in decoded and notice.number in decoded
        scanned = parse_scan(decoded.strip(), "number")
        assert scanned is not None and scanned.number == notice.number


def test_a_missed_pledge_deadline_shows_on_the_owners_and_the_chiefs_lists(desk: Counter) -> None:
    visit_id = desk.visit("HJ-QR-GF")
    draft = desk.s.notices.draft(desk.officer, visit_id)
    non_key = next(i.name for i in draft.items if not i.is_key)
    assert draft.latest_deadline is not None
    deadline = draft.latest_deadline - dt.timedelta(days=3)  # before the matter's own due date
    desk.issue(visit_id, missing=(non_key,), pledge=True, supplement_deadline=deadline)
    today = desk.clock.now().astimezone(BEIJING).date()
    desk.clock.advance(dt.timedelta(days=(deadline - today).days + 1))

    mine = desk.s.visits.open_matters(desk.officer)
    everyone = desk.s.visits.open_matters(desk.chief, everyone=True)

    assert [r.due_state for r in mine] == ["supplement_overdue"]
    assert "补正期限已过" in mine[0].due_text
    assert [r.due_state for r in everyone] == ["supplement_overdue"]


def test_cli_prints_a_notice_and_marks_the_reprint(
    tmp_path: Path, db_path: Path, desk: Counter, capsys, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from app import cli
    from tests.conftest import TEST_PASSWORD

    notice = desk.issue(desk.visit())
    out = tmp_path / "n.pdf"
    monkeypatch.setenv(cli.LOGIN_PASSWORD_ENV, TEST_PASSWORD)
    argv = ["print", "notice", notice.number, "--db", str(db_path), "--out", str(out)]
    assert cli.main([*argv, "--badge", desk.officer.badge_no]) == 0
    assert notice.number in pdf_text(out.read_bytes()) and "补打" not in pdf_text(out.read_bytes())
    assert cli.main([*argv, "--badge", desk.officer.badge_no]) == 0
    assert "补打" in pdf_text(out.read_bytes())


def test_one_notice_per_matter_even_after_it_was_fulfilled(desk: Counter) -> None:
    visit_id = desk.visit()
    notice = desk.issue(visit_id)
    owed = [i.id for i in notice.items if i.owed]
    desk.s.notices.record_return(desk.officer, notice.id, notice.row_version, owed)

    with pytest.raises(ConflictError, match="超出告知范围"):
        desk.s.notices.draft(desk.officer, visit_id)


@pytest.mark.sqlite_only("alters the file past the program with sqlite3")
def test_tampered_content_is_refused_before_printing_or_receiving(desk: Counter, db) -> None:  # type: ignore[no-untyped-def]
    import sqlite3

    notice = desk.issue(desk.visit())
    con = sqlite3.connect(db.file)
    try:
        with pytest.raises(sqlite3.IntegrityError):
            con.execute("UPDATE notices SET snapshot_json = '{}' WHERE id = ?", (notice.id,))
        con.execute("DROP TRIGGER notices_content_frozen")  # someone with the file and a tool
        con.execute(
            "UPDATE notices SET snapshot_json = replace(snapshot_json, '免费', '收费 200 元')"
            " WHERE id = ?",
            (notice.id,),
        )
        con.commit()
    finally:
        con.close()

    with pytest.raises(ConflictError, match="不一致"):
        desk.s.notices.slip(desk.officer, notice.id)
    with pytest.raises(ConflictError, match="不一致"):
        desk.s.notices.record_return(
            desk.officer, notice.id, notice.row_version, [notice.items[0].id]
        )


def test_a_pledge_needs_the_citizens_own_signature(desk: Counter) -> None:
    visit_id = desk.visit("HJ-QR-GF")
    draft = desk.s.notices.draft(desk.officer, visit_id)
    non_key = next(i.name for i in draft.items if not i.is_key)
    pledge = desk.new(
        visit_id, missing=(non_key,), pledge=True, supplement_deadline=draft.latest_deadline
    )

    with pytest.raises(ValidationError, match="本人签署"):
        desk.s.notices.issue(
            desk.officer, dataclasses.replace(pledge, signature_declined_note="不愿签")
        )
    signed = desk.signed(pledge)
    dot = dataclasses.replace(signed.signature, strokes=(((1.0, 1.0, 0.5),),))  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="没有笔迹"):
        desk.s.notices.issue(desk.officer, dataclasses.replace(signed, signature=dot))


def test_the_visit_and_its_notice_cannot_drift_apart(desk: Counter) -> None:
    from app.visits.rules import VisitStatus

    notice = desk.issue(desk.visit())
    visit = desk.s.visits.get(desk.officer, notice.visit_id)
    with pytest.raises(ConflictError, match="告知单"):
        desk.s.visits.resume(desk.officer, visit.row.id, visit.row.row_version)

    voided = desk.s.visits.void(desk.officer, visit.row.id, visit.row.row_version, "群众不再办理")

    assert voided.row.status is VisitStatus.VOIDED
    assert desk.s.notices.find(desk.officer, notice.number).state == "voided"


def test_a_matter_with_an_open_pledge_cannot_be_completed(desk: Counter) -> None:
    visit_id = desk.visit("HJ-QR-GF")
    draft = desk.s.notices.draft(desk.officer, visit_id)
    non_key = next(i.name for i in draft.items if not i.is_key)
    desk.issue(visit_id, missing=(non_key,), pledge=True, supplement_deadline=draft.latest_deadline)
    visit = desk.s.visits.get(desk.officer, visit_id)

    with pytest.raises(ConflictError, match="尚未补齐"):
        desk.s.visits.complete(desk.officer, visit_id, visit.row.row_version, "办结")


def test_each_part_of_the_notice_is_numbered_on_its_own(desk: Counter) -> None:
    desk.s.station.update_settings(
        desk.chief, dataclasses.replace(desk.s.station.settings(), paper_size="A5")
    )
    notice = desk.issue(desk.visit())
    doc = pypdfium2.PdfDocument(render_slip(desk.s.notices.slip(desk.officer, notice.id)))
    footers = [doc[i].get_textpage().get_text_range().split("第")[-1] for i in range(len(doc))]
    per_part = len(doc) // 2
    assert len(doc) == 2 * per_part
    assert f"1 页 共 {per_part} 页" in footers[0] and f"1 页 共 {per_part} 页" in footers[per_part]
