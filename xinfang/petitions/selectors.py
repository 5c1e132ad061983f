"""Readers for petitions. ``access_petition`` is the only door to a single case; every list is
built on ``visible_petitions``, which scopes by the user's unit."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import BooleanField, F, Q, QuerySet
from django.db.models.expressions import OrderBy, RawSQL
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from xinfang.lib import idcard
from xinfang.lib.text import query_terms
from xinfang.orgs.models import User
from xinfang.orgs.selectors import in_scope, scope_unit_ids
from xinfang.petitions.models import Petition, PetitionPetitioner, RequestClass
from xinfang.prepared import Prepared

CASE_NUMBER = re.compile(r"^[0-9A-Za-z]+-\d{4}-\d{6}$")
ID_NUMBER = re.compile(r"^\d{17}[\dXx]$")
PHONE = re.compile(r"^\+?\d[\d\-]{6,19}$")


class PetitionNotFound(Http404):
    """Missing and forbidden look the same, so the answer tells nothing about other units' cases."""


def visible_petitions(user: User) -> QuerySet[Petition]:
    ids = scope_unit_ids(user)
    if not ids:
        return Petition.objects.none()
    return Petition.objects.filter(Q(registering_unit_id__in=ids) | Q(handling_unit_id__in=ids))


# Every request for a case runs these: compiled once (xinfang.prepared).
_CASE = Prepared(
    lambda pk: Petition.objects.filter(pk=pk).select_related(
        "registering_unit", "handling_unit", "category__parent", "complained_unit", "created_by"
    ),
    pk=int,
)
_LINKS = Prepared(
    lambda petition: PetitionPetitioner.objects.filter(petition_id=petition).select_related("petitioner"),
    petition=int,
)


def access_petition(user: User, petition_id: int | str, *, write: bool = False) -> Petition:
    """The only way to reach one case: cases registered by or held by the user's scope, and cases in
    which a unit of the scope has a duty (协办 and the other duties of a 交办 package). Transitions
    check on top of this which unit holds the step (cases.services). The scope is decided from the
    units' paths (``in_scope``), so a request reads the case and nothing else."""
    try:
        pk = int(petition_id)
    except (TypeError, ValueError):
        raise PetitionNotFound from None
    petition = _CASE.first(pk=pk)
    if petition is None or not _reachable(user, petition):
        raise PetitionNotFound
    return petition


def _reachable(user: User, petition: Petition) -> bool:
    if in_scope(user, petition.registering_unit) or in_scope(user, petition.handling_unit):
        return True
    from xinfang.cases.selectors import assignments_of

    return any(in_scope(user, duty.unit) for duty in assignments_of(petition))


def links_of(petition: Petition) -> list[PetitionPetitioner]:
    """The case's petitioners in order, with their records; read once per case object (the
    transitions and the notices of one request share it)."""
    cached: list[PetitionPetitioner] | None = getattr(petition, "_xf_links", None)
    if cached is None:
        cached = _LINKS.all(petition=petition.pk)
        petition._xf_links = cached  # type: ignore[attr-defined]
    return cached


def identity_hidden_q(user: User) -> Q:
    """Cases whose petitioners this user must not see: 检举控告 against the user's own unit or a
    unit above it (条例第三十条、第四十六条: the accuser's identity never reaches the accused)."""
    if user.unit is None:
        return Q(request_class=RequestClass.ACCUSATION)
    return Q(request_class=RequestClass.ACCUSATION, complained_unit_id__in=user.unit.ancestor_ids)


def identity_visible(user: User, petition: Petition) -> bool:
    if petition.request_class != RequestClass.ACCUSATION or petition.complained_unit_id is None:
        return petition.request_class != RequestClass.ACCUSATION or user.unit is not None
    return user.unit is not None and petition.complained_unit_id not in user.unit.ancestor_ids


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


def _keyword_q(terms: list[str]) -> Q:
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


# A petitioner's name is resolved to case ids first; an OR-ed subquery forces a row-by-row filter.
NAME_MATCH_LIMIT = 1000


def search_petitions(user: User, q: str) -> QuerySet[Petition]:
    """Search box: a case number, a 身份证号, a phone number, a petitioner's name or Chinese keywords.
    Identity lookups never return 检举控告 cases whose accuser is hidden from this user."""
    base = visible_petitions(user)
    found = classify_query(q)
    if not found.value:
        return base
    if found.kind == "case_number":
        return base.filter(case_number=found.value)
    if found.kind in ("id_number", "phone"):
        links = PetitionPetitioner.objects.filter(**{f"petitioner__{found.kind}": found.value})
        return base.filter(pk__in=links.values("petition_id")).exclude(identity_hidden_q(user))
    terms = query_terms(found.value)
    named = list(
        PetitionPetitioner.objects.filter(petitioner__name=found.value).values_list("petition_id", flat=True)[
            :NAME_MATCH_LIMIT
        ]
    )
    by_name = Q(pk__in=named) & ~identity_hidden_q(user) if named else Q(pk__in=[])
    if not terms:
        return base.filter(by_name)
    return base.filter(_keyword_q(terms) | by_name)


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


def duty_petition_ids(user: User) -> list[int]:
    """Cases in which a unit of the user's scope holds an active duty of a 交办 package (协办 and the
    五虎牧羊阵 duties) without registering or holding the case."""
    from xinfang.cases.models import ACTIVE_ASSIGNMENT, Assignment

    ids = scope_unit_ids(user)
    if not ids:
        return []
    return list(
        Assignment.objects.filter(unit_id__in=ids, status__in=ACTIVE_ASSIGNMENT)
        .values_list("petition_id", flat=True)
        .distinct()
    )


def work_queue(user: User, *, sort: str = "due") -> QuerySet[Petition]:
    """Open cases of the user's scope and open cases in which the scope holds a duty, by deadline
    (default) or by received date."""
    ids = scope_unit_ids(user)
    if not ids:
        return Petition.objects.none()
    scope = Q(registering_unit_id__in=ids) | Q(handling_unit_id__in=ids)
    if duties := duty_petition_ids(user):
        scope |= Q(pk__in=duties)
    return Petition.objects.filter(scope, is_open=True).order_by(*ordering_for(user, sort))


def list_related(qs: QuerySet[Petition]) -> QuerySet[Petition]:
    """What list pages show per row, fetched without N+1 queries."""
    return qs.select_related("registering_unit", "handling_unit", "category__parent").prefetch_related(
        "links__petitioner"
    )
