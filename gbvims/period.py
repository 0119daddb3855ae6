"""Reporting periods: a fixed lattice of calendar months, quarters and years.

No date finer than the month is ever published, and no free start and end months either: two
free ranges could be subtracted (January–November minus August–November is July), so every
publishable period is one of the lattice's, whose overlaps disclosure control accounts for.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass


class PeriodError(ValueError):
    """The period cannot be used; ``code`` says why (the app words it in the user's language)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Period:
    start: dt.date  # first day of the first month
    end: dt.date  # last day of the last month
    label: str

    @property
    def months(self) -> int:
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    @property
    def kind(self) -> str:
        """ "month", "quarter" or "year": the period's level in the lattice."""
        return {1: "month", 3: "quarter", 12: "year"}[self.months]


def _month(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{4})-(\d{2})", text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise PeriodError("malformed")
    return int(match.group(1)), int(match.group(2))


def _last_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def parse(
    period: str | None = None, start: str | None = None, end: str | None = None, today: dt.date | None = None
) -> Period:
    """ "2026", "2026-Q3" or "2026-11". Free ``start`` and ``end`` months are refused ("fixed")."""
    today = today or dt.date.today()
    text = (period or "").strip().upper()
    if start or end:
        raise PeriodError("fixed")
    if text:
        if re.fullmatch(r"\d{4}", text):
            year = int(text)
            result = Period(dt.date(year, 1, 1), dt.date(year, 12, 31), text)
        elif match := re.fullmatch(r"(\d{4})-Q([1-4])", text):
            year, quarter = int(match.group(1)), int(match.group(2))
            first = 3 * quarter - 2
            result = Period(dt.date(year, first, 1), _last_day(year, first + 2), text)
        else:
            year, month = _month(text)
            result = Period(dt.date(year, month, 1), _last_day(year, month), text)
    else:
        raise PeriodError("unbounded")
    if result.start > today:
        raise PeriodError("future")
    if result.start.year < 2000:
        raise PeriodError("malformed")
    return result


def quarter_of(day: dt.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
