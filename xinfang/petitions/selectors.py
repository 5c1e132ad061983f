"""Readers of the petition record: its petitioners, what a search box query is, the filters and
orderings of lists. Which cases a user may reach is decided by the door, ``cases.access``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import BooleanField, F, Q, QuerySet
from django.db.models.expressions import OrderBy, RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone

from xinfang.lib import idcard
from xinfang.orgs.models import User
from xinfang.orgs.selectors import scope_unit_ids
from xinfang.petitions.models import Petition, PetitionPetitioner
from xinfang.prepared import Prepared

CASE_NUMBER = re.compile(r"^[0-9A-Za-z]+-\d{4}-\d{6}$")
ID_NUMBER = re.compile(r"^\d{17}[\dXx]$")
PHONE = re.compile(r"^\+?\d[\d\-]{6,19}$")


_LINKS = Prepared(
    lambda petition: PetitionPetitioner.objects.filter(petition_id=petition).select_related("petitioner"),
    petition=int,
)


def links_of(petition: Petition) -> list[PetitionPetitioner]:
    """The case's petitioners in order, with their records; read once per case object (the
    transitions and the notices of one request share it)."""
    cached: list[PetitionPetitioner] | None = getattr(petition, "_xf_links", None)
    if cached is None:
        cached = _LINKS.all(petition=petition.pk)
        petition._xf_links = cached  # type: ignore[attr-defined]  # the per-object cache read above
    return cached


@dataclass(frozen=True)
class SearchKind:
    kind: str  # case_number | id_number | phone | text
    value: str


def classify_query(q: str) -> SearchKind:
    q = q.strip()
    if CASE_NUMBER.match(q):
        return SearchKind("case_number", q)
    if ID_NUMBER.match(q):
        return SearchKind("id_number", idcard.normalize(q))
    if PHONE.match(q):
        return SearchKind("phone", q.replace("-", ""))
    return SearchKind("text", q)


def keyword_q(terms: list[str]) -> Q:
    """The full-text predicate as a condition on the scoped query itself, so that the database
    combines it with the scope's unit indexes (measured at 1M, docs/benchmarks.md)."""
    if connection.vendor == "postgresql":
        # The expression must be the GIN index's own (no COALESCE, unlike SearchVector).
        sql = "to_tsvector('simple', petitions_petition.search_text) @@ plainto_tsquery('simple', %s)"
        return Q(RawSQL(sql, [" ".join(terms)], output_field=BooleanField()))  # noqa: S611 - bound params
    # The unary + keeps SQLite from driving the query from the FTS match list (every match in the
    # province, then one row lookup each): it starts from the scope's unit indexes instead.
    match = " ".join('"' + t.replace('"', "") + '"' for t in terms)
    sql = '+"petitions_petition"."id" IN (SELECT rowid FROM petitions_fts WHERE petitions_fts MATCH %s)'
    return Q(RawSQL(sql, [match], output_field=BooleanField()))  # noqa: S611 - constant SQL, bound params


FILTER_FIELDS = ("channel", "request_class", "visit_level", "status", "category")


def filter_petitions(qs: QuerySet[Petition], params: dict[str, str]) -> QuerySet[Petition]:
    """The filters every list offers; unknown or empty values are ignored."""
    for name in FILTER_FIELDS:
        value = params.get(name, "").strip()
        if not value:
            continue
        if name == "category":
            qs = qs.filter(Q(category__code=value) | Q(category__parent__code=value))
        else:
            qs = qs.filter(**{name: value})
    if (start := _date(params.get("from"))) is not None:
        qs = qs.filter(received_at__gte=start)
    if (end := _date(params.get("to"))) is not None:
        qs = qs.filter(received_at__lte=end)
    if unit := params.get("unit", "").strip():
        qs = qs.filter(Q(registering_unit__code=unit) | Q(handling_unit__code=unit))
    if params.get("open") == "1":
        qs = qs.filter(is_open=True)
    elif params.get("open") == "0":
        qs = qs.filter(is_open=False)
    if params.get("collective") == "1":
        qs = qs.filter(is_collective=True)
    if params.get("overdue") == "1":
        qs = qs.filter(is_open=True, due_at__lt=timezone.localdate())
    return qs


def _date(raw: str | None) -> date | None:
    try:
        return date.fromisoformat((raw or "").strip())
    except ValueError:
        return None


QUEUE_ORDERINGS = {
    "due": ("due_at", "id"),
    "received": ("-received_at", "-id"),
    "-due": ("-due_at", "-id"),
    "-received": ("received_at", "id"),
}
# Up to this many units in the scope (a county and below), lists are sorted from the scope's own
# rows; beyond it (a city or the province) walking the global date index is cheaper.
SMALL_SCOPE_UNITS = 64


def _unindexed(field: str, *, descending: bool) -> OrderBy:
    """``COALESCE(col, col)``: the same order as ``col``, but not an index order. Without it the
    PostgreSQL planner walks the global date index and filters by scope until it has a page
    (10,500 rows read for 50 kept at 1M); with it, it reads the scope's rows through the per-unit
    indexes and sorts them (p95 64 → 28 ms, docs/benchmarks.md)."""
    expr = Coalesce(F(field), F(field))
    return expr.desc() if descending else expr.asc()


def ordering_for(user: User, sort: str) -> tuple[Any, ...]:
    """The ``order_by`` arguments of a list of this user's scope; same order whatever the shape."""
    fields = QUEUE_ORDERINGS.get(sort, QUEUE_ORDERINGS["due"])
    if len(scope_unit_ids(user)) > SMALL_SCOPE_UNITS:
        return fields
    first, tie = fields
    return (_unindexed(first.lstrip("-"), descending=first.startswith("-")), tie)


def list_related(qs: QuerySet[Petition]) -> QuerySet[Petition]:
    """What list pages show per row, fetched without N+1 queries."""
    return qs.select_related("registering_unit", "handling_unit", "category__parent").prefetch_related(
        "links__petitioner"
    )
