"""The day a customer of a shop names, as a date in the shop's time zone: 周六, 下周二, 明天, 6月21日, 2025-06-21, Saturday.

A booking tool shows the date it read ("周六" → 2025-06-21) in the proposal the
customer confirms, so a wrong reading is caught before anything is booked. A
weekday alone means its next occurrence after today ("周六" said on a Saturday
is the following Saturday: a visit is not booked for the same day by naming
it); 下周X is that day of next week (weeks start on Monday); a month and day
without a year is the next such day from today.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS_ZH = {
    "一": 0,
    "二": 1,
    "三": 2,
    "四": 3,
    "五": 4,
    "六": 5,
    "日": 6,
    "天": 6,
    "1": 0,
    "2": 1,
    "3": 2,
    "4": 3,
    "5": 4,
    "6": 5,
    "7": 6,
}
WEEKDAYS_EN = {
    name: index for index, name in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))
}
RELATIVE_DAYS = {"今天": 0, "今日": 0, "today": 0, "明天": 1, "明日": 1, "tomorrow": 1, "后天": 2, "大后天": 3}

_FULL = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?$")
_MONTH_DAY = re.compile(r"^(\d{1,2})\s*[月/-]\s*(\d{1,2})\s*[日号]?$")
_WEEKDAY_ZH = re.compile(r"^(下下|下|这|本)?(?:个)?(?:周|星期|礼拜)([一二三四五六日天1-7])$")
_WEEKDAY_EN = re.compile(r"^(next |this )?(" + "|".join(WEEKDAYS_EN) + r")$")
# The same expressions inside a sentence ("预约周六安装", "改到下周二上午", "book it for next Monday").
_IN_TEXT = re.compile(
    r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*[日号]?(?!\d)"
    r"|(?<!\d)\d{1,2}\s*月\s*\d{1,2}\s*[日号]"
    r"|(?:下下|下|这|本)?个?(?:周|星期|礼拜)[一二三四五六日天1-7]"
    r"|大后天|后天|明天|明日|今天|今日"
    r"|\b(?:tomorrow|today|(?:next |this )?(?:" + "|".join(WEEKDAYS_EN) + r"))\b",
    re.IGNORECASE,
)


def said_day(text: str) -> str | None:
    """The first day a message names, as said ("周六" of "预约周六安装"), for `day_of` to read; None: it names none."""
    match = _IN_TEXT.search(text)
    return match.group(0).strip() if match else None


def today_in(time_zone: str) -> date:
    return datetime.now(ZoneInfo(time_zone)).date()


def day_of(text: str, time_zone: str, *, today: date | None = None) -> date:
    """The date `text` names, counted from today in `time_zone`; ValueError when it names none."""
    now = today or today_in(time_zone)
    said = re.sub(r"\s+", " ", text.strip().lower()).replace("（", "(").split("(")[0].strip()
    if said in RELATIVE_DAYS:
        return now + timedelta(days=RELATIVE_DAYS[said])
    if match := _FULL.match(said):
        return _date(int(match[1]), int(match[2]), int(match[3]), text)
    if match := _MONTH_DAY.match(said):
        month, day = int(match[1]), int(match[2])
        candidate = _date(now.year, month, day, text)
        return candidate if candidate >= now else _date(now.year + 1, month, day, text)
    if match := _WEEKDAY_ZH.match(said.replace(" ", "")):
        return _weekday(
            now, WEEKDAYS_ZH[match[2]], {"下": 1, "下下": 2}.get(match[1] or "", 0), this_week=match[1] in ("这", "本")
        )
    if match := _WEEKDAY_EN.match(said):
        return _weekday(now, WEEKDAYS_EN[match[2]], 0, this_week=match[1] == "this ")
    raise ValueError(f"{text!r} is not a date: give one such as 2025-06-21, 6月21日, 周六 or 下周二")


def _weekday(now: date, weekday: int, weeks_ahead: int, *, this_week: bool) -> date:
    monday = now - timedelta(days=now.weekday())
    if this_week:
        return monday + timedelta(days=weekday)
    if weeks_ahead:
        return monday + timedelta(days=7 * weeks_ahead + weekday)
    return now + timedelta(days=(weekday - now.weekday() - 1) % 7 + 1)


def _date(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"{text!r} is not a date of the calendar") from None
