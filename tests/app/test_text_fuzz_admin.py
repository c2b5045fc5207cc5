"""Any text a paste can carry, through the administration's services that take text.

The companion of test_text_fuzz (issue 18 item 7, issue 21), with its strategies: the daily
ledger (the chief's review comment, corrections of a locked day's visit), the catalogue, the
officers and their passwords, the station's settings and first-run set-up, and the holidays.
Each call either refuses the text with a Chinese ValidationError and writes nothing (no row
added to the tables it writes, no audit event or seal, nothing stored changed), or stores it
exactly as given with surrounding whitespace trimmed — or in the documented form where a field
has one (said beside each). What is stored never holds a character that no field may hold
(``app.core.validation.refuse_unstorable``). A password is refused, or logs in exactly as given.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json
import re
import shutil
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.catalogue.dto import MaterialLine
from app.core.clock import FixedClock
from app.core.database import Database, open_database
from app.core.dto import SessionUser
from app.core.errors import AuthenticationError, ValidationError
from app.core.identity import IdType, normalise_phone
from app.core.passwords import PasswordHashing
from app.core.roles import Role
from app.core.validation import refuse_unstorable
from app.core.workdays import LIBRARY_LAST_YEAR, ScheduleDay, builtin_knows_year
from app.officers.dto import NewOfficer, OfficerChanges
from app.services import Services, build_services
from app.station.dto import StationSettings
from app.visits.dto import NewVisit
from db.models import (
    Addendum,
    AuditEvent,
    AuditSeal,
    CalendarYear,
    Counter,
    DayReview,
    HolidayOverride,
    Officer,
    ServiceItem,
    ServiceItemVersion,
    ServiceMaterial,
    Signature,
    Station,
    Visit,
    VisitTransition,
)
from tests.app.helpers import has_chinese, valid_draft
from tests.app.ledger.test_ledger import SIGN
from tests.app.test_text_fuzz import FUZZ, SPECIAL, TEXT, VALID_ID
from tests.conftest import TEST_PASSWORD, TEST_START

DAY = dt.date(2025, 9, 29)  # the test clock's day (10:00 in Beijing)
AUDIT = (AuditEvent, AuditSeal)
# A valid text wrapped in what a paste brings along (or nothing), for fields whose valid values
# TEXT seldom hits: a phone, a password, a time, a path, the rating dimensions.
EDGE = st.sampled_from(["", " ", "\u3000", "\t\n"]) | st.sampled_from(SPECIAL)
PHONES = [
    "13905710022", "0571-86001234", "(0571)86001234转8001", "+86 139 0571 0022", "12345",
    "１３９０５７１００２２", "139 0571 0022",
]  # fmt: skip
PHONE = TEXT | st.tuples(EDGE, st.sampled_from(PHONES), EDGE).map("".join)
PASSWORD = TEXT | st.tuples(TEXT, TEXT).map(lambda p: f"Qz{p[0]}7k{p[1]}")
CLOCK_TIME = st.tuples(
    EDGE,
    st.sampled_from(["9", "09", "17", "23", "24", "１７", "١٧", "٩"]),
    st.sampled_from(":："),
    st.sampled_from(["30", "05", "60", "３０", "٣٠", "3٠", "3０", "5"]),
    EDGE,
).map("".join)
PATH = st.tuples(EDGE, st.sampled_from(["/media/usb/", "E:\\", "~/", "\\\\server\\"]), TEXT).map(
    "".join
)
DIMENSIONS = st.lists(TEXT, min_size=1, max_size=7).map("，".join) | st.lists(
    st.sampled_from(["办事效率", "服务态度", " 办理结果 ", "", "\u202e快"])
    | st.sampled_from(SPECIAL),
    max_size=7,
).map(",".join)
ZONES = st.sampled_from(["Asia/Shanghai", "Asia/Urumqi", "UTC", " Asia/Shanghai", "Asia/上海"])


def _some_of(
    fields: dict[str, st.SearchStrategy[str]], min_size: int = 0, max_size: int = 2
) -> st.SearchStrategy[dict[str, str]]:
    """A few of ``fields`` with their texts; the others keep valid values. Few at a time, so
    that one odd text meets valid neighbours and its own fate decides the outcome."""
    return st.lists(
        st.sampled_from(sorted(fields)), unique=True, min_size=min_size, max_size=max_size
    ).flatmap(lambda chosen: st.fixed_dictionaries({f: fields[f] for f in chosen}))


# ---- a set-up station for each test, copied ---------------------------------------------------


@pytest.fixture(scope="module")
def set_up_station(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A station set up as conftest's ``chief`` sets one up, once for the module: each test
    copies the file (migrating and seeding anew took most of a second per test)."""
    path = tmp_path_factory.mktemp("set-up") / "station.sqlite3"
    database = open_database(path)
    hashing = PasswordHashing(time_cost=1, memory_cost_kib=1024, parallelism=1)
    build_services(database.sessions, FixedClock(TEST_START), hashing).station.initialize(
        StationSettings(name="测试市公安局测试分局和平路派出所", code="HPL"),
        NewOfficer("100001", "王所长", Role.CHIEF, TEST_PASSWORD),
    )
    database.dispose()
    return path


@pytest.fixture
def db(db_path: Path, set_up_station: Path) -> Iterator[Database]:
    """This module's ``db``: a copy of the set-up station (conftest's is an empty one)."""
    shutil.copyfile(set_up_station, db_path)
    database = open_database(db_path)
    yield database
    database.dispose()


@pytest.fixture
def chief(services: Services) -> SessionUser:
    """This module's ``chief``: the copied station's first account, logged in."""
    return services.auth.login("100001", TEST_PASSWORD)


# ---- the property --------------------------------------------------------------------------


def _rows(db: Database, models: tuple[type, ...]) -> tuple[int, ...]:
    with db.sessions() as session:
        return tuple(
            int(session.scalar(select(func.count()).select_from(model)) or 0) for model in models
        )


def _texts(value: Any) -> Iterator[str]:
    """Every string in ``value`` (tuples, lists, dicts and dataclasses opened)."""
    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from _texts(getattr(value, field.name))
    elif isinstance(value, dict):
        yield from _texts(list(value.values()))
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _texts(item)


def _refused_or_stored(
    db: Database,
    models: tuple[type, ...],
    call: Callable[[], Any],
    stored: Callable[[Any], Any],
    expected: Any,
    kept: Callable[[], Any] | None = None,
) -> str:
    """Run ``call``: a Chinese ValidationError writing nothing (``models`` keep their row
    counts, ``kept()`` its value), or ``stored(result) == expected`` holding only storable text."""
    rows = _rows(db, models + AUDIT)
    before = kept() if kept is not None else None
    try:
        result = call()
    except ValidationError as refused:
        assert has_chinese(refused.message), refused.message
        assert _rows(db, models + AUDIT) == rows, "a refused save wrote something"
        if kept is not None:
            assert kept() == before, "a refused save changed what was stored"
        return "refused"
    got = stored(result)
    assert got == expected
    unstorable = [text for text in _texts(got) if not _storable(text)]
    assert not unstorable, f"stored a character no field may hold: {unstorable!r}"
    return "stored"


def _as_code(typed: str) -> str:
    """A code (警号, 单位简码, 事项编码) as stored: trimmed, full-width letters and digits made
    ASCII (NFKC), in capitals. Only ASCII codes pass the services' patterns, so upper() here
    is never asked to turn ß into SS."""
    return unicodedata.normalize("NFKC", typed.strip()).upper()


def _storable(text: str) -> bool:
    try:
        refuse_unstorable(text, field="stored", label="保存的内容")
    except ValidationError:
        return False
    return True


def _logs_in(services: Services, badge: str, password: str, officer_id: int) -> None:
    """The password just accepted opens the account, exactly as typed."""
    assert services.auth.login(badge, password).officer_id == officer_id


# ---- the daily ledger ------------------------------------------------------------------------


@pytest.fixture
def days(chief: SessionUser) -> Iterator[dt.date]:
    """A day not yet reviewed for each example: the days before the test day, going back."""
    return (DAY - dt.timedelta(days=n) for n in itertools.count(1))


@given(comment=TEXT)
@example(comment=" 已核对\u202e，𠮷\u0301 ")
@FUZZ
def test_the_review_comment_is_refused_or_stored_exactly(
    db: Database, services: Services, chief: SessionUser, days: Iterator[dt.date], comment: str
) -> None:
    day = next(days)  # a day is signed once: each example signs one of its own
    sha = services.ledger.ledger(chief, day).content_sha256

    def stored(_ledger: Any) -> str:
        with db.sessions() as session:
            return session.scalars(select(DayReview.comment).where(DayReview.day == day)).one()

    _refused_or_stored(
        db,
        (DayReview, Signature),
        lambda: services.ledger.review(chief, day, sha, comment, SIGN),
        stored,
        comment.strip(),
    )


@pytest.fixture
def locked_visits(
    services: Services, chief: SessionUser, make_officer: Any, clock: FixedClock
) -> tuple[SessionUser, dict[str, int]]:
    """A 居民身份证 holder's and a passport holder's visits on a day the chief has signed."""
    officer = make_officer(Role.WINDOW)
    item = services.catalogue.list_items("SFZ-SL")[0].item_id
    resident = services.visits.register(
        officer,
        NewVisit("王小明", IdType.RESIDENT, VALID_ID, "13805710011", item, summary="办证"),
    )
    passport = services.visits.register(
        officer, NewVisit("John Smith", IdType.PASSPORT, "E12345678", "", item)
    )
    clock.advance(dt.timedelta(hours=8))  # 18:00: the counter has closed
    sha = services.ledger.ledger(chief, DAY).content_sha256
    services.ledger.review(chief, DAY, sha, "", SIGN)
    clock.advance(dt.timedelta(hours=15))  # the next morning
    return officer, {"resident": resident.row.id, "passport": passport.row.id}


def _visit_fields(db: Database, visit_id: int) -> tuple[str, str, str]:
    with db.sessions() as session:
        visit = session.get(Visit, visit_id)
        assert visit is not None
        return visit.citizen_name, visit.summary, visit.phone


def _corrected_form(field_name: str, value: str) -> str:
    """What a correction stores: the phone as its digits (``check_phone``, the form lookups
    use: ``normalise_phone``), the name and the summary trimmed."""
    return normalise_phone(value) if field_name == "phone" else value.strip()


@given(
    holder=st.sampled_from(["resident", "passport"]),
    field_name=st.sampled_from(["citizen_name", "summary", "phone"]),
    value=TEXT,
    phone=PHONE,
    reason=TEXT | st.tuples(EDGE, st.just("录入时写错"), EDGE).map("".join),
)
@example(
    holder="resident", field_name="citizen_name", value=" 王\U00020bb7\ufa11 ", phone="",
    reason="姓名录入错误\u202e",
)  # fmt: skip
@example(
    holder="passport", field_name="citizen_name", value="José Müller", phone="", reason="录入错误"
)
@example(
    holder="resident", field_name="phone", value="", phone=" 0571-86001234 ", reason="号码记错"
)
@FUZZ
def test_a_correction_is_refused_or_stored_exactly(
    db: Database,
    services: Services,
    locked_visits: tuple[SessionUser, dict[str, int]],
    holder: str,
    field_name: str,
    value: str,
    phone: str,
    reason: str,
) -> None:
    officer, visits = locked_visits
    visit_id = visits[holder]
    new_value = phone if field_name == "phone" else value
    slot = ("citizen_name", "summary", "phone").index(field_name)

    def stored(row: Any) -> tuple[str, str, str]:
        return _visit_fields(db, visit_id)[slot], row.reason, _addendum_reason(db, row.number)

    _refused_or_stored(
        db,
        (Addendum, Visit, VisitTransition, Counter),
        lambda: services.ledger.correct(officer, visit_id, field_name, new_value, reason),
        stored,
        (_corrected_form(field_name, new_value), reason.strip(), reason.strip()),
        kept=lambda: _visit_fields(db, visit_id),
    )


def _addendum_reason(db: Database, number: str) -> str:
    with db.sessions() as session:
        return session.scalars(select(Addendum.reason).where(Addendum.number == number)).one()


class _Registered:
    """Visits still only registered, of days the chief has signed: a correction voids each
    once, so every accepted void takes the next; when none is left, a batch is registered at
    10:00 of the clock's day and the day signed at 18:00 (the clock then stands at 10:00 of
    the next day)."""

    BATCH = 25

    def __init__(
        self, services: Services, chief: SessionUser, officer: SessionUser, clock: FixedClock
    ) -> None:
        self._services, self._chief, self.officer, self._clock = services, chief, officer, clock
        self._item = services.catalogue.list_items("SFZ-SL")[0].item_id
        self._free: list[int] = []

    def next(self) -> int:
        """A visit that the next accepted void may take."""
        if not self._free:
            self._sign_a_batch()
        return self._free[-1]

    def voided(self) -> None:
        self._free.pop()

    def _sign_a_batch(self) -> None:
        new = NewVisit("王小明", IdType.RESIDENT, VALID_ID, "", self._item)
        self._free = [
            self._services.visits.register(self.officer, new).row.id for _ in range(self.BATCH)
        ]
        day = self._services.station.today()
        self._clock.advance(dt.timedelta(hours=8))
        sha = self._services.ledger.ledger(self._chief, day).content_sha256
        self._services.ledger.review(self._chief, day, sha, "", SIGN)
        self._clock.advance(dt.timedelta(hours=16))


@pytest.fixture
def registered(
    services: Services, chief: SessionUser, make_officer: Any, clock: FixedClock
) -> _Registered:
    return _Registered(services, chief, make_officer(Role.WINDOW), clock)


def _void_fields(db: Database, visit_id: int) -> tuple[str, str, tuple[str, ...]]:
    with db.sessions() as session:
        visit = session.get(Visit, visit_id)
        assert visit is not None
        steps = session.scalars(
            select(VisitTransition.reason)
            .where(VisitTransition.visit_id == visit_id, VisitTransition.to_status == "voided")
            .order_by(VisitTransition.id)
        )
        return visit.status, visit.void_reason, tuple(steps)


@given(reason=TEXT)
@example(reason=" 群众未办理即离开\u202e𠮷 ")
@example(reason="三" * 196)  # "更正记录：" and the reason: 201 characters
@FUZZ
def test_a_voiding_correction_keeps_its_reason_exactly(
    db: Database, services: Services, registered: _Registered, reason: str
) -> None:
    visit_id = registered.next()
    why = reason.strip()

    def stored(row: Any) -> tuple[str, str, str, str, tuple[str, ...]]:
        registered.voided()
        return (row.reason, _addendum_reason(db, row.number), *_void_fields(db, visit_id))

    # The visit's void reason and its step to 已作废 read "更正记录：" and the reason
    # (_plan_correction): the registration was voided by this correction.
    _refused_or_stored(
        db,
        (Addendum, Visit, VisitTransition, Counter),
        lambda: services.ledger.correct(registered.officer, visit_id, "void", "", reason),
        stored,
        (why, why, "voided", f"更正记录：{why}", (f"更正记录：{why}",)),
        kept=lambda: _void_fields(db, visit_id),
    )


# ---- the catalogue ---------------------------------------------------------------------------

DRAFT_TEXTS = (
    "name", "category", "legal_basis", "conditions", "procedure", "time_limit_note", "fee",
    "fee_basis", "place", "hours",
)  # fmt: skip
CATALOGUE = (ServiceItem, ServiceItemVersion, ServiceMaterial)
DRAFT_CHANGES = _some_of({f: TEXT for f in DRAFT_TEXTS}, max_size=3)
MATERIALS = st.none() | st.lists(
    st.tuples(TEXT | st.sampled_from(["居民身份证", "户口簿"]), TEXT | st.just("")),
    min_size=1,
    max_size=3,
)


def _draft_with(
    base: Any, changes: dict[str, str], materials: list[tuple[str, str]] | None
) -> tuple[Any, Any]:
    """The draft to save, and the draft that must come back (texts trimmed)."""
    typed = replace(base, **changes)
    trimmed = replace(base, **{f: v.strip() for f, v in changes.items()})
    if materials is not None:
        lines = tuple(MaterialLine(n, 1, "原件", s, True) for n, s in materials)
        typed = replace(typed, materials=lines)
        trimmed = replace(
            trimmed,
            materials=tuple(
                replace(m, name=m.name.strip(), source=m.source.strip()) for m in lines
            ),
        )
    return typed, trimmed


@pytest.fixture
def fresh_codes(chief: SessionUser) -> Iterator[str]:
    return (f"FZ-{n}" for n in itertools.count(1))


@given(code=st.none() | TEXT, changes=DRAFT_CHANGES, materials=MATERIALS)
@example(code=" fz-𠮷 ", changes={}, materials=None)
@example(code="ＡＡ", changes={}, materials=None)  # full-width, stored as AA (found by CI)
@example(
    code=None,
    changes={"name": " 𠮷\u0301事项\u202e ", "fee": "免费\u3000"},
    materials=[("户口簿", " 本人 ")],
)
@FUZZ
def test_a_new_matter_is_refused_or_stored_exactly(
    db: Database,
    services: Services,
    chief: SessionUser,
    fresh_codes: Iterator[str],
    code: str | None,
    changes: dict[str, str],
    materials: list[tuple[str, str]] | None,
) -> None:
    typed_code = next(fresh_codes) if code is None else code
    draft, expected = _draft_with(valid_draft(), changes, materials)

    def stored(detail: Any) -> tuple[str, Any]:
        again = services.catalogue.get_item(detail.item_id)
        return again.code, again.draft

    # The code is stored in capitals (create_item: "事项编码由 … 大写字母"); a code already
    # taken by an earlier example is refused.
    _refused_or_stored(
        db,
        CATALOGUE,
        lambda: services.catalogue.create_item(chief, typed_code, draft),
        stored,
        (_as_code(typed_code), expected),
    )


@pytest.fixture
def matter(services: Services, chief: SessionUser) -> int:
    """A shipped matter that each example's edit makes a new version of."""
    return services.catalogue.list_items("SFZ-SL")[0].item_id


@given(changes=DRAFT_CHANGES, materials=MATERIALS, note=TEXT)
@example(
    changes={"hours": " 工作日\u202e 8:30 "}, materials=[("𠮷证明", "")], note=" 依新规\u0301 "
)
@FUZZ
def test_a_new_version_is_refused_or_stored_exactly(
    db: Database,
    services: Services,
    chief: SessionUser,
    matter: int,
    changes: dict[str, str],
    materials: list[tuple[str, str]] | None,
    note: str,
) -> None:
    item_id = matter
    current = services.catalogue.get_item(item_id)
    draft, expected = _draft_with(current.draft, changes, materials)

    def stored(detail: Any) -> tuple[Any, str]:
        again = services.catalogue.get_item(item_id)
        assert again.version_no == detail.version_no == current.version_no + 1
        return again.draft, again.change_note

    _refused_or_stored(
        db,
        CATALOGUE,
        lambda: services.catalogue.save_new_version(
            chief, item_id, current.version_no, draft, note
        ),
        stored,
        (expected, note.strip()),
        kept=lambda: services.catalogue.get_item(item_id),
    )


@given(text=TEXT)
@FUZZ
def test_a_catalogue_search_answers_or_refuses_in_chinese(
    db: Database, services: Services, chief: SessionUser, text: str
) -> None:
    rows = _rows(db, CATALOGUE + AUDIT)
    try:
        found = services.catalogue.list_items(text, include_inactive=True)
    except ValidationError as refused:
        assert has_chinese(refused.message), refused.message
    else:
        assert all(isinstance(row.code, str) for row in found)
    assert _rows(db, CATALOGUE + AUDIT) == rows


# ---- officers and passwords ------------------------------------------------------------------

OFFICERS = (Officer,)


@pytest.fixture
def fresh_badges(chief: SessionUser) -> Iterator[str]:
    return (f"FZ{n:04d}" for n in itertools.count(1))


NEW_OFFICER = {"badge_no": TEXT, "name": TEXT, "phone": PHONE, "password": PASSWORD}
REPEAT = st.sampled_from([None, "same"]) | TEXT  # not asked, typed alike, or anything


@given(typed=_some_of(NEW_OFFICER, min_size=1), repeat=REPEAT)
@example(
    typed={"badge_no": " fz9x ", "name": " 𠮷\ufa11 ", "phone": " 139 0571 0022 "}, repeat=None
)
@example(typed={"name": "买买提·艾力", "password": "Qz\x007k\u0301x9"}, repeat="same")
@example(typed={"password": "Qz\u202e7k𠮷x9"}, repeat="same")
@example(typed={"password": "Qzw\ud8007kx9"}, repeat=None)
@FUZZ
def test_a_new_officer_is_refused_or_stored_exactly(
    db: Database,
    services: Services,
    chief: SessionUser,
    fresh_badges: Iterator[str],
    typed: dict[str, str],
    repeat: str | None,
) -> None:
    badge = typed.get("badge_no", next(fresh_badges))
    name = typed.get("name", "张民警")
    phone = typed.get("phone", "")
    password = typed.get("password", TEST_PASSWORD)
    again = password if repeat == "same" else repeat

    def stored(row: Any) -> tuple[str, str, str]:
        # Logging in with the badge and the password exactly as typed opens the account.
        _logs_in(services, badge, password, row.id)
        saved = next(o for o in services.officers.list_officers(chief) if o.id == row.id)
        return saved.badge_no, saved.name, saved.phone

    # The badge is stored in capitals (clean_badge), the phone as written (clean_phone).
    _refused_or_stored(
        db,
        OFFICERS,
        lambda: services.officers.add_officer(
            chief, NewOfficer(badge, name, Role.WINDOW, password, phone), again
        ),
        stored,
        (_as_code(badge), name.strip(), phone.strip()),
    )


@pytest.fixture
def colleague(make_officer: Any) -> SessionUser:
    return make_officer(Role.WINDOW, "李民警")


def _officer_fields(db: Database, officer_id: int) -> tuple[str, str, str, str]:
    with db.sessions() as session:
        officer = session.get(Officer, officer_id)
        assert officer is not None
        return officer.name, officer.phone, officer.role, officer.password_hash


@given(name=TEXT, phone=PHONE)
@example(name=" 欧阳\U00031350 ", phone="\u3000(0571)86001234转8001 ")
@FUZZ
def test_an_officers_edit_is_refused_or_stored_exactly(
    db: Database,
    services: Services,
    chief: SessionUser,
    colleague: SessionUser,
    name: str,
    phone: str,
) -> None:
    officer_id = colleague.officer_id
    _refused_or_stored(
        db,
        OFFICERS,
        lambda: services.officers.update_officer(
            chief, officer_id, OfficerChanges(name, Role.WINDOW, phone)
        ),
        lambda _row: _officer_fields(db, officer_id)[:2],
        (name.strip(), phone.strip()),
        kept=lambda: _officer_fields(db, officer_id),
    )


@pytest.fixture
def administrator(make_officer: Any) -> SessionUser:
    return make_officer(Role.ADMIN, "周管理")


@given(reason=TEXT)
@example(reason=" 经分局任命\u202e𠮷 ")
@FUZZ
def test_a_role_change_reason_is_refused_or_stored_exactly(
    db: Database,
    services: Services,
    administrator: SessionUser,
    colleague: SessionUser,
    reason: str,
) -> None:
    # A newer request for the same officer replaces the last one: the call can repeat.
    _refused_or_stored(
        db,
        OFFICERS,
        lambda: services.officers.request_role_change(
            administrator, colleague.officer_id, Role.ADMIN, reason
        ),
        lambda row: (row.reason, _last_event(db)[1]["reason"]),
        (reason.strip(), reason.strip()),
        kept=lambda: _officer_fields(db, colleague.officer_id),
    )


def _last_event(db: Database) -> tuple[str, dict[str, Any]]:
    with db.sessions() as session:
        event = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one()
        return event.action, json.loads(event.after_json or "{}")


@given(password=PASSWORD, repeat=REPEAT)
@example(password="Qz𠮷\u202e7kx9", repeat="same")
@example(password="Qzw\ud8007kx9", repeat=None)
@FUZZ
def test_a_reset_password_is_refused_or_logs_in_exactly(
    db: Database,
    services: Services,
    chief: SessionUser,
    colleague: SessionUser,
    password: str,
    repeat: str | None,
) -> None:
    again = password if repeat == "same" else repeat
    officer_id = colleague.officer_id

    def stored(_none: Any) -> str:
        _logs_in(services, colleague.badge_no, password, officer_id)
        return "logged in"

    _refused_or_stored(
        db,
        OFFICERS,
        lambda: services.officers.reset_password(chief, officer_id, password, again),
        stored,
        "logged in",
        kept=lambda: _officer_fields(db, officer_id),
    )


@pytest.fixture
def own_password(colleague: SessionUser) -> dict[str, str]:
    """The colleague's password as it stands after the examples so far."""
    return {"now": TEST_PASSWORD}


@given(password=PASSWORD, repeat=REPEAT)
@example(password="Qz𠮷\u202e7kx9", repeat="same")
@example(password="Qzw\ud8007kx9", repeat=None)
@FUZZ
def test_an_own_new_password_is_refused_or_logs_in_exactly(
    db: Database,
    services: Services,
    colleague: SessionUser,
    own_password: dict[str, str],
    password: str,
    repeat: str | None,
) -> None:
    again = password if repeat == "same" else repeat
    old = own_password["now"]

    def stored(_none: Any) -> str:
        _logs_in(services, colleague.badge_no, password, colleague.officer_id)
        own_password["now"] = password
        return "logged in"

    _refused_or_stored(
        db,
        OFFICERS,
        lambda: services.auth.change_password(colleague, old, password, again),
        stored,
        "logged in",
        kept=lambda: _officer_fields(db, colleague.officer_id),
    )


@given(
    how=st.sampled_from(["login", "take_over", "verify_password"]),
    badge=st.none() | st.sampled_from(["ZZ99", " 200001 "]) | TEXT,
    password=PASSWORD | st.just(TEST_PASSWORD),
)
@example(how="login", badge=None, password="Secret\ud800123")
@example(how="login", badge="ZZ99", password="Secret\udfff123")
@example(how="take_over", badge="\ud800", password=TEST_PASSWORD)
@example(how="verify_password", badge=None, password=TEST_PASSWORD)
@FUZZ
def test_a_login_is_refused_in_chinese_or_opens_the_right_account(
    db: Database,
    services: Services,
    clock: FixedClock,
    chief: SessionUser,
    colleague: SessionUser,
    how: str,
    badge: str | None,
    password: str,
) -> None:
    # Past the lock the earlier examples' wrong passwords set: every attempt checks its password.
    clock.advance(dt.timedelta(minutes=16))
    typed_badge = colleague.badge_no if badge is None or how == "verify_password" else badge
    attempts: dict[str, Callable[[], SessionUser]] = {
        "login": lambda: services.auth.login(typed_badge, password),
        "take_over": lambda: services.auth.take_over(chief, typed_badge, password),
        "verify_password": lambda: services.auth.verify_password(colleague, password),
    }
    rows = _rows(db, OFFICERS + AUDIT)
    try:
        user = attempts[how]()
    except ValidationError as refused:
        assert has_chinese(refused.message), refused.message
        assert _rows(db, OFFICERS + AUDIT) == rows, "a refused login wrote something"
    except AuthenticationError as failed:  # a wrong password: counted and audited
        assert has_chinese(failed.message), failed.message
    else:
        assert (user.badge_no, password) == (_as_code(typed_badge), TEST_PASSWORD)


# ---- the station -----------------------------------------------------------------------------

STATION_TEXTS = (
    "name", "code", "address", "hours", "phone_consult", "phone_supervision", "phone_12389",
    "phone_12345", "paper_size", "timezone", "rating_dimensions", "callback_period",
    "review_after", "backup_folder",
)  # fmt: skip
NEAR_VALID: dict[str, st.SearchStrategy[str]] = {
    "code": st.tuples(EDGE, st.sampled_from(["qnl", "HPL2", "ab", "ſfz"]), EDGE).map("".join),
    "phone_consult": PHONE,
    "phone_supervision": PHONE,
    "phone_12389": PHONE,
    "phone_12345": PHONE,
    "paper_size": st.sampled_from(["A4", "A5", "80mm", " A4", "a4"]),
    "timezone": ZONES,
    "rating_dimensions": DIMENSIONS,
    "callback_period": st.sampled_from(["day", "month", "Day"]),
    "review_after": CLOCK_TIME,
    "backup_folder": PATH,
}
STATION_FIELDS = {f: TEXT | NEAR_VALID.get(f, TEXT) for f in STATION_TEXTS}
# Free text (the name, address, hours, phones) and settings that have a form of their own.
FREE_SETTINGS = _some_of({f: STATION_FIELDS[f] for f in STATION_TEXTS[:8]}, min_size=1)
FORMED_SETTINGS = _some_of({f: STATION_FIELDS[f] for f in STATION_TEXTS[8:]}, min_size=1)


def _settings_form(field: str, typed: str) -> str:
    """A setting as stored: trimmed, or in the form its check documents."""
    if field == "code":
        return _as_code(typed)  # 单位简码 in capitals (_clean_code)
    if field in ("paper_size", "timezone", "callback_period"):
        return typed  # one of a fixed list, or a zone name: taken as it is, untrimmed
    if field == "rating_dimensions":
        # The names, each trimmed, joined by "," (_clean_dimensions, StationSettings.dimensions).
        parts = typed.replace("，", ",").split(",")
        return ",".join(p.strip() for p in parts if p.strip())
    if field == "review_after":
        # "时:分" as HH:MM, zero-padded (clean_review_after): 9:45 is 09:45.
        try:
            hours, minutes = (int(p) for p in re.split("[:：]", typed.strip()))
        except ValueError:
            return typed
        return f"{hours:02d}:{minutes:02d}"
    return typed.strip()


def _settings_saved(
    db: Database, services: Services, chief: SessionUser, changes: dict[str, Any]
) -> None:
    base = services.station.settings()
    outcome = _refused_or_stored(
        db,
        (Station,),
        lambda: services.station.update_settings(chief, replace(base, **changes)),
        lambda _clean: {f: getattr(services.station.settings(), f) for f in changes},
        {f: _settings_form(f, v) for f, v in changes.items()},
        kept=services.station.settings,
    )
    if outcome == "stored":
        others = {f: v for f, v in asdict(services.station.settings()).items() if f not in changes}
        assert others == {f: v for f, v in asdict(base).items() if f not in changes}


@given(changes=FREE_SETTINGS)
@example(changes={"name": " 𠮷\u202e派出所 ", "code": " hpl2 "})
@example(changes={"address": "和平路\u0301 1 号\n", "phone_consult": "\u3000(0571)86001234转8001"})
@FUZZ
def test_the_stations_name_address_and_phones_are_refused_or_stored_exactly(
    db: Database, services: Services, chief: SessionUser, changes: dict[str, str]
) -> None:
    _settings_saved(db, services, chief, changes)


@given(changes=FORMED_SETTINGS)
@example(changes={"review_after": " 9：45 ", "timezone": "Asia/Urumqi"})
@example(changes={"rating_dimensions": " 效率，态度\u0301 ,𠮷 "})
@example(changes={"review_after": "17:3０"})
@example(changes={"backup_folder": "/media/usb/台账\x00"})
@example(changes={"rating_dimensions": "效率,\x08"})
@FUZZ
def test_the_stations_formed_settings_are_refused_or_stored_in_their_form(
    db: Database, services: Services, chief: SessionUser, changes: dict[str, str]
) -> None:
    _settings_saved(db, services, chief, changes)


class _FreshStation:
    """A migrated database in which nothing is set up yet, for each example: a station is set
    up once, so after one that was (or wrote anything) the next gets a new copy of a blank
    file, far quicker than migrating each anew."""

    def __init__(self, folder: Path, clock: FixedClock, hashing: PasswordHashing) -> None:
        self._folder, self._clock, self._hashing = folder, clock, hashing
        self._blank = folder / "blank.sqlite3"
        open_database(self._blank).dispose()
        self._opened: list[Database] = []
        self._numbers = itertools.count(1)
        self._copy()

    def blank(self) -> tuple[Database, Services]:
        if any(_rows(self._db, (Station, Officer))):
            self._copy()
        return self._db, self._services

    def _copy(self) -> None:
        copy = self._folder / f"station-{next(self._numbers)}.sqlite3"
        shutil.copyfile(self._blank, copy)
        self._db = open_database(copy)
        self._opened.append(self._db)
        self._services = build_services(self._db.sessions, self._clock, self._hashing)

    def close(self) -> None:
        for db in self._opened:
            db.dispose()


@pytest.fixture
def fresh_station(
    tmp_path: Path, clock: FixedClock, hashing: PasswordHashing
) -> Iterator[_FreshStation]:
    stations = _FreshStation(tmp_path, clock, hashing)
    yield stations
    stations.close()


FIRST_RUN = (Station, Officer, *CATALOGUE)


FIRST_OFFICER = {
    "badge_no": TEXT, "officer_name": TEXT, "officer_phone": PHONE, "password": PASSWORD,
}  # fmt: skip


# Each set-up that succeeds seeds the whole catalogue into a new file (about 0.3 s): fewer
# examples than FUZZ's, in the same proportion when a long run raises them.
@settings(parent=FUZZ, max_examples=max(1, FUZZ.max_examples * 2 // 5))
@given(typed=_some_of({**STATION_FIELDS, **FIRST_OFFICER}, min_size=1))
@example(typed={"name": " 𠮷派出所 ", "badge_no": " a1 "})
@example(typed={"officer_name": " 王\u3000所长 ", "code": " hpl "})
@example(typed={"password": "Qzw\ud8007kx9"})
def test_the_first_run_set_up_is_refused_or_stored_exactly(
    fresh_station: _FreshStation, typed: dict[str, str]
) -> None:
    changes: dict[str, Any] = {f: v for f, v in typed.items() if f in STATION_FIELDS}
    base = StationSettings(name="测试市公安局测试分局和平路派出所", code="HPL")
    formed: dict[str, Any] = {f: _settings_form(f, v) for f, v in changes.items()}
    expected = replace(base, **formed)
    badge = typed.get("badge_no", "100001")
    name = typed.get("officer_name", "王所长")
    phone = typed.get("officer_phone", "")
    password = typed.get("password", TEST_PASSWORD)
    first = NewOfficer(badge, name, Role.CHIEF, password, phone)
    db, services = fresh_station.blank()

    def stored(user: SessionUser) -> tuple[dict[str, Any], str, str, str]:
        _logs_in(services, badge, password, user.officer_id)
        row = services.officers.list_officers(user)[0]
        return asdict(services.station.settings()), row.badge_no, row.name, row.phone

    _refused_or_stored(
        db,
        FIRST_RUN,
        lambda: services.station.initialize(replace(base, **changes), first),
        stored,
        (asdict(expected), _as_code(badge), name.strip(), phone.strip()),
    )


# ---- holidays --------------------------------------------------------------------------------

YEAR = next(y for y in itertools.count(LIBRARY_LAST_YEAR + 1) if not builtin_knows_year(y))
HOLIDAYS = (HolidayOverride, CalendarYear)


def _overrides(services: Services) -> list[Any]:
    return services.holidays.list_overrides(YEAR)


@given(name=TEXT, is_workday=st.booleans())
@example(name=" 本所\u202e假日𠮷 ", is_workday=False)
@FUZZ
def test_a_holiday_name_is_refused_or_stored_exactly(
    db: Database, services: Services, chief: SessionUser, name: str, is_workday: bool
) -> None:
    first, last = dt.date(YEAR, 3, 1), dt.date(YEAR, 3, 2)

    def stored(_rows_back: Any) -> list[tuple[dt.date, bool, str]]:
        return [(r.day, r.is_workday, r.name) for r in _overrides(services)]

    _refused_or_stored(
        db,
        HOLIDAYS,
        lambda: services.holidays.set_days(chief, first, last, is_workday, name),
        stored,
        [(first, is_workday, name.strip()), (last, is_workday, name.strip())],
        kept=lambda: _overrides(services),
    )


@given(
    names=st.tuples(st.none() | TEXT, st.none() | TEXT, st.none() | TEXT),
    title=TEXT,
)
@example(names=(" 元旦\u0301 ", None, "𠮷调休"), title=" 国务院办公厅关于\u202e的通知 ")
@FUZZ
def test_a_years_schedule_is_refused_or_stored_exactly(
    db: Database,
    services: Services,
    chief: SessionUser,
    names: tuple[str | None, str | None, str | None],
    title: str,
) -> None:
    plan = (
        (dt.date(YEAR, 1, 1), False, "元旦"),
        (dt.date(YEAR, 1, 2), False, "元旦"),
        (dt.date(YEAR, 1, 9), True, "元旦调休"),
    )
    typed = [
        (day, workday, default if name is None else name)
        for (day, workday, default), name in zip(plan, names, strict=True)
    ]
    days = [ScheduleDay(day, workday, name) for day, workday, name in typed]

    def stored(_rows_back: Any) -> tuple[list[tuple[dt.date, bool, str]], str]:
        action, after = _last_event(db)
        assert action == "calendar_year_confirmed"
        return [(r.day, r.is_workday, r.name) for r in _overrides(services)], after["title"]

    # The title is kept in the confirmation's audit event (the calendar has no other place).
    _refused_or_stored(
        db,
        HOLIDAYS,
        lambda: services.holidays.save_year(chief, YEAR, days, "notice", title),
        stored,
        ([(day, workday, name.strip()) for day, workday, name in typed], title.strip()),
        kept=lambda: _overrides(services),
    )
