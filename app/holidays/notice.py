"""Reads a pasted State Council holiday notice (国务院办公厅关于YYYY年部分节假日安排的通知)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from app.core.errors import ValidationError
from app.core.workdays import ScheduleDay

FIELD = "text"
WEEKDAYS = "一二三四五六日"
_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"两": 2}

# The text is NFKC-normalised first, so full-width punctuation and digits arrive half-width.
_TITLE = re.compile(r"国务院办公厅关于\s*(\d{4})\s*年\s*部分节假日安排的通知")
_YEAR_SOURCES = (
    re.compile(r"关于\s*(\d{4})\s*年\s*部分节假日安排"),
    re.compile(r"现将\s*(\d{4})\s*年"),
)
_FULL_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_DATE = re.compile(
    r"(?:(?P<y>\d{4})\s*年\s*)?(?:(?P<m>\d{1,2})\s*月\s*)?(?P<d>\d{1,2})\s*日"
    r"(?:\s*\((?P<note>[^()]*)\))?"
)
_WEEKDAY_NOTE = re.compile(r"(?:周|星期|礼拜)([一二三四五六日天])")
_RANGE_JOINER = re.compile(r"^\s*(?:至|到|-|–|—|~|〜)\s*$")
_COUNT = re.compile(r"共\s*([0-9]+|[零一二两三四五六七八九十]+)\s*天")
_ITEM_MARK = re.compile(r"^[一二三四五六七八九十]{1,3}\s*[、.]\s*")
_ITEM = re.compile(r"^(?P<name>[^:,;。()]{1,30}?)\s*:\s*(?P<body>.+)$")
# A new numbered item, or the signature, inside one pasted line (text copied without breaks).
_ITEM_BREAK = re.compile(
    r"(?<=[。:;])\s*(?=[一二三四五六七八九十]{1,3}、[^:。,]{1,30}?:|国务院办公厅\s*\d{4}\s*年)"
)
_HOLIDAY_WORDS = ("放假", "补休", "休假")
_WORKDAY_WORDS = ("上班",)
# Advice in a notice (鼓励…安排职工在除夕休息) is not part of the schedule.
_ADVICE_WORDS = ("鼓励", "建议")


@dataclass(frozen=True, slots=True)
class ParsedNotice:
    """A year's schedule read from the notice, with its title and date when they were pasted."""

    year: int
    days: tuple[ScheduleDay, ...]
    title: str = ""
    issued: dt.date | None = None

    @property
    def holidays(self) -> tuple[ScheduleDay, ...]:
        """The days off (放假), weekends inside a holiday run included."""
        return tuple(d for d in self.days if not d.is_workday)

    @property
    def workdays(self) -> tuple[ScheduleDay, ...]:
        """The make-up working days (调休上班)."""
        return tuple(d for d in self.days if d.is_workday)


@dataclass(frozen=True, slots=True)
class _Line:
    number: int
    shown: str  # as the user pasted it, to quote in an error
    text: str


def parse_notice(text: str) -> ParsedNotice:
    """Holidays and make-up working days of the notice in ``text``.

    Raises ValidationError naming the line it could not read, a "共N天" that disagrees with its
    dates, a weekday in brackets that disagrees with the date, or a missing year.
    """
    if not text or not text.strip():
        raise ValidationError("请粘贴国务院办公厅关于节假日安排的通知全文。", FIELD)
    lines = _lines(text)
    year = _year(lines)
    days: dict[dt.date, ScheduleDay] = {}
    items = 0
    for line in lines:
        item = _item(line)
        if item is None:
            _refuse_unread_schedule(line)
            continue
        items += 1
        name, body = item
        for entry in _parse_item(line, year, name, body):
            known = days.get(entry.day)
            if known is not None and known.is_workday != entry.is_workday:
                raise _line_error(line, f"{_md(entry.day)}既写了放假又写了上班，请核对。")
            days.setdefault(entry.day, entry)
    if not items:
        raise ValidationError(
            "没有找到放假安排：请粘贴通知中“一、元旦：……”这样逐条写明日期的内容。", FIELD
        )
    title_match = next((m for line in lines if (m := _TITLE.search(line.text))), None)
    title = f"国务院办公厅关于{title_match.group(1)}年部分节假日安排的通知" if title_match else ""
    return ParsedNotice(year, tuple(days[d] for d in sorted(days)), title, _issued(lines, year))


def _lines(text: str) -> list[_Line]:
    lines: list[_Line] = []
    for number, original in enumerate(text.splitlines(), start=1):
        normal = unicodedata.normalize("NFKC", original).strip()
        if not normal:
            continue
        parts = [p.strip() for p in _ITEM_BREAK.split(normal) if p.strip()]
        for part in parts:
            lines.append(_Line(number, original.strip() if len(parts) == 1 else part, part))
    return lines


def _year(lines: list[_Line]) -> int:
    found: list[int] = []
    for pattern in _YEAR_SOURCES:
        for line in lines:
            found += [int(m.group(1)) for m in pattern.finditer(line.text)]
    years = sorted(set(found))
    if not years:
        raise ValidationError(
            "没有找到年份：请连同通知标题（如“国务院办公厅关于2027年部分节假日安排的通知”）"
            "或第一段（“现将2027年……”）一起粘贴。",
            FIELD,
        )
    if len(years) > 1:
        listed = "、".join(f"{y}年" for y in years)
        raise ValidationError(
            f"粘贴的内容含有不同年份（{listed}）的通知，请一次只粘贴一份。", FIELD
        )
    return years[0]


def _issued(lines: list[_Line], year: int) -> dt.date | None:
    """The date under the signature: the last full date on a line that is not a schedule."""
    issued: dt.date | None = None
    for line in lines:
        if _item(line) is not None or _has_any(line.text, _HOLIDAY_WORDS + _WORKDAY_WORDS):
            continue
        for m in _FULL_DATE.finditer(line.text):
            try:
                day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                continue
            if year - 1 <= day.year <= year:
                issued = day
    return issued


def _item(line: _Line) -> tuple[str, str] | None:
    """(name, body) when the line is one numbered item of the schedule."""
    text = _ITEM_MARK.sub("", line.text, count=1)
    m = _ITEM.match(text)
    if m is None:
        return None
    body = m.group("body")
    if not _DATE.search(body) or not _has_any(body, _HOLIDAY_WORDS + _WORKDAY_WORDS):
        return None
    return m.group("name").strip(), body


def _refuse_unread_schedule(line: _Line) -> None:
    """A line that names dates and 放假/上班 but is not in the notice's item form."""
    if _has_any(line.text, _ADVICE_WORDS):
        return
    if _DATE.search(line.text) and _has_any(line.text, _HOLIDAY_WORDS + _WORKDAY_WORDS):
        raise _line_error(
            line, "读不懂这一行。请保持通知原文“一、元旦：1月1日至3日放假调休，共3天。……”的写法。"
        )


def _parse_item(line: _Line, year: int, name: str, body: str) -> list[ScheduleDay]:
    days: list[ScheduleDay] = []
    context = _Context(year)
    for sentence in re.split(r"[。;]", body):
        if not sentence.strip() or _has_any(sentence, _ADVICE_WORDS):
            continue
        pending: list[dt.date] = []
        holidays_so_far: list[dt.date] = []
        for clause in _clauses(sentence):
            found = _dates(line, clause, context)
            if _has_any(clause, _WORKDAY_WORDS):
                days += [ScheduleDay(d, True, _workday_name(name)) for d in pending + found]
                pending = []
            elif _has_any(clause, _HOLIDAY_WORDS):
                run = pending + found
                if not run:
                    raise _line_error(line, f"“{clause.strip()}”没有写明日期。")
                days += [ScheduleDay(d, False, name) for d in run]
                holidays_so_far += run
                pending = []
            else:
                pending += found
            count = _COUNT.search(clause)
            if count is not None:
                _check_count(line, name, _number(count.group(1)), holidays_so_far)
        if pending:
            raise _line_error(line, f"“{sentence.strip()}”没有写明这些日期是放假还是上班。")
    if not days:
        raise _line_error(line, "没有读出任何日期。")
    return days


class _Context:
    """The year and month a date without them belongs to (“1月1日至3日”)."""

    def __init__(self, year: int) -> None:
        self.notice_year = year
        self.year = year
        self.month: int | None = None


def _clauses(sentence: str) -> list[str]:
    """The sentence split at commas that are not inside brackets."""
    parts: list[str] = []
    depth = 0
    current = ""
    for char in sentence:
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return [p for p in parts if p.strip()]


def _dates(line: _Line, clause: str, context: _Context) -> list[dt.date]:
    """Every day the clause names; "A至B" gives every day from A to B."""
    matches = list(_DATE.finditer(clause))
    days: list[dt.date] = []
    index = 0
    while index < len(matches):
        first = _date(line, matches[index], context)
        following = matches[index + 1] if index + 1 < len(matches) else None
        if following is not None and _RANGE_JOINER.match(
            clause[matches[index].end() : following.start()]
        ):
            last = _date(line, following, context, after=first)
            if last < first:
                raise _line_error(line, f"{_md(last)}早于{_md(first)}，请核对日期。")
            if (last - first).days > 31:
                raise _line_error(line, f"{_md(first)}至{_md(last)}超过一个月，请核对日期。")
            days += [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
            index += 2
        else:
            days.append(first)
            index += 1
    return days


def _date(
    line: _Line, m: re.Match[str], context: _Context, after: dt.date | None = None
) -> dt.date:
    year_text, month_text, day_text = m.group("y"), m.group("m"), m.group("d")
    if month_text is None and context.month is None:
        raise _line_error(line, f"“{m.group(0)}”没有写月份。")
    month = int(month_text) if month_text else context.month
    assert month is not None
    year = int(year_text) if year_text else context.year
    if year_text is None and after is not None and month < after.month:
        year = after.year + 1  # “12月31日至1月2日” runs into the next year
    try:
        day = dt.date(year, month, int(day_text))
    except ValueError:
        raise _line_error(line, f"没有“{year}年{month}月{day_text}日”这一天，请核对。") from None
    if abs(day.year - context.notice_year) > 1:
        raise _line_error(
            line, f"{day.year}年{_md(day)}不在{context.notice_year}年前后，请核对年份。"
        )
    context.year, context.month = day.year, day.month
    note = m.group("note") or ""
    weekday = _WEEKDAY_NOTE.search(note)
    if weekday is not None:
        written = weekday.group(1).replace("天", "日")
        actual = WEEKDAYS[day.weekday()]
        if written != actual:
            raise _line_error(
                line,
                f"通知写{_md(day)}是星期{written}，但{day.year}年{_md(day)}是星期{actual}，"
                "请核对年份和日期。",
            )
    return day


def _check_count(line: _Line, name: str, written: int, holidays: list[dt.date]) -> None:
    actual = len(set(holidays))
    if not holidays or written != actual:
        span = f"{_md(min(holidays))}至{_md(max(holidays))}是{actual}天" if holidays else "没有日期"
        raise _line_error(line, f"{name}写“共{written}天”，但{span}，请核对。")


def _number(text: str) -> int:
    if text.isdigit():
        return int(text)
    if "十" not in text:
        return _CN_DIGITS.get(text, -1)
    tens, _, ones = text.partition("十")
    high = _CN_DIGITS.get(tens, -1) if tens else 1
    return high * 10 + (_CN_DIGITS.get(ones, -1) if ones else 0)


def _workday_name(name: str) -> str:
    """The make-up day's name as the library gives it (春节 → 春节调休)."""
    return name if name.endswith("调休") else (name + "调休")[:30]


def _has_any(text: str, words: tuple[str, ...]) -> bool:
    return any(word in text for word in words)


def _md(day: dt.date) -> str:
    return f"{day.month}月{day.day}日"


def _line_error(line: _Line, reason: str) -> ValidationError:
    shown = line.shown if len(line.shown) <= 40 else line.shown[:40] + "……"
    return ValidationError(f"第{line.number}行：{reason}\n原文：“{shown}”", FIELD)
