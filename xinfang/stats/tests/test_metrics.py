"""Each metric on small hand-computed data sets, including the seeds' own arithmetic."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from xinfang.petitions.models import Petition
from xinfang.stats import metrics as mx
from xinfang.stats.periods import Period
from xinfang.stats.selectors import Scope, UnitTree, by_child_unit, compare, compute, single
from xinfang.stats.tests.builders import (
    assignment,
    evaluate,
    items,
    petition,
    reply,
    supervise,
    unsaved,
    visits,
)

pytestmark = pytest.mark.django_db

YEAR = Period.year(2024)


def county(world):
    return Scope(world.county, subtree=True)


def values(world, *keys, **kwargs):
    kwargs.setdefault("period", YEAR)
    kwargs.setdefault("scope", county(world))
    got = single(list(keys), **kwargs)
    return {k: got[k].value for k in keys}


def bulk_visits(world, batches: int, persons: int, **fields):
    """``batches`` visit rows whose persons add up to ``persons``."""
    base, extra = divmod(persons, batches)
    rows = []
    for i in range(batches):
        rows.append(unsaved(world, channel="visit", persons=base + (1 if i < extra else 0), **fields))
    Petition.objects.bulk_create(rows)


def test_it_counts_the_seed_003_totals_in_batches_and_person_times(world):
    bulk_visits(world, 973, 2935, visit_level="local")
    for channel, n in (("letter", 56), ("phone", 628), ("online", 53)):
        Petition.objects.bulk_create([unsaved(world, channel=channel) for _ in range(n)])
    got = values(world, "total_batches", "total_persons", "visit_batches", "visit_persons", "letter_items",
                 "phone_items", "online_items")  # fmt: skip
    assert got == {
        "total_batches": 1710,
        "total_persons": 3672,
        "visit_batches": 973,
        "visit_persons": 2935,
        "letter_items": 56,
        "phone_items": 628,
        "online_items": 53,
    }


def test_it_adds_visit_levels_as_seed_000_does(world):
    visits(world, 1, persons=1, visit_level="national")
    bulk_visits(world, 40, 421, visit_level="city")
    bulk_visits(world, 300, 2525, visit_level="local")
    got = values(world, "visit_national_persons", "visit_city_persons", "visit_local_persons", "visit_persons",
                 "visit_national_batches")  # fmt: skip
    assert got["visit_national_persons"] + got["visit_city_persons"] + got["visit_local_persons"] == 2947
    assert got["visit_persons"] == 2947
    assert got["visit_national_batches"] == 1


def test_it_reads_102_of_136_settled_as_75_percent(world):
    closed = items(world, "visit", 102, status="closed", visit_level="local")
    items(world, "visit", 34, status="accepted", visit_level="local")
    assert mx.percent(102, 136) == 75.0
    got = single(["done_rate"], period=YEAR, scope=county(world), cfg=mx.config(done_means="settled"))
    assert (got["done_rate"].num, got["done_rate"].den, got["done_rate"].value) == (102, 136, 75.0)
    # a repeat after one of them: no longer 息诉
    petition(world, is_repeat=True, repeat_of=closed[0], status="registered")
    got = single(["done_rate"], period=YEAR, scope=county(world), cfg=mx.config(done_means="settled"))
    assert (got["done_rate"].num, got["done_rate"].den) == (101, 137)


def test_it_gives_the_collective_share_6_of_36(world):
    visits(world, 6, persons=8, is_collective=True)
    visits(world, 10, persons=2)
    items(world, "letter", 20)
    got = single(["collective_share", "collective_person_share", "collective_batches", "collective_persons"],
                 period=YEAR, scope=county(world))  # fmt: skip
    assert got["collective_share"].value == 16.67
    assert (got["collective_batches"].num, got["collective_persons"].num) == (6, 48)
    assert got["collective_person_share"].value == mx.percent(48, 68)
    person_basis = single(["collective_share"], period=YEAR, scope=county(world),
                          cfg=mx.config(collective_share_basis="person"))  # fmt: skip
    assert person_basis["collective_share"].value == mx.percent(48, 88)


def test_it_computes_year_on_year_minus_52_38_percent_for_50_against_105(world):
    items(world, "letter", 50, received_at=date(2024, 5, 1))
    items(world, "letter", 105, received_at=date(2023, 5, 1))
    items(world, "letter", 3, received_at=date(2024, 5, 2), is_repeat=True)
    got = compare(["first_time_items"], period=Period.month_range(2024, 1, 9), scope=county(world))
    now, last_year, _before = got["first_time_items"]
    assert (now.num, last_year.num) == (50, 105)
    assert mx.growth(now.num, last_year.num) == -52.38


def test_it_rounds_percentages_half_up_and_refuses_a_zero_base():
    assert mx.percent(1, 6) == 16.67
    assert mx.percent(1, 8) == 12.5
    assert mx.percent(1, 0) is None
    assert mx.growth(5, 0) is None
    assert mx.growth(7, 7) == 0.0


def test_it_counts_level_skipping_repeat_and_collective_visits_in_batches_and_persons(world):
    visits(world, 2, persons=3, is_skip_level=True, visit_level="province")
    visits(world, 1, persons=4, is_repeat=True)
    petition(world, channel="letter", is_repeat=True)
    got = values(world, "skip_level_batches", "skip_level_persons", "repeat_visit_batches", "repeat_visit_persons",
                 "repeat_items")  # fmt: skip
    assert got == {
        "skip_level_batches": 2,
        "skip_level_persons": 6,
        "repeat_visit_batches": 1,
        "repeat_visit_persons": 4,
        "repeat_items": 2,
    }


def test_it_measures_timely_acceptance_on_lead_assignments(world):
    today = timezone.localdate()
    received = today - timedelta(days=40)
    for accepted_after in (3, 15, 20):  # on time, on the last day, late
        p = petition(world, received_at=received, status="accepted")
        assignment(
            p, world.dept, world, accepted_on=received + timedelta(days=accepted_after), status="accepted"
        )
    p = petition(world, received_at=received)
    assignment(p, world.dept, world)  # pending and past its ack_due: late
    p = petition(world, received_at=today)
    assignment(p, world.dept, world)  # pending, still in time: not counted yet
    p = petition(world, received_at=received)
    assignment(p, world.township, world, is_lead=False, accepted_on=received)  # a helper unit: not counted
    got = single(["timely_accept_rate"], period=Period(received, today), scope=county(world))
    assert (got["timely_accept_rate"].num, got["timely_accept_rate"].den) == (2, 4)
    assert got["timely_accept_rate"].value == 50.0


def test_it_measures_the_report_back_rate(world):
    for reported in (True, True, False):
        p = petition(world)
        assignment(p, world.dept, world, kind="assign", report_required=True,
                   reported_on=date(2024, 4, 1) if reported else None)  # fmt: skip
    assignment(petition(world), world.dept, world)  # no report required
    got = single(["report_rate", "assigned_items", "transferred_items"], period=YEAR, scope=county(world))
    assert got["report_rate"].value == 66.67
    assert (got["assigned_items"].num, got["transferred_items"].num) == (3, 1)


def test_it_measures_done_rate_overall_and_per_channel_with_the_configured_meaning(world):
    items(world, "letter", 3, status="closed")
    items(world, "letter", 1, status="replied")
    items(world, "letter", 1, status="accepted")
    items(world, "letter", 1, status="not_accepted")
    visits(world, 2, status="closed")
    visits(world, 2, status="registered")
    table = compute(["done_rate"], period=YEAR, scope=county(world), split=("channel",))
    assert table[("letter",)]["done_rate"].value == 80.0  # 4 / 5, 不予受理 left out
    assert table[("visit",)]["done_rate"].value == 50.0
    closed = single(["done_rate"], period=YEAR, scope=county(world), cfg=mx.config(done_means="closed"))
    assert (closed["done_rate"].num, closed["done_rate"].den) == (5, 9)
    with_refused = single(["done_rate"], period=YEAR, scope=county(world),
                          cfg=mx.config(done_rate_excludes_not_accepted=False))  # fmt: skip
    assert (with_refused["done_rate"].num, with_refused["done_rate"].den) == (6, 10)


def test_it_measures_first_time_and_one_time_completion(world):
    done = items(world, "letter", 3, status="closed")
    items(world, "letter", 1, status="accepted")
    visits(world, 1, persons=5, status="closed")
    petition(
        world, channel="letter", is_repeat=True, repeat_of=done[0], status="closed"
    )  # repeat: not first-time
    got = single(["first_time_done_rate", "one_time_done_rate"], period=YEAR, scope=county(world))
    assert (got["first_time_done_rate"].num, got["first_time_done_rate"].den) == (4, 5)
    assert (got["one_time_done_rate"].num, got["one_time_done_rate"].den) == (3, 5)  # done[0] drew a repeat
    by_person = single(
        ["first_time_done_rate"], period=YEAR, scope=county(world), cfg=mx.config(first_time_basis="person")
    )
    assert (by_person["first_time_done_rate"].num, by_person["first_time_done_rate"].den) == (8, 9)


def test_it_measures_repeat_stop_settled_and_old_case_rates(world):
    a, b, c, d = items(world, "letter", 4, status="closed")
    petition(world, channel="visit", visit_level="local", is_repeat=True, repeat_of=a, status="accepted")
    old = petition(world, channel="visit", visit_level="local", is_repeat=True, repeat_of=b, status="closed")
    evaluate(c, world, "dissatisfied")
    got = single(["repeat_rate", "stop_rate", "settled_rate", "old_case_resolved_rate"], period=YEAR,
                 scope=county(world))  # fmt: skip
    assert (got["repeat_rate"].num, got["repeat_rate"].den) == (2, 4)  # a and b drew repeats
    assert (got["stop_rate"].num, got["stop_rate"].den) == (3, 5)  # c, d and old stopped
    assert (got["settled_rate"].num, got["settled_rate"].den) == (2, 6)  # d and old
    assert (got["old_case_resolved_rate"].num, got["old_case_resolved_rate"].den) == (1, 2)
    share = single(["repeat_rate"], period=YEAR, scope=county(world), cfg=mx.config(repeat_rate_mode="share"))
    assert (share["repeat_rate"].num, share["repeat_rate"].den) == (2, 6)
    assert old.pk


def test_it_measures_satisfaction_over_rated_or_all_and_the_rating_rate(world):
    answered = items(world, "letter", 5, status="closed")
    evaluate(answered[0], world, "satisfied")
    evaluate(answered[1], world, "basic")
    evaluate(answered[2], world, "dissatisfied")
    evaluate(answered[3], world, "dissatisfied", target="bureau")
    got = single(["satisfaction_rate", "rating_rate"], period=YEAR, scope=county(world))
    assert got["satisfaction_rate"].value == 66.67  # 2 of 3 rated
    assert got["rating_rate"].value == 60.0  # 3 of 5 answered
    over_all = single(
        ["satisfaction_rate"], period=YEAR, scope=county(world), cfg=mx.config(satisfaction_over="all")
    )
    assert over_all["satisfaction_rate"].value == 40.0


def test_it_measures_on_time_reply_and_completion_and_overdue(world):
    today = timezone.localdate()
    on_time = petition(world, status="replied", received_at=today - timedelta(days=90))
    reply(on_time, world)
    late = petition(world, status="replied", received_at=today - timedelta(days=90))
    reply(late, world)
    supervise(late, world)
    petition(
        world, status="accepted", received_at=today - timedelta(days=90), due_at=today - timedelta(days=1)
    )
    petition(
        world, status="accepted", received_at=today - timedelta(days=10), due_at=today + timedelta(days=50)
    )
    period = Period(today - timedelta(days=100), today)
    got = single(["on_time_reply_rate", "on_time_done_rate", "overdue_items", "supervised_items"], period=period,
                 scope=county(world))  # fmt: skip
    assert (got["on_time_reply_rate"].num, got["on_time_reply_rate"].den) == (1, 3)
    assert (got["on_time_done_rate"].num, got["on_time_done_rate"].den) == (1, 3)
    assert (got["overdue_items"].num, got["supervised_items"].num) == (1, 1)


def test_it_measures_the_parallel_share_and_rates_per_10000_population(world):
    letter = petition(world, channel="letter")
    petition(world, channel="visit", visit_level="local", persons=3, parallel_of=letter)
    items(world, "online", 2)
    got = single(
        ["parallel_share", "total_persons_per_10k"], period=YEAR, scope=county(world), population=400_000
    )
    assert got["parallel_share"].value == 50.0
    assert got["total_persons_per_10k"].num == 6
    assert got["total_persons_per_10k"].value == 0.15  # 6 / 400,000 × 10,000


def test_it_splits_by_statistical_month_with_a_21st_boundary(world):
    petition(world, received_at=date(2024, 2, 20))
    petition(world, received_at=date(2024, 2, 21))
    petition(world, received_at=date(2024, 3, 20))
    cfg = mx.config(month_start_day=21)
    march = Period.month(2024, 3, start_day=21)
    assert (march.start, march.end) == (date(2024, 2, 21), date(2024, 3, 20))
    assert single(["total_batches"], period=march, scope=county(world), cfg=cfg)["total_batches"].num == 2
    table = compute(["total_batches"], period=Period(date(2024, 1, 1), date(2024, 3, 31)), scope=county(world),
                    split=("month",), cfg=cfg)  # fmt: skip
    assert {k[0] % 12 + 1: v["total_batches"].num for k, v in table.items()} == {2: 1, 3: 2}


def test_it_splits_by_category_and_rolls_units_up_to_the_children_of_the_scope(world):
    petition(world, category="0202")
    petition(world, category="0201", handling_unit=world.village)
    petition(world, category="0301", handling_unit=world.township)
    petition(world, category="0301", handling_unit=world.dept)
    by_cat = compute(["total_batches"], period=YEAR, scope=county(world), split=("category",))
    from xinfang.petitions.models import Category

    assert by_cat[(Category.objects.get(code="02").pk,)]["total_batches"].num == 2
    tree = UnitTree.load(world.county)
    by_unit = by_child_unit(
        compute(["total_batches"], period=YEAR, scope=county(world), split=("unit",)), tree, world.county.pk
    )
    got = {tree.names[k[0]]: v["total_batches"].num for k, v in by_unit.items()}
    assert got == {"清河县信访局": 1, "城关镇人民政府": 2, "清河县自然资源局": 1}
    assert by_unit[(world.township.pk,)]["total_batches"].population == 60_000


def test_it_sees_nothing_of_another_county(world):
    items(world, "letter", 3)
    petition(world, registering_unit=world.other_bureau)
    other = single(["total_batches"], period=YEAR, scope=Scope(world.other_county, subtree=True))
    assert other["total_batches"].num == 1
    assert single(["total_batches"], period=YEAR, scope=county(world))["total_batches"].num == 3


def test_it_computes_every_metric_in_one_query_per_source_table(world, django_assert_max_num_queries):
    items(world, "letter", 2)
    with django_assert_max_num_queries(2):
        table = compute(list(mx.METRICS), period=YEAR, scope=county(world), split=("unit", "month"))
    assert sum(v["total_batches"].num for v in table.values()) == 2


def test_every_metric_has_a_label_a_basis_and_a_source():
    for metric in mx.METRICS.values():
        assert str(metric.label)
        assert metric.basis in mx.BASIS_LABELS
        assert "seed" in metric.doc.lower() or "条例" in metric.doc, metric.key
