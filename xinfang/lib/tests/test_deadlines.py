"""The 条例 calendar (shared/domain.md, "Counting days"): the start day does not count, a
calendar-day limit ending on a rest day moves to the next working day, and 工作日 count the
official schedule, 调休 working weekends included."""

import logging
from datetime import date

import pytest

from xinfang.lib.deadlines import WorkCalendar, due_date, working_days_between

# 条例第三十四条: 60 days to handle, one extension of at most 30 days.
HANDLING_DAYS = 60
EXTENSION_DAYS = 30
# 条例第二十二条 / 第二十三条: 15 days to decide and to tell the petitioner.
DECISION_DAYS = 15
# 条例第二十四条: an organ that is not competent objects within 5 working days.
OBJECTION_WORKING_DAYS = 5


# The worked examples of shared/domain.md.


def test_it_counts_the_60_day_handling_limit_article_34():
    assert due_date(date(2024, 3, 1), HANDLING_DAYS) == date(2024, 4, 30)


def test_it_adds_the_30_day_extension_to_the_handling_limit_article_34():
    assert due_date(date(2024, 3, 1), HANDLING_DAYS + EXTENSION_DAYS) == date(2024, 5, 30)


def test_it_rolls_the_15_day_decision_limit_past_a_saturday_article_22():
    # 2024-03-16 is a Saturday.
    assert due_date(date(2024, 3, 1), DECISION_DAYS) == date(2024, 3, 18)


def test_it_counts_the_5_working_day_objection_limit_article_24():
    # Friday 2024-03-01: the weekend 03-02/03 does not count.
    assert due_date(date(2024, 3, 1), OBJECTION_WORKING_DAYS, working_days=True) == date(2024, 3, 8)


# Month ends.


def test_it_counts_across_the_end_of_february_in_a_common_year():
    assert due_date(date(2023, 1, 31), 30) == date(2023, 3, 2)


def test_it_counts_across_the_end_of_february_in_a_leap_year():
    assert due_date(date(2024, 1, 31), 30) == date(2024, 3, 1)


def test_it_counts_a_limit_into_the_next_year():
    # 2023-12-01 + 30 = 2023-12-31 (Sunday); Monday 2024-01-01 is 元旦, so the limit is Tuesday 01-02.
    assert due_date(date(2023, 12, 1), 30) == date(2024, 1, 2)


# Statutory holidays.


@pytest.mark.parametrize("start", [date(2024, 9, 1), date(2024, 9, 3), date(2024, 9, 7)])
def test_it_rolls_the_handling_limit_past_national_day_article_34(start):
    # Lands on 2024-10-01, 10-03 and 10-07: all inside the 国庆 holiday 10-01..07.
    assert due_date(start, 30) == date(2024, 10, 8)


def test_it_rolls_a_limit_in_spring_festival_onto_the_adjusted_working_sunday():
    # 2024-01-12 + 30 = 2024-02-11, inside 春节 (02-10..17); the next working day is Sunday 02-18, a 调休 day.
    assert due_date(date(2024, 1, 12), 30) == date(2024, 2, 18)


def test_it_rolls_the_decision_limit_past_spring_festival_article_22():
    # 2024-02-01 + 15 = 2024-02-16 (Friday, but inside 春节).
    assert due_date(date(2024, 2, 1), DECISION_DAYS) == date(2024, 2, 18)


# 调休: weekend days that are official working days.


def test_it_keeps_a_limit_that_lands_on_a_working_sunday():
    # Sunday 2024-09-29 was worked (国庆 调休).
    assert due_date(date(2024, 8, 30), 30) == date(2024, 9, 29)


def test_it_keeps_a_limit_that_lands_on_a_working_saturday():
    # Saturday 2024-10-12 was worked (国庆 调休).
    assert due_date(date(2024, 9, 12), 30) == date(2024, 10, 12)


def test_it_counts_a_working_sunday_as_a_working_day():
    # From Friday 2024-09-27: 09-29 (Sun, worked), 09-30, then 国庆, then 10-08, 10-09, 10-10.
    assert due_date(date(2024, 9, 27), 5, working_days=True) == date(2024, 10, 10)


def test_it_counts_the_objection_limit_across_national_day_article_24():
    # Received Monday 2024-09-30: 10-01..07 are holidays; 10-08..11 and the worked Saturday 10-12 count.
    assert due_date(date(2024, 9, 30), OBJECTION_WORKING_DAYS, working_days=True) == date(2024, 10, 12)


def test_it_counts_the_objection_limit_across_spring_festival_article_24():
    # Received Thursday 2024-02-08: 02-09 (Fri), then 春节 02-10..17, then Sunday 02-18 (worked), 02-19..21.
    assert due_date(date(2024, 2, 8), OBJECTION_WORKING_DAYS, working_days=True) == date(2024, 2, 21)


# The start day.


def test_it_does_not_count_the_start_day():
    assert due_date(date(2024, 3, 4), 1) == date(2024, 3, 5)


def test_it_does_not_count_the_start_day_in_working_days():
    # Monday 2024-03-04, a working day itself, is not the first of the working days.
    assert due_date(date(2024, 3, 4), 1, working_days=True) == date(2024, 3, 5)


def test_it_counts_working_days_from_a_rest_day():
    # Received Saturday 2024-03-02: the first working day is Monday 03-04, the fifth Friday 03-08.
    assert due_date(date(2024, 3, 2), 5, working_days=True) == date(2024, 3, 8)


def test_it_refuses_a_negative_length():
    with pytest.raises(ValueError):
        due_date(date(2024, 3, 1), -1)


# Years the package does not know.


def test_it_falls_back_to_weekends_for_an_unknown_year(caplog):
    cal = WorkCalendar()
    with caplog.at_level(logging.WARNING, logger="xinfang.lib.deadlines"):
        # 2031-10-01 is a Wednesday; without the year's schedule it is an ordinary working day.
        assert due_date(date(2031, 9, 1), 30, calendar=cal) == date(2031, 10, 1)
        # 2031-10-04 is a Saturday: still a rest day.
        assert due_date(date(2031, 9, 4), 30, calendar=cal) == date(2031, 10, 6)
        assert due_date(date(2031, 9, 26), 5, working_days=True, calendar=cal) == date(2031, 10, 3)
    # Warned once for the year, not once for every date counted.
    assert [r.getMessage() for r in caplog.records] == [
        "no official holiday schedule for 2031; counting weekends only"
    ]


def test_it_does_not_know_2031_unless_supplied():
    calendar = WorkCalendar()
    assert calendar.knows(2024)
    assert not calendar.knows(2031)
    calendar.load_year(2031, holidays=set(), workdays=set())
    assert calendar.knows(2031)


def _national_day_2031() -> WorkCalendar:
    calendar = WorkCalendar()
    calendar.load_year(
        2031,
        holidays={date(2031, 10, d) for d in range(1, 8)},
        workdays={date(2031, 9, 28), date(2031, 10, 11)},  # a Sunday and a Saturday
    )
    return calendar


def test_it_uses_a_supplied_schedule_for_an_unknown_year():
    calendar = _national_day_2031()
    assert due_date(date(2031, 9, 1), 30, calendar=calendar) == date(2031, 10, 8)
    # A supplied 调休 Sunday is a working day: a limit landing there stays.
    assert due_date(date(2031, 8, 29), 30, calendar=calendar) == date(2031, 9, 28)
    assert due_date(date(2031, 9, 11), 30, calendar=calendar) == date(2031, 10, 11)


def test_it_counts_supplied_working_weekends_as_working_days():
    calendar = _national_day_2031()
    # From Friday 2031-09-26: 09-28 (Sun, worked), 09-29, 09-30, then the holiday, then 10-08, 10-09.
    assert due_date(date(2031, 9, 26), 5, working_days=True, calendar=calendar) == date(2031, 10, 9)


def test_it_keeps_weekends_as_rest_days_in_a_supplied_year():
    calendar = _national_day_2031()
    assert not calendar.is_workday(date(2031, 10, 18))  # an ordinary Saturday
    assert calendar.is_workday(date(2031, 10, 20))  # an ordinary Monday


def test_it_replaces_a_year_when_it_is_loaded_again():
    calendar = _national_day_2031()
    calendar.load_year(2031, holidays={date(2031, 10, 2)}, workdays=set())
    assert calendar.is_workday(date(2031, 10, 1))
    assert not calendar.is_workday(date(2031, 10, 2))
    assert not calendar.is_workday(date(2031, 9, 28))  # the earlier 调休 Sunday is gone


def test_it_ignores_days_of_other_years_when_loading_a_year():
    calendar = WorkCalendar()
    calendar.load_year(2031, holidays={date(2030, 12, 31)}, workdays={date(2032, 1, 3)})
    assert calendar.is_workday(date(2030, 12, 31))  # a Tuesday, not made a holiday of 2031
    assert not calendar.is_workday(date(2032, 1, 3))  # a Saturday, 2032 not supplied


def test_it_leaves_the_default_calendar_alone_when_another_is_loaded():
    _national_day_2031()
    assert due_date(date(2031, 9, 1), 30) == date(2031, 10, 1)


# working_days_between.


def test_it_counts_working_days_between_two_dates():
    assert working_days_between(date(2024, 3, 1), date(2024, 3, 8)) == 5


def test_it_counts_working_days_between_backwards_as_negative():
    assert working_days_between(date(2024, 3, 8), date(2024, 3, 1)) == -5


def test_it_counts_no_working_days_between_a_day_and_itself():
    assert working_days_between(date(2024, 3, 4), date(2024, 3, 4)) == 0


def test_it_counts_working_days_between_across_national_day():
    assert working_days_between(date(2024, 9, 30), date(2024, 10, 8)) == 1
    # 09-28 (Sat, rest), 09-29 (Sun, worked), 09-30.
    assert working_days_between(date(2024, 9, 27), date(2024, 9, 30)) == 2


def test_it_agrees_with_due_date_on_working_days():
    start = date(2024, 9, 30)
    assert working_days_between(start, due_date(start, 5, working_days=True)) == 5
