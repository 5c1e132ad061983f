"""The handling pages: one form per action, inline errors, inbox, overdue page, approvals."""

from datetime import date

import pytest

from xinfang.cases.models import Route
from xinfang.testing import register
from xinfang.workflow import services as cs
from xinfang.workflow.sweep import sweep


@pytest.fixture
def routed(world):
    p = register(world.clerk)
    return cs.case_transfer(petition=p, actor=world.clerk, unit=world.township)


def test_the_clerk_transfers_from_the_handling_page(client, world):
    p = register(world.clerk)
    client.force_login(world.clerk)
    page = client.get(f"/cases/{p.pk}/")
    assert page.status_code == 200
    assert f"/cases/{p.pk}/transfer/" in page.content.decode()
    response = client.post(f"/cases/{p.pk}/transfer/", {"unit": world.township.code})
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.status == "routed" and p.handling_unit == world.township


def test_a_refused_guard_shows_its_message_next_to_the_field(client, world):
    p = register(world.clerk, request_class="accusation")
    client.force_login(world.clerk)
    response = client.post(f"/cases/{p.pk}/transfer/", {"unit": world.township.code})
    assert response.status_code == 422
    assert "纪检监察" in response.content.decode()
    p.refresh_from_db()
    assert p.status == "registered"


def test_an_impossible_date_names_the_field(client, world):
    p = register(world.clerk)
    client.force_login(world.clerk)
    response = client.post(f"/cases/{p.pk}/transfer/", {"unit": world.township.code, "sent_on": "2024-02-30"})
    assert response.status_code == 422
    assert "日期" in response.content.decode()


def test_another_countys_clerk_gets_not_found(client, world, routed):
    client.force_login(world.other_clerk)
    assert client.get(f"/cases/{routed.pk}/").status_code == 404
    assert client.post(f"/cases/{routed.pk}/accept/", {"route": "petition"}).status_code == 404


def test_the_inbox_lists_what_the_unit_received_by_deadline(client, world, routed):
    client.force_login(world.township_handler)
    page = client.get("/cases/inbox/").content.decode()
    assert routed.case_number in page


def test_the_handler_accepts_and_downloads_the_acceptance_notice(client, world, routed, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.township_handler)
    assert client.post(f"/cases/{routed.pk}/accept/", {"route": Route.PETITION}).status_code == 302
    notice = routed.notices.get(kind="acceptance")
    response = client.get(f"/cases/{routed.pk}/notices/{notice.pk}/pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_the_overdue_page_shows_supervised_cases(client, world):
    p = register(world.clerk, received=date(2024, 3, 1))
    p = cs.case_transfer(petition=p, actor=world.clerk, unit=world.township, sent_on=date(2024, 3, 1))
    cs.case_accept(
        petition=p, actor=world.township_handler, route=Route.PETITION, accepted_on=date(2024, 3, 1)
    )
    sweep(today=date(2024, 5, 6))
    client.force_login(world.supervisor)
    page = client.get("/cases/overdue/").content.decode()
    assert p.case_number in page
    assert "督办" in page


def test_approvals_list_a_pending_extension(client, world, routed):
    p = cs.case_accept(petition=routed, actor=world.township_handler, route=Route.PETITION)
    cs.case_request_extension(petition=p, actor=world.township_handler, days=10, reason="需要现场勘查")
    client.force_login(world.leader)
    assert "需要现场勘查" in client.get("/cases/approvals/").content.decode()
