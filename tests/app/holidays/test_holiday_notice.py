"""Reading the State Council's holiday notice pasted as text, checked against chinesecalendar."""

from __future__ import annotations

import datetime as dt

import pytest

from app.core.errors import ValidationError
from app.core.workdays import ScheduleDay, library_special_days
from app.holidays.notice import parse_notice

D = dt.date

# 国办发明电〔2025〕7号, as published on www.gov.cn on 4 November 2025.
NOTICE_2026 = """国务院办公厅关于2026年部分节假日安排的通知

各省、自治区、直辖市人民政府，国务院各部委、各直属机构：

　　经国务院批准，现将2026年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。

　　一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。

　　二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。

　　三、清明节：4月4日（周六）至6日（周一）放假，共3天。

　　四、劳动节：5月1日（周五）至5日（周二）放假调休，共5天。5月9日（周六）上班。

　　五、端午节：6月19日（周五）至21日（周日）放假，共3天。

　　六、中秋节：9月25日（周五）至27日（周日）放假，共3天。

　　七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）、10月10日（周六）上班。

　　鼓励单位和个人结合落实带薪年休假等制度，实际形成较长假期，推动错峰出行。节假日期间，各地区、各部门要妥善安排好值班和安全、保卫、疫情防控等工作，遇有重大突发事件，要按规定及时报告并妥善处置，确保人民群众祥和平安度过节日假期。

　　国务院办公厅

　　2025年11月4日
"""

# 国办发明电〔2016〕17号, issued on 1 December 2016: the older style (星期, 补休, 与周末连休).
NOTICE_2017 = """国务院办公厅关于2017年部分节假日安排的通知
国办发明电〔2016〕17号
各省、自治区、直辖市人民政府，国务院各部委、各直属机构：
经国务院批准，现将2017年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。
一、元旦：1月1日放假，1月2日（星期一）补休。
二、春节：1月27日至2月2日放假调休，共7天。1月22日（星期日）、2月4日（星期六）上班。
三、清明节：4月2日至4日放假调休，共3天。4月1日（星期六）上班。
四、劳动节：5月1日放假，与周末连休。
五、端午节：5月28日至30日放假调休，共3天。5月27日（星期六）上班。
六、中秋节、国庆节：10月1日至8日放假调休，共8天。9月30日（星期六）上班。
节假日期间，各地区、各部门要妥善安排好值班和安全、保卫等工作，遇有重大突发事件，要按规定及时报告并妥善处置，确保人民群众祥和平安度过节日假期。
国务院办公厅
2016年12月1日
"""


def kinds(days: tuple[ScheduleDay, ...] | list[tuple[dt.date, bool, str]]) -> set[tuple[D, bool]]:
    """(day, is_workday) pairs, from either the parser or the library."""
    return {(d.day, d.is_workday) if isinstance(d, ScheduleDay) else (d[0], d[1]) for d in days}


def test_the_2026_notice_agrees_with_chinesecalendar_day_for_day_and_name_for_name() -> None:
    notice = parse_notice(NOTICE_2026)

    assert notice.year == 2026
    assert notice.title == "国务院办公厅关于2026年部分节假日安排的通知"
    assert notice.issued == D(2025, 11, 4)
    library = library_special_days(2026)
    assert [(d.day, d.is_workday, d.name) for d in notice.days] == library
    assert len(notice.holidays) == 33
    assert [d.day for d in notice.workdays] == [
        D(2026, 1, 4),
        D(2026, 2, 14),
        D(2026, 2, 28),
        D(2026, 5, 9),
        D(2026, 9, 20),
        D(2026, 10, 10),
    ]
    # Weekends inside a run are listed as holidays, as the library lists them.
    assert ScheduleDay(D(2026, 1, 3), False, "元旦") in notice.holidays


def test_the_2017_notice_agrees_with_chinesecalendar_day_for_day() -> None:
    notice = parse_notice(NOTICE_2017)

    assert (notice.year, notice.issued) == (2017, D(2016, 12, 1))
    assert kinds(notice.days) == kinds(library_special_days(2017))
    # 补休 is a day off; "与周末连休" adds no day; a joint item keeps its joint name.
    assert ScheduleDay(D(2017, 1, 2), False, "元旦") in notice.holidays
    assert [d.day for d in notice.days if d.name == "劳动节"] == [D(2017, 5, 1)]
    assert ScheduleDay(D(2017, 9, 30), True, "中秋节、国庆节调休") in notice.workdays
    assert len([d for d in notice.holidays if d.name == "中秋节、国庆节"]) == 8


def test_text_pasted_without_line_breaks_reads_the_same() -> None:
    flat = NOTICE_2026.replace("\n", "")

    assert parse_notice(flat) == parse_notice(NOTICE_2026)


def test_half_width_punctuation_and_full_width_digits_read_the_same() -> None:
    half = (
        NOTICE_2026.replace("：", ":")
        .replace("，", ",")
        .replace("（", "(")
        .replace("）", ")")
        .replace("1月1日", "１月１日")
    )

    assert parse_notice(half).days == parse_notice(NOTICE_2026).days


def test_a_range_may_cross_a_month_and_a_year() -> None:
    notice = parse_notice(
        "现将2022年元旦、劳动节放假调休日期的具体安排通知如下。\n"
        "一、元旦：2021年12月31日至2022年1月2日放假，共3天。\n"
        "二、劳动节：4月30日至5月4日放假调休，共5天。4月24日（星期日）、5月7日（星期六）上班。"
    )

    assert [d.day for d in notice.holidays] == [
        D(2021, 12, 31),
        D(2022, 1, 1),
        D(2022, 1, 2),
        D(2022, 4, 30),
        D(2022, 5, 1),
        D(2022, 5, 2),
        D(2022, 5, 3),
        D(2022, 5, 4),
    ]
    assert [d.day for d in notice.workdays] == [D(2022, 4, 24), D(2022, 5, 7)]
    assert notice.title == ""
    assert notice.issued is None


def test_advice_to_rest_on_new_years_eve_is_not_part_of_the_schedule() -> None:
    notice = parse_notice(
        "国务院办公厅关于2024年部分节假日安排的通知\n"
        "二、春节：2月10日至17日放假调休，共8天。2月4日（星期日）、2月18日（星期日）上班。"
        "鼓励各单位结合带薪年休假等制度落实，安排职工在除夕（2月9日）休息。"
    )

    assert kinds(notice.days) == {(d, w) for d, w, _ in library_special_days(2024) if d.month == 2}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("共8天", "共7天"), ["第10行", "共7天", "10月1日至10月8日是8天"]),
        (("10月1日至8日", "0月1日至8日"), ["第10行", "2017年0月1日"]),
        (("1月2日（星期一）", "1月2日（星期二）"), ["第5行", "星期二", "星期一", "核对年份"]),
        (("、2月4日（星期六）上班", "、2月4日（星期六）"), ["第6行", "放假还是上班"]),
        (("三、清明节：", "三、清明节 "), ["第7行", "读不懂"]),
        (("9月30日（星期六）上班", "10月1日（星期日）上班"), ["第10行", "既写了放假又写了上班"]),
    ],
    ids=["count", "no_such_day", "weekday", "no_kind", "not_an_item", "both_kinds"],
)
def test_a_line_that_cannot_be_read_is_named_in_chinese(
    change: tuple[str, str], expected: list[str]
) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_notice(NOTICE_2017.replace(*change))

    assert caught.value.field == "text"
    for part in expected:
        assert part in caught.value.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "请粘贴"),
        ("一、元旦：1月1日至3日放假，共3天。", "没有找到年份"),
        ("国务院办公厅关于2027年部分节假日安排的通知\n全文另行发布。", "没有找到放假安排"),
        (NOTICE_2017 + NOTICE_2026, "不同年份"),
    ],
    ids=["empty", "no_year", "no_items", "two_notices"],
)
def test_text_without_a_usable_notice_is_refused(text: str, expected: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_notice(text)

    assert expected in caught.value.message
