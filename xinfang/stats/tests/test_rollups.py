"""The rollups equal the raw computation (issue 5: "a test proves the aggregates equal the raw
computation after random inserts, updates and transitions"): every metric, of every pre-aggregated
unit, for several periods, splits, filters and settings, read from the rollups and from the
petition and assignment tables after registrations, 转送/交办, acceptances, objections, 办结报告,
transitions, ratings, reviews, supervision, raw ``QuerySet.update()``s and deletes; and a refresh of the stale days gives the same rows as a
rebuild from scratch."""

from __future__ import annotations

import io
import json
import random
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xinfang.cases.models import Assignment, AssignmentKind, AssignmentStatus, Duty, ReviewRequest
from xinfang.orgs.models import Unit, UnitKind, UnitLevel
from xinfang.petitions.models import Category, Petition
from xinfang.petitions.states import Status
from xinfang.stats import metrics as mx
from xinfang.stats import rollups
from xinfang.stats.dbtriggers import ensure_rollup_triggers
from xinfang.stats.models import RollupDirty
from xinfang.stats.periods import Period
from xinfang.stats.selectors import Scope, compute
from xinfang.stats.tests.builders import assignment, petition, supervise
from xinfang.testing import World, register
from xinfang.workflow import services as cs

pytestmark = pytest.mark.django_db

CHANNELS = ["visit", "letter", "online", "phone", "mailbox", "fax"]
LEVELS = ["local", "city", "province", "national"]


def _decision(issued_on: date) -> cs.DecisionInput:
    return cs.DecisionInput(
        requests="足额发放补偿款", facts="经查属实", opinion="予以解释说明", basis="《土地管理法》", outcome="explain",
        issued_on=issued_on,
    )  # fmt: skip


def _registered(world: World, rng: random.Random, today: date) -> Petition:
    """A petition registered through the intake service, with random facts."""
    channel = rng.choice(CHANNELS)
    persons = rng.randint(1, 9) if channel == "visit" else 1
    extra: dict[str, Any] = {"channel": channel, "persons": persons}
    if channel == "visit":
        extra["visit_level"] = rng.choice(LEVELS)
    extra["category"] = rng.choice(["0202", "0101", "0301", "0701"])
    return register(world.clerk, received=today - timedelta(days=rng.randint(0, 400)), **extra)


def _handled(world: World, p: Petition, rng: random.Random, today: date) -> None:
    """Some transitions through the case services: 转送, 受理, 处理意见书, rating, closing."""
    unit = rng.choice([world.township, world.dept])
    handler = world.township_handler if unit == world.township else world.dept_handler
    p = cs.case_transfer(petition=p, actor=world.clerk, unit=unit)
    if rng.random() < 0.2:
        return
    p = cs.case_accept(petition=p, actor=handler, route="petition", accepted_on=today)
    if rng.random() < 0.3:
        return
    cs.case_reply(petition=p, actor=handler, data=_decision(today))
    p.refresh_from_db()
    if rng.random() < 0.6:
        cs.case_evaluate(petition=p, actor=None, target=rng.choice(["handler", "bureau"]),
                         satisfaction=rng.choice(["satisfied", "basic", "dissatisfied"]), method="portal")  # fmt: skip
    if rng.random() < 0.5:
        cs.case_close(petition=p, actor=None, reason="息诉罢访")


def _routed(world: World, p: Petition, rng: random.Random, today: date) -> None:
    """交办 to a lead and an assisting unit, then an objection (异议, 条例第二十三条第三款) decided
    either way, or an acceptance and 办结报告 (果必报)."""
    (lead, lead_user), (helper, helper_user) = rng.sample(
        [(world.township, world.township_handler), (world.dept, world.dept_handler)], 2
    )
    specs = [
        cs.AssignmentSpec(lead, due_at=today + timedelta(days=30)),
        cs.AssignmentSpec(helper, duty=Duty.ASSIST, due_at=today + timedelta(days=20)),
    ]
    p = cs.case_assign(petition=p, actor=world.clerk, specs=specs)
    if rng.random() < 0.4:
        p = cs.case_object(petition=p, actor=lead_user, reason="不属本单位职责")
        cs.case_decide_objection(petition=p, actor=world.clerk, approve=rng.random() < 0.5, reason="属其职责")
        return
    if rng.random() < 0.2:
        return
    p = cs.case_accept(petition=p, actor=lead_user, route="petition", accepted_on=today)
    for user in rng.sample([helper_user, lead_user], rng.randint(0, 2)):
        cs.case_report(petition=p, actor=user, text="已办结")
        p.refresh_from_db()


def _random_assignment(world: World, p: Petition, rng: random.Random, today: date) -> Assignment:
    """An assignment row written directly: any kind, duty, status, deadline and acceptance."""
    ack_due = today + timedelta(days=rng.randint(-40, 20))
    units = [world.township, world.dept, world.village, world.other_bureau, world.city_bureau]
    return assignment(
        p,
        rng.choice(units),
        world,
        kind=rng.choice(AssignmentKind.values),
        duty=rng.choice(Duty.values),
        is_lead=rng.random() < 0.7,
        status=rng.choice(AssignmentStatus.values),
        ack_due=ack_due,
        accepted_on=rng.choice([None, ack_due - timedelta(days=2), ack_due, ack_due + timedelta(days=3)]),
        report_required=rng.random() < 0.5,
        reported_on=rng.choice([None, today]),
    )


def _random_world(world: World, seed: int) -> None:
    rng = random.Random(seed)
    today = timezone.localdate()
    units = [world.bureau, world.dept, world.township, world.village, world.other_bureau, world.city_bureau]
    made = [_registered(world, rng, today) for _ in range(25)]
    for p in made[:12]:
        _handled(world, p, rng, today)
    for p in made[12:20]:
        _routed(world, p, rng, today)
    for _ in range(40):  # rows written directly, every flag and unit combination
        made.append(
            petition(
                world,
                channel=rng.choice(CHANNELS),
                visit_level=rng.choice(LEVELS),
                persons=rng.randint(1, 9),
                received_at=today - timedelta(days=rng.randint(0, 400)),
                registering_unit=rng.choice(units),
                handling_unit=rng.choice([*units, None]),
                is_collective=rng.random() < 0.3,
                is_skip_level=rng.random() < 0.3,
                is_repeat=rng.random() < 0.3,
                is_legitimate=rng.random() < 0.8,
                category=rng.choice(["0202", "0101", "0701"]),
                status=rng.choice(
                    ["registered", "accepted", "replied", "closed", "not_accepted", "archived"]
                ),
                due_at=today - timedelta(days=rng.randint(-30, 30)),
            )
        )
    for p in rng.sample(made[25:], 25):
        _random_assignment(world, p, rng, today)


def _changes(world: World, seed: int) -> None:
    """Random changes after the rollups were built: they must all reach the rollups."""
    rng = random.Random(seed)
    today = timezone.localdate()
    rows = list(Petition.objects.order_by("pk"))
    for p in rng.sample(rows, 15):  # raw updates, no signal, no save()
        Petition.objects.filter(pk=p.pk).update(
            status=rng.choice([Status.CLOSED, Status.ACCEPTED, Status.NOT_ACCEPTED]),
            is_open=rng.random() < 0.5,
            persons=rng.randint(1, 7),
            is_repeat=rng.random() < 0.5,
        )
    for p in rng.sample(rows, 8):  # deadlines extended, passed or cleared
        Petition.objects.filter(pk=p.pk).update(
            due_at=rng.choice([None, today - timedelta(days=rng.randint(1, 90)), today + timedelta(days=9)]),
            is_open=True,
            status=rng.choice([Status.ACCEPTED, Status.REGISTERED, Status.REPLIED]),
        )
    for p in rng.sample(rows, 6):  # moved to another day, unit, channel or category
        Petition.objects.filter(pk=p.pk).update(
            received_at=p.received_at - timedelta(days=rng.randint(1, 200)),
            handling_unit=rng.choice([world.township, world.other_bureau, None]),
            channel=rng.choice(CHANNELS),
            category=Category.objects.get(code=rng.choice(["0202", "0901"])),
        )
    for earlier, later in zip(rng.sample(rows, 5), rng.sample(rows, 5), strict=True):
        if earlier.pk != later.pk:  # 重信重访 and 信访并行 links change the earlier matter's facts
            Petition.objects.filter(pk=later.pk).update(repeat_of=earlier, is_repeat=True)
            Petition.objects.filter(pk=rng.choice(rows).pk).update(parallel_of=earlier)
    for p in rng.sample(rows, 4):
        supervise(p, world, automatic=rng.random() < 0.5)
        ReviewRequest.objects.create(petition=p, unit=world.county, level="review", requested_on=today,
                                     due_at=today + timedelta(days=30))  # fmt: skip
    for p in rng.sample(rows, 3):
        Petition.objects.filter(pk=p.pk, repeat_of__isnull=True, parallel_of__isnull=True).update(
            registering_unit=world.other_bureau
        )
    parts = list(Assignment.objects.order_by("pk"))
    for a in rng.sample(parts, 10):  # raw updates of assignments: accepted, reported, moved, …
        Assignment.objects.filter(pk=a.pk).update(
            status=rng.choice(AssignmentStatus.values),
            is_lead=rng.random() < 0.7,
            kind=rng.choice(AssignmentKind.values),
            accepted_on=rng.choice([None, a.ack_due - timedelta(days=1), a.ack_due + timedelta(days=1)]),
            reported_on=rng.choice([None, today]),
            report_required=rng.random() < 0.5,
            unit=rng.choice([world.township, world.dept, world.other_bureau]),
        )
    for a in rng.sample(parts, 3):  # deadlines and petitions changed
        Assignment.objects.filter(pk=a.pk).update(
            ack_due=today + timedelta(days=rng.randint(-10, 10)), petition=rng.choice(rows)
        )
    Assignment.objects.filter(pk__in=[a.pk for a in rng.sample(parts, 2)]).delete()
    for p in rng.sample(rows, 4):
        _random_assignment(world, p, rng, today)
    p = register(
        world.clerk, received=today - timedelta(days=3), channel="visit", visit_level="city", persons=6
    )
    _handled(world, p, rng, today)
    p = register(world.clerk, received=today - timedelta(days=9), channel="letter")
    _routed(world, p, rng, today)
    doomed = petition(world, received_at=today - timedelta(days=40), channel="visit", visit_level="local")
    rollups.refresh()
    Petition.objects.filter(pk=doomed.pk).delete()


def _scopes(world: World) -> list[Scope]:
    return [Scope(u, subtree=True) for u in (world.city, world.county, world.other_county, world.city_bureau)]


def _periods() -> list[Period]:
    today = timezone.localdate()
    return [
        Period.year(today.year),
        Period.year(today.year - 1),
        Period.month(today.year, today.month),
        Period.custom(today - timedelta(days=170), today - timedelta(days=20)),
    ]


def _figures(table: dict[Any, dict[str, mx.Value]]) -> dict[Any, dict[str, tuple[int, int | None]]]:
    return {key: {k: (v.num, v.den) for k, v in values.items()} for key, values in table.items() if any(
        v.num or v.den for v in values.values())}  # fmt: skip


def _assert_same(keys: list[str], **kwargs: Any) -> None:
    rolled = _figures(compute(keys, use_rollups=True, **kwargs))
    raw = _figures(compute(keys, use_rollups=False, **kwargs))
    assert rolled == raw, kwargs


def _assert_everything_equal(world: World) -> None:
    keys = list(mx.METRICS)
    top = Category.objects.get(code="02").pk
    for scope in _scopes(world):
        for period in _periods():
            for split in [(), ("channel",), ("category",), ("child",), ("month",), ("visit_level", "month")]:
                _assert_same(keys, period=period, scope=scope, split=split)
            for filters in [{"channel": "visit"}, {"legitimate": True}, {"category": top}]:
                _assert_same(keys, period=period, scope=scope, split=("child",), filters=filters)
        for split in [(), ("child",), ("channel",)]:  # no period: today's 超期 by deadline
            _assert_same(keys, period=None, scope=scope, split=split)
    overrides: list[dict[str, Any]] = [
        {"done_means": "settled"},
        {"done_means": "closed", "done_rate_excludes_not_accepted": False},
        {"satisfaction_over": "all", "evaluation_target": "bureau", "satisfied_levels": ["satisfied"]},
        {"first_time_basis": "person", "collective_share_basis": "person", "repeat_rate_mode": "share"},
        {"first_time_channels": ["visit"], "settled_channels": ["visit"], "month_start_day": 21},
    ]
    for override in overrides:
        for scope in _scopes(world)[:2]:
            _assert_same(keys, period=_periods()[0], scope=scope, split=("month",), cfg=mx.config(**override))


def _rollup_rows() -> dict[str, list[tuple[Any, ...]]]:
    rows = {}
    for cube in rollups.ALL_CUBES:
        columns = [f"{c}_id" if c in ("category", "child") else c for c in cube.columns]
        measures = ("items",) if cube.source == mx.ASSIGNMENT else ("items", "persons")
        for model in (cube.model, cube.monthly):
            if model is not None:
                rows[model.__name__] = sorted(
                    model._default_manager.values_list("scope_id", cube.key, *columns, *measures)
                )
    return rows


def test_the_rollups_equal_the_raw_computation_after_random_changes(world):
    _random_world(world, seed=5)
    rollups.refresh()
    assert not RollupDirty.objects.exists()
    _assert_everything_equal(world)
    _changes(world, seed=6)
    assert RollupDirty.objects.exists()  # the triggers noticed
    _assert_everything_equal(world)


def test_a_refresh_of_the_stale_days_equals_a_rebuild_from_scratch(world):
    _random_world(world, seed=7)
    rollups.refresh()
    days_before = set(Petition.objects.values_list("received_at", flat=True))
    _changes(world, seed=8)
    marks = list(RollupDirty.objects.values_list("day", "due_day"))
    assert (None, None) not in marks  # no full rebuild needed
    stale = {day for day, _due in marks if day}
    # Some days, not all: the days a petition left count too (they may hold no petition now).
    days = days_before | set(Petition.objects.values_list("received_at", flat=True))
    assert 0 < len(stale) < len(days)
    got = rollups.refresh()
    assert got["days"] == len(stale)  # only the stale days were recomputed
    assert got["due_days"] == len({due for _day, due in marks if due})
    incremental = _rollup_rows()
    assert rollups.refresh(full=True)["days"] == "all"
    assert _rollup_rows() == incremental
    assert sum(n for *_k, n, _p in incremental["RollupCounts"]) > 0
    # A month row sums the days of its month: never more rows than by day (as many when, on some
    # dates, no two rows of the random world share a month and a key).
    assert 0 < len(incremental["RollupUnitsMonth"]) <= len(incremental["RollupUnits"])
    assert sum(row[-1] for row in incremental["RollupAssignments"]) > 0


def test_the_dashboard_figures_come_from_the_rollups(world):
    _random_world(world, seed=9)
    rollups.refresh()
    scope = Scope(world.county, subtree=True)
    with CaptureQueriesContext(connection) as ctx:
        compute(list(mx.METRICS), period=_periods()[0], scope=scope)
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "stats_rollupoutcomes" in sql
    assert "stats_rollupassignments" in sql  # 及时受理率, 回复率, 转送/交办
    assert not any('FROM "cases_assignment"' in q["sql"] for q in ctx.captured_queries)
    # Only deadline-based figures (超期, 按期) still read the petition table.
    assert sum('FROM "petitions_petition"' in q["sql"] for q in ctx.captured_queries) == 1


def test_it_marks_the_day_of_a_petition_changed_by_a_raw_update(world):
    p = petition(world, received_at=date(2024, 3, 5))
    rollups.refresh()
    Petition.objects.filter(pk=p.pk).update(status=Status.CLOSED, is_open=False)
    assert list(RollupDirty.objects.values_list("day", flat=True)) == [date(2024, 3, 5)]
    rollups.refresh()
    Petition.objects.filter(pk=p.pk).update(title="更正后的标题")  # not a figure: nothing to recompute
    assert not RollupDirty.objects.exists()


def test_a_raw_update_marks_both_deadline_days_and_the_day_of_the_matter_it_now_repeats(world):
    # PostgreSQL marks updates with a row trigger (stats migration 0010), SQLite with its own: the
    # same days either way, each once per update.
    first = petition(world, received_at=date(2024, 2, 1))
    p = petition(world, received_at=date(2024, 3, 5), due_at=date(2024, 4, 1))
    rollups.refresh()
    Petition.objects.filter(pk=p.pk).update(due_at=date(2024, 4, 15), repeat_of=first, is_repeat=True)
    marks = set(RollupDirty.objects.values_list("day", "due_day"))
    assert marks == {
        (date(2024, 3, 5), None),
        (date(2024, 2, 1), None),
        (None, date(2024, 4, 1)),
        (None, date(2024, 4, 15)),
    }


def test_a_new_unit_is_counted_in_its_scope(world):
    rollups.refresh()
    office = Unit.objects.create(code="990121102", name="河西镇人民政府", level=UnitLevel.TOWNSHIP,
                                 kind=UnitKind.TOWNSHIP, parent=world.county)  # fmt: skip
    petition(world, registering_unit=world.other_bureau, handling_unit=office)
    got = compute(
        ["total_batches"], period=Period.year(2024), scope=Scope(world.county, subtree=True), split=("child",)
    )
    assert got[(office.pk,)]["total_batches"].num == 1


def test_the_refresh_command_rebuilds_everything(world):
    petition(world, channel="visit", persons=3, received_at=date(2024, 3, 5))
    out = io.StringIO()
    call_command("stats_refresh", "--all", stdout=out)
    assert json.loads(out.getvalue())["days"] == "all"
    assert not RollupDirty.objects.exists()
    got = compute(
        ["visit_persons"], period=Period.year(2024), scope=Scope(world.county, subtree=True), refresh=False
    )
    assert got[()]["visit_persons"].num == 3


def test_it_marks_the_day_of_a_petition_whose_assignment_changed_by_a_raw_update(world):
    p = petition(world, received_at=date(2024, 3, 5))
    part = assignment(p, world.township, world)
    rollups.refresh()
    Assignment.objects.filter(pk=part.pk).update(accepted_on=date(2024, 3, 8))  # 受理, no signal
    assert list(RollupDirty.objects.values_list("day", flat=True)) == [date(2024, 3, 5)]
    got = compute(["timely_accept_rate"], period=Period.year(2024), scope=Scope(world.county, subtree=True))
    assert (got[()]["timely_accept_rate"].num, got[()]["timely_accept_rate"].den) == (1, 1)
    rollups.refresh()
    Assignment.objects.filter(pk=part.pk).update(report_text="已办结")  # not a figure
    assert not RollupDirty.objects.exists()


def test_a_migration_rebuilding_the_assignment_table_keeps_its_sqlite_triggers(world):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL alters tables in place")
    p = petition(world, received_at=date(2024, 3, 5))
    part = assignment(p, world.township, world)
    rollups.refresh()
    with connection.cursor() as cursor:  # what a table rebuild does to the triggers
        cursor.execute("DROP TRIGGER stats_dirty_assignment_au")
    assert ensure_rollup_triggers()
    assert RollupDirty.objects.filter(day=None).exists()  # changes made meanwhile: all stale
    rollups.refresh()
    Assignment.objects.filter(pk=part.pk).update(reported_on=date(2024, 3, 9))
    assert list(RollupDirty.objects.values_list("day", flat=True)) == [date(2024, 3, 5)]
