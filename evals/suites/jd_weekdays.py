"""Weekdays as the Chinese shop's customers and records say them: 周六, 星期天, 礼拜三, 下周二, Saturday, or a date.

service.json books a visit by weekday (`预约日期: 周六`); a commerce service may store a word or an ISO date. The eval
set compares ISO weekdays (1 Monday … 7 Sunday), whatever form the value takes.
"""

from __future__ import annotations

import re
from datetime import date, datetime

_DAYS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "日": 7, "天": 7, "末": 6}
_CHINESE = re.compile(r"(?:周|星期|礼拜)([一二三四五六日天])")
_ENGLISH = {name: number for number, name in enumerate(
    ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"), start=1)}  # fmt: skip
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def weekdays_in(text: str) -> set[int]:
    """Every weekday a text names (Chinese or English words)."""
    found = {_DAYS[m] for m in _CHINESE.findall(text)}
    lowered = text.lower()
    found |= {number for name, number in _ENGLISH.items() if name in lowered}
    return found


def weekday_of(value: object) -> int | None:
    """The ISO weekday of a stored appointment date: a weekday word, an ISO date or date-time, a date; None if none."""
    if isinstance(value, datetime | date):
        return value.isoweekday()
    if isinstance(value, int) and 1 <= value <= 7:
        return value
    if not isinstance(value, str):
        return None
    match = _ISO_DATE.search(value)
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3])).isoweekday()
        except ValueError:
            return None
    days = weekdays_in(value)
    return days.pop() if len(days) == 1 else None
