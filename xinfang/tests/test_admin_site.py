"""The Django admin is for superusers only: a staff member of a unit with model permissions does
not get in (they would see audit entries and petitioners of every unit)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

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
