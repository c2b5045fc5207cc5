"""生僻字: the picker's lookup (pinyin, code point, same reading) and names holding such
characters searched by name and pinyin initials, and sorted by pinyin."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

import pytest

from app.core.clock import FixedClock
from app.core.dto import SessionUser
from app.core.identity import IdType, check_digit
from app.core.pinyin import initials, is_spelling, plain, readings, sort_key, spelled_as
from app.core.rare_chars import BLOCKS, candidate, lookup
from app.core.roles import Role
from app.services import Services
from app.visits.dto import NewVisit, VisitQuery
from app.visits.rules import Channel

JI = "\U00020bb7"  # 𠮷, Extension B, read jí: 吉 with 土 on top

# Characters of Extensions C to F that pypinyin's dictionary reads, and a reading of each.
KNOWN_EXTENSION_CHARS = {
    "\U0002a7dd": ("jì", "扩展C区"),  # 𪟝
    "\U0002b7e6": ("suì", "扩展D区"),  # 𫟦
    "\U0002c317": ("hé", "扩展E区"),  # 𬌗
    "\U0002c8d9": ("xū", "扩展E区"),  # 𬣙
    "\U0002d016": ("lí", "扩展F区"),  # 𭀖
    "\U0002e26a": ("zōu", "扩展F区"),  # 𮉪
}


def chars(query: str) -> str:
    return "".join(c.char for c in lookup(query).candidates)


# ---- the picker's lookup ---------------------------------------------------------------------


@pytest.mark.parametrize("query", ["U+20BB7", "u+20bb7", "20BB7", "u20bb7", " 20bb7 ", "0x20BB7"])
def test_ji_is_found_by_its_code_point(query: str) -> None:
    found = lookup(query)

    assert chars(query) == JI
    only = found.candidates[0]
    assert (only.code, only.code_label, only.block, only.readings) == (
        0x20BB7,
        "U+20BB7",
        "扩展B区",
        ("jí",),
    )
    assert found.message == f"编码 U+20BB7 是扩展B区的“{JI}”。"


def test_the_start_of_a_code_offers_the_sixteen_codes_it_begins() -> None:
    found = lookup("20BB")

    assert [c.code for c in found.candidates] == list(range(0x20BB0, 0x20BC0))
    assert "U+20BB 不是汉字" in found.message


@pytest.mark.parametrize("query", ["U+0041", "0041", "E815", "U+110000"])
def test_a_code_that_is_no_ideograph_finds_nothing_and_says_so(query: str) -> None:
    found = lookup(query)

    assert found.candidates == ()
    assert "不是汉字的编码" in found.message


@pytest.mark.parametrize("query", ["ji", "jí", "ji2", "JI2", "jí2"])
def test_ji_is_found_by_its_pinyin_with_or_without_the_tone(query: str) -> None:
    assert JI in chars(query)


def test_a_tone_narrows_the_candidates_and_another_tone_leaves_ji_out() -> None:
    any_tone, second, fourth = lookup("ji").candidates, lookup("ji2").candidates, lookup("jì")
    assert JI not in "".join(c.char for c in fourth.candidates)
    assert len(second) < len(any_tone)
    assert all(any(plain(r) == ("ji", 2) for r in c.readings) for c in second)
    assert "读 ji2 的字共" in lookup("ji2").message


def test_rarer_blocks_come_first_and_the_basic_block_last() -> None:
    """An input method types the basic block anyway: the extensions are what the picker is for."""
    found = lookup("ji").candidates
    ranks = {name: rank for _first, _last, name, rank in BLOCKS}
    order = [ranks[c.block] for c in found]

    assert order == sorted(order)
    assert found[0].block == "扩展B区" and found[-1].block == "基本区"
    assert "吉" in chars("ji") and all(not c.rare for c in found if c.char == "吉")


@pytest.mark.parametrize("char", list(KNOWN_EXTENSION_CHARS))
def test_extension_c_to_f_characters_the_dictionary_reads_are_found_by_pinyin(char: str) -> None:
    reading, block = KNOWN_EXTENSION_CHARS[char]
    syllable, tone = plain(reading)

    assert candidate(char) is not None and candidate(char).block == block  # type: ignore[union-attr]
    assert reading in readings(char)
    for query in (syllable, reading, f"{syllable}{tone}"):
        assert char in chars(query), query


def test_v_and_u_umlaut_both_spell_u_umlaut() -> None:
    assert chars("lv") == chars("lü") == chars("lu:")
    assert chars("nü3") == chars("nv3") and "女" in chars("nv3")
    assert "都在基本区" in lookup("nv3").message


def test_a_character_offers_itself_then_those_read_the_same_way() -> None:
    found = lookup("吉").candidates

    assert found[0].char == "吉"
    assert JI in "".join(c.char for c in found[1:])
    assert lookup(JI).candidates[0].char == JI
    # Same tone first: every jí character comes before the first jī, jǐ or jì one.
    tones = [min(plain(r)[1] for r in c.readings if plain(r)[0] == "ji") for c in found[1:]]
    assert tones.index(2) < min(tones.index(t) for t in (1, 3, 4) if t in tones)


@pytest.mark.parametrize("query", ["", "   ", "xyz", "hello", "吉祥", "abc!", "U+"])
def test_nothing_to_look_up_or_nothing_found_gives_a_chinese_message(query: str) -> None:
    found = lookup(query)

    assert found.candidates == ()
    assert found.message == "" if not query.strip() else found.message.endswith("。")


def test_the_start_of_a_syllable_asks_for_the_rest() -> None:
    found = lookup("zh")

    assert found.candidates == ()
    assert found.message.startswith("zh 还不是完整的拼音，请接着输入，如 zha、zhe、zhi")


def test_private_use_and_non_ideographs_are_never_offered() -> None:
    """The old GBK fonts' private-use code points have readings, but are no characters."""
    for syllable in ("ye", "zuo", "gun", "ling"):
        assert all(c.block for c in lookup(syllable).candidates)
        assert not any(0xE000 <= c.code <= 0xF8FF for c in lookup(syllable).candidates)
    assert "〇" not in chars("ling")


def test_a_query_after_the_first_takes_well_under_50_ms() -> None:
    lookup("ji")  # builds the index, once per process
    slowest = 0.0
    for query in ("yi", "yi4", "ji", "jí", "zhang", "U+20BB7", "20BB", "吉", "一", "lv3"):
        started = time.perf_counter()
        lookup(query)
        slowest = max(slowest, time.perf_counter() - started)
    assert slowest < 0.05


# ---- spelling and sorting names ----------------------------------------------------------------


def test_pinyin_reads_ji_and_spells_names_holding_it() -> None:
    assert readings(JI) == ("jí",)
    assert initials(f"{JI}祥") == "jx"
    for typed in ("j", "jx", "JX", "jix", "jixiang", "jxiang", "j x"):
        assert spelled_as(f"{JI}祥", typed), typed
    for typed in ("x", "jxx", "jixiangg", "zx", ""):
        assert not spelled_as(f"{JI}祥", typed), typed
    # Any reading of a character counts: 曾 is zēng as a family name, céng otherwise.
    assert spelled_as("曾伟", "zw") and spelled_as("曾伟", "cw")
    # A name the dictionary cannot read is spelled up to that character, not past it.
    assert spelled_as("王\U0002a70a明", "w") and not spelled_as("王\U0002a70a明", "wm")
    assert spelled_as("买买提·吐尔逊", "mmtte") and spelled_as("John Smith", "johnsm")


def test_what_counts_as_a_spelling() -> None:
    assert is_spelling("jx") and is_spelling(" JiXiang ") and is_spelling("John Smith")
    assert not is_spelling("") and not is_spelling("𠮷x") and not is_spelling("j2")


def test_names_sort_by_pinyin_with_extension_characters_among_their_reading() -> None:
    names = ["赵六", f"{JI}祥", "张三", "安娜", "纪明", "吉利", "Anna", "王\U0002a70a"]

    assert sorted(names, key=sort_key) == [
        "Anna",
        "安娜",
        "吉利",  # jí lì
        f"{JI}祥",  # jí xiáng
        "纪明",  # jì
        "王\U0002a70a",  # wáng, then a character without a known reading
        "张三",
        "赵六",
    ]


# ---- search through the visit service, on a real SQLite file ---------------------------------


def with_check(first17: str) -> str:
    return first17 + check_digit(first17)


@pytest.fixture
def registered(
    services: Services, chief: SessionUser, make_officer: Callable[..., SessionUser]
) -> Callable[..., int]:
    officer = make_officer(Role.WINDOW, "李明")
    item = next(row.item_id for row in services.catalogue.list_items())
    numbers = iter(range(101, 999))

    def register(name: str) -> int:  # each citizen with an ID number of their own
        id_number = with_check(f"11010519800101{next(numbers):03d}")
        form = NewVisit(name, IdType.RESIDENT, id_number, "13800138000", item, Channel.WINDOW)
        return services.visits.register(officer, form).row.id

    register.officer = officer  # type: ignore[attr-defined]
    return register


def test_a_name_with_ji_is_found_by_its_exact_name_and_by_its_pinyin(
    services: Services, registered: Callable[..., int], clock: FixedClock
) -> None:
    ji_xiang = registered(f"{JI}祥")
    jixiang = registered("吉祥")
    jixiang2 = registered("纪翔")
    zhang = registered("张伟")
    officer = registered.officer  # type: ignore[attr-defined]
    today = clock.now().date()

    def found(name: str, dates: bool = True) -> set[int]:
        query = VisitQuery(name=name, date_from=today - dt.timedelta(days=30), date_to=today)
        page = services.visits.search(officer, query if dates else VisitQuery(name=name))
        assert page.total == len(page.rows)
        return {row.id for row in page.rows}

    for dates in (True, False):
        assert found(f"{JI}祥", dates) == found(JI, dates) == {ji_xiang}
        assert found("吉", dates) == {jixiang}
        assert found("jx", dates) == found("JiXiang", dates) == {ji_xiang, jixiang, jixiang2}
        assert found("j", dates) == {ji_xiang, jixiang, jixiang2}
        assert found("zw", dates) == found("zhangwei", dates) == {zhang}
        assert found("jz", dates) == found("xyz", dates) == set()
    rows = services.visits.search(officer, VisitQuery(name="jx")).rows
    assert f"{JI}祥" in {row.citizen_name for row in rows}


def test_only_the_searched_dates_names_are_spelled(
    services: Services, registered: Callable[..., int], clock: FixedClock
) -> None:
    earlier = registered(f"{JI}祥")
    clock.advance(dt.timedelta(days=40))
    later = registered("纪翔")
    officer = registered.officer  # type: ignore[attr-defined]
    today = clock.now().date()

    month = VisitQuery(name="jx", date_from=today - dt.timedelta(days=30), date_to=today)
    assert [r.id for r in services.visits.search(officer, month).rows] == [later]
    everything = VisitQuery(name="jx")
    assert {r.id for r in services.visits.search(officer, everything).rows} == {earlier, later}
