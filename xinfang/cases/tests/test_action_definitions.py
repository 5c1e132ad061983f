"""Each action is defined once (``workflow.actions``): the handling page's forms and the API's
endpoints and OpenAPI schema are derived from it, the page offers only what its guards allow, and a
mistake gets the same message on the page and in the API."""

from __future__ import annotations

import json

import pytest
from django.test import RequestFactory
from django.utils.translation import gettext_noop
from ninja import NinjaAPI, Router

from xinfang.api.urls import api
from xinfang.cases.api import _endpoint
from xinfang.orgs.services import token_create
from xinfang.testing import register
from xinfang.workflow import actions
from xinfang.workflow import services as cs
from xinfang.workflow.actionforms import form_of, form_values

pytestmark = pytest.mark.django_db


def _forms(client, user, petition) -> str:
    client.force_login(user)
    return client.get(f"/cases/{petition.pk}/").content.decode()


def test_no_input_field_of_the_api_is_untyped():
    schema = api.get_openapi_schema()
    untyped = []
    for name, component in schema["components"]["schemas"].items():
        for prop, spec in component.get("properties", {}).items():
            if not {"type", "$ref", "anyOf", "enum", "allOf"} & set(spec):
                untyped.append(f"{name}.{prop}")
    for path, operations in schema["paths"].items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if not {"type", "$ref", "anyOf", "enum"} & set(parameter.get("schema", {})):
                    untyped.append(f"{path} {parameter['name']}")
    assert untyped == []


def test_every_action_has_one_endpoint_and_one_form_address():
    paths = api.get_openapi_schema()["paths"]
    for action in actions.ACTIONS:
        if action.on == "case":
            assert f"/api/v1/cases/{{case_id}}/{action.name}" in paths
        else:
            assert f"/api/v1/supervisions/{{supervision_id}}/{action.name}" in paths
    assert len({(a.on, a.name) for a in actions.ACTIONS}) == len(actions.ACTIONS)


def test_the_page_offers_only_what_the_user_can_do_now(client, world):
    p = register(world.clerk)
    clerk_page = _forms(client, world.clerk, p)
    assert f"/cases/{p.pk}/transfer/" in clerk_page and f"/cases/{p.pk}/assign/" in clerk_page
    assert f"/cases/{p.pk}/accept/" in clerk_page  # the registering organ may be competent itself
    assert f"/cases/{p.pk}/object/" not in clerk_page  # nothing was sent to anyone yet
    p = cs.case_transfer(petition=p, actor=world.clerk, unit=world.township)
    clerk_page = _forms(client, world.clerk, p)
    # The township's step now: the bureau's clerk has nothing to accept, object or transfer.
    for action in ("accept", "object", "transfer", "refuse"):
        assert f"/cases/{p.pk}/{action}/" not in clerk_page
    township_page = _forms(client, world.township_handler, p)
    for action in ("accept", "object", "refuse"):
        assert f"/cases/{p.pk}/{action}/" in township_page
    assert f"/cases/{p.pk}/transfer/" not in township_page
    assert township_page.count(f'action="/cases/{p.pk}/accept/"') == 1  # each action once


def test_a_supervision_order_is_answered_from_the_handling_page(client, world):
    p = register(world.clerk)
    p = cs.case_transfer(petition=p, actor=world.clerk, unit=world.township)
    order = cs.supervision_issue(petition=p, actor=world.supervisor, unit=world.township, reason="请加快办理")
    url = f"/cases/{p.pk}/supervisions/{order.pk}/reply/"
    assert url not in _forms(client, world.clerk, p)  # the order is the township's to answer
    assert url in _forms(client, world.township_handler, p)
    response = client.post(url, {"text": "已入户核实，三日内答复"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.reply_text == "已入户核实，三日内答复" and order.replied_on is not None
    assert url not in _forms(client, world.township_handler, p)  # answered once


def test_a_wrong_date_gets_the_same_message_on_the_page_and_in_the_api(client, world):
    p = register(world.clerk)
    client.force_login(world.clerk)
    page = client.post(f"/cases/{p.pk}/transfer/", {"unit": world.township.code, "sent_on": "2024-02-30"})
    token = token_create(user=world.clerk)
    answer = client.post(
        f"/api/v1/cases/{p.pk}/transfer",
        data=json.dumps({"unit": world.township.code, "sent_on": "2024-02-30"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert (page.status_code, answer.status_code) == (422, 422)
    message = json.loads(answer.content)["error"]["fields"]["sent_on"]
    assert message.startswith("发送日期")
    assert message in page.content.decode()


def test_an_unknown_unit_gets_the_same_message_on_the_page_and_in_the_api(client, world):
    p = register(world.clerk)
    client.force_login(world.clerk)
    page = client.post(f"/cases/{p.pk}/transfer/", {"unit": "NOPE"})
    token = token_create(user=world.clerk)
    answer = client.post(
        f"/api/v1/cases/{p.pk}/transfer",
        data=json.dumps({"unit": "NOPE"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    message = json.loads(answer.content)["error"]["fields"]["unit"]
    assert "NOPE" in message and message in page.content.decode()


class TransferWithCopyIn(actions.TransferIn):
    copy_to: str = actions.line("Copy to", "Who else receives a copy.")


def test_adding_a_field_to_an_action_is_one_edit(world):
    # The one edit: a field on the action's input. Its form, its parsing and its API schema follow.
    seen = []
    action = actions.Action(
        "transfer-with-copy",
        gettext_noop("Transfer (转送)"),
        "转送 with a copy",
        TransferWithCopyIn,
        actions.guards.may_route,
        lambda p, u, d: seen.append(d.copy_to),
    )
    p = register(world.clerk)
    form = form_of(actions.Offer(action, p, None), p, world.clerk, {}, {})
    assert [f.name for f in form.fields] == ["unit", "sent_on", "reason", "copy_to"]
    posted = RequestFactory().post("/", {"unit": world.township.code, "copy_to": "县纪委"}).POST
    action.run(p, world.clerk, action.parse(form_values(action.input, posted)))
    assert seen == ["县纪委"]
    router = Router()
    router.post("/cases/{case_id}/transfer-with-copy")(_endpoint(action))
    probe = NinjaAPI(urls_namespace="probe")
    probe.add_router("", router)
    schema = probe.get_openapi_schema(path_prefix="/probe/")["components"]["schemas"]["TransferWithCopyIn"]
    assert schema["properties"]["copy_to"]["type"] == "string"
    assert schema["required"] == ["unit"]
