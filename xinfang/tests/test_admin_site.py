"""The Django admin is for superusers only: a staff member of a unit with model permissions does
not get in (they would see audit entries and petitioners of every unit)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from xinfang.audit.models import AuditLog
from xinfang.audit.services import audit_record
from xinfang.testing import misfiled_accusation, register

pytestmark = pytest.mark.django_db


def test_a_staff_member_with_model_permissions_is_kept_out_of_the_admin(client, world):
    world.clerk.is_staff = True
    world.clerk.save()
    world.clerk.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    client.force_login(world.clerk)
    assert client.get("/admin/audit/auditlog/").status_code == 302  # to the admin's login
    assert client.get("/admin/petitions/petitioner/").status_code == 302


def test_a_superuser_uses_the_admin(client, world):
    world.clerk.is_staff = world.clerk.is_superuser = True
    world.clerk.save()
    client.force_login(world.clerk)
    assert client.get("/admin/").status_code == 200


def test_every_admin_page_a_superuser_opens_is_audited(client, world):
    world.admin.is_staff = world.admin.is_superuser = True
    world.admin.save()
    client.force_login(world.admin)
    assert client.get("/admin/audit/auditlog/?action=petition.create").status_code == 200
    entry = AuditLog.objects.filter(action="admin.view", actor=world.admin).latest("pk")
    assert entry.detail["path"] == "/admin/audit/auditlog/" and "petition.create" in entry.detail["query"]


def test_the_admin_lists_no_petitioner_merge_or_identity_review(client, world):
    world.admin.is_staff = world.admin.is_superuser = True
    world.admin.save()
    client.force_login(world.admin)
    assert client.get("/admin/detection/identityreview/").status_code == 404
    assert client.get("/admin/detection/petitionermerge/").status_code == 404


def test_the_admin_withholds_audit_detail_of_an_accusation_against_the_admins_unit(
    client, world, settings, tmp_path
):
    """条例第三十条: the accused unit's administrator does not learn the attachment's name."""
    settings.MEDIA_ROOT = tmp_path
    petition = misfiled_accusation(register(world.clerk), world.county)
    entry = audit_record(actor=world.clerk, action="attachment.view", obj=petition, petition=petition,
                         detail={"name": "张三-身份证.png"})  # fmt: skip
    world.admin.is_staff = world.admin.is_superuser = True
    world.admin.save()
    client.force_login(world.admin)
    page = client.get(f"/admin/audit/auditlog/{entry.pk}/change/").content.decode()
    assert "张三" not in page and "不向本单位显示" in page
    world.admin.unit = world.city_bureau
    world.admin.save()
    assert "张三-身份证.png" in client.get(f"/admin/audit/auditlog/{entry.pk}/change/").content.decode()
