"""The data of the dashboard (/stats/): key figures with 同比/环比, the monthly trend, and figures by
category, unit, channel and overdue — each point carrying the URL of the cases behind it.
About a dozen queries whatever the data size (asserted in tests)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from xinfang.petitions.models import Category, Channel
from xinfang.stats import metrics as mx
from xinfang.stats import rollups
from xinfang.stats.filters import Filters
from xinfang.stats.periods import Period
from xinfang.stats.selectors import UnitTree, by_child_unit, compute, month_range, single

KPI_KEYS = [
    "total_batches",
    "total_persons",
    "visit_batches",
    "visit_persons",
    "skip_level_persons",
    "collective_batches",
    "repeat_visit_batches",
    "overdue_items",
    "timely_accept_rate",
    "done_rate",
    "first_time_done_rate",
    "one_time_done_rate",
    "satisfaction_rate",
    "rating_rate",
    "report_rate",
    "collective_share",
    "total_persons_per_10k",
]
GROWTH_KEYS = ["total_batches", "total_persons", "visit_batches", "visit_persons", "skip_level_persons", "collective_batches", "repeat_visit_batches"]  # fmt: skip


def _drill(filters: Filters, metric: str, part: str = "num", **extra: Any) -> str:
    return f"{reverse('stats:cases')}?{filters.query(metric=metric, part=part, **extra)}"


def dashboard_data(filters: Filters) -> dict[str, Any]:
    cfg = mx.config()
    period, scope = filters.period, filters.scope
    rollups.refresh()  # once for every figure below
    common: dict[str, Any] = {
        "scope": scope,
        "cfg": cfg,
        "filters": filters.as_metric_filters(),
        "refresh": False,
    }
    tree = UnitTree.load(scope.unit) if scope.subtree else None
    population = tree.population(scope.unit.pk) if tree else scope.unit.population

    now = single(KPI_KEYS, period=period, population=population, **common)
    last_year = single(GROWTH_KEYS, period=period.previous_year(), **common)
    before = single(GROWTH_KEYS, period=period.previous(), **common)
    kpis = []
    for key in KPI_KEYS:
        value = now[key]
        item = {
            "key": key,
            "label": str(value.metric.label),
            "display": value.display(),
            "url": _drill(filters, key),
            "is_rate": value.metric.is_rate,
        }
        if value.metric.is_rate:
            item["detail"] = f"{value.num} / {value.den}"
            item["den_url"] = _drill(filters, key, "den")
        if key in GROWTH_KEYS:
            item["yoy"] = mx.growth(value.num, last_year[key].num)
            item["mom"] = mx.growth(value.num, before[key].num)
        kpis.append(item)

    # trend: the twelve statistical months up to the end of the period
    last = period.month_indexes()[-1]
    start_day = cfg["month_start_day"]
    trend_period = Period(month_range(last - 11, start_day)[0], month_range(last, start_day)[1])
    trend = compute(["total_batches", "total_persons"], period=trend_period, split=("month",), **common)
    months = list(range(last - 11, last + 1))
    trend_data = {
        "labels": [f"{m // 12}-{m % 12 + 1:02d}" for m in months],
        "batches": [trend.get((m,), {}).get("total_batches", _zero("total_batches")).num for m in months],
        "persons": [trend.get((m,), {}).get("total_persons", _zero("total_persons")).num for m in months],
        "urls": [_drill_month(filters, *month_range(m, start_day)) for m in months],
    }

    # by category (top level)
    cats = compute(["total_batches", "total_persons"], period=period, split=("category",), **common)
    names = dict(Category.objects.filter(pk__in=[k[0] for k in cats]).values_list("pk", "name"))
    codes = (
        dict(Category.objects.filter(pk__in=[k[0] for k in cats]).values_list("pk", "code")) if cats else {}
    )
    cat_rows = sorted(cats.items(), key=lambda kv: -kv[1]["total_batches"].num)
    category_data = {
        "labels": [names.get(k[0], "—") for k, _v in cat_rows],
        "values": [v["total_batches"].num for _k, v in cat_rows],
        "urls": [_drill(filters, "total_batches", category=codes.get(k[0], "")) for k, _v in cat_rows],
    }

    # by unit: the units directly below the scope, with their subtrees
    unit_data: dict[str, Any] = {"labels": [], "batches": [], "persons": [], "done_rate": [], "urls": []}
    overdue_data: dict[str, Any] = {"labels": [], "values": [], "urls": []}
    if tree is not None:
        by_unit = by_child_unit(
            compute(
                ["total_batches", "total_persons", "done_rate"], period=period, split=("child",), **common
            ),
            tree,
            scope.unit.pk,
        )
        overdue = by_child_unit(
            compute(["overdue_items"], period=None, split=("child",), **common), tree, scope.unit.pk
        )
        codes_by_id = tree.codes
        for (uid,), values in sorted(by_unit.items(), key=lambda kv: -kv[1]["total_batches"].num):
            unit_data["labels"].append(tree.names.get(uid, "—"))
            unit_data["batches"].append(values["total_batches"].num)
            unit_data["persons"].append(values["total_persons"].num)
            unit_data["done_rate"].append(values["done_rate"].value)
            unit_data["urls"].append(_drill(filters, "total_batches", unit=codes_by_id.get(uid) or None))
        for (uid,), values in sorted(overdue.items(), key=lambda kv: -kv[1]["overdue_items"].num):
            if values["overdue_items"].num:
                overdue_data["labels"].append(tree.names.get(uid, "—"))
                overdue_data["values"].append(values["overdue_items"].num)
                overdue_data["urls"].append(
                    _drill(filters, "overdue_items", unit=codes_by_id.get(uid) or None)
                )

    # by channel, with 办结率 per channel (seed 003 L183–188)
    chans = compute(
        ["total_batches", "total_persons", "done_rate"], period=period, split=("channel",), **common
    )
    labels = dict(Channel.choices)
    channel_data = {
        "labels": [str(labels.get(k[0], k[0])) for k in chans],
        "batches": [v["total_batches"].num for v in chans.values()],
        "persons": [v["total_persons"].num for v in chans.values()],
        "done_rate": [v["done_rate"].value for v in chans.values()],
        "urls": [_drill(filters, "total_batches", channel=k[0]) for k in chans],
    }
    return {
        "kpis": kpis,
        "charts": {
            "trend": trend_data,
            "category": category_data,
            "unit": unit_data,
            "channel": channel_data,
            "overdue": overdue_data,
            "names": {
                "batches": _("Batches"),
                "persons": _("Person-times"),
                "done_rate": _("Completion rate (%)"),
                "overdue": _("Overdue cases"),
            },
        },
        "population": population,
    }


def _zero(key: str) -> mx.Value:
    return mx.Value(mx.METRICS[key], 0)


def _drill_month(filters: Filters, start: Any, end: Any) -> str:
    return _drill(
        filters,
        "total_batches",
        **{
            "from": start.isoformat(),
            "to": end.isoformat(),
            "year": None,
            "month": None,
            "quarter": None,
            "m1": None,
            "m2": None,
        },
    )
