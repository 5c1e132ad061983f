"""The deadline calendar: one pure function for every time limit of 《信访工作条例》.

The rule (shared/domain.md, following 《民法典》第二百零一、二百零三条):
- the start day does not count;
- a limit in calendar days (日) that ends on a rest day moves to the next working day;
- a limit in working days (工作日, 条例第二十三条第三款: 异议 within 5 working days) counts official working days only.
Rest days come from the official schedule, including 调休 working weekends. Years that the
``chinese_calendar`` package does not know can be supplied by administrators
(``WorkCalendar.load_year``); an unknown year falls back to weekends only and never raises.
"""

from __future__ import annotations

import functools
import logging
import threading
from dataclasses import dataclass, field
from datetime import date, timedelta

import chinese_calendar

log = logging.getLogger(__name__)


@functools.cache
def _package_years() -> tuple[int, int]:
    known = list(chinese_calendar.holidays) + list(chinese_calendar.workdays)
    return min(known).year, max(known).year


@dataclass
class WorkCalendar:
    """Which days are working days. ``overrides`` maps a date to True (working) / False (rest);
    years in ``supplied_years`` are fully described by overrides + weekends."""

    overrides: dict[date, bool] = field(default_factory=dict)
    supplied_years: set[int] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _warned: set[int] = field(default_factory=set, repr=False)

    def load_year(self, year: int, *, holidays: set[date], workdays: set[date]) -> None:
        """Enter the State Council's schedule for ``year``: the statutory holidays and the
        调休 weekend days that are worked."""
        with self._lock:
            for day in [d for d in self.overrides if d.year == year]:
                del self.overrides[day]
            self.overrides.update({d: False for d in holidays if d.year == year})
            self.overrides.update({d: True for d in workdays if d.year == year})
            self.supplied_years.add(year)

    def knows(self, year: int) -> bool:
        first, last = _package_years()
        return year in self.supplied_years or first <= year <= last

    def is_workday(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if day.year in self.supplied_years:
            return day.weekday() < 5
        try:
            return _package_workday(day)
        except NotImplementedError:
            if day.year not in self._warned:  # once per year and process, not once per date
                self._warned.add(day.year)
                log.warning("no official holiday schedule for %s; counting weekends only", day.year)
            return day.weekday() < 5


@functools.lru_cache(maxsize=4096)
def _package_workday(day: date) -> bool:
    """The package's answer, which never changes within a process (its data is in the code)."""
    return bool(chinese_calendar.is_workday(day))


default_calendar = WorkCalendar()


def due_date(
    start: date, days: int, *, working_days: bool = False, calendar: WorkCalendar | None = None
) -> date:
    """The last day of a time limit of ``days`` starting on ``start`` (start day not counted).

    >>> due_date(date(2024, 3, 1), 60)
    datetime.date(2024, 4, 30)
    >>> due_date(date(2024, 3, 1), 15)      # 03-16 is a Saturday
    datetime.date(2024, 3, 18)
    >>> due_date(date(2024, 3, 1), 5, working_days=True)
    datetime.date(2024, 3, 8)
    """
    if days < 0:
        raise ValueError("days must not be negative")
    cal = calendar or default_calendar
    if working_days:
        day, left = start, days
        while left > 0:
            day += timedelta(days=1)
            if cal.is_workday(day):
                left -= 1
        return day
    day = start + timedelta(days=days)
    while not cal.is_workday(day):
        day += timedelta(days=1)
    return day


def working_days_between(start: date, end: date, *, calendar: WorkCalendar | None = None) -> int:
    """Working days after ``start`` up to and including ``end`` (negative if ``end`` is earlier)."""
    cal = calendar or default_calendar
    sign = 1 if end >= start else -1
    lo, hi = (start, end) if sign == 1 else (end, start)
    count = sum(1 for i in range(1, (hi - lo).days + 1) if cal.is_workday(lo + timedelta(days=i)))
    return sign * count
