"""GET /api/v1/petitions and /api/v1/petitions/{id}: scope, masking, identity protection, audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xinfang.api.tests.helpers import error_of
from xinfang.audit.models import AuditLog
from xinfang.lib.idcard import mask
from xinfang.petitions.models import Attachment, Petition
from xinfang.testing import make_id_number, register, registration

ID_NUMBER = make_id_number()


def _accusation_against_township(world) -> Petition:
    petition = register(world.clerk, request_class="accusation", complained_unit=world.township.code)
    Petition.objects.filter(pk=petition.pk).update(handling_unit=world.township)
    return petition


def _assigned_to_township(world) -> Petition:
    petition = register(world.clerk)
    Petition.objects.filter(pk=petition.pk).update(handling_unit=world.township)
    return petition


def test_it_lists_newest_first_with_a_limit(world, api):
    today = timezone.localdate()
    old = register(world.clerk, received=today - timedelta(days=3))
    new = [register(world.clerk) for _ in range(3)]
    body = api(world.clerk).get("/petitions", {"limit": 2}).json()
    assert body["count"] == 4
    assert [r["id"] for r in body["results"]] == [new[2].pk, new[1].pk]
    assert body["next_offset"] == 2
    rest = api(world.clerk).get("/petitions", {"limit": 2, "offset": 2}).json()
    assert [r["id"] for r in rest["results"]] == [new[0].pk, old.pk]
    assert rest["next_offset"] is None


def test_it_caps_the_limit(world, api):
    register(world.clerk)
    body = api(world.clerk).get("/petitions", {"limit": 10_000}).json()
    assert body["limit"] == 200


def test_it_refuses_a_limit_that_is_not_a_number(world, api):
    response = api(world.clerk).get("/petitions", {"limit": "many"})
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "invalid"
    assert error["fields"]["limit"].startswith("limit：")


def test_it_filters_and_searches(world, api):
    letter = register(world.clerk)
    visit = register(world.clerk, channel="visit", persons=5, visit_level="local")
    client = api(world.clerk)
    assert [r["id"] for r in client.get("/petitions", {"channel": "visit"}).json()["results"]] == [visit.pk]
    assert [r["id"] for r in client.get("/petitions", {"collective": "1"}).json()["results"]] == [visit.pk]
    found = client.get("/petitions", {"q": letter.case_number}).json()["results"]
    assert [r["id"] for r in found] == [letter.pk]
    future = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert client.get("/petitions", {"from": future}).json()["count"] == 0


def test_it_searches_chinese_keywords(world, api):
    register(world.clerk)
    register(world.clerk, title="反映噪音扰民", content="夜间施工噪音扰民，请求处理。")
    found = api(world.clerk).get("/petitions", {"q": "征地补偿款"}).json()
    assert found["count"] == 1


def test_it_shows_another_county_nothing(world, api):
    register(world.clerk)
    assert api(world.other_clerk).get("/petitions").json() == {
        "count": 0,
        "limit": 50,
        "offset": 0,
        "next_offset": None,
        "results": [],
    }


def test_it_shows_full_identity_in_lists_to_the_clerk(world, api):
    register(world.clerk)
    item = api(world.clerk).get("/petitions").json()["results"][0]
    assert item["petitioners"][0]["id_number"] == ID_NUMBER
    assert item["petitioners"][0]["phone"] == "13812345678"


def test_it_masks_identity_in_lists_for_a_handler(world, api):
    _assigned_to_township(world)
    item = api(world.township_handler).get("/petitions").json()["results"][0]
    assert item["petitioners"][0] == {
        "name": "张三",
        "id_number": mask(ID_NUMBER),
        "phone": "138****5678",
        "is_representative": False,
    }
    assert ID_NUMBER not in str(item)


def test_it_lists_without_n_plus_1_queries(world, api):
    client = api(world.clerk)
    register(world.clerk)
    client.get("/petitions")  # the token's first use records its last-used time
    with CaptureQueriesContext(connection) as one:
        assert client.get("/petitions").status_code == 200
    for _ in range(5):
        register(
            world.clerk,
            channel="visit",
            persons=2,
            visit_level="local",
            petitioners=[{"name": "甲"}, {"name": "乙"}],
        )
    with CaptureQueriesContext(connection) as six:
        assert len(client.get("/petitions").json()["results"]) == 6
    assert len(six) == len(one)


def test_it_returns_the_detail_with_petitioners(world, api):
    petition = register(world.clerk, address="城关镇东村", complained_party="村委会")
    response = api(world.clerk).get(f"/petitions/{petition.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["case_number"] == petition.case_number
    assert body["status"] == "registered"
    assert petition.due_at is not None
    assert body["due_at"] == petition.due_at.isoformat()
    assert body["content"] == petition.content
    assert body["category"]["code"] == "0202"
    assert (body["address"], body["complained_party"]) == ("城关镇东村", "村委会")
    assert body["identity_protected"] is False
    [person] = body["petitioners"]
    assert (person["name"], person["id_number"], person["phone"]) == ("张三", ID_NUMBER, "13812345678")
    assert body["created_by"] == "王登记"
    assert body["created_at"].endswith("+08:00")


def test_it_audits_each_read_of_personal_data(world, api):
    petition = register(world.clerk)
    client = api(world.leader)
    client.get(f"/petitions/{petition.pk}")
    client.get(f"/petitions/{petition.pk}")
    views = AuditLog.objects.filter(action="personal_data.view", petition=petition)
    assert views.count() == 2
    entry = views.first()
    assert entry is not None
    assert entry.actor == world.leader
    assert entry.detail == {"petitioners": [petition.petitioners.get().pk], "via": "api"}
    assert entry.ip == "127.0.0.1"


def test_it_answers_404_alike_for_another_countys_case_and_a_missing_one(world, api):
    petition = register(world.clerk)
    client = api(world.other_clerk)
    forbidden = client.get(f"/petitions/{petition.pk}")
    missing = client.get(f"/petitions/{petition.pk + 1000}")
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.content == missing.content
    assert error_of(forbidden)["code"] == "not_found"
    assert not AuditLog.objects.filter(action="personal_data.view").exists()


def test_it_answers_404_for_an_id_that_is_not_a_number(world, api):
    response = api(world.clerk).get("/petitions/abc")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


class TestAccusationAgainstTheHandlersUnit:
    """检举控告: the accuser's identity never reaches the unit complained about (条例第三十条)."""

    def test_it_hides_petitioners_in_the_detail_and_audits_nothing(self, world, api):
        petition = _accusation_against_township(world)
        body = api(world.township_handler).get(f"/petitions/{petition.pk}").json()
        assert body["identity_protected"] is True
        assert body["petitioners"] == []
        assert "张三" not in str(body) and ID_NUMBER not in str(body)
        assert not AuditLog.objects.filter(action="personal_data.view").exists()

    def test_it_lists_no_attachment_whose_name_or_hash_could_give_the_accuser_away(
        self, world, api, settings, tmp_path
    ):
        settings.MEDIA_ROOT = tmp_path
        petition = _accusation_against_township(world)
        Attachment.objects.create(
            petition=petition,
            file=ContentFile(b"scan", name="scan.png"),
            original_name="张三-身份证-430421.png",
            content_type="image/png",
            size=4,
            sha256="a" * 64,
            uploaded_by=world.clerk,
        )
        body = api(world.township_handler).get(f"/petitions/{petition.pk}").json()
        assert body["attachments"] == []
        assert "张三" not in str(body) and "a" * 64 not in str(body)
        assert [
            a["name"] for a in api(world.clerk).get(f"/petitions/{petition.pk}").json()["attachments"]
        ] == ["张三-身份证-430421.png"]

    def test_it_hides_petitioners_in_the_list(self, world, api):
        _accusation_against_township(world)
        [item] = api(world.township_handler).get("/petitions").json()["results"]
        assert item["identity_protected"] is True
        assert item["petitioners"] == []

    def test_it_excludes_the_case_from_identity_searches(self, world, api):
        _accusation_against_township(world)
        client = api(world.township_handler)
        assert client.get("/petitions", {"q": ID_NUMBER}).json()["count"] == 0
        assert client.get("/petitions", {"q": "张三"}).json()["count"] == 0

    def test_it_still_shows_the_bureau_who_accused(self, world, api):
        petition = _accusation_against_township(world)
        body = api(world.clerk).get(f"/petitions/{petition.pk}").json()
        assert body["identity_protected"] is False
        assert [p["name"] for p in body["petitioners"]] == ["张三"]


CASE = "case"


@pytest.mark.parametrize(
    ("persona", "method", "path", "expected"),
    [
        ("clerk", "get", "/petitions", 200),
        ("township_handler", "get", "/petitions", 200),
        ("other_clerk", "get", "/petitions", 200),
        ("clerk", "post", "/petitions", 201),
        ("leader", "post", "/petitions", 201),
        ("admin", "post", "/petitions", 201),
        ("city_clerk", "post", "/petitions", 201),
        ("supervisor", "post", "/petitions", 403),
        ("township_handler", "post", "/petitions", 403),
        ("dept_handler", "post", "/petitions", 403),
        ("clerk", "get", CASE, 200),
        ("leader", "get", CASE, 200),
        ("supervisor", "get", CASE, 200),
        ("admin", "get", CASE, 200),
        ("city_clerk", "get", CASE, 200),
        ("township_handler", "get", CASE, 404),
        ("dept_handler", "get", CASE, 404),
        ("other_clerk", "get", CASE, 404),
        (None, "get", "/petitions", 401),
        (None, "post", "/petitions", 401),
        (None, "get", CASE, 401),
    ],
)
def test_permission_matrix(world, api, persona, method, path, expected):
    petition = register(world.clerk)
    if path == CASE:
        path = f"/petitions/{petition.pk}"
    client = api(getattr(world, persona) if persona else None)
    response = client.get(path) if method == "get" else client.post(path, registration())
    assert response.status_code == expected, response.content
    if expected >= 400:
        error_of(response)
