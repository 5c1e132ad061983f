"""Bearer tokens, the `xinfang token` command, OpenAPI and the one error shape of /api/v1."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from xinfang.api.tests.helpers import ApiClient, error_of
from xinfang.audit.models import AuditLog
from xinfang.orgs.models import ApiToken
from xinfang.petitions.models import Petition
from xinfang.testing import register, registration


def _token_create(username: str) -> str:
    out = StringIO()
    call_command("token", "create", username, "--name", "12345 hotline", stdout=out)
    return out.getvalue().split()[-1]


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer xf_not-a-real-token", "Bearer ", "Token abc", "xf_abc"],
    ids=["none", "unknown", "empty", "other-scheme", "no-scheme"],
)
def test_it_answers_401_without_a_valid_token(world, authorization):
    headers = {"Authorization": authorization} if authorization is not None else {}
    response = Client().get("/api/v1/petitions", headers=headers)
    assert response.status_code == 401
    error = error_of(response)
    assert error["code"] == "unauthorized"
    assert "令牌" in error["message"]
    assert response["WWW-Authenticate"] == "Bearer"


def test_it_answers_401_for_a_deactivated_user(world, api):
    client = api(world.clerk)
    world.clerk.is_active = False
    world.clerk.save(update_fields=["is_active"])
    assert client.get("/petitions").status_code == 401


def test_the_token_command_prints_a_working_token_as_last_word(world):
    token = _token_create("clerk")
    assert token.startswith("xf_")
    response = ApiClient(token).post("/petitions", registration())
    assert response.status_code == 201
    stored = ApiToken.objects.get(user=world.clerk)
    assert stored.name == "12345 hotline"
    assert stored.last_used_at is not None
    assert AuditLog.objects.filter(action="token.create", object_id=str(stored.pk)).exists()


def test_the_token_command_refuses_an_unknown_user(world):
    with pytest.raises(CommandError, match="nobody") as exc:
        call_command("token", "create", "nobody", stdout=StringIO())
    assert exc.value.returncode != 0
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("days", ["0", "-5", "400"])
def test_the_token_command_refuses_a_lifetime_out_of_range(world, days):
    with pytest.raises(CommandError, match="1") as exc:
        call_command("token", "create", "clerk", "--days", days, stdout=StringIO())
    assert "天数" in str(exc.value)
    assert not ApiToken.objects.exists()


def test_the_token_command_creates_a_read_only_token_for_some_days(world):
    out = StringIO()
    call_command("token", "create", "clerk", "--days", "7", "--read-only", stdout=out)
    token = ApiToken.objects.get()
    assert token.scope == "read"
    assert ApiClient(out.getvalue().split()[-1]).get("/petitions").status_code == 200


def test_the_token_command_revokes_by_prefix(world):
    token = _token_create("clerk")
    out = StringIO()
    call_command("token", "revoke", token[:10], stdout=out)
    assert token[:10] in out.getvalue()
    assert ApiToken.objects.get().revoked
    assert ApiClient(token).get("/petitions").status_code == 401
    assert AuditLog.objects.filter(action="token.revoke").exists()
    with pytest.raises(CommandError):
        call_command("token", "revoke", token[:10], stdout=StringIO())


def test_the_token_command_lists_tokens_without_secrets(world):
    token = _token_create("clerk")
    out = StringIO()
    call_command("token", "list", stdout=out)
    assert token[:10] in out.getvalue()
    assert token not in out.getvalue()


def test_the_openapi_schema_lists_the_petition_endpoints(world):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert {"/api/v1/petitions", "/api/v1/petitions/{petition_id}"} <= set(schema["paths"])
    post = schema["paths"]["/api/v1/petitions"]["post"]
    assert {"201", "400", "401", "403", "409", "422"} <= set(post["responses"])
    fields = schema["components"]["schemas"]["PetitionIn"]["properties"]
    assert fields["received_at"]["format"] == "date"
    assert fields["petitioners"]["type"] == "array"
    assert schema["components"]["securitySchemes"]["BearerAuth"]["scheme"] == "bearer"


def test_it_answers_an_unknown_address_in_the_error_shape(world, api):
    response = api(world.clerk).get("/nowhere")
    assert response.status_code == 404
    error = error_of(response)
    assert (error["code"], error["fields"]) == ("not_found", {})
    assert error["message"].startswith("未找到")


def test_it_answers_a_wrong_method_in_the_error_shape(world, api):
    response = api(world.clerk).put("/petitions", registration())
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"
    assert Petition.objects.count() == 0


def test_it_answers_an_unexpected_failure_with_500_and_no_traceback(world, api, monkeypatch):
    petition = register(world.clerk)

    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("xinfang.api.petitions.access_petition", broken)
    response = api(world.clerk).get(f"/petitions/{petition.pk}")
    assert response.status_code == 500
    error = error_of(response)
    assert error["code"] == "server_error"
    assert error["message"].startswith("系统内部出错")
    assert b"secret internals" not in response.content
    assert b"Traceback" not in response.content
