"""POST /api/v1/petitions: 登记 through the API, validated by the intake rules."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from xinfang.api.tests.helpers import error_of
from xinfang.petitions.models import Petition
from xinfang.testing import make_id_number, registration, wrong_checksum


def test_it_registers_and_returns_id_and_case_number(world, api):
    response = api(world.clerk).post("/petitions", registration())
    assert response.status_code == 201, response.content
    body = response.json()
    petition = Petition.objects.get()
    assert body["id"] == petition.pk
    assert body["case_number"] == petition.case_number
    assert body["status"] == petition.status
    assert petition.due_at is not None
    assert body["due_at"] == petition.due_at.isoformat()
    assert body["registering_unit"] == {"code": "990121XF", "name": "清河县信访局"}
    assert response["Location"] == f"/api/v1/petitions/{petition.pk}"
    assert petition.created_by == world.clerk
    assert [p.name for p in petition.petitioners.all()] == ["张三"]


def test_it_registers_a_visit_for_a_unit_below_the_bureau(world, api):
    payload = registration(
        channel="visit",
        persons=3,
        visit_level="city",
        unit=world.township.code,
        is_oral=True,
        petitioners=[{"name": "李四", "is_representative": True}, {"name": "王五"}],
    )
    response = api(world.clerk).post("/petitions", payload)
    assert response.status_code == 201, response.content
    petition = Petition.objects.get(pk=response.json()["id"])
    assert petition.registering_unit == world.township
    assert (petition.channel, petition.persons, petition.visit_level, petition.is_oral) == (
        "visit",
        3,
        "city",
        True,
    )


@pytest.mark.parametrize("persona", ["township_handler", "dept_handler", "supervisor"])
def test_it_refuses_registration_by_roles_that_do_not_register(world, api, persona):
    response = api(getattr(world, persona)).post("/petitions", registration())
    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"
    assert error_of(response)["message"] == "您的角色无权登记信访事项。"
    assert Petition.objects.count() == 0


def _refused(world, api, payload, status=422):
    response = api(world.clerk).post("/petitions", payload)
    assert response.status_code == status, response.content
    assert Petition.objects.count() == 0
    return error_of(response)


def test_it_refuses_a_wrong_id_checksum_naming_the_field(world, api):
    bad = wrong_checksum(make_id_number())
    error = _refused(world, api, registration(petitioners=[{"name": "张三", "id_number": bad}]))
    assert error["code"] == "invalid"
    assert error["message"] == "登记未保存，请更正标出的项目。"
    assert "身份证号" in error["fields"]["petitioners[0].id_number"]
    assert "校验码" in error["fields"]["petitioners[0].id_number"]


def test_it_refuses_a_future_received_date(world, api):
    tomorrow = timezone.localdate() + timedelta(days=1)
    error = _refused(world, api, registration(received_at=tomorrow))
    assert error["fields"]["received_at"] == "收件日期：不能晚于今天。"


def test_it_refuses_an_impossible_date(world, api):
    payload = registration()
    payload["received_at"] = "2024-02-30"
    error = _refused(world, api, payload)
    assert error["fields"]["received_at"].startswith("收件日期：")


def test_it_refuses_zero_persons_for_a_visit(world, api):
    error = _refused(world, api, registration(channel="visit", persons=0, visit_level="local"))
    assert error["fields"]["persons"] == "人数：至少为1人。"


def test_it_refuses_persons_of_the_wrong_type_with_the_intake_message(world, api):
    error = _refused(world, api, registration(channel="visit", persons="many", visit_level="local"))
    assert error["fields"]["persons"].startswith("人数：")


def test_it_refuses_six_representatives_article_20(world, api):
    people = [{"name": f"代表{i}", "is_representative": True} for i in range(6)]
    error = _refused(
        world, api, registration(channel="visit", persons=6, visit_level="local", petitioners=people)
    )
    assert "第二十条" in error["fields"]["petitioners"]
    assert error["fields"]["petitioners"].startswith("信访人：")


def test_it_refuses_an_unknown_category(world, api):
    error = _refused(world, api, registration(category="9999"))
    assert error["fields"]["category"] == "问题类别：代码“9999”不存在。"


def test_it_refuses_empty_content(world, api):
    error = _refused(world, api, registration(content="   ", title="有标题"))
    assert error["fields"]["content"].startswith("信访内容：")


def test_it_refuses_petitioners_that_are_not_a_list(world, api):
    error = _refused(world, api, registration(petitioners="张三"))
    assert error["fields"]["petitioners"].startswith("信访人：")


def test_it_refuses_a_unit_outside_the_users_scope(world, api):
    error = _refused(world, api, registration(unit=world.other_bureau.code))
    assert "990122XF" in error["fields"]["unit"]


@pytest.mark.parametrize(
    "raw",
    [b'{"channel": ', b"[1, 2]", b'"letter"', b"null", b"", b"\xff\xfe{}", b"{'channel': 'letter'}"],
    ids=["truncated", "array", "string", "null", "empty", "not-utf8", "python-dict"],
)
def test_it_answers_malformed_json_with_400(world, api, raw):
    response = api(world.clerk).post("/petitions", raw=raw)
    assert response.status_code == 400, response.content
    error = error_of(response)
    assert error["code"] == "malformed_json"
    assert error["message"].startswith("请求正文")
    assert set(error["fields"]) == {"body"}
    assert Petition.objects.count() == 0


def test_it_saves_a_double_submission_once(world, api):
    client = api(world.clerk)
    first = client.post("/petitions", registration(), **{"Idempotency-Key": "form-7f3a"})
    assert first.status_code == 201
    again = client.post("/petitions", registration(), **{"Idempotency-Key": "form-7f3a"})
    assert again.status_code == 409
    error = error_of(again)
    assert error["code"] == "duplicate_submission"
    case_number = first.json()["case_number"]
    assert case_number in error["message"]
    assert case_number in error["fields"]["submission_key"]
    assert Petition.objects.count() == 1


def test_it_keeps_idempotency_keys_of_different_users_apart(world, api):
    assert api(world.clerk).post("/petitions", registration(), **{"Idempotency-Key": "1"}).status_code == 201
    assert api(world.leader).post("/petitions", registration(), **{"Idempotency-Key": "1"}).status_code == 201
    assert Petition.objects.count() == 2


def test_it_refuses_an_overlong_idempotency_key(world, api):
    response = api(world.clerk).post("/petitions", registration(), **{"Idempotency-Key": "k" * 201})
    assert response.status_code == 422
    assert "Idempotency-Key" in error_of(response)["fields"]["idempotency_key"]
    assert Petition.objects.count() == 0


@pytest.mark.parametrize("field", ["title", "content"])
def test_it_refuses_a_nul_character_naming_the_field_and_saves_nothing(world, api, field):
    # A NUL would be stored on SQLite and break every export; PostgreSQL refuses it with a DataError.
    payload = registration(**{field: "反映征地补偿\x00问题"})
    error = _refused(world, api, payload)
    assert "控制字符" in error["fields"][field]


def test_it_refuses_a_control_character_in_a_petitioners_name(world, api):
    error = _refused(world, api, registration(petitioners=[{"name": "张\x07三"}]))
    assert "petitioners[0].name" in error["fields"]


def test_it_keeps_line_breaks_and_tabs_in_the_content(world, api):
    response = api(world.clerk).post("/petitions", registration(content="第一段\n\t第二段"))
    assert response.status_code == 201
    assert Petition.objects.get().content == "第一段\n\t第二段"


def test_it_refuses_a_lone_surrogate_with_a_422(world, api):
    body = json.dumps(registration(title="反映\ud800问题"))  # json escapes it as \\ud800
    response = api(world.clerk).post("/petitions", raw=body)
    assert response.status_code == 422, response.content
    assert "title" in error_of(response)["fields"]
    assert Petition.objects.count() == 0


def test_it_refuses_a_json_number_as_a_date(world, api):
    payload = registration()
    payload["received_at"] = 20240301
    error = _refused(world, api, payload)
    assert error["fields"]["received_at"].startswith("收件日期：")


def test_it_answers_an_over_large_body_with_413(world, api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = api(world.clerk).post("/petitions", registration(content="很长的信访内容" * 500))
    assert response.status_code == 413
    assert error_of(response)["code"] == "too_large"
    assert Petition.objects.count() == 0


def test_the_same_text_from_the_same_clerk_within_ten_minutes_answers_409_with_the_case(world, api):
    first = api(world.clerk).post("/petitions", registration(confirmed_new=False))
    assert first.status_code == 201
    again = api(world.clerk).post("/petitions", registration(confirmed_new=False))
    assert again.status_code == 409
    error = again.json()["error"]
    assert error["code"] == "duplicate_content" and first.json()["case_number"] in error["message"]
    assert "confirmed_new" in error["fields"] and Petition.objects.count() == 1
    assert api(world.clerk).post("/petitions", registration(confirmed_new=True)).status_code == 201


def test_the_same_text_from_another_petitioner_is_a_new_item(world, api):
    assert api(world.clerk).post("/petitions", registration(confirmed_new=False)).status_code == 201
    other = registration(confirmed_new=False, petitioners=[{"name": "李四", "phone": "13900001111"}])
    assert api(world.clerk).post("/petitions", other).status_code == 201


def test_another_clerk_may_register_the_same_text(world, api):
    assert api(world.clerk).post("/petitions", registration(confirmed_new=False)).status_code == 201
    assert api(world.city_clerk).post("/petitions", registration(confirmed_new=False)).status_code == 201


def test_it_caps_the_petitioners_of_one_petition(world, api):
    people = [{"name": f"联名人{i}"} for i in range(101)]
    response = api(world.clerk).post("/petitions", registration(petitioners=people))
    assert response.status_code == 422
    assert "最多" in error_of(response)["fields"]["petitioners"] and Petition.objects.count() == 0
