"""Prepared queries give exactly what the ORM gives, compile once and refuse what they cannot prepare."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Count, F
from django.db.models.sql.compiler import SQLCompiler

from xinfang.audit.models import AuditLog
from xinfang.cases.models import CaseEvent
from xinfang.cases.tests import case_builders as b
from xinfang.orgs.models import ApiToken, Unit
from xinfang.orgs.services import hash_token, token_create
from xinfang.petitions.models import Petition
from xinfang.prepared import Prepared

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(world, monkeypatch) -> list[Petition]:
    """An accepted case (handled by the township, with events and audit entries) and a registered one."""
    b.Clock(monkeypatch).set(b.LATE)
    return [b.accepted(world), b.registered(world, title="反映村道损毁")]


def fields(obj: Any) -> dict[str, tuple[type, Any]]:
    """Every attribute with its type: 1 == True and a JSON string is not a dict."""
    return {k: (type(v), v) for k, v in vars(obj).items() if k != "_state"}


def kinds(rows: list[Any]) -> list[type]:
    """The type of every value: 1 == True and a date string is not a date."""
    values = (
        row.values() if isinstance(row, dict) else row if isinstance(row, tuple) else [row] for row in rows
    )
    return [type(v) for row in values for v in row]


def counting_compiles(monkeypatch) -> list[SQLCompiler]:
    calls: list[SQLCompiler] = []
    real = SQLCompiler.as_sql

    def as_sql(self: SQLCompiler, *args: Any, **kwargs: Any) -> Any:
        calls.append(self)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", as_sql)
    return calls


@pytest.mark.parametrize(
    "build",
    [
        lambda pk: Petition.objects.filter(pk=pk).annotate(n_events=Count("events")),
        lambda pk: CaseEvent.objects.filter(petition_id=pk).order_by("pk"),
        lambda pk: AuditLog.objects.filter(petition_id=pk).order_by("pk"),
    ],
    ids=["petition", "case_event", "audit_log"],
)
def test_it_builds_instances_equal_to_the_orms(cases, build):
    query = Prepared(build, pk=int)
    for case in cases:
        expected = list(build(case.pk))
        got = query.all(pk=case.pk)
        assert got and [fields(o) for o in got] == [fields(o) for o in expected]
        assert all(o._state.db == "default" and not o._state.adding for o in got)


def test_it_reads_json_dates_and_nulls_like_the_orm(cases):
    event = CaseEvent.objects.filter(petition=cases[0]).exclude(data={}).order_by("pk").first()
    assert event is not None and event.actor_id is not None
    query = Prepared(lambda pk: CaseEvent.objects.filter(pk=pk), pk=int)
    got = query.first(pk=event.pk)
    assert got is not None
    assert fields(got) == fields(event)
    assert isinstance(got.data, dict) and got.deadline is None and got.at.tzinfo is not None


def related(p: Petition) -> list[Any]:
    """The petition and what select_related fetched: four levels of units (the city's parent is
    NULL), its registering clerk and his unit, and a complained unit it does not have."""
    unit = p.handling_unit
    assert unit is not None and unit.parent is not None and unit.parent.parent is not None
    assert p.created_by is not None
    units = [unit, unit.parent, unit.parent.parent, unit.parent.parent.parent]
    return [p, *units, p.created_by, p.created_by.unit, p.complained_unit]


def test_it_fills_nested_and_null_select_related_in_one_query(cases, django_assert_num_queries):
    def build(pk: int) -> Any:
        return Petition.objects.select_related(
            "handling_unit__parent__parent__parent", "created_by__unit", "complained_unit"
        ).filter(pk=pk)

    query = Prepared(build, pk=int)
    expected = related(build(cases[0].pk).get())
    with django_assert_num_queries(1):
        first = query.first(pk=cases[0].pk)
        assert first is not None
        got = related(first)
    assert [fields(o) if o else o for o in got] == [fields(o) if o else o for o in expected]
    assert got[1].code == "990121101" and got[4] is None and got[7] is None


@pytest.mark.parametrize(
    "shape",
    [
        lambda qs: qs.values_list(
            "pk", "received_at", "is_open", "due_at", "created_at", "handling_unit__code"
        ),
        lambda qs: qs.values_list("created_at", flat=True),
        lambda qs: qs.values(
            "pk", "status", "accepted_on", "is_repeat", parent=F("handling_unit__parent__code")
        ),
        lambda qs: qs.annotate(n=Count("events")).values("case_number", "n"),
        # Ordering by a column it does not select makes Django append that column, then drop it.
        lambda qs: qs.order_by("-received_at", "pk").distinct().values_list("title", "is_open"),
    ],
    ids=["values_list", "flat", "values", "values_annotated", "extra_order_column"],
)
def test_it_gives_the_orms_values(world, cases, shape):
    def build(unit: int) -> Any:
        return shape(Petition.objects.filter(registering_unit_id=unit).order_by("pk"))

    query = Prepared(build, unit=int)
    expected = list(build(world.bureau.pk))
    assert len(expected) == 2
    got = query.all(unit=world.bureau.pk)
    assert got == expected and kinds(got) == kinds(expected)


def test_it_compiles_once_and_runs_with_each_new_value(cases, monkeypatch):
    query = Prepared(lambda pk: Petition.objects.filter(pk=pk).values_list("pk", "case_number"), pk=int)
    first = query.all(pk=cases[0].pk)
    compiles = counting_compiles(monkeypatch)
    second = query.all(pk=cases[1].pk)
    missing = query.first(pk=max(c.pk for c in cases) + 1)
    assert compiles == []
    assert first == [(cases[0].pk, cases[0].case_number)]
    assert second == [(cases[1].pk, cases[1].case_number)]
    assert missing is None
    list(Petition.objects.filter(pk=cases[0].pk))
    assert len(compiles) == 1  # the counter does count the ORM's compiles


def test_it_takes_str_params_like_the_token_lookup(world):
    raw = token_create(user=world.clerk)
    revoked = token_create(user=world.leader)
    ApiToken.objects.filter(key_hash=hash_token(revoked)).update(revoked=True)

    def build(key_hash: str) -> Any:
        return ApiToken.objects.select_related("user__unit").filter(
            key_hash=key_hash, revoked=False, user__is_active=True
        )[:1]

    query = Prepared(build, key_hash=str)
    got = query.first(key_hash=hash_token(raw))
    assert got is not None
    expected = build(hash_token(raw)).get()
    assert [fields(got), fields(got.user), fields(got.user.unit)] == [
        fields(expected),
        fields(expected.user),
        fields(expected.user.unit),
    ]
    assert query.first(key_hash=hash_token(revoked)) is None
    assert query.first(key_hash="%") is None


def test_it_finds_a_unit_by_its_code(world):
    query = Prepared(lambda code: Unit.objects.filter(code=code), code=str)
    assert fields(query.first(code="990121XF")) == fields(Unit.objects.get(pk=world.bureau.pk))
    assert query.all(code="990121%") == []


@pytest.mark.parametrize(
    ("build", "types", "message"),
    [
        (lambda code: Unit.objects.filter(code__startswith=code), {"code": str}, "transformed"),
        (lambda code: Unit.objects.filter(code=code, name__contains=code), {"code": str}, "transformed"),
        (lambda pk: Unit.objects.prefetch_related("children").filter(pk=pk), {"pk": int}, "prefetch_related"),
        (lambda pk: Unit.objects.all(), {"pk": int}, "does not reach"),
        (lambda pk, code: Unit.objects.filter(pk=pk, code=code), {"pk": int}, "do not match"),
        (lambda n: Unit.objects.order_by("pk")[:n], {"n": int}, "into the SQL"),
        (lambda pk: Unit.objects.filter(pk=pk).values_list("pk", named=True), {"pk": int}, "not supported"),
        (lambda pk: Unit.objects.filter(pk=pk, code__in=[]), {"pk": int}, "always empty"),
        (lambda day: Unit.objects.filter(pk=day), {"day": float}, "only int and str"),
    ],
)
def test_it_refuses_what_it_cannot_prepare(world, build, types, message):
    values = {name: world.city.pk if kind is int else "990100" for name, kind in types.items()}
    with pytest.raises(ValueError, match=message):
        Prepared(build, **types).all(**values)


def test_it_refuses_a_value_of_the_wrong_type(world):
    query = Prepared(lambda pk: Unit.objects.filter(pk=pk), pk=int)
    for wrong in [str(world.city.pk), float(world.city.pk), None, True]:
        with pytest.raises(TypeError, match="'pk' takes int"):
            query.first(pk=wrong)
    with pytest.raises(TypeError, match="takes"):
        query.first(id=world.city.pk)


def test_it_answers_an_int_beyond_64_bits_as_the_orm_does(world):
    query = Prepared(lambda pk: Unit.objects.filter(pk=pk), pk=int)
    assert query.first(pk=2**64) is None
    assert query.first(pk=world.city.pk) == world.city
