"""Issue 4 at registration: ``petition_register`` runs detection in its transaction for every
channel (UI, API, imports): a shared 身份证号 is flagged, 越级 marked (条例第二十条), 信访并行
linked, and 第十九条第三款 / 第三十六条 refusals proposed for the clerk to confirm with one click."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from xinfang.api.tests.helpers import ApiClient
from xinfang.detection.models import IdentityReview, MatterDecision
from xinfang.detection.tests.helpers import LAND, LAND_AGAIN, WAGES, person, petition
from xinfang.orgs.services import token_create
from xinfang.petitions.models import Petition
from xinfang.petitions.states import Status
from xinfang.testing import registration
from xinfang.workflow import registration as workflow_registration
from xinfang.workflow import services as cs


def post_of(content: str, people: list[dict[str, str]], **values: str) -> dict[str, Any]:
    post: dict[str, Any] = {
        "submission_key": str(uuid.uuid4()),
        "received_at": timezone.localdate().isoformat(),
        "title": content[:20],
        "content": content,
        "category": "0202",
        "request_class": "claim",
        **values,
    }
    for i, row in enumerate(people):
        for name in ("name", "id_number", "phone", "address"):
            post[f"p-{i}-{name}"] = row.get(name, "")
    return post


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def api_for(user: Any) -> ApiClient:
    return ApiClient(token_create(user=user, name="tests"))


def _concluded(p: Petition) -> Petition:
    Petition.objects.filter(pk=p.pk).update(status=Status.CONCLUDED, is_open=False)
    p.refresh_from_db()
    return p


def test_it_marks_a_level_skipping_visit_when_registered_through_the_api_article_20(world):
    payload = registration(
        channel="visit", persons=1, visit_level="local", complained_unit=world.township.code
    )
    response = api_for(world.city_clerk).post("/petitions", payload)
    assert response.status_code == 201
    body = response.json()
    assert body["detection"]["is_skip_level"] is True
    assert Petition.objects.get(pk=body["id"]).is_skip_level
    # The same visit at the county, one level above the township: not 越级.
    response = api_for(world.clerk).post("/petitions", payload)
    assert response.json()["detection"]["is_skip_level"] is False


def test_it_links_a_visit_parallel_to_the_letter_on_the_same_matter_in_the_ui(client, world):
    letter = petition(world.clerk, LAND)
    client.force_login(world.clerk)
    url = reverse("petitions:register", args=["visit"])
    response = client.post(
        url, post_of(LAND_AGAIN, [person()], persons="1", visit_level="local"), follow=True
    )
    visit = Petition.objects.latest("pk")
    assert visit.parallel_of == letter
    decision = MatterDecision.objects.get(petition=visit)
    assert decision.automatic and decision.kind == "parallel"
    assert f"已与案件{letter.case_number}关联为信访并行（同一事项既来信又来访）。" in messages_of(response)


def test_it_flags_an_id_number_recorded_under_another_name_at_registration(client, world):
    petition(world.clerk, LAND)
    client.force_login(world.clerk)
    url = reverse("petitions:register", args=["letter"])
    response = client.post(url, post_of(WAGES, [person("张山峰")]), follow=True)
    review = IdentityReview.objects.get()
    assert review.names == ["张三", "张山峰"]
    assert "本件有身份证号登记了不同姓名，已提交核查。" in messages_of(response)


def test_it_proposes_no_further_acceptance_after_recheck_and_the_clerk_confirms_it_article_36(client, world):
    earlier = _concluded(petition(world.clerk, LAND))
    client.force_login(world.clerk)
    url = reverse("petitions:register", args=["letter"])
    response = client.post(url, post_of(LAND_AGAIN, [person()]), follow=True)
    new = Petition.objects.latest("pk")
    assert new.status == Status.REGISTERED  # proposed, not decided
    assert any(m.startswith("处理建议：") and earlier.case_number in m for m in messages_of(response))
    html = response.content.decode()
    assert "拟不再受理（《信访工作条例》第三十六条）" in html and "确认此决定" in html
    refuse = reverse("detection:refuse", args=[new.pk])
    # A ground the rules do not propose is not confirmed.
    client.post(refuse, {"ground": "accepted_below"})
    assert Petition.objects.get(pk=new.pk).status == Status.REGISTERED
    page = client.post(refuse, {"ground": "concluded"}, follow=True)
    new.refresh_from_db()
    assert new.status == Status.NOT_ACCEPTED
    last = new.events.last()
    assert last is not None and last.data == {"ground": "concluded"}
    assert "决定已记录，告知书已出具。" in messages_of(page)


def test_it_proposes_refusal_of_a_matter_accepted_below_in_the_api_answer_article_19_3(world):
    below = petition(world.clerk, LAND)
    cs.case_transfer(petition=below, actor=world.clerk, unit=world.township)
    cs.case_accept(petition=below, actor=world.township_handler, route="petition")
    payload = registration(content=LAND_AGAIN, title="征地补偿款没有足额发到户")
    body = api_for(world.city_clerk).post("/petitions", payload).json()
    [proposal] = body["detection"]["proposals"]
    assert proposal["ground"] == "accepted_below" and proposal["article"] == "第十九条第三款"
    assert proposal["earlier_id"] == below.pk and below.case_number in proposal["reason"]


def test_registration_and_detection_are_all_or_nothing(world, monkeypatch):
    def broken(**kwargs: Any) -> None:
        raise RuntimeError("detection failed")

    monkeypatch.setattr(workflow_registration, "on_registered", broken)
    before = Petition.objects.count()
    with pytest.raises(RuntimeError):
        petition(world.clerk, LAND)
    assert Petition.objects.count() == before
