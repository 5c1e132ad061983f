"""The metrics engine: any set of metrics (``stats.metrics``) for any period, unit subtree and split,
as one GROUP BY query per source table with conditional aggregates. No per-row Python loops."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from xinfang.cases.models import Assignment
from xinfang.orgs.models import Unit, User
from xinfang.orgs.selectors import scope_unit_ids
from xinfang.petitions.models import Channel, Petition
from xinfang.petitions.selectors import visible_petitions
from xinfang.stats import metrics as mx
from xinfang.stats.periods import Period, month_bounds, month_index

SPLITS = ("channel", "visit_level", "category", "unit", "month")
# Petition-level filters a caller may add (dashboard filters, drill-down, ranking).
FILTERS = ("channel", "visit_level", "category", "legitimate")

Key = tuple[Any, ...]
Table = dict[Key, dict[str, mx.Value]]


# --- scope ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The units whose petitions a figure covers: a subtree (``unit.path`` prefix) for a 信访部门
    user, the user's own unit for everyone else (the same rule as ``visible_petitions``)."""

    unit: Unit
    subtree: bool

    def unit_ids(self) -> Any:
        if self.subtree:
            return Unit.objects.filter(path__startswith=self.unit.path).values("pk")
        return [self.unit.pk]


def scope_root(user: User) -> Unit | None:
    if user.unit is None:
        return None
    return user.unit.scope_root() if user.unit.is_bureau else user.unit


def scope_units(user: User) -> QuerySet[Unit]:
    """Units a user may pick on the dashboard."""
    return Unit.objects.filter(pk__in=scope_unit_ids(user)).order_by("path")


def user_scope(user: User, unit: Unit | None = None) -> Scope | None:
    """The scope for ``unit`` (default: the user's whole scope), or None when it is outside it."""
    root = scope_root(user)
    if root is None:
        return None
    if not user.unit.is_bureau:  # type: ignore[union-attr]
        return Scope(root, subtree=False) if unit is None or unit.pk == root.pk else None
    if unit is None:
        return Scope(root, subtree=True)
    return Scope(unit, subtree=True) if unit.is_within(root) else None


# --- query building -------------------------------------------------------------------------------


def _prefix(source: str) -> str:
    return "" if source == mx.PETITION else "petition__"


def _model(source: str) -> Any:
    return Petition if source == mx.PETITION else Assignment


def _scope_q(source: str, scope: Scope | None, cfg: dict[str, Any]) -> Q:
    if scope is None or (scope.subtree and scope.unit.parent_id is None):
        return Q()  # the root of the whole tree: every petition
    p, ids = _prefix(source), scope.unit_ids()
    registering = Q(**{f"{p}registering_unit_id__in": ids})
    handling = Q(**{f"{p}handling_unit_id__in": ids})
    basis = cfg["unit_basis"]
    if basis == "registering":
        return registering
    if basis == "handling":
        return handling
    return registering | handling


def _filters_q(source: str, filters: dict[str, Any] | None) -> Q:
    p, q = _prefix(source), Q()
    for name, value in (filters or {}).items():
        if value in (None, ""):
            continue
        if name == "category":
            q &= Q(**{f"{p}category_id": value}) | Q(**{f"{p}category__parent_id": value})
        elif name == "legitimate":
            q &= Q(**{f"{p}is_legitimate": bool(value)})
        elif name in ("channel", "visit_level"):
            q &= Q(**{f"{p}{name}": value})
        else:
            raise ValueError(f"unknown filter {name!r}")
    return q


def base_q(
    source: str,
    *,
    period: Period | None,
    scope: Scope | None,
    cfg: dict[str, Any],
    filters: dict[str, Any] | None,
) -> Q:
    q = _scope_q(source, scope, cfg) & _filters_q(source, filters)
    if period is not None:
        q &= Q(**{f"{_prefix(source)}received_at__range": (period.start, period.end)})
    return q


def _group_expr(split: str, source: str, cfg: dict[str, Any]) -> Any:
    p = _prefix(source)
    if split in ("channel", "visit_level"):
        return F(f"{p}{split}")
    if split == "category":
        return Coalesce(F(f"{p}category__parent_id"), F(f"{p}category_id"))
    if split == "unit":
        if source == mx.ASSIGNMENT:
            return F("unit_id")
        # The responsible unit, or the registering unit while nobody holds it yet.
        return Coalesce(F("handling_unit_id"), F("registering_unit_id"))
    if split == "month":
        # Grouped by day and folded into statistical months in Python (at most 366 rows a year):
        # no per-row date function, and any month boundary.
        return F(f"{p}received_at")
    raise ValueError(f"unknown split {split!r}")


def _persons(source: str) -> Any:
    p = _prefix(source)
    return Case(
        When(**{f"{p}channel": Channel.VISIT}, then=F(f"{p}persons")),
        default=Value(1),
        output_field=IntegerField(),
    )


def _aggregate(measure: mx.Measure, cfg: dict[str, Any]) -> Any:
    where = measure.where(cfg) or None
    if measure.weight_for(cfg) == mx.PERSON:
        return Sum(_persons(measure.source), filter=where)
    return Count("pk", filter=where)


def compute(
    keys: Sequence[str],
    *,
    period: Period | None,
    scope: Scope | None = None,
    split: Sequence[str] = (),
    cfg: dict[str, Any] | None = None,
    filters: dict[str, Any] | None = None,
    population: int | None = None,
) -> Table:
    """``{group key: {metric key: Value}}``; the key is ``()`` without a split. One query per
    source table the metrics need."""
    cfg = cfg or mx.config()
    chosen = [mx.METRICS[k] for k in keys]
    aliases: dict[mx.Measure, str] = {}
    for metric in chosen:
        for measure in (metric.numerator, metric.denominator):
            if measure is not None and measure not in aliases:
                aliases[measure] = f"m{len(aliases)}"
    raw: dict[Key, dict[str, int]] = defaultdict(dict)
    for source in (mx.PETITION, mx.ASSIGNMENT):
        mine = {alias: m for m, alias in aliases.items() if m.source == source}
        if not mine:
            continue
        qs = _model(source).objects.filter(
            base_q(source, period=period, scope=scope, cfg=cfg, filters=filters)
        )
        aggs = {alias: _aggregate(measure, cfg) for alias, measure in mine.items()}
        if split:
            groups = {f"g{i}": _group_expr(s, source, cfg) for i, s in enumerate(split)}
            rows: Iterable[dict[str, Any]] = qs.annotate(**groups).values(*groups).annotate(**aggs).order_by()
        else:
            rows = [qs.aggregate(**aggs)]
        months = [i for i, name in enumerate(split) if name == "month"]
        for row in rows:
            key = tuple(
                month_index(row[f"g{i}"], cfg["month_start_day"]) if i in months else row[f"g{i}"]
                for i in range(len(split))
            )
            counts = raw[key]
            for alias in mine:
                counts[alias] = counts.get(alias, 0) + (row[alias] or 0)
    if not split and not raw:
        raw[()] = {}
    table: Table = {}
    for key, counts in raw.items():
        table[key] = {
            metric.key: mx.Value(
                metric,
                counts.get(aliases[metric.numerator], 0),
                counts.get(aliases[metric.denominator], 0) if metric.denominator else None,
                population,
            )
            for metric in chosen
        }
    return table


def single(keys: Sequence[str], **kwargs: Any) -> dict[str, mx.Value]:
    """``compute`` without a split."""
    return compute(keys, **kwargs).get((), {})


def combine(values: Iterable[mx.Value], population: int | None = None) -> mx.Value:
    """Sum of the numerators and denominators of one metric (rates stay exact when rolled up)."""
    values = list(values)
    metric = values[0].metric
    den = sum(v.den or 0 for v in values) if metric.is_rate else None
    return mx.Value(metric, sum(v.num for v in values), den, population)


# --- units: roll-up and population ------------------------------------------------------------


@dataclass
class UnitTree:
    """The units of a subtree, loaded once: ids, names, parents and populations."""

    root: Unit
    names: dict[int, str]
    parents: dict[int, int | None]
    own_population: dict[int, int]
    paths: dict[int, str]
    codes: dict[int, str]

    @classmethod
    def load(cls, root: Unit) -> UnitTree:
        rows = Unit.objects.filter(path__startswith=root.path).values_list(
            "pk", "name", "parent_id", "population", "path", "code"
        )
        names, parents, pops, paths, codes = {}, {}, {}, {}, {}
        for pk, name, parent, pop, path, code in rows:
            names[pk], parents[pk], pops[pk], paths[pk], codes[pk] = name, parent, pop, path, code
        return cls(root, names, parents, pops, paths, codes)

    def children(self, unit_id: int) -> list[int]:
        return sorted((pk for pk, parent in self.parents.items() if parent == unit_id), key=self.paths.get)

    def population(self, unit_id: int) -> int:
        """A unit's own population, or the sum of its children's where it has none."""
        own = self.own_population.get(unit_id, 0)
        if own:
            return own
        return sum(self.population(child) for child in self.children(unit_id))

    def ancestor_below(self, unit_id: int, top: int) -> int | None:
        """The child of ``top`` whose subtree holds ``unit_id`` (``top`` itself for ``top``)."""
        path = self.paths.get(unit_id)
        top_path = self.paths.get(top)
        if path is None or top_path is None or not path.startswith(top_path):
            return None
        rest = path[len(top_path) :].strip("/").split("/")
        return int(rest[0]) if rest and rest[0] else top


def by_child_unit(table: Table, tree: UnitTree, top: int, *, unit_position: int = 0) -> Table:
    """Roll a table split by unit up to the children of ``top`` (petitions of ``top`` itself, or
    held outside the subtree, stay under ``top``), attaching each child's population."""
    buckets: dict[Key, list[dict[str, mx.Value]]] = defaultdict(list)
    for key, values in table.items():
        child = tree.ancestor_below(key[unit_position], top) or top
        new_key = key[:unit_position] + (child,) + key[unit_position + 1 :]
        buckets[new_key].append(values)
    out: Table = {}
    for key, groups in buckets.items():
        pop = tree.population(key[unit_position])
        out[key] = {k: combine((g[k] for g in groups), pop) for k in groups[0]}
    return out


def every_unit(table: Table, tree: UnitTree, *, unit_position: int = 0) -> Table:
    """Roll a table split by unit up the tree: every unit gets the totals of its subtree (the
    monthly table for every unit). Units outside ``tree`` are dropped."""
    sums: dict[Key, list[dict[str, mx.Value]]] = defaultdict(list)
    for key, values in table.items():
        path = tree.paths.get(key[unit_position])
        if path is None:
            continue
        for part in path.strip("/").split("/"):
            ancestor = int(part)
            if ancestor in tree.paths:
                sums[key[:unit_position] + (ancestor,) + key[unit_position + 1 :]].append(values)
    return {
        key: {k: combine((g[k] for g in groups), tree.population(key[unit_position])) for k in groups[0]}
        for key, groups in sums.items()
    }


# --- comparisons --------------------------------------------------------------------------------


def compare(
    keys: Sequence[str], *, period: Period, **kwargs: Any
) -> dict[str, tuple[mx.Value, mx.Value, mx.Value]]:
    """Each metric now, in the same period last year (同比) and in the previous period (环比)."""
    now = single(keys, period=period, **kwargs)
    last_year = single(keys, period=period.previous_year(), **kwargs)
    before = single(keys, period=period.previous(), **kwargs)
    return {k: (now[k], last_year[k], before[k]) for k in keys}


def month_range(index: int, start_day: int) -> tuple[date, date]:
    year, month = divmod(index, 12)
    return month_bounds(year, month + 1, start_day)


# --- drill-down ---------------------------------------------------------------------------------


def drilldown(
    user: User,
    metric_key: str,
    *,
    part: str,
    period: Period | None,
    scope: Scope,
    cfg: dict[str, Any] | None = None,
    filters: dict[str, Any] | None = None,
) -> QuerySet[Petition]:
    """The petitions behind a figure: the metric's numerator (``part="num"``) or denominator,
    within what the user may see."""
    cfg = cfg or mx.config()
    metric = mx.METRICS[metric_key]
    measure = metric.denominator if part == "den" and metric.denominator else metric.numerator
    qs = visible_petitions(user)
    if measure.source == mx.PETITION:
        where = base_q(mx.PETITION, period=period, scope=scope, cfg=cfg, filters=filters) & measure.where(cfg)
        return qs.filter(where)
    assignments = Assignment.objects.filter(
        base_q(mx.ASSIGNMENT, period=period, scope=scope, cfg=cfg, filters=filters) & measure.where(cfg)
    )
    return qs.filter(pk__in=assignments.values("petition_id"))
