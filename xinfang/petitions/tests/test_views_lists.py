"""The work queue and the all-cases list: scope, search, filters, masking, the protected identity
of accusers, pagination, and a bounded number of queries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from xinfang.audit.models import AuditLog
from xinfang.lib.idcard import mask, mask_phone
from xinfang.petitions.models import Petition
from xinfang.testing import make_id_number, register

ID_NUMBER = make_id_number()
PHONE = "13812345678"
ACCUSER = {"name": "举报人甲", "id_number": make_id_number("11010519491231002"), "phone": "13900001111"}


def assign(petition: Petition, unit) -> Petition:
    # No assignment service exists yet (转送/交办 come later); set the responsible unit directly.
    Petition.objects.filter(pk=petition.pk).update(handling_unit=unit)
    petition.refresh_from_db()
    return petition


def set_due(petition: Petition, due: date) -> None:
    Petition.objects.filter(pk=petition.pk).update(due_at=due)


def case_numbers(response) -> list[str]:
    return [row.petition.case_number for row in response.context["rows"]]


QUEUE = reverse("petitions:queue")
ALL = reverse("petitions:list")


# Access.


@pytest.mark.parametrize("url", [QUEUE, ALL, ALL + "?format=xlsx"])
def test_it_requires_login(client, world, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_shows_the_queue_at_the_root_in_chinese(client, world):
    petition = register(world.clerk)
    client.force_login(world.clerk)
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-Hans">' in html
    assert "工作队列" in html
    assert petition.case_number in html
    assert petition.title in html
    assert "来信" in html
    assert "国土资源 / 征地补偿" in html
    assert world.bureau.name in html


def test_it_shows_only_the_users_scope(client, world):
    ours = register(world.clerk)
    theirs = register(world.other_clerk)
    client.force_login(world.other_clerk)
    for url in (QUEUE, ALL):
        assert case_numbers(client.get(url)) == [theirs.case_number]
    client.force_login(world.clerk)
    assert case_numbers(client.get(QUEUE)) == [ours.case_number]


def test_it_sorts_the_queue_by_deadline_or_received_date(client, world):
    today = timezone.localdate()
    older = register(world.clerk, received=today - timedelta(days=10))
    newer = register(world.clerk, received=today - timedelta(days=1))
    set_due(older, today + timedelta(days=9))
    set_due(newer, today + timedelta(days=3))
    client.force_login(world.clerk)
    assert case_numbers(client.get(QUEUE)) == [newer.case_number, older.case_number]
    assert case_numbers(client.get(QUEUE + "?sort=-received")) == [older.case_number, newer.case_number]
    assert case_numbers(client.get(QUEUE + "?sort=received")) == [newer.case_number, older.case_number]
    assert case_numbers(client.get(QUEUE + "?sort=nonsense")) == [newer.case_number, older.case_number]


def test_it_highlights_overdue_cases(client, world):
    late = register(world.clerk)
    register(world.clerk)
    set_due(late, timezone.localdate() - timedelta(days=1))
    client.force_login(world.clerk)
    response = client.get(QUEUE)
    rows = {row.petition.case_number: row for row in response.context["rows"]}
    assert rows[late.case_number].overdue
    assert sum(row.overdue for row in rows.values()) == 1
    assert response.content.decode().count('<tr class="overdue">') == 1
    assert case_numbers(client.get(QUEUE + "?overdue=1")) == [late.case_number]


def test_it_paginates_by_fifty(client, world):
    for _ in range(51):
        register(world.clerk)
    client.force_login(world.clerk)
    first = client.get(QUEUE)
    assert len(first.context["rows"]) == 50
    assert "page=2" in first.content.decode()
    second = client.get(QUEUE + "?page=2")
    assert len(second.context["rows"]) == 1
    assert client.get(QUEUE + "?page=99").status_code == 200


# Filters.


def test_it_filters_every_list(client, world):
    letter = register(world.clerk)
    visit = register(world.clerk, channel="visit", persons=6, visit_level="city", category="0301")
    old = register(world.clerk, received=date(2024, 3, 1), request_class="suggestion", category="1601")
    client.force_login(world.clerk)
    cases = {
        "channel=visit": [visit],
        "channel=letter": [letter, old],
        "visit_level=city": [visit],
        "collective=1": [visit],
        "request_class=suggestion": [old],
        "category=03": [visit],
        "category=0202": [letter],
        "status=registered": [letter, visit, old],
        "from=2024-01-01&to=2024-12-31": [old],
        "from=2025-01-01&channel=letter": [letter],
    }
    for query, expected in cases.items():
        for url in (QUEUE, ALL):
            got = set(case_numbers(client.get(f"{url}?{query}")))
            assert got == {p.case_number for p in expected}, (url, query)


def test_it_keeps_the_filters_in_the_filter_bar(client, world):
    client.force_login(world.clerk)
    html = client.get(ALL + "?channel=visit&collective=1&from=2024-01-01&category=0202").content.decode()
    assert '<option value="visit" selected>' in html
    assert 'name="collective" value="1" checked' in html
    assert 'name="from" value="2024-01-01"' in html
    assert '<option value="0202" selected>' in html


# Search.


def _wage_case(world) -> Petition:
    return register(
        world.clerk,
        title="反映某建筑公司拖欠农民工工资",
        content="某建筑公司拖欠我们二十名农民工工资共计三十万元，请求帮助讨薪。",
        category="0301",
        petitioners=[
            {"name": "李四", "id_number": make_id_number("43042119850505123"), "phone": "13700001111"}
        ],
    )


def test_it_searches_by_case_number_name_id_and_phone(client, world):
    land = register(world.clerk)
    wage = _wage_case(world)
    client.force_login(world.clerk)
    searches = {
        wage.case_number: [wage],
        "李四": [wage],
        ID_NUMBER: [land],
        PHONE: [land],
        "137-0000-1111": [wage],
    }
    for q, expected in searches.items():
        response = client.get(ALL, {"q": q})
        assert set(case_numbers(response)) == {p.case_number for p in expected}, q
        assert f'value="{q}"' in response.content.decode()


def test_it_searches_by_chinese_keywords(client, world):
    land = register(world.clerk)
    wage = _wage_case(world)
    client.force_login(world.clerk)
    for q, expected in {"农民工": [wage], "征地补偿款": [land], "补偿款 农民工": []}.items():
        response = client.get(ALL, {"q": q})
        assert set(case_numbers(response)) == {p.case_number for p in expected}, q


def test_it_combines_search_and_filters(client, world):
    letter = register(world.clerk)
    register(world.clerk, channel="visit", persons=2, visit_level="local")
    client.force_login(world.clerk)
    assert case_numbers(client.get(ALL, {"q": "征地", "channel": "letter"})) == [letter.case_number]


def test_it_searches_only_the_users_scope(client, world):
    register(world.clerk)
    client.force_login(world.other_clerk)
    assert case_numbers(client.get(ALL, {"q": "征地补偿款"})) == []
    assert case_numbers(client.get(ALL, {"q": ID_NUMBER})) == []


# Masking and the protected identity of accusers.


def test_it_shows_full_identity_to_the_clerk(client, world):
    register(world.clerk)
    client.force_login(world.clerk)
    html = client.get(QUEUE).content.decode()
    assert ID_NUMBER in html
    assert PHONE in html


def test_it_masks_identity_in_lists_for_a_handler(client, world):
    assign(register(world.clerk), world.township)
    client.force_login(world.township_handler)
    for url in (QUEUE, ALL):
        html = client.get(url).content.decode()
        assert "张三" in html
        assert mask(ID_NUMBER) in html
        assert mask_phone(PHONE) in html
        assert ID_NUMBER not in html
        assert PHONE not in html


def test_it_masks_identity_in_lists_for_a_leader(client, world):
    register(world.clerk)
    client.force_login(world.leader)
    html = client.get(ALL).content.decode()
    assert mask(ID_NUMBER) in html
    assert ID_NUMBER not in html


def test_it_hides_the_accuser_from_the_unit_complained_about(client, world):
    accusation = register(
        world.clerk,
        request_class="accusation",
        complained_unit=world.township.code,
        category="1003",
        title="举报镇干部截留补偿款",
        content="举报城关镇某干部截留征地补偿款。",
        petitioners=[ACCUSER],
    )
    assign(accusation, world.township)
    client.force_login(world.township_handler)
    for url in (QUEUE, ALL):
        response = client.get(url)
        html = response.content.decode()
        assert accusation.case_number in html
        assert "（检举人信息已保护）" in html
        assert ACCUSER["name"] not in html
        assert mask(ACCUSER["id_number"]) not in html
        assert mask_phone(ACCUSER["phone"]) not in html
    assert case_numbers(client.get(ALL, {"q": ACCUSER["name"]})) == []
    # The bureau that registered it still sees who the accuser is.
    client.force_login(world.clerk)
    html = client.get(QUEUE).content.decode()
    assert ACCUSER["name"] in html
    assert "（检举人信息已保护）" not in html


# Queries.


@pytest.mark.parametrize("url", [QUEUE, ALL, ALL + "?q=张三&channel=letter&category=02"])
def test_it_lists_a_full_page_in_a_bounded_number_of_queries(
    client, world, django_assert_max_num_queries, url
):
    people = [
        {"name": "张三", "id_number": ID_NUMBER, "phone": PHONE},
        {"name": "王五", "id_number": make_id_number("43042119700707123"), "phone": "13600002222"},
    ]
    for i in range(30):
        petition = register(world.clerk, petitioners=people)
        if i % 3 == 0:
            assign(petition, world.township)
    client.force_login(world.clerk)
    client.get(url)  # warm the session and caches
    with django_assert_max_num_queries(13):  # two of them: the audit entry naming the cases shown
        response = client.get(url)
    assert len(response.context["rows"]) == 30


def test_a_list_showing_full_identity_writes_one_audit_entry_naming_its_cases(client, world):
    """等保 2.0 / 个人信息保护法: the clerk's list shows full 身份证号, and that read is recorded."""
    shown = {register(world.clerk).case_number for _ in range(3)}
    client.force_login(world.clerk)
    before = AuditLog.objects.filter(action="personal_data.list").count()
    assert client.get(ALL).status_code == 200
    entries = AuditLog.objects.filter(action="personal_data.list")
    assert entries.count() == before + 1
    assert set(entries.latest("pk").detail["cases"]) == shown


def test_a_masked_list_writes_no_personal_data_entry(client, world):
    register(world.clerk)
    client.force_login(world.leader)  # sees masked numbers in lists
    assert client.get(ALL).status_code == 200
    assert not AuditLog.objects.filter(action="personal_data.list").exists()
