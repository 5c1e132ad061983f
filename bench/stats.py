"""Statistics benchmark (issue 5), called by the benchmark lead on its generated data:

    from bench import stats
    figures = stats.run("default", n)

Measures, in one run and on the same data:
- ``table_orm_s``: the monthly metric table for every unit (counts in 批次/人次/件 by channel and
  flag, 办结率, overdue), computed by the metrics engine (one GROUP BY per source table) and rolled
  up the unit tree so every unit has its subtree's figures;
- ``table_sql_s``: the same table from an equivalent hand-written SQL GROUP BY, rolled up the same
  way; ``table_ratio`` = orm / sql (target ≤ 3) and ``table_equal`` checks both give the same numbers;
- ``dashboard_s``: all data of the dashboard for the root unit (target ≤ 0.5 s);
- ``paragraph_s``: the statistics paragraph for the year to date (target ≤ 0.3 s);
- ``dashboard_city_s`` / ``paragraph_city_s``: the same for the first city (a smaller scope);
- ``refresh_all_s``: rebuilding every rollup (``stats_refresh --all``, done once after the bulk load,
  before the figures above), ``refresh_1_day_s`` / ``refresh_30_days_s``: recomputing 1 or 30 stale
  days, what a reader pays after writes (``stats.rollups``);
- ``rollup_rows``: the rows of each rollup.
Each figure is the best of ``REPEAT`` runs. The engine runs on the default database.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

REPEAT = 3

TABLE_KEYS = [
    "total_batches",
    "total_persons",
    "visit_batches",
    "visit_persons",
    "letter_items",
    "online_items",
    "phone_items",
    "skip_level_batches",
    "skip_level_persons",
    "collective_batches",
    "collective_persons",
    "repeat_visit_batches",
    "repeat_visit_persons",
    "done_rate",
]

SQL = """
SELECT COALESCE(handling_unit_id, registering_unit_id) AS unit_id,
       COUNT(*),
       SUM(CASE WHEN channel = 'visit' THEN persons ELSE 1 END),
       SUM(CASE WHEN channel = 'visit' THEN 1 ELSE 0 END),
       SUM(CASE WHEN channel = 'visit' THEN persons ELSE 0 END),
       SUM(CASE WHEN channel = 'letter' THEN 1 ELSE 0 END),
       SUM(CASE WHEN channel = 'online' THEN 1 ELSE 0 END),
       SUM(CASE WHEN channel = 'phone' THEN 1 ELSE 0 END),
       SUM(CASE WHEN channel = 'visit' AND is_skip_level THEN 1 ELSE 0 END),
       SUM(CASE WHEN channel = 'visit' AND is_skip_level THEN persons ELSE 0 END),
       SUM(CASE WHEN channel = 'visit' AND is_collective THEN 1 ELSE 0 END),
       SUM(CASE WHEN channel = 'visit' AND is_collective THEN persons ELSE 0 END),
       SUM(CASE WHEN channel = 'visit' AND is_repeat THEN 1 ELSE 0 END),
       SUM(CASE WHEN channel = 'visit' AND is_repeat THEN persons ELSE 0 END),
       SUM(CASE WHEN status IN ({answered}) THEN 1 ELSE 0 END),
       SUM(CASE WHEN status <> 'not_accepted' THEN 1 ELSE 0 END)
FROM petitions_petition
WHERE received_at BETWEEN %s AND %s
GROUP BY COALESCE(handling_unit_id, registering_unit_id)
"""


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()


def _best(fn: Callable[[], Any]) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(REPEAT):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def _timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _refresh_figures(last: Any) -> dict[str, Any]:
    """Rebuild the rollups, then time the refresh of 1 and of 30 stale days."""
    from datetime import timedelta

    from xinfang.stats import rollups
    from xinfang.stats.models import RollupDirty

    figures: dict[str, Any] = {"refresh_all_s": round(_timed(lambda: rollups.refresh(full=True)), 3)}
    for days in (1, 30):
        RollupDirty.objects.bulk_create([RollupDirty(day=last - timedelta(days=i)) for i in range(days)])
        figures[f"refresh_{days}_day{'s' if days > 1 else ''}_s"] = round(_timed(rollups.refresh), 4)
    figures["rollup_rows"] = {
        cube.model.__name__: cube.model._default_manager.count() for cube in rollups.ALL_CUBES
    }
    return figures


def run(alias: Any = "default", n: int | None = None) -> dict[str, Any]:
    _setup()
    from django.core.management import call_command
    from django.db import connections
    from django.db.models import Max
    from django.utils import timezone

    from xinfang.orgs.models import Unit
    from xinfang.petitions.models import Petition
    from xinfang.stats import metrics as mx
    from xinfang.stats.dashboard import dashboard_data
    from xinfang.stats.filters import Filters
    from xinfang.stats.paragraph import statistics_paragraph
    from xinfang.stats.periods import Period, month_index
    from xinfang.stats.selectors import Scope, UnitTree, compute, every_unit

    alias = alias if isinstance(alias, str) else "default"
    # A database migrated before the latest rollup tables (a long run started earlier) gets them.
    call_command("migrate", "stats", verbosity=0, database=alias)
    cfg = mx.config()
    start_day = cfg["month_start_day"]
    last = Petition.objects.aggregate(last=Max("received_at"))["last"] or timezone.localdate()
    year, month = divmod(month_index(last, start_day), 12)
    period = Period.month(year, month + 1, start_day)
    root = Unit.objects.filter(parent__isnull=True).order_by("path").first()
    if root is None:
        return {"error": "no units"}
    tree = UnitTree.load(root)
    units = len(tree.paths)
    refresh = _refresh_figures(last)

    def orm_table() -> dict[int, tuple[int | None, ...]]:
        table = every_unit(compute(TABLE_KEYS, period=period, split=("unit",), cfg=cfg), tree)
        return {
            k[0]: tuple(v[key].num for key in TABLE_KEYS) + (v["done_rate"].den,) for k, v in table.items()
        }

    answered = ", ".join(f"'{s}'" for s in mx.ANSWERED)
    sql = SQL.format(answered=answered)

    def sql_table() -> dict[int, tuple[int, ...]]:
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, [period.start, period.end])
            rows = cursor.fetchall()
        sums: dict[int, list[int]] = {}
        for unit_id, *figures in rows:
            path = tree.paths.get(unit_id)
            if path is None:
                continue
            for part in path.strip("/").split("/"):
                acc = sums.setdefault(int(part), [0] * len(figures))
                for i, value in enumerate(figures):
                    acc[i] += int(value or 0)
        return {k: tuple(v) for k, v in sums.items() if k in tree.paths}

    orm_s, orm_result = _best(orm_table)
    sql_s, sql_result = _best(sql_table)

    filters = Filters(
        period=Period.month_range(year, 1, month + 1, start_day),
        scope=Scope(root, subtree=True),
        channel="",
        category=None,
        params={},
    )
    dashboard_s, _data = _best(lambda: dashboard_data(filters))
    paragraph_s, text = _best(
        lambda: statistics_paragraph(scope=Scope(root, subtree=True), period=filters.period, cfg=cfg)
    )
    city = Unit.objects.filter(parent=root, children__isnull=False).distinct().order_by("path").first()
    city_figures: dict[str, Any] = {}
    if city is not None:
        city_filters = Filters(
            period=filters.period, scope=Scope(city, subtree=True), channel="", category=None, params={}
        )
        city_figures["city"] = city.name
        city_figures["dashboard_city_s"] = round(_best(lambda: dashboard_data(city_filters))[0], 4)
        city_figures["paragraph_city_s"] = round(
            _best(lambda: statistics_paragraph(scope=city_filters.scope, period=filters.period, cfg=cfg))[0],
            4,
        )
    return {
        "n": n if n is not None else Petition.objects.count(),
        "units": units,
        "month": f"{year}-{month + 1:02d}",
        "table_orm_s": round(orm_s, 4),
        "table_sql_s": round(sql_s, 4),
        "table_ratio": round(orm_s / sql_s, 2) if sql_s else None,
        "table_equal": orm_result == sql_result,
        "table_target": "<= 1 s and <= 3x SQL",
        "dashboard_s": round(dashboard_s, 4),
        "dashboard_target": "<= 0.5 s",
        "paragraph_s": round(paragraph_s, 4),
        "paragraph_target": "<= 0.3 s",
        "paragraph_chars": len(text or ""),
        **city_figures,
        **refresh,
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(), ensure_ascii=False, indent=2))
