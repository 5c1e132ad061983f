"""Issue 4 at the intake form: before saving, the clerk sees the person's history and the likely
earlier matters ("Check earlier records" re-renders the form with the panel and saves nothing);
after saving, one click links the new petition to a listed matter or confirms it as new."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from xinfang.audit.models import AuditLog
from xinfang.detection.models import MatterDecision
from xinfang.detection.tests.helpers import LAND, LAND_AGAIN, WAGES, person, petition
from xinfang.petitions.models import Petition

URL = reverse("petitions:register", args=["letter"])


def post_of(content: str, people: list[dict[str, str]], **values: str) -> dict[str, Any]:
    post: dict[str, Any] = {
        "submission_key": str(uuid.uuid4()),
        "received_at": timezone.localdate().isoformat(),
        "title": content[:20],
        "content": content,
        "category": "0202",
        "request_class": "claim",
        "complained_unit": "",
        "complained_party": "",
        "region_code": "",
        "address": "",
        **values,
    }
    for i, row in enumerate(people):
        for name in ("name", "id_number", "phone", "address"):
            post[f"p-{i}-{name}"] = row.get(name, "")
    return post


@pytest.fixture
def clerk(client, world):
    client.force_login(world.clerk)
    return client


def test_it_shows_the_history_of_the_person_matched_by_id_number_before_saving(clerk, world):
    earlier = petition(world.clerk, LAND)
    before = Petition.objects.count()
    post = post_of(LAND_AGAIN, [person()], action="check")
    page = clerk.post(URL, post)
    html = page.content.decode()
    assert page.status_code == 200
    assert "信访人及事项的既往记录" in html and "尚未保存任何内容" in html
    assert "张三" in html and reverse("detection:person", args=[earlier.links.get().petitioner_id]) in html
    assert "身份证号相同" in html  # the reason of the identity match
    assert earlier.case_number in html and "同一信访人" in html  # the earlier matter, with reasons
    assert "可能为同一事项" in html
    assert Petition.objects.count() == before  # nothing saved
    # The form comes back as entered, with the same one-time key: registering it now works.
    assert page.context["form"].submission_key == post["submission_key"]
    assert LAND_AGAIN in html
    saved = clerk.post(URL, {**post, "action": ""})
    assert saved.status_code == 302 and Petition.objects.count() == before + 1


def test_it_finds_a_person_by_name_and_phone_without_an_id_number(clerk, world):
    petition(world.clerk, LAND, people=[person("张建国", id_number="")])
    page = clerk.post(URL, post_of(WAGES, [{"name": "章建国", "phone": "13812345678"}], action="check"))
    html = page.content.decode()
    assert "张建国" in html and "电话相同" in html
    assert "姓名同音" in html  # the name matched by pronunciation


def test_it_ranks_earlier_matters_by_text_unit_and_category_without_a_person(clerk, world):
    earlier = petition(world.clerk, LAND, complained_unit=world.township.code)
    unrelated = petition(world.clerk, WAGES, people=[person("李四", "43042119851212345")])
    page = clerk.post(
        URL,
        post_of(LAND_AGAIN, [{"name": "王五"}], action="check", complained_unit=world.township.code),
    )
    html = page.content.decode()
    assert earlier.case_number in html and "被反映单位和问题类别相同" in html
    assert unrelated.case_number not in html
    assert "未查到这些信访人的既往记录" in html


def test_it_audits_the_people_shown_at_intake(clerk, world):
    earlier = petition(world.clerk, LAND)
    clerk.post(URL, post_of(LAND_AGAIN, [person()], action="check"))
    entry = AuditLog.objects.filter(action="personal_data.view").latest("pk")
    assert entry.actor == world.clerk and entry.detail["via"] == "intake_check"
    assert entry.detail["petitioners"] == [earlier.links.get().petitioner_id]


def test_it_shows_nothing_of_another_county_at_intake(client, world):
    petition(world.clerk, LAND)
    client.force_login(world.other_clerk)
    html = client.post(
        reverse("petitions:register", args=["letter"]), post_of(LAND_AGAIN, [person()], action="check")
    ).content.decode()
    assert "张三" not in html.split('id="intake-check"')[1]
    assert "未查到这些信访人的既往记录" in html and "未发现与本件相似的原信访事项" in html


def test_one_click_after_saving_links_the_new_petition_as_a_repeat(clerk, world):
    earlier = petition(world.clerk, LAND)
    response = clerk.post(URL, post_of(LAND_AGAIN, [person()]))
    new = Petition.objects.latest("pk")
    page = clerk.get(response["Location"])
    html = page.content.decode()
    assert earlier.case_number in html and "重复信访" in html and "确认为初信初访" in html
    back = clerk.post(
        reverse("detection:link", args=[new.pk]),
        {"kind": "repeat", "target": earlier.pk, "next": response["Location"]},
    )
    assert back.status_code == 302 and back["Location"] == response["Location"]
    new.refresh_from_db()
    assert new.is_repeat and new.repeat_of == earlier
    # Or, on another one, confirm it as a first petition (初信初访).
    other = petition(world.clerk, WAGES, people=[person("李四", "43042119851212345")])
    clerk.post(reverse("detection:link", args=[other.pk]), {"kind": "new"})
    assert MatterDecision.objects.filter(petition=other, kind="new").exists()
    assert not Petition.objects.get(pk=other.pk).is_repeat
