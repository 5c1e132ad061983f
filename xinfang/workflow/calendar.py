"""Feeds the administrators' holiday schedules (HolidaySchedule) into the deadline calendar."""

from __future__ import annotations

from datetime import date

from django.db import DatabaseError

from xinfang.cases.models import HolidaySchedule
from xinfang.lib.deadlines import WorkCalendar, default_calendar

_loaded = False


def parse_dates(text: str) -> set[date]:
    """One YYYY-MM-DD per line (commas and spaces also separate); raises ValueError on a bad date."""
    parts = text.replace(",", "\n").replace("，", "\n").split()
    return {date.fromisoformat(p.strip()) for p in parts if p.strip()}


def reload_calendar(calendar: WorkCalendar = default_calendar) -> None:
    global _loaded
    try:
        schedules = list(HolidaySchedule.objects.all())
    except DatabaseError:  # tables not migrated yet
        return
    for schedule in schedules:
        calendar.load_year(
            schedule.year, holidays=parse_dates(schedule.holidays), workdays=parse_dates(schedule.workdays)
        )
    _loaded = True


def calendar() -> WorkCalendar:
    if not _loaded:
        reload_calendar()
    return default_calendar


def unknown_year_warning(day: date) -> bool:
    """True when deadlines in ``day``'s year are counted on weekends only (no official schedule)."""
    return not calendar().knows(day.year)
