"""Issue 4 on every case page (the petition page and the cases handling page): the person's history
with a link to the person page, and the likely earlier matters. The reads are audited, and a
检举控告 petitioner stays hidden from the accused unit (条例第三十条), on the panel as well."""

from __future__ import annotations

import pytest
from django.urls import reverse

from xinfang.audit.models import AuditLog
from xinfang.detection.tests.helpers import LAND, LAND_AGAIN, WAGES, person, petition
from xinfang.petitions.models import Petition
from xinfang.workflow import services as cs

PAGES = ("petitions:detail", "cases:handle")


@pytest.mark.parametrize("page", PAGES)
def test_it_shows_the_persons_history_and_the_earlier_matter(client, world, page):
    first = petition(world.clerk, LAND)
    other = petition(world.clerk, WAGES)  # the same person, another matter
    second = petition(world.clerk, LAND_AGAIN)
    client.force_login(world.clerk)
    html = client.get(reverse(page, args=[second.pk])).content.decode()
    person_url = reverse("detection:person", args=[second.links.get().petitioner_id])
    assert "信访人历史记录" in html and person_url in html
    assert "3件信访事项" in html and other.case_number in html  # the whole history, counted
    assert "可能的原信访事项" in html and first.case_number in html and "同一信访人" in html
    assert "可能为同一事项" in html
    # registration staff decide with one click, and come back to this page
    assert reverse("detection:link", args=[second.pk]) in html and "确认为初信初访" in html


def test_the_handling_page_audits_the_people_its_panel_shows(client, world):
    p = petition(world.clerk, LAND)
    client.force_login(world.clerk)
    client.get(reverse("cases:handle", args=[p.pk]))
    entry = AuditLog.objects.filter(action="personal_data.view", detail__via="case_panel").get()
    assert entry.actor == world.clerk and entry.petition_id == p.pk
    assert entry.detail["petitioners"] == [p.links.get().petitioner_id]


def test_handlers_see_the_panel_without_the_buttons_of_registration_staff(client, world):
    p = petition(world.clerk, LAND)
    cs.case_transfer(petition=p, actor=world.clerk, unit=world.township)
    client.force_login(world.township_handler)
    html = client.get(reverse("cases:handle", args=[p.pk])).content.decode()
    assert "信访人历史记录" in html and "张三" in html
    assert reverse("detection:link", args=[p.pk]) not in html


@pytest.mark.parametrize("page", PAGES)
def test_the_panel_never_shows_an_accuser_to_the_accused_unit_article_30(client, world, page):
    claim = petition(world.clerk, LAND)
    accusation = petition(
        world.clerk,
        LAND_AGAIN,
        request_class="accusation",
        complained_unit=world.township.code,
        people=[person()],
    )
    # Both held by the township (set directly: the route of an accusation is not what is tested).
    Petition.objects.filter(pk__in=[claim.pk, accusation.pk]).update(handling_unit=world.township)
    client.force_login(world.township_handler)
    html = client.get(reverse(page, args=[accusation.pk])).content.decode()
    accuser = accusation.links.get().petitioner_id
    assert "（检举人信息已保护）" in html
    assert "张三" not in html and reverse("detection:person", args=[accuser]) not in html
    # The accuser's other petition is a similar text the township may open, and it names him:
    # the panel does not lead there.
    assert claim.case_number not in html
    assert not AuditLog.objects.filter(action="personal_data.view", petition=accusation).exists()
    # The 信访局 clerk sees both.
    client.force_login(world.clerk)
    html = client.get(reverse(page, args=[accusation.pk])).content.decode()
    assert "张三" in html and claim.case_number in html


def test_another_county_reaches_no_panel(client, world):
    p = petition(world.clerk, LAND)
    client.force_login(world.other_clerk)
    assert client.get(reverse("petitions:detail", args=[p.pk])).status_code == 404
    assert Petition.objects.filter(pk=p.pk).exists()
