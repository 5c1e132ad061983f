"""The case page and attachment downloads: only through access_petition (404 for missing and
forbidden alike), personal data audited, an accuser's identity and materials protected."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xinfang.audit.models import AuditLog
from xinfang.petitions.intake import UploadInput, validate_registration
from xinfang.petitions.models import Petition
from xinfang.testing import make_id_number, register, registration, scanned_pdf
from xinfang.workflow.registration import petition_register

ID_NUMBER = make_id_number()
ACCUSER = {"name": "举报人甲", "id_number": make_id_number("11010519491231002"), "phone": "13900001111"}
PDF = scanned_pdf()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def detail_url(petition: Petition) -> str:
    return reverse("petitions:detail", args=[petition.pk])


def assign(petition: Petition, unit) -> Petition:
    # No assignment service exists yet (转送/交办 come later); set the responsible unit directly.
    Petition.objects.filter(pk=petition.pk).update(handling_unit=unit)
    petition.refresh_from_db()
    return petition


def with_attachment(world, **overrides) -> Petition:
    upload = SimpleUploadedFile("来信扫描件.pdf", PDF, content_type="application/pdf")
    assert upload.name is not None and upload.size is not None
    data = validate_registration(
        registration(**overrides),
        actor=world.clerk,
        uploads=[UploadInput(name=upload.name, size=upload.size, file=upload)],
    )
    return petition_register(data=data, actor=world.clerk)


def accusation(world, **overrides) -> Petition:
    return register(
        world.clerk,
        request_class="accusation",
        complained_unit=world.township.code,
        category="1003",
        title="举报镇干部截留补偿款",
        content="举报城关镇某干部截留征地补偿款。",
        petitioners=[ACCUSER],
        **overrides,
    )


def test_it_shows_every_field_petitioners_and_timeline(client, world):
    petition = register(world.clerk, channel="visit", persons=6, visit_level="province", is_oral=True)
    client.force_login(world.clerk)
    response = client.get(detail_url(petition))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (petition.case_number, petition.title, petition.content, "张三", ID_NUMBER, "13812345678"):
        assert text in html
    for label in ("来访", "赴省", "国土资源 / 征地补偿", world.bureau.name, "王登记"):
        assert label in html
    assert [e.action for e in response.context["events"]] == ["register"]


def test_it_shows_the_timeline_in_shanghai_time(client, world):
    petition = register(world.clerk)
    client.force_login(world.clerk)
    html = client.get(detail_url(petition)).content.decode()
    at = petition.events.get().at.astimezone(ZoneInfo("Asia/Shanghai"))
    assert at.strftime("%Y-%m-%d %H:%M") in html


def test_it_audits_the_view_of_personal_data(client, world):
    petition = register(world.clerk)
    client.force_login(world.leader)
    client.get(detail_url(petition), REMOTE_ADDR="10.1.2.3")
    entry = AuditLog.objects.get(action="personal_data.view")
    assert entry.actor == world.leader
    assert entry.petition_id == petition.pk
    assert entry.detail == {"petitioners": [petition.petitioners.get().pk], "via": "web"}
    assert entry.ip == "10.1.2.3"


@pytest.mark.parametrize("persona", ["other_clerk", "dept_handler", "township_handler"])
def test_it_404s_a_case_outside_the_users_scope(client, world, persona):
    petition = register(world.clerk)
    client.force_login(getattr(world, persona))
    response = client.get(detail_url(petition))
    assert response.status_code == 404
    assert petition.case_number.encode() not in response.content
    assert not AuditLog.objects.filter(action="personal_data.view").exists()


def test_it_404s_a_missing_case_the_same_way(client, world):
    client.force_login(world.clerk)
    assert client.get(reverse("petitions:detail", args=[999999])).status_code == 404


def test_it_shows_an_assigned_case_to_the_handling_unit(client, world):
    petition = assign(register(world.clerk), world.township)
    client.force_login(world.township_handler)
    response = client.get(detail_url(petition))
    assert response.status_code == 200
    assert ID_NUMBER in response.content.decode()  # full data on the case page, audited
    assert AuditLog.objects.filter(action="personal_data.view", actor=world.township_handler).exists()


def test_it_hides_the_accuser_and_materials_from_the_unit_complained_about(client, world, media):
    petition = assign(accusation(world), world.township)
    client.force_login(world.township_handler)
    response = client.get(detail_url(petition))
    assert response.status_code == 200
    html = response.content.decode()
    assert "（检举人信息已保护）" in html
    for secret in (ACCUSER["name"], ACCUSER["id_number"], ACCUSER["phone"]):
        assert secret not in html
    assert not AuditLog.objects.filter(action="personal_data.view").exists()


def test_it_shows_the_accuser_to_the_bureau(client, world):
    petition = accusation(world)
    client.force_login(world.clerk)
    html = client.get(detail_url(petition)).content.decode()
    assert ACCUSER["name"] in html
    assert "（检举人信息已保护）" not in html


def test_it_requires_login(client, world):
    petition = register(world.clerk)
    response = client.get(detail_url(petition))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# Attachments.


def attachment_url(petition: Petition) -> str:
    return reverse("petitions:attachment", args=[petition.pk, petition.attachments.get().pk])


def test_it_lists_and_downloads_an_attachment(client, world, media):
    petition = with_attachment(world)
    client.force_login(world.clerk)
    html = client.get(detail_url(petition)).content.decode()
    assert "来信扫描件.pdf" in html
    assert attachment_url(petition) in html
    response = client.get(attachment_url(petition))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF  # consuming it closes the file
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert AuditLog.objects.filter(action="attachment.download", petition=petition).exists()


def test_it_404s_an_attachment_outside_the_users_scope(client, world, media):
    petition = with_attachment(world)
    client.force_login(world.other_clerk)
    assert client.get(attachment_url(petition)).status_code == 404


def test_it_404s_an_attachment_of_another_case(client, world, media):
    first = with_attachment(world)
    second = register(world.clerk)
    client.force_login(world.clerk)
    url = reverse("petitions:attachment", args=[second.pk, first.attachments.get().pk])
    assert client.get(url).status_code == 404


def test_it_keeps_an_accusers_materials_from_the_unit_complained_about(client, world, media):
    petition = assign(
        with_attachment(
            world,
            request_class="accusation",
            complained_unit=world.township.code,
            category="1003",
            petitioners=[ACCUSER],
        ),
        world.township,
    )
    client.force_login(world.township_handler)
    assert "来信扫描件.pdf" not in client.get(detail_url(petition)).content.decode()
    assert client.get(attachment_url(petition)).status_code == 404
