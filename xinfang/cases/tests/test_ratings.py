"""满意度评价 is the petitioner's (国信发〔2014〕16号): recorded by the petitioner online or by 信访部门
staff at a 回访, who state how they collected it; never by the unit being rated."""

import json

import pytest

from xinfang.cases.models import Evaluation
from xinfang.orgs.services import token_create
from xinfang.petitions.models import Petition
from xinfang.testing import registration
from xinfang.workflow.actions import offers


@pytest.fixture
def call(client):
    def _call(user, path, body):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=user)}"}
        response = client.post(path, data=json.dumps(body), content_type="application/json", **headers)
        return response.status_code, json.loads(response.content)

    return _call


DECISION = {"requests": "发放补偿款", "facts": "经查属实", "opinion": "限期发放", "basis": "《土地管理法》",
            "outcome": "explain"}  # fmt: skip


@pytest.fixture
def delivered(call, world, settings, tmp_path):
    """A case the 城关镇 answered and delivered: ready for its 回访."""
    settings.MEDIA_ROOT = tmp_path
    _, created = call(world.clerk, "/api/v1/petitions", registration())
    case = f"/api/v1/cases/{created['id']}"
    for user, action, body in [
        (world.clerk, "transfer", {"unit": world.township.code}),
        (world.township_handler, "accept", {"route": "petition"}),
        (world.township_handler, "reply", DECISION),
        (world.township_handler, "deliver", {}),
    ]:
        status, _ = call(user, f"{case}/{action}", body)
        assert status == 200, action
    return created["id"]


RATING = {"target": "handler", "satisfaction": "satisfied", "method": "phone"}


def test_it_never_lets_the_rated_township_record_its_own_rating(call, world, delivered):
    status, body = call(world.township_handler, f"/api/v1/cases/{delivered}/evaluate", RATING)
    assert status in (403, 422) and "信访部门" in body["error"]["message"]
    assert not Evaluation.objects.filter(petition_id=delivered).exists()


def test_it_does_not_offer_the_rating_to_the_rated_unit(world, delivered):
    petition = Petition.objects.get(pk=delivered)
    assert "evaluate" not in {o.action.name for o in offers(petition, world.township_handler)}
    assert "evaluate" in {o.action.name for o in offers(petition, world.clerk)}


def test_it_records_a_return_visit_by_the_bureau_with_how_it_was_collected(call, world, delivered):
    status, _ = call(world.clerk, f"/api/v1/cases/{delivered}/evaluate", RATING)
    assert status == 200
    rating = Evaluation.objects.get(petition_id=delivered)
    assert (rating.method, rating.recorded_by, rating.unit) == ("phone", world.clerk, world.township)


def test_it_asks_how_the_rating_was_collected(call, world, delivered):
    status, body = call(world.clerk, f"/api/v1/cases/{delivered}/evaluate", {**RATING, "method": ""})
    assert status == 422 and "method" in body["error"]["fields"]
    status, body = call(world.clerk, f"/api/v1/cases/{delivered}/evaluate", {**RATING, "method": "portal"})
    assert status == 422 and "method" in body["error"]["fields"]
    assert not Evaluation.objects.filter(petition_id=delivered).exists()


def test_it_refuses_the_bureau_rating_itself_but_lets_the_bureau_above(call, world, delivered):
    own = {**RATING, "target": "bureau"}
    status, body = call(world.clerk, f"/api/v1/cases/{delivered}/evaluate", own)
    assert status in (403, 422) and "被评价" in body["error"]["message"]
    status, _ = call(world.city_clerk, f"/api/v1/cases/{delivered}/evaluate", own)
    assert status == 200
    assert Evaluation.objects.get(petition_id=delivered).unit == world.bureau
