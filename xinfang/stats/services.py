"""量化考核: the monthly unit ranking (seed 003 L55, L165; seed 000 L20) and its publication.

Each unit directly below the scope that has a population (an area: a township, a county) is scored

    score = base + Σ weight × figure

over the figures named in ``config()["ranking"]["weights"]``: per-10,000-population counts (weights
below zero: fewer is better) and rates in percent (weights above zero). A rate without data (no
case to rate) counts as 100: nothing failed. With ``legitimate_only`` only 正当访 count. Units are
ranked by score, highest first; equal scores share a rank (1, 2, 2, 4).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction

from xinfang.audit.services import audit_record
from xinfang.orgs.models import Unit, User
from xinfang.stats import metrics as mx
from xinfang.stats.models import RankingEntry, RankingPublication
from xinfang.stats.periods import Period
from xinfang.stats.selectors import Scope, UnitTree, by_child_unit, compute


@dataclass
class RankRow:
    unit_id: int
    unit_name: str
    population: int
    score: Decimal
    figures: dict[str, float | int | None]
    rank: int = 0

    @property
    def labelled(self) -> list[tuple[str, Any]]:
        return labelled_figures(self.figures)


def labelled_figures(figures: dict[str, Any]) -> list[tuple[str, Any]]:
    """(Chinese label, value) of stored ranking figures, in metric order."""
    return [(str(m.label), figures[k]) for k, m in mx.METRICS.items() if k in figures]


def _base_keys(weights: dict[str, float]) -> list[str]:
    keys = ["total_batches", "total_persons"]
    for key in weights:
        if key not in mx.METRICS:
            raise ValueError(f"unknown metric in ranking weights: {key}")
        if key not in keys:
            keys.append(key)
    return keys


def ranking_compute(*, root: Unit, period: Period, cfg: dict[str, Any] | None = None) -> list[RankRow]:
    """The ranking of the units directly below ``root`` for ``period`` (2 queries + the unit tree)."""
    cfg = cfg or mx.config()
    options = cfg["ranking"]
    weights: dict[str, float] = options["weights"]
    keys = _base_keys(weights)
    filters = {"legitimate": True} if options.get("legitimate_only") else None
    tree = UnitTree.load(root)
    table = compute(
        keys, period=period, scope=Scope(root, subtree=True), split=("unit",), cfg=cfg, filters=filters
    )
    rolled = by_child_unit(table, tree, root.pk)
    rows = []
    empty = {k: mx.Value(mx.METRICS[k], 0, 0 if mx.METRICS[k].is_rate else None) for k in keys}
    for child in tree.children(root.pk):
        population = tree.population(child)
        if not population:
            continue
        values = {
            k: mx.Value(v.metric, v.num, v.den, population) for k, v in rolled.get((child,), empty).items()
        }
        score = Decimal(str(options.get("base", 100)))
        figures: dict[str, float | int | None] = {}
        for key, value in values.items():
            figures[key] = value.value
        for key, weight in weights.items():
            figure = values[key].value
            if figure is None:
                figure = 100 if values[key].metric.is_rate else 0
            score += Decimal(str(weight)) * Decimal(str(figure))
        rows.append(
            RankRow(
                child,
                tree.names[child],
                population,
                score.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
                figures,
            )
        )
    rows.sort(key=lambda r: (-r.score, r.unit_name))
    for i, row in enumerate(rows):
        row.rank = rows[i - 1].rank if i and row.score == rows[i - 1].score else i + 1
    return rows


@transaction.atomic
def ranking_publish(*, actor: User, root: Unit, period: Period, title: str) -> RankingPublication:
    """Publish the ranking as it stands now; it is kept unchanged from then on."""
    cfg = mx.config()
    rows = ranking_compute(root=root, period=period, cfg=cfg)
    publication = RankingPublication.objects.create(
        scope_unit=root,
        title=title,
        period_start=period.start,
        period_end=period.end,
        settings={
            "ranking": cfg["ranking"],
            "unit_basis": cfg["unit_basis"],
            "done_means": cfg["done_means"],
        },
        published_by=actor,
    )
    RankingEntry.objects.bulk_create(
        RankingEntry(
            publication=publication,
            unit_id=row.unit_id,
            rank=row.rank,
            score=row.score,
            population=row.population,
            figures=row.figures,
        )
        for row in rows
    )
    audit_record(
        actor=actor,
        action="stats.ranking_publish",
        obj=publication,
        detail={"period": [period.start.isoformat(), period.end.isoformat()], "units": len(rows)},
    )
    return publication
