"""The statistics paragraph: seed style, 增长/下降 and 增加/减少 from the sign, 持平, zero counts."""

from __future__ import annotations

from datetime import date

import pytest

from xinfang.stats.paragraph import change, pct, statistics_paragraph
from xinfang.stats.periods import Period
from xinfang.stats.selectors import Scope
from xinfang.stats.tests.builders import items, visits

pytestmark = pytest.mark.django_db

NINE_MONTHS = Period.month_range(2024, 1, 9)
THIS, LAST = date(2024, 5, 1), date(2023, 5, 1)


def text(world, period=NINE_MONTHS):
    return statistics_paragraph(scope=Scope(world.city, subtree=True), period=period)


def test_it_writes_the_seed_004_sentence(world):
    visits(world, 3, persons=5, received_at=THIS, registering_unit=world.city_bureau)
    visits(world, 2, persons=2, visit_level="city", received_at=THIS)
    visits(world, 1, persons=1, visit_level="national", received_at=THIS)
    items(world, "letter", 4, received_at=THIS)
    items(world, "online", 2, received_at=THIS)
    got = text(world)
    assert got.startswith(
        "2024年1－9月份，我市本级共接待来访群众3批，15人次；到市访2批4人次；无赴省访；进京访1批1人次。"
        "共办理群众来信4件、网信2件。"
    )


def test_it_says_rose_when_the_total_rose_and_increased_for_a_part(world):
    visits(world, 2, persons=3, received_at=THIS)
    visits(world, 1, persons=4, received_at=LAST)
    got = text(world)
    assert "信访总量2批次、6人次，人次比2023年同期增长50%。" in got
    assert "接待群众来访2批次6人次，人次比2023年同期增加50%" in got


def test_it_says_fell_and_decreased_when_figures_fell(world):
    items(world, "letter", 50, received_at=THIS)
    items(world, "letter", 105, received_at=LAST)
    got = text(world)
    assert "人次比2023年同期下降52.38%。" in got
    assert "办理群众来信50件，比2023年同期减少52.38%" in got


def test_it_says_unchanged_when_nothing_changed(world):
    items(world, "letter", 7, received_at=THIS)
    items(world, "letter", 7, received_at=LAST)
    got = text(world)
    assert "人次与2023年同期持平。" in got
    assert "办理群众来信7件，与2023年同期持平" in got


def test_it_reads_zero_counts_correctly(world):
    visits(world, 2, persons=6, is_collective=True, received_at=LAST)
    got = text(world)
    assert "我市本级未接待来访群众；无到市访；无赴省访；无进京访。" in got
    assert "本期未收到群众来信、网信。" in got
    assert "信访总量0批次、0人次，人次比2023年同期下降100%。" in got
    assert "未接待群众来访（2023年同期2批12人次）" in got
    assert "未发生重复访；未发生越级访；未发生集体访（2023年同期2批12人次）。" in got
    assert "0批" not in got.replace("总量0批次", "")


def test_it_counts_repeat_level_skipping_and_collective_visits_with_their_change(world):
    visits(world, 1, persons=6, is_collective=True, received_at=THIS)
    visits(world, 2, persons=1, is_skip_level=True, visit_level="province", received_at=THIS)
    visits(world, 1, persons=1, is_skip_level=True, visit_level="province", received_at=LAST)
    got = text(world)
    assert "越级访2批2人次，比2023年同期增加100%" in got
    assert "集体访1批6人次，2023年同期为零" in got


def test_it_names_the_comparison_year_from_the_period_and_the_county_as_ours(world):
    items(world, "letter", 1, received_at=date(2021, 3, 1))
    got = statistics_paragraph(scope=Scope(world.county, subtree=True), period=Period.year(2021))
    assert got.startswith("2021年，我县本级未接待来访群众")
    assert "比2020年同期" in got or "与2020年同期" in got or "2020年同期为零" in got
    custom = Period(date(2023, 12, 1), date(2024, 1, 31))
    assert "上年同期" in statistics_paragraph(scope=Scope(world.county, subtree=True), period=custom)


def test_it_formats_percentages_without_trailing_zeros():
    assert pct(50.0) == "50%"
    assert pct(-52.38) == "52.38%"
    assert pct(16.7) == "16.7%"
    assert change(3, 3, "2023年同期", total=True) == "与2023年同期持平"
    assert change(4, 2, "2023年同期", total=True) == "比2023年同期增长100%"
    assert change(1, 2, "2023年同期", total=False) == "比2023年同期减少50%"
