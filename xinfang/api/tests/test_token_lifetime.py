"""API tokens (等保 2.0): they expire, a read token only reads, and a deactivated user's tokens are
revoked for good — reactivating the user revives none."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from xinfang.api.tests.helpers import ApiClient, error_of
from xinfang.orgs.models import ApiToken
from xinfang.orgs.services import token_create
from xinfang.testing import registration

pytestmark = pytest.mark.django_db


def test_a_token_expires_after_the_configured_days(world, settings):
    settings.XINFANG_TOKEN_DAYS = 90
    raw = token_create(user=world.clerk)
    token = ApiToken.objects.get(user=world.clerk)
    assert token.expires_at is not None
    assert timedelta(days=89) < token.expires_at - timezone.now() <= timedelta(days=90)
    assert ApiClient(raw).get("/petitions").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert ApiClient(raw).get("/petitions").status_code == 401


def test_a_read_token_reads_but_cannot_write(world):
    client = ApiClient(token_create(user=world.clerk, scope="read"))
    assert client.get("/petitions").status_code == 200
    response = client.post("/petitions", registration())
    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"


def test_deactivating_a_user_revokes_their_tokens_for_good(world):
    raw = token_create(user=world.clerk)
    world.clerk.is_active = False
    world.clerk.save()
    world.clerk.is_active = True
    world.clerk.save()
    assert ApiClient(raw).get("/petitions").status_code == 401
    assert ApiToken.objects.get(user=world.clerk).revoked
