"""Statistical periods: month, quarter, 1–N months, year or custom dates, with a configurable
statistical-month boundary (some bureaus count a month from the 21st to the 20th: with
``month_start_day=21`` "March" runs from 21 February to 20 March)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta


def _shift_months(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def _safe_date(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def month_bounds(year: int, month: int, start_day: int = 1) -> tuple[date, date]:
    """First and last day of statistical month ``month`` of ``year``."""
    if start_day <= 1:
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    py, pm = _shift_months(year, month, -1)
    return _safe_date(py, pm, start_day), _safe_date(year, month, start_day) - timedelta(days=1)


def month_index(day: date, start_day: int = 1) -> int:
    """``year * 12 + month - 1`` of the statistical month containing ``day``."""
    index = day.year * 12 + day.month - 1
    return index + 1 if start_day > 1 and day.day >= start_day else index


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    # For whole statistical months: the first month (year, month) and how many months.
    first_month: tuple[int, int] | None = None
    months: int = 0
    start_day: int = 1

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("period ends before it starts")

    @classmethod
    def month_range(cls, year: int, first: int, last: int, start_day: int = 1) -> Period:
        """Months ``first``..``last`` of ``year`` (1–N months; a quarter; the whole year)."""
        if not 1 <= first <= last <= 12:
            raise ValueError("months must satisfy 1 <= first <= last <= 12")
        return cls(
            month_bounds(year, first, start_day)[0],
            month_bounds(year, last, start_day)[1],
            (year, first),
            last - first + 1,
            start_day,
        )

    @classmethod
    def month(cls, year: int, month: int, start_day: int = 1) -> Period:
        return cls.month_range(year, month, month, start_day)

    @classmethod
    def quarter(cls, year: int, quarter: int, start_day: int = 1) -> Period:
        return cls.month_range(year, 3 * quarter - 2, 3 * quarter, start_day)

    @classmethod
    def year(cls, year: int, start_day: int = 1) -> Period:
        return cls.month_range(year, 1, 12, start_day)

    @classmethod
    def custom(cls, start: date, end: date) -> Period:
        return cls(start, end)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous_year(self) -> Period:
        """The same period one year earlier (同比)."""
        if self.first_month is not None:
            year, month = self.first_month
            return Period.month_range(year - 1, month, month + self.months - 1, self.start_day)
        return Period(_year_back(self.start), _year_back(self.end))

    def previous(self) -> Period:
        """The period of the same length just before this one (环比)."""
        if self.first_month is not None:
            year, month = _shift_months(*self.first_month, -self.months)
            last_y, last_m = _shift_months(year, month, self.months - 1)
            start = month_bounds(year, month, self.start_day)[0]
            end = month_bounds(last_y, last_m, self.start_day)[1]
            return Period(start, end, (year, month), self.months, self.start_day)
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def month_indexes(self) -> list[int]:
        """The statistical months the period touches, as ``year * 12 + month - 1``."""
        first = month_index(self.start, self.start_day)
        last = month_index(self.end, self.start_day)
        return list(range(first, last + 1))

    def label(self) -> str:
        """How the seeds name a period: 「2024年1－9月份」, 「2024年3月份」, 「2024年」."""
        if self.first_month is not None:
            year, month = self.first_month
            if self.months == 12 and month == 1:
                return f"{year}年"
            if self.months == 1:
                return f"{year}年{month}月份"
            return f"{year}年{month}－{month + self.months - 1}月份"
        s, e = self.start, self.end
        return f"{s.year}年{s.month}月{s.day}日至{e.year}年{e.month}月{e.day}日"


def _year_back(day: date) -> date:
    return _safe_date(day.year - 1, day.month, day.day)


def period_from_dates(start: date, end: date, start_day: int = 1) -> Period:
    """A custom period, recognised as whole statistical months of one year when it is one (so that
    2024-01-01..2024-09-30 reads 「2024年1－9月份」 and compares by months)."""
    first_idx, last_idx = month_index(start, start_day), month_index(end, start_day)
    fy, fm = divmod(first_idx, 12)
    ly, lm = divmod(last_idx, 12)
    if (
        fy == ly
        and month_bounds(fy, fm + 1, start_day)[0] == start
        and month_bounds(ly, lm + 1, start_day)[1] == end
    ):
        return Period.month_range(fy, fm + 1, lm + 1, start_day)
    return Period.custom(start, end)
