"""Every lifecycle action through ``POST /api/v1/cases/{id}/<action>``."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from xinfang.orgs.models import Role, User
from xinfang.orgs.services import token_create
from xinfang.sqlite.base import FOR_UPDATE
from xinfang.testing import PASSWORD, make_id_number, registration


@pytest.fixture
def call(client, world):
    tokens: dict[int, str] = {}

    def _call(user, method, path, body=None):
        if user.pk not in tokens:
            tokens[user.pk] = token_create(user=user)
        headers = {"HTTP_AUTHORIZATION": f"Bearer {tokens[user.pk]}"}
        if method == "get":
            response = client.get(path, **headers)
        else:
            response = client.post(
                path, data=json.dumps(body or {}), content_type="application/json", **headers
            )
        return response.status_code, json.loads(response.content) if response.content else None

    return _call


def _route_to_close(world, reason):
    """(user, action, body) of route (六) after registration: 转送, 受理, 答复, 送达, 办结."""
    return [
        (world.clerk, "transfer", {"unit": world.township.code}),
        (world.township_handler, "accept", {"route": "petition"}),
        (world.township_handler, "reply", _decision()),
        (world.township_handler, "deliver", {}),
        (world.township_handler, "close", {"reason": reason}),
    ]


def _decision(**extra):
    return {
        "requests": "足额发放补偿款",
        "facts": "经查属实",
        "opinion": "责令限期发放",
        "basis": "《土地管理法》",
        "outcome": "explain",
        **extra,
    }


def test_it_takes_a_case_from_registration_to_archive_through_the_api(call, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    status, created = call(world.clerk, "post", "/api/v1/petitions", registration())
    assert status == 201
    case = f"/api/v1/cases/{created['id']}"
    status, state = call(world.clerk, "post", f"{case}/transfer", {"unit": world.township.code})
    assert status == 200 and state["status"] == "routed"
    assert state["assignments"][0]["ack_due"] and state["assignments"][0]["objection_due"]
    status, state = call(world.township_handler, "post", f"{case}/accept", {"route": "petition"})
    assert status == 200 and state["status"] == "accepted" and state["due_at"]
    status, state = call(world.township_handler, "post", f"{case}/reply", _decision())
    assert status == 200 and state["status"] == "replied"
    status, state = call(world.township_handler, "post", f"{case}/deliver", {})
    assert status == 200
    status, state = call(
        world.clerk,
        "post",
        f"{case}/evaluate",
        {"target": "handler", "satisfaction": "satisfied", "method": "phone"},
    )
    assert status == 200
    status, state = call(world.township_handler, "post", f"{case}/close", {"reason": "信访人表示满意"})
    assert status == 200 and state["status"] == "closed"
    status, state = call(world.clerk, "post", f"{case}/archive")
    assert status == 200 and state["status"] == "archived" and not state["is_open"]
    kinds = {n["kind"] for n in state["notices"]}
    assert {"acceptance", "opinion"} <= kinds
    notice = next(n for n in state["notices"] if n["kind"] == "acceptance")
    assert notice["pdf"].endswith("/pdf")


def test_it_names_the_field_of_a_refused_guard(call, world):
    _, created = call(world.clerk, "post", "/api/v1/petitions", registration(request_class="accusation"))
    status, body = call(
        world.clerk, "post", f"/api/v1/cases/{created['id']}/transfer", {"unit": world.township.code}
    )
    assert status == 422
    assert "纪检监察" in body["error"]["message"]
    assert "unit" in body["error"]["fields"]


def test_it_refuses_the_wrong_unit_with_403(call, world):
    _, created = call(world.clerk, "post", "/api/v1/petitions", registration())
    case = f"/api/v1/cases/{created['id']}"
    call(world.clerk, "post", f"{case}/transfer", {"unit": world.township.code})
    status, body = call(world.clerk, "post", f"{case}/accept", {"route": "petition"})
    assert status == 403 and body["error"]["code"] == "forbidden"


def test_it_hides_another_countys_case_as_not_found(call, world):
    _, created = call(world.clerk, "post", "/api/v1/petitions", registration())
    status, body = call(
        world.other_clerk, "post", f"/api/v1/cases/{created['id']}/transfer", {"unit": world.township.code}
    )
    missing_status, missing = call(world.other_clerk, "post", "/api/v1/cases/999999/transfer", {"unit": "x"})
    assert status == missing_status == 404
    assert body == missing


def test_it_refuses_an_impossible_date_naming_the_field(call, world):
    _, created = call(world.clerk, "post", "/api/v1/petitions", registration())
    status, body = call(
        world.clerk,
        "post",
        f"/api/v1/cases/{created['id']}/transfer",
        {"unit": world.township.code, "sent_on": "2024-02-30"},
    )
    assert status == 422 and "sent_on" in body["error"]["fields"]


def test_it_assigns_to_several_units_with_duties(call, world):
    _, created = call(world.clerk, "post", "/api/v1/petitions", registration())
    due = (timezone.localdate() + timedelta(days=20)).isoformat()
    status, state = call(
        world.clerk,
        "post",
        f"/api/v1/cases/{created['id']}/assign",
        {
            "units": [
                {"unit": world.township.code, "duty": "lead", "due_at": due},
                {"unit": world.dept.code, "duty": "legal_aid", "due_at": due, "share": "提供法律援助"},
            ]
        },
    )
    assert status == 200
    assert sorted(a["duty"] for a in state["assignments"]) == ["lead", "legal_aid"]
    status, state = call(world.dept_handler, "get", f"/api/v1/cases/{created['id']}")
    assert status == 200  # an assisting unit reaches the case through its duty


def test_a_leader_approves_an_extension(call, world):
    _, created = call(world.clerk, "post", "/api/v1/petitions", registration())
    case = f"/api/v1/cases/{created['id']}"
    call(world.clerk, "post", f"{case}/transfer", {"unit": world.township.code})
    call(world.township_handler, "post", f"{case}/accept", {"route": "petition"})
    status, state = call(
        world.township_handler, "post", f"{case}/extension-request", {"days": 31, "reason": "情况复杂"}
    )
    assert status == 422 and "days" in state["error"]["fields"]
    call(world.township_handler, "post", f"{case}/extension-request", {"days": 30, "reason": "情况复杂"})
    status, _ = call(world.township_handler, "post", f"{case}/extension", {"approve": True})
    assert status == 403
    head = User.objects.create_user(username="head", password=PASSWORD, unit=world.township, role=Role.LEADER)
    status, state = call(head, "post", f"{case}/extension", {"approve": True})
    assert status == 200 and state["extensions"][0]["status"] == "approved"
    assert state["due_at"] == state["extensions"][0]["new_due"]


def test_each_lifecycle_action_answers_in_a_bounded_number_of_queries(call, world, settings, tmp_path):
    # Budget per request: auth (the token read; its last-used time at most once a minute), access
    # (the case with its units in one query), the transition with its event, audit entry and
    # notice, and the state in the answer (its seven lists in one statement; the case itself is not
    # read again). A transition's guard (workflow.guards) reads what it decides on, and the service
    # reads it again after the guard passed (deliver: the decision).
    # More means something is read again or row by row.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.MEDIA_ROOT = tmp_path
    status, created = call(world.clerk, "post", "/api/v1/petitions", registration())
    case = f"/api/v1/cases/{created['id']}"
    call(world.township_handler, "get", case)  # the handler's token exists before counting
    # Each includes one read of the audit chain's tail per audit entry (xinfang.audit.chain).
    budget = {"transfer": 11, "accept": 21, "reply": 23, "deliver": 12, "close": 9}
    steps = _route_to_close(world, "满意")
    used = {}
    for user, action, body in steps:
        with CaptureQueriesContext(connection) as queries:
            status, state = call(user, "post", f"{case}/{action}", body)
        assert status == 200, state
        used[action] = len(queries)
    assert state["status"] == "closed"
    assert {a: n for a, n in used.items() if n > budget[a]} == {}, used


def _in_outermost_savepoint(sqls: list[str]) -> list[str]:
    """The statements between the first SAVEPOINT and its RELEASE (the test's own transaction turns
    the service's outermost atomic block into a savepoint)."""
    start = next(i for i, sql in enumerate(sqls) if sql.startswith("SAVEPOINT"))
    name = sqls[start].split()[-1]
    end = next(i for i, sql in enumerate(sqls) if sql.startswith("RELEASE") and sql.endswith(name))
    return sqls[start + 1 : end]


def test_registration_reads_before_its_write_transaction_and_writes_only_inside(call, world):
    # SQLite lets one writer in at a time, so what a registration reads (the text's index words,
    # detection's earlier petitions of the person and the unit) runs before its transaction; inside
    # are the case number, the petition, its petitioner and link, its event and its audit entry.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call(world.clerk, "get", "/api/v1/petitions")  # the clerk's token exists before counting
    with CaptureQueriesContext(connection) as queries:
        status, created = call(world.clerk, "post", "/api/v1/petitions", registration())
    assert status == 201, created
    inside = _in_outermost_savepoint([q["sql"] for q in queries.captured_queries])
    # (Besides the audit chain's tail, a locking read that belongs to writing the audit entry.)
    read_inside = {sql.split(" FROM ")[1].split()[0].strip('"') for sql in inside if _plain_read(sql)}
    # Inside only: the unit's first case number of the year, the person found again by 身份证号
    # (or created), and the 身份证号 check of the petitioners just recorded.
    assert read_inside <= {"petitions_casesequence", "petitions_petitioner"}, inside
    written = [sql.split()[2].strip('"') for sql in inside if sql.startswith("INSERT")]
    assert [t for t in written if t != "petitions_casesequence"] == [
        "petitions_petition",
        "petitions_petitioner",
        "petitions_petitionpetitioner",
        "cases_caseevent",
        "audit_auditlog",
    ]


def test_registration_still_finds_the_same_persons_earlier_matter_read_before_the_insert(call, world):
    # 信访并行: a letter, then a visit by the same 身份证号 — found although the comparison now runs
    # before the visit's own row exists.
    person = {"name": "赵六", "id_number": make_id_number(), "address": "城关镇东村"}
    letter = registration(channel="letter", petitioners=[person])
    status, first = call(world.clerk, "post", "/api/v1/petitions", letter)
    assert status == 201, first
    visit = {**letter, "channel": "visit", "persons": 1}
    status, second = call(world.clerk, "post", "/api/v1/petitions", visit)
    assert status == 201, second
    assert second["detection"]["parallel_of"] == first["id"]


def _plain_read(sql: str) -> bool:
    return sql.startswith("SELECT") and not sql.endswith(FOR_UPDATE)


def test_each_transition_reads_before_its_first_write_and_only_writes_after_it(
    call, world, settings, tmp_path
):
    # On SQLite the write transaction, and with it the one writer, starts at the first write
    # (xinfang.sqlite): the guards, the petitioners a 受理告知书 needs and the notice templates are
    # read before it; from the first write to the commit only rows are written (a notice's number
    # is read by its own INSERT … SELECT).
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from xinfang.workflow.notices import ensure_templates

    ensure_templates()  # as after the first notice of each kind (a missing template is created)
    settings.MEDIA_ROOT = tmp_path
    status, created = call(world.clerk, "post", "/api/v1/petitions", registration())
    assert status == 201, created
    case = f"/api/v1/cases/{created['id']}"
    steps = _route_to_close(world, "信访人表示满意")
    for user, action, body in steps:
        with CaptureQueriesContext(connection) as queries:
            status, state = call(user, "post", f"{case}/{action}", body)
        assert status == 200, (action, state)
        inside = _in_outermost_savepoint([q["sql"] for q in queries.captured_queries])
        # A locking read (the audit chain's tail, select_for_update) counts as a write.
        first_write = next(i for i, sql in enumerate(inside) if not _plain_read(sql))
        assert [sql for sql in inside[first_write:] if _plain_read(sql)] == [], action
    assert {n["kind"] for n in state["notices"]} >= {"acceptance", "opinion"}
