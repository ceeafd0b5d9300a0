"""Dates and months. A month is the first day of the month; the budget year is
the calendar year."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal

MONTH_NAMES = [
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
]
MONTH_ABBR = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(day: dt.date, months: int) -> dt.date:
    """Shift by whole months, clamping the day (31 Jan + 1 month = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def months_between(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    """Every month start from ``first``'s month to ``last``'s month, inclusive."""
    current = month_start(first)
    stop = month_start(last)
    while current <= stop:
        yield current
        current = add_months(current, 1)


def year_months(year: int) -> list[dt.date]:
    return [dt.date(year, m, 1) for m in range(1, 13)]


def days_in_year(year: int) -> int:
    return 366 if calendar.isleap(year) else 365


def overlap_days(start: dt.date, end: dt.date | None, period_start: dt.date, period_end: dt.date) -> int:
    """Days (inclusive) that [start, end] shares with [period_start, period_end]."""
    lo = max(start, period_start)
    hi = min(end or period_end, period_end)
    return max(0, (hi - lo).days + 1)


def easter_sunday(year: int) -> dt.date:
    """Gregorian Easter (the anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def danish_public_holidays(year: int) -> dict[dt.date, str]:
    """Danish public holidays ("helligdage") of the year.

    Store Bededag was abolished from 2024. Christmas Eve, New Year's Eve and
    Constitution Day are not public holidays but are commonly days off; they
    are not counted here (the wage agreements treat them separately).
    """
    easter = easter_sunday(year)
    days = {
        dt.date(year, 1, 1): "Nytårsdag",
        easter - dt.timedelta(days=3): "Skærtorsdag",
        easter - dt.timedelta(days=2): "Langfredag",
        easter: "Påskedag",
        easter + dt.timedelta(days=1): "2. påskedag",
        easter + dt.timedelta(days=39): "Kristi himmelfartsdag",
        easter + dt.timedelta(days=49): "Pinsedag",
        easter + dt.timedelta(days=50): "2. pinsedag",
        dt.date(year, 12, 25): "Juledag",
        dt.date(year, 12, 26): "2. juledag",
    }
    if year < 2024:
        days[easter + dt.timedelta(days=26)] = "Store bededag"
    return dict(sorted(days.items()))


def weekday_public_holidays(year: int) -> int:
    """The public holidays that fall on Monday–Friday: the ones that cost roster hours."""
    return sum(1 for day in danish_public_holidays(year) if day.weekday() < 5)


def format_month(day: dt.date) -> str:
    return f"{MONTH_NAMES[day.month - 1]} {day.year}"


def selectable_years(shown: int | None = None, *, first: int | None = None, today: dt.date | None = None) -> list[int]:
    """The years a year selector offers, oldest first: every year from the
    first year with data (``first``; at least five years back) to one year
    ahead of today, and always the year shown (``?aar=2019`` selects 2019)."""
    today = today or dt.date.today()
    low = today.year - 5
    if first is not None:
        low = min(low, first)
    high = today.year + 1
    if shown is not None:
        low, high = min(low, shown), max(high, shown)
    return list(range(low, high + 1))


def days_between(start: dt.datetime | None, end: dt.datetime | None) -> Decimal | None:
    """Elapsed days with one decimal (half up), or None when the cycle is not complete."""
    if start is None or end is None:
        return None
    seconds = Decimal((end - start).total_seconds())
    return (seconds / Decimal(86400)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
