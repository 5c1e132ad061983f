"""登记 through the staff UI: one form per channel, checked only by intake.validate_registration and
saved only by services.petition_register. Bad input comes back in Chinese, inline and summarised,
with the entered values kept, and saves nothing."""

from __future__ import annotations

import hashlib
import io
import re
import uuid
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from PIL import Image

from xinfang.audit.models import AuditLog
from xinfang.petitions.models import Attachment, Channel, Petition
from xinfang.testing import make_id_number, photo_png, registration, scanned_pdf, wrong_checksum

CJK = re.compile(r"[\u4e00-\u9fff]")
PDF = scanned_pdf()


def form_post(channel: str = "letter", **overrides: Any) -> dict[str, Any]:
    """A valid intake form post, built from xinfang.testing.registration (API field names)."""
    payload = registration(channel=channel, **overrides)
    post: dict[str, Any] = {
        k: ("" if v is None else v) for k, v in payload.items() if k not in ("channel", "petitioners")
    }
    post["submission_key"] = str(uuid.uuid4())
    for i, person in enumerate(payload["petitioners"]):
        for name in ("name", "id_number", "phone", "address"):
            post[f"p-{i}-{name}"] = person.get(name, "")
        if person.get("is_representative"):
            post[f"p-{i}-is_representative"] = "1"
    return post


def url(channel: str) -> str:
    return reverse("petitions:register", args=[channel])


@pytest.fixture
def clerk(client, world):
    client.force_login(world.clerk)
    return client


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def assert_refused(response, key: str, words: str) -> str:
    """The page came back with intake's Chinese message for ``key`` inline and in the summary."""
    assert response.status_code == 422
    message = response.context["form"].errors[key]
    assert CJK.search(message), message
    assert words in message
    html = response.content.decode()
    assert html.count(escape(message)) >= 2, "inline and in the summary"
    assert 'class="error-summary"' in html
    return message


# The form of every channel.


@pytest.mark.parametrize("channel", Channel.values)
def test_it_shows_the_intake_form_of_each_channel(clerk, channel):
    response = clerk.get(url(channel))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="submission_key"' in html
    assert 'name="received_at"' in html
    assert f'value="{timezone.localdate().isoformat()}"' in html
    assert "<optgroup" in html
    assert 'type="file" name="attachments" id="f-attachments" multiple' in html
    assert ('name="persons"' in html) == (channel == "visit")
    assert ('name="visit_level"' in html) == (channel == "visit")
    assert ('name="is_oral"' in html) == (channel in ("visit", "phone"))


def test_it_gives_each_rendered_form_a_fresh_submission_key(clerk):
    keys = {clerk.get(url("letter")).context["form"].submission_key for _ in range(2)}
    assert len(keys) == 2
    for key in keys:
        assert uuid.UUID(key).version == 4


def test_it_lists_the_channels_to_register(clerk):
    response = clerk.get(reverse("petitions:new"))
    assert response.status_code == 200
    for channel in Channel.values:
        assert url(channel) in response.content.decode()


def test_it_404s_an_unknown_channel(clerk):
    assert clerk.get(url("pigeon")).status_code == 404


@pytest.mark.parametrize("persona", ["township_handler", "dept_handler", "supervisor"])
def test_it_forbids_registration_to_users_who_may_not_register(client, world, persona):
    client.force_login(getattr(world, persona))
    assert client.get(url("letter")).status_code == 403
    assert client.post(url("letter"), form_post()).status_code == 403
    assert client.get(reverse("petitions:new")).status_code == 403
    assert Petition.objects.count() == 0


def test_it_sends_anonymous_users_to_the_login_page(client, world):
    response = client.get(url("letter"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# Registering.


def test_it_registers_a_letter_and_redirects_to_the_case(clerk, world):
    response = clerk.post(url("letter"), form_post())
    petition = Petition.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("petitions:detail", args=[petition.pk])
    assert petition.registering_unit == world.bureau
    assert petition.created_by == world.clerk
    assert petition.channel == "letter"
    assert [p.name for p in petition.petitioners.all()] == ["张三"]
    page = clerk.get(response["Location"])
    assert petition.case_number in page.content.decode()
    messages = [str(m) for m in page.context["messages"]]
    assert any(petition.case_number in m for m in messages)


def test_it_registers_a_collective_visit_with_representatives(clerk, world):
    people = [
        {"name": f"代表{i}", "id_number": make_id_number(f"4304211980010100{i}"), "is_representative": True}
        for i in range(1, 4)
    ]
    post = form_post("visit", persons=12, visit_level="city", petitioners=people, is_oral="1")
    post["p-3-name"] = ""  # a blank extra row is ignored
    response = clerk.post(url("visit"), post)
    assert response.status_code == 302
    petition = Petition.objects.get()
    assert petition.persons == 12
    assert petition.is_collective
    assert petition.visit_level == "city"
    assert petition.is_oral
    assert petition.links.filter(is_representative=True).count() == 3


def test_it_ignores_visit_fields_on_a_letter(clerk):
    clerk.post(url("letter"), form_post(persons=9, visit_level="national"))
    petition = Petition.objects.get()
    assert (petition.persons, petition.visit_level) == (1, "")


def test_it_saves_uploaded_attachments(clerk, media):
    post = form_post()
    post["attachments"] = [
        SimpleUploadedFile("来信扫描件.pdf", PDF, content_type="application/pdf"),
        SimpleUploadedFile("photo.png", photo_png(), content_type="image/png"),
    ]
    response = clerk.post(url("letter"), post)
    assert response.status_code == 302
    names = sorted(Attachment.objects.values_list("original_name", flat=True))
    assert names == ["photo.png", "来信扫描件.pdf"]


# Bad input: the Chinese message, and nothing saved.


def test_it_refuses_a_wrong_id_checksum(clerk):
    bad = wrong_checksum(make_id_number())
    post = form_post(petitioners=[{"name": "张三", "id_number": bad, "phone": "13812345678"}])
    response = clerk.post(url("letter"), post)
    assert_refused(response, "petitioners[0].id_number", "校验码")
    assert Petition.objects.count() == 0
    html = response.content.decode()
    # The entered values are kept, and the message sits next to the right input.
    assert f'value="{bad}"' in html
    assert 'id="f-p-0-id_number"' in html
    assert 'href="#f-p-0-id_number"' in html
    assert "反映城关镇东村征地补偿款未足额发放" in html


def test_it_refuses_a_future_received_date(clerk):
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = clerk.post(url("letter"), form_post(received_at=tomorrow))
    assert_refused(response, "received_at", "不能晚于今天")
    assert Petition.objects.count() == 0
    assert f'value="{tomorrow.isoformat()}"' in response.content.decode()


def test_it_refuses_a_visit_of_no_persons(clerk):
    response = clerk.post(url("visit"), form_post("visit", persons=0, visit_level="local"))
    assert_refused(response, "persons", "至少为1人")
    assert Petition.objects.count() == 0


def test_it_refuses_six_representatives_article_20(clerk):
    people = [
        {"name": f"代表{i}", "id_number": make_id_number(f"4304211980010100{i}"), "is_representative": True}
        for i in range(1, 7)
    ]
    response = clerk.post(
        url("visit"), form_post("visit", persons=40, visit_level="local", petitioners=people)
    )
    assert_refused(response, "petitioners", "第二十条")
    assert Petition.objects.count() == 0
    html = response.content.decode()
    for i in range(6):
        assert f'name="p-{i}-name" id="f-p-{i}-name" value="代表{i + 1}"' in html


def test_it_refuses_an_unknown_category(clerk):
    response = clerk.post(url("letter"), form_post(category="9999"))
    assert_refused(response, "category", "不存在")
    assert Petition.objects.count() == 0


def test_it_refuses_empty_content(clerk):
    response = clerk.post(url("phone"), form_post("phone", content="   ", title=""))
    assert_refused(response, "content", "不能为空")
    assert Petition.objects.count() == 0


def test_it_refuses_an_oversized_upload(clerk, media, settings):
    settings.XINFANG_UPLOAD_MAX_BYTES = 1024 * 1024
    post = form_post()
    post["attachments"] = [
        SimpleUploadedFile("big.pdf", PDF + b"0" * (1024 * 1024), content_type="application/pdf")
    ]
    response = clerk.post(url("letter"), post)
    assert_refused(response, "attachments[0]", "超过1 MB")
    assert Petition.objects.count() == 0
    assert Attachment.objects.count() == 0
    assert not any(media.rglob("*.pdf"))


def test_it_refuses_an_upload_whose_content_is_not_its_type(clerk, media):
    post = form_post()
    post["attachments"] = [
        SimpleUploadedFile("letter.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    ]
    response = clerk.post(url("letter"), post)
    assert_refused(response, "attachments[0]", "仅接受")
    assert Petition.objects.count() == 0


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w") as member:
            for _ in range(200):
                member.write(b"\0" * (1024 * 1024))
    return out.getvalue()


def test_it_refuses_a_zip_bomb_renamed_docx_and_saves_nothing(clerk, media):
    post = form_post()
    post["attachments"] = [SimpleUploadedFile("申诉材料.docx", _zip_bomb())]
    response = clerk.post(url("letter"), post)
    assert_refused(response, "attachments[0]", "压缩炸弹")
    assert Petition.objects.count() == 0 and not any(media.rglob("*"))


def test_it_refuses_a_pdf_header_followed_by_html(clerk, media):
    post = form_post()
    post["attachments"] = [
        SimpleUploadedFile("来信.pdf", b"%PDF-1.7\n<html><script>alert(1)</script></html>")
    ]
    assert_refused(clerk.post(url("letter"), post), "attachments[0]", "PDF")
    assert Petition.objects.count() == 0


def test_it_stores_a_photo_without_its_gps_position_and_keeps_the_original_hash(clerk, media):
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (30.0, 15.0, 12.0), 3: "E", 4: (120.0, 9.0, 30.0)}  # GPS IFD
    photo = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 120, 150)).save(photo, "JPEG", exif=exif)
    original = photo.getvalue()
    post = form_post()
    post["attachments"] = [SimpleUploadedFile("现场照片.jpg", original)]
    assert clerk.post(url("letter"), post).status_code == 302
    item = Attachment.objects.get()
    assert item.sha256 == hashlib.sha256(original).hexdigest()
    with item.file.open("rb") as kept:
        stored = kept.read()
    assert item.stored_sha256 == hashlib.sha256(stored).hexdigest() != item.sha256
    assert not Image.open(io.BytesIO(stored)).getexif().get_ifd(0x8825)


def test_a_long_file_name_keeps_its_extension(clerk, media):
    post = form_post()
    post["attachments"] = [SimpleUploadedFile("关于征地补偿问题的情况反映" * 20 + ".pdf", PDF)]
    assert clerk.post(url("letter"), post).status_code == 302
    name = Attachment.objects.get().original_name
    assert len(name) <= 200 and name.endswith(".pdf")


def test_it_refuses_a_double_submit_and_links_the_first_case(clerk):
    post = form_post()
    first = clerk.post(url("letter"), post)
    assert first.status_code == 302
    petition = Petition.objects.get()
    again = clerk.post(url("letter"), post)
    assert again.status_code == 409
    html = again.content.decode()
    assert "未重复保存" in again.context["form"].message
    assert petition.case_number in html
    assert reverse("petitions:detail", args=[petition.pk]) in html
    assert Petition.objects.count() == 1


def test_it_refuses_a_tampered_submission_key_and_renders_a_new_one(clerk):
    post = form_post()
    post["submission_key"] = "x" * 200
    response = clerk.post(url("letter"), post)
    assert response.status_code == 422
    assert Petition.objects.count() == 0
    fresh = response.context["form"].submission_key
    assert uuid.UUID(fresh).version == 4
    post["submission_key"] = fresh
    assert clerk.post(url("letter"), post).status_code == 302


def test_it_keeps_the_submission_key_when_the_form_comes_back(clerk):
    post = form_post(category="9999")
    response = clerk.post(url("letter"), post)
    assert response.context["form"].submission_key == post["submission_key"]
    assert f'value="{post["submission_key"]}"' in response.content.decode()


def test_it_audits_the_registration(clerk, world):
    clerk.post(url("letter"), form_post())
    assert AuditLog.objects.filter(action="petition.create", actor=world.clerk).count() == 1


def test_the_same_clerk_registering_the_same_text_within_ten_minutes_is_stopped_until_confirmed(clerk):
    first = form_post()
    assert clerk.post(url("letter"), first).status_code == 302
    original = Petition.objects.get()
    again = form_post()  # a new form (new submission key), the same text
    response = clerk.post(url("letter"), again)
    assert response.status_code == 409
    page = response.content.decode()
    assert original.case_number in page and 'name="confirmed_new"' in page
    assert Petition.objects.count() == 1
    assert clerk.post(url("letter"), {**form_post(), "confirmed_new": "1"}).status_code == 302
    assert Petition.objects.count() == 2


def test_the_same_text_after_ten_minutes_is_registered(clerk):
    assert clerk.post(url("letter"), form_post()).status_code == 302
    Petition.objects.update(created_at=timezone.now() - timedelta(minutes=11))
    assert clerk.post(url("letter"), form_post()).status_code == 302
