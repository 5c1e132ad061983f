"""The metrics engine: any set of metrics (``stats.metrics``) for any period, unit subtree and split,
as one GROUP BY query per source table with conditional aggregates. No per-row Python loops."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

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

from xinfang.cases.access import visible_petitions
from xinfang.cases.models import Assignment
from xinfang.orgs.models import Unit, User
from xinfang.orgs.selectors import scope_unit_ids
from xinfang.petitions.models import Category, Channel, Petition
from xinfang.stats import metrics as mx
from xinfang.stats import rollups
from xinfang.stats.periods import Period, month_bounds, month_index

# "unit": the responsible unit (or the registering one while nobody holds it); "child": the same,
# rolled up to the scope's children (the dashboard's split by unit).
SPLITS = ("channel", "visit_level", "category", "unit", "child", "month")
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
    if root is None or user.unit is None:  # no root: the user has no unit
        return None
    if not user.unit.is_bureau:
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
    if split in ("unit", "child"):  # "child": rolled up to the scope's children by ``_to_children``
        if source == mx.ASSIGNMENT:
            return F("unit_id")
        # The responsible unit, or the registering unit while nobody holds it yet.
        return Coalesce(F("handling_unit_id"), F("registering_unit_id"))
    if split == "month":
        # Grouped by day and folded into statistical months in Python (at most 366 rows a year):
        # no per-row date function, and any month boundary.
        return F(f"{p}received_at")
    raise ValueError(f"unknown split {split!r}")


def _q_fields(q: Q) -> set[str]:
    """The model fields a filter reads (``category__parent_id`` reads ``category``); ``pk`` for a
    subquery or any other expression."""
    fields: set[str] = set()
    for child in q.children:
        if isinstance(child, Q):
            fields |= _q_fields(child)
            continue
        # A Q's non-Q children are its (lookup, value) pairs; the stubs type them as any Node.
        lookup, value = cast(tuple[str, Any], child)
        name = lookup.split("__")[0]
        fields.add(name[:-3] if name.endswith("_id") else name)
        if isinstance(value, F):
            fields.add(value.name.split("__")[0])  # type: ignore[attr-defined]  # F.name (set in __init__) is not in django-stubs
        elif hasattr(value, "resolve_expression") or hasattr(value, "query"):
            fields.add("pk")
    return fields


SPLIT_FIELDS = {"channel": "channel", "visit_level": "visit_level", "category": "category", "month": "received_at", "child": "child"}  # fmt: skip
FILTER_FIELDS = {"channel": "channel", "visit_level": "visit_level", "category": "category", "legitimate": "is_legitimate"}  # fmt: skip


def _rollup_fields(
    scope: Scope | None,
    period: Period | None,
    split: Sequence[str],
    cfg: dict[str, Any],
    filters: dict[str, Any] | None,
) -> set[str] | None:
    """The rollup columns the scope, filters and split of a query read, or None when no rollup
    can answer it (another unit basis, a scope that is not pre-aggregated, a sub-category)."""
    if (
        scope is None
        or not scope.subtree
        or cfg["unit_basis"] != "either"
        or not rollups.is_scope(scope.unit)
    ):
        return None
    fields = {"scope"} if period is None else {"scope", "received_at"}
    for name, value in (filters or {}).items():
        if value in (None, ""):
            continue
        if name == "category" and Category.objects.filter(pk=value, parent__isnull=False).exists():
            return None  # the rollups hold top-level categories only
        fields.add(FILTER_FIELDS[name])
    for name in split:
        if name not in SPLIT_FIELDS:
            return None
        fields.add(SPLIT_FIELDS[name])
    return fields


def _plan(
    measures: dict[str, mx.Measure],
    base: set[str] | None,
    cfg: dict[str, Any],
    cubes: Sequence[rollups.Cube] = rollups.CUBES,
) -> dict[rollups.Cube | None, dict[str, mx.Measure]]:
    """Which of ``cubes`` (None: the source table) computes each measure of one source: one rollup
    for all of them when one has every column they read (one query), else the smallest for each."""
    plan: dict[rollups.Cube | None, dict[str, mx.Measure]] = defaultdict(dict)
    if base is None:
        return {None: measures}
    rollup_cfg = {**cfg, mx.ROLLUP: True}
    needs: dict[str, set[str]] = {}
    wheres: dict[str, Q] = {}
    for alias, measure in measures.items():
        wheres[alias] = measure.where(rollup_cfg)
        fields = base | _q_fields(wheres[alias])
        if measure.weight_for(cfg) == mx.PERSON:
            fields.add("channel")
        needs[alias] = fields
    chosen = {alias: rollups.cube_for(fields, [wheres[alias]], cubes) for alias, fields in needs.items()}
    for open_only in (False, True):  # open-only rollups answer deadline measures, the others the rest
        rolled = [a for a, cube in chosen.items() if cube is not None and cube.open_only == open_only]
        together = rollups.cube_for(
            set().union(*(needs[a] for a in rolled)), [wheres[a] for a in rolled], cubes
        )
        for alias in rolled:
            plan[together or chosen[alias]][alias] = measures[alias]
    for alias, cube in chosen.items():
        if cube is None:
            plan[None][alias] = measures[alias]
    return plan


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


def _rollup_aggregate(measure: mx.Measure, cfg: dict[str, Any]) -> Any:
    where = measure.where({**cfg, mx.ROLLUP: True}) or None
    if measure.weight_for(cfg) == mx.PERSON:
        persons = Case(When(channel=Channel.VISIT, then=F("persons")), default=F("items"))
        return Sum(persons, filter=where)
    return Sum("items", filter=where)


def _rollup_rows(
    cube: rollups.Cube,
    mine: dict[str, mx.Measure],
    *,
    period: Period | None,
    scope: Scope,
    split: Sequence[str],
    cfg: dict[str, Any],
    filters: dict[str, Any] | None,
) -> Iterable[dict[str, Any]]:
    q = Q(scope_id=scope.unit.pk) & _filters_q(mx.PETITION, filters)
    parts: list[tuple[Any, Q]] = [(cube.model, q)]
    if period is not None:
        parts = [(cube.model, q & Q(received_at__range=(period.start, period.end)))]
        # Whole calendar months from the monthly rollup (not under a month split with another
        # month boundary: its months cut calendar months).
        if cube.monthly is not None and ("month" not in split or cfg["month_start_day"] <= 1):
            edges, months = rollups.split_months(period.start, period.end)
            if months is not None:
                parts = [(cube.model, q & Q(received_at__range=edge)) for edge in edges]
                parts.append((cube.monthly, q & Q(received_at__range=months)))
    aggs = {alias: _rollup_aggregate(measure, cfg) for alias, measure in mine.items()}
    columns = {"category": "category_id", "child": "child_id", "month": "received_at"}
    groups = {f"g{i}": F(columns.get(name, name)) for i, name in enumerate(split)}
    rows: list[dict[str, Any]] = []
    for model, where in parts:
        qs = model.objects.filter(where)
        if split:
            rows += qs.annotate(**groups).values(*groups).annotate(**aggs).order_by()
        else:
            rows.append(qs.aggregate(**aggs))
    return rows


def _raw_rows(
    source: str,
    mine: dict[str, mx.Measure],
    *,
    period: Period | None,
    scope: Scope | None,
    split: Sequence[str],
    cfg: dict[str, Any],
    filters: dict[str, Any] | None,
) -> Iterable[dict[str, Any]]:
    qs = _model(source).objects.filter(base_q(source, period=period, scope=scope, cfg=cfg, filters=filters))
    aggs = {alias: _aggregate(measure, cfg) for alias, measure in mine.items()}
    if not split:
        return [qs.aggregate(**aggs)]
    groups = {f"g{i}": _group_expr(s, source, cfg) for i, s in enumerate(split)}
    rows = list(qs.annotate(**groups).values(*groups).annotate(**aggs).order_by())
    if "child" in split:
        if scope is None:
            raise ValueError("the split by child unit needs a scope")
        _to_children(rows, f"g{list(split).index('child')}", scope.unit)
    return rows


def _to_children(rows: list[dict[str, Any]], key: str, top: Unit) -> None:
    """Replace unit ids by the child of ``top`` holding them (``top`` for ``top`` itself and for
    units outside its subtree), as ``by_child_unit`` does."""
    paths = dict(Unit.objects.filter(pk__in={row[key] for row in rows}).values_list("pk", "path"))
    for row in rows:
        path = paths.get(row[key], "")
        rest = path[len(top.path) :].strip("/").split("/") if path.startswith(top.path) else [""]
        row[key] = int(rest[0]) if rest[0] else top.pk


def compute(
    keys: Sequence[str],
    *,
    period: Period | None,
    scope: Scope | None = None,
    split: Sequence[str] = (),
    cfg: dict[str, Any] | None = None,
    filters: dict[str, Any] | None = None,
    population: int | None = None,
    use_rollups: bool = True,
    refresh: bool = True,
) -> Table:
    """``{group key: {metric key: Value}}``; the key is ``()`` without a split. One query per
    source table the metrics need — per rollup and source table when some metrics read a rollup
    (``stats.rollups``: stale days are recomputed first unless ``refresh`` is False, for a caller
    that has just refreshed). ``use_rollups=False`` reads the source tables only."""
    cfg = cfg or mx.config()
    chosen = [mx.METRICS[k] for k in keys]
    aliases: dict[mx.Measure, str] = {}
    for metric in chosen:
        for measure in (metric.numerator, metric.denominator):
            if measure is not None and measure not in aliases:
                aliases[measure] = f"m{len(aliases)}"
    raw: dict[Key, dict[str, int]] = defaultdict(dict)
    months = [i for i, name in enumerate(split) if name == "month"]
    base = _rollup_fields(scope, period, split, cfg, filters) if use_rollups else None
    refreshed = not refresh
    for source in (mx.PETITION, mx.ASSIGNMENT):
        mine = {alias: m for m, alias in aliases.items() if m.source == source}
        if not mine:
            continue
        cubes = rollups.CUBES if source == mx.PETITION else rollups.ASSIGNMENT_CUBES
        plan = _plan(mine, base, cfg, cubes)
        for cube, group in plan.items():
            if cube is None:
                rows = _raw_rows(
                    source, group, period=period, scope=scope, split=split, cfg=cfg, filters=filters
                )
            else:
                if not refreshed:
                    rollups.refresh()
                    refreshed = True
                assert scope is not None  # noqa: S101 - _rollup_fields checked it
                rows = _rollup_rows(
                    cube, group, period=period, scope=scope, split=split, cfg=cfg, filters=filters
                )
            for row in rows:
                key = tuple(
                    month_index(row[f"g{i}"], cfg["month_start_day"]) if i in months else row[f"g{i}"]
                    for i in range(len(split))
                )
                counts = raw[key]
                for alias in group:
                    counts[alias] = counts.get(alias, 0) + (row[alias] or 0)
    if not split and not raw:
        raw[()] = {}
    table: Table = {}
    # Aliases looked up once: hashing a Measure hashes its functions (thousands of keys).
    columns = [(m, aliases[m.numerator], aliases[m.denominator] if m.denominator else None) for m in chosen]
    for key, counts in raw.items():
        table[key] = {
            metric.key: mx.Value(metric, counts.get(num, 0), counts.get(den, 0) if den else None, population)
            for metric, num, den in columns
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
        parents: dict[int, int | None] = {}  # None: a unit without a parent
        names, pops, paths, codes = {}, {}, {}, {}
        for pk, name, parent, pop, path, code in rows:
            names[pk], parents[pk], pops[pk], paths[pk], codes[pk] = name, parent, pop, path, code
        return cls(root, names, parents, pops, paths, codes)

    def children(self, unit_id: int) -> list[int]:
        if not hasattr(self, "_children"):
            by_parent: dict[int | None, list[int]] = defaultdict(list)
            for pk in sorted(self.parents, key=self.paths.__getitem__):
                by_parent[self.parents[pk]].append(pk)
            self._children = by_parent
        return list(self._children.get(unit_id, []))

    def population(self, unit_id: int) -> int:
        """A unit's own population, or the sum of its children's where it has none."""
        cache: dict[int, int] = self.__dict__.setdefault("_population", {})
        if unit_id not in cache:
            own = self.own_population.get(unit_id, 0)
            cache[unit_id] = own or sum(self.population(child) for child in self.children(unit_id))
        return cache[unit_id]

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
    monthly table for every unit). Units outside ``tree`` are dropped. Adds plain vectors of
    numerators and denominators and builds each unit's values once (thousands of units)."""
    if not table:
        return {}
    metrics = [v.metric for v in next(iter(table.values())).values()]
    keys = [m.key for m in metrics]
    sums: dict[Key, list[int]] = {}
    for key, values in table.items():
        path = tree.paths.get(key[unit_position])
        if path is None:
            continue
        vector = [x for k in keys for x in (values[k].num, values[k].den or 0)]
        for part in path.strip("/").split("/"):
            ancestor = int(part)
            if ancestor not in tree.paths:
                continue
            out_key = key[:unit_position] + (ancestor,) + key[unit_position + 1 :]
            acc = sums.get(out_key)
            sums[out_key] = vector if acc is None else [a + b for a, b in zip(acc, vector, strict=True)]
    out: Table = {}
    for key, acc in sums.items():
        pop = tree.population(key[unit_position])
        out[key] = {
            m.key: mx.Value(m, acc[2 * i], acc[2 * i + 1] if m.is_rate else None, pop)
            for i, m in enumerate(metrics)
        }
    return out


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
