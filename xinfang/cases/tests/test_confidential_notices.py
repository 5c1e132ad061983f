"""条例第三十条、第四十六条: a notice names the accuser, so a user hidden from an accusation's
petitioners gets no notice of it — not listed on the page or in the API, not downloadable."""

from __future__ import annotations

import json

import pytest

from xinfang.cases.models import Notice, RefusalGround
from xinfang.orgs.services import token_create
from xinfang.testing import misfiled_accusation, register
from xinfang.workflow import services as cs

pytestmark = pytest.mark.django_db


@pytest.fixture
def refused_accusation(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    # The bureau itself is accused: its clerk holds the case but is hidden from the accuser.
    p = register(world.clerk, request_class="accusation")
    p = cs.case_refuse(
        petition=p, actor=world.clerk, ground=RefusalGround.NOT_IN_REMIT, reason="不属于本机关职责"
    )
    p = misfiled_accusation(p, world.bureau)
    notice = Notice.objects.get(petition=p)
    name = p.links.get().petitioner.name
    assert name in notice.text  # the notice does name the accuser
    return p, notice, name


def test_a_hidden_user_cannot_download_the_notice_of_an_accusation(client, world, refused_accusation):
    p, notice, _ = refused_accusation
    client.force_login(world.clerk)
    for fmt in ("pdf", "docx"):
        assert client.get(f"/cases/{p.pk}/notices/{notice.pk}/{fmt}").status_code == 404
    token = token_create(user=world.clerk)
    for fmt in ("pdf", "docx"):
        answer = client.get(
            f"/api/v1/cases/{p.pk}/notices/{notice.pk}/{fmt}", HTTP_AUTHORIZATION=f"Bearer {token}"
        )
        assert answer.status_code == 404


def test_a_hidden_user_sees_no_notice_listed(client, world, refused_accusation):
    p, notice, name = refused_accusation
    client.force_login(world.clerk)
    page = client.get(f"/cases/{p.pk}/").content.decode()
    assert notice.number not in page and name not in page
    token = token_create(user=world.clerk)
    state = json.loads(client.get(f"/api/v1/cases/{p.pk}", HTTP_AUTHORIZATION=f"Bearer {token}").content)
    assert state["notices"] == []


def test_the_city_bureau_above_still_reads_the_notice(client, world, refused_accusation):
    p, notice, _ = refused_accusation
    client.force_login(world.city_clerk)
    response = client.get(f"/cases/{p.pk}/notices/{notice.pk}/docx")
    assert response.status_code == 200
