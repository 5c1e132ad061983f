"""Who reaches which case: access_petition, visible_petitions, search, filters and the work queue.

Scope (docs/architecture.md): a user sees the cases registered by or assigned to their unit; a
信访部门 user sees those of every unit under its people's government (Unit.scope_root()).
检举控告: the accuser's identity never reaches the accused unit (条例第三十条、第四十六条).
"""

from datetime import date

import pytest
from django.http import Http404
from django.utils import timezone

from xinfang.cases.access import (
    PetitionNotFound,
    access_petition,
    identity_hidden_q,
    identity_visible,
    search_petitions,
    visible_petitions,
    work_queue,
)
from xinfang.orgs.models import Role, Unit, User
from xinfang.petitions.models import Petition
from xinfang.petitions.selectors import filter_petitions, list_related
from xinfang.testing import PASSWORD, make_id_number, misfiled_accusation, register

ACCUSER_ID = make_id_number("11010519491231002")  # the X check character of GB 11643's example
ACCUSER = {"name": "举报人甲", "id_number": ACCUSER_ID, "phone": "13900001111"}


def _clerk_of(unit, username: str) -> User:
    return User.objects.create_user(username=username, password=PASSWORD, unit=unit, role=Role.CLERK)


def _assign(petition: Petition, unit) -> Petition:
    # No assignment service exists yet (转送/交办 come later); set the responsible unit directly.
    Petition.objects.filter(pk=petition.pk).update(handling_unit=unit)
    petition.refresh_from_db()
    return petition


def _ids(qs) -> set[int]:
    return set(qs.values_list("pk", flat=True))


def _accusation(
    world, complained_code: str, content: str = "举报某科长截留征地补偿款并收受回扣。"
) -> Petition:
    petition = register(
        world.clerk,
        request_class="accusation",
        category="1003",
        title="举报截留补偿款",
        content=content,
        petitioners=[ACCUSER],
    )
    return misfiled_accusation(petition, Unit.objects.get(code=complained_code))


# Scope.


def test_it_shows_the_county_bureau_the_cases_of_the_township_and_the_department(world):
    by_township = register(_clerk_of(world.township, "township_clerk"))
    by_dept = register(_clerk_of(world.dept, "dept_clerk"))
    by_bureau = register(world.clerk)
    assert by_township.registering_unit == world.township
    assert _ids(visible_petitions(world.clerk)) == {by_township.pk, by_dept.pk, by_bureau.pk}
    assert access_petition(world.clerk, by_township.pk) == by_township
    assert access_petition(world.clerk, str(by_dept.pk)) == by_dept


def test_it_shows_the_county_bureau_the_cases_of_a_village(world):
    by_village = register(_clerk_of(world.village, "village_clerk"))
    assert access_petition(world.clerk, by_village.pk) == by_village


def test_it_shows_a_township_handler_only_the_cases_of_the_township(world):
    own = register(_clerk_of(world.township, "township_clerk"))
    bureau_case = register(world.clerk)
    assert _ids(visible_petitions(world.township_handler)) == {own.pk}
    assert access_petition(world.township_handler, own.pk) == own
    with pytest.raises(PetitionNotFound):
        access_petition(world.township_handler, bureau_case.pk)


def test_it_shows_a_township_handler_nothing_of_its_villages(world):
    by_village = register(_clerk_of(world.village, "village_clerk"))
    with pytest.raises(PetitionNotFound):
        access_petition(world.township_handler, by_village.pk)


def test_it_shows_a_unit_the_cases_assigned_to_it(world):
    assigned = _assign(register(world.clerk), world.dept)
    other = register(world.clerk)
    assert _ids(visible_petitions(world.dept_handler)) == {assigned.pk}
    assert access_petition(world.dept_handler, assigned.pk) == assigned
    with pytest.raises(PetitionNotFound):
        access_petition(world.dept_handler, other.pk)


def test_it_shows_the_other_countys_clerk_nothing(world):
    petition = register(world.clerk)
    register(_clerk_of(world.township, "township_clerk"))
    assert not visible_petitions(world.other_clerk).exists()
    with pytest.raises(PetitionNotFound):
        access_petition(world.other_clerk, petition.pk)


def test_it_answers_forbidden_and_missing_alike_with_a_404(world):
    petition = register(world.clerk)
    missing = petition.pk + 1000
    for user, pk in [(world.other_clerk, petition.pk), (world.clerk, missing), (world.other_clerk, missing)]:
        with pytest.raises(PetitionNotFound) as exc:
            access_petition(user, pk)
        assert isinstance(exc.value, Http404)
        assert str(exc.value) == ""  # nothing tells a forbidden case from a missing one


@pytest.mark.parametrize("raw", ["abc", "", "1.5", "1; DROP TABLE x", None])
def test_it_answers_a_non_numeric_id_with_a_404(world, raw):
    register(world.clerk)
    with pytest.raises(PetitionNotFound):
        access_petition(world.clerk, raw)


def test_it_shows_the_city_bureau_the_cases_of_its_counties(world):
    here = register(world.clerk)
    there = register(world.other_clerk)
    by_township = register(_clerk_of(world.township, "township_clerk"))
    assert world.city_bureau.scope_root() == world.city
    assert _ids(visible_petitions(world.city_clerk)) == {here.pk, there.pk, by_township.pk}
    assert access_petition(world.city_clerk, by_township.pk) == by_township


def test_it_hides_the_city_bureaus_own_cases_from_a_county_bureau(world):
    up = register(world.city_clerk)
    with pytest.raises(PetitionNotFound):
        access_petition(world.clerk, up.pk)


def test_it_shows_a_user_without_a_unit_nothing(world):
    register(world.clerk)
    nobody = User.objects.create_user(username="nobody", password=PASSWORD, role=Role.CLERK)
    assert not visible_petitions(nobody).exists()


# Search.


def test_it_finds_a_case_by_case_number(world):
    petition = register(world.clerk)
    register(world.clerk)
    assert list(search_petitions(world.clerk, petition.case_number)) == [petition]
    assert list(search_petitions(world.clerk, f"  {petition.case_number} ")) == [petition]


def test_it_does_not_find_a_case_of_another_county_by_case_number(world):
    petition = register(world.clerk)
    assert not search_petitions(world.other_clerk, petition.case_number).exists()


def test_it_finds_a_case_by_id_number(world):
    petition = register(world.clerk)
    register(world.clerk, petitioners=[{"name": "李四", "id_number": make_id_number("43042119850505222")}])
    assert list(search_petitions(world.clerk, make_id_number())) == [petition]


def test_it_finds_a_case_by_id_number_typed_with_a_lowercase_x(world):
    petition = register(world.clerk, petitioners=[ACCUSER])
    assert list(search_petitions(world.clerk, ACCUSER_ID.lower())) == [petition]


def test_it_finds_a_case_by_phone_with_or_without_dashes(world):
    petition = register(world.clerk)
    register(world.clerk, petitioners=[{"name": "李四", "phone": "13900002222"}])
    assert list(search_petitions(world.clerk, "13812345678")) == [petition]
    assert list(search_petitions(world.clerk, "138-1234-5678")) == [petition]


def test_a_landline_registered_with_a_dash_is_found_as_typed(world):
    petition = register(world.clerk, petitioners=[{"name": "王五", "phone": "0739-8123456"}])
    assert petition.links.get().petitioner.phone == "07398123456"
    assert list(search_petitions(world.clerk, "0739-8123456")) == [petition]
    assert list(search_petitions(world.clerk, "07398123456")) == [petition]


def test_it_finds_a_case_by_petitioner_name(world):
    petition = register(world.clerk)
    register(world.clerk, petitioners=[{"name": "李四"}])
    assert list(search_petitions(world.clerk, "张三")) == [petition]


@pytest.mark.parametrize("word", ["补偿款", "补偿", "征地补偿款", "足额发放"])
def test_it_finds_a_case_by_a_chinese_word_of_its_content(world, word):
    petition = register(world.clerk)
    register(world.clerk, title="反映噪声扰民", content="夜间施工噪声扰民，影响休息。", category="0902")
    assert list(search_petitions(world.clerk, word)) == [petition]


def test_it_finds_nothing_for_a_word_no_case_contains(world):
    register(world.clerk)
    assert not search_petitions(world.clerk, "拆迁").exists()
    assert not search_petitions(world.clerk, "补偿款 拆迁").exists()  # every word must match


def test_it_finds_a_new_petition_at_once(world):
    assert not search_petitions(world.clerk, "宅基地").exists()
    petition = register(
        world.clerk, title="宅基地纠纷", content="邻居侵占宅基地，请求处理。", category="0203"
    )
    assert list(search_petitions(world.clerk, "宅基地")) == [petition]


def test_it_searches_words_only_within_the_users_scope(world):
    register(world.clerk)
    assert not search_petitions(world.other_clerk, "补偿款").exists()
    assert not search_petitions(world.other_clerk, "张三").exists()


def test_it_lets_the_city_bureau_find_a_county_case_by_keyword(world):
    petition = register(world.clerk)
    assert list(search_petitions(world.city_clerk, "补偿款")) == [petition]


def test_it_treats_search_syntax_in_a_query_as_plain_words(world):
    register(world.clerk)
    assert not search_petitions(world.clerk, '"补偿款" OR').exists()  # "or" is a word no case contains
    assert not search_petitions(world.clerk, "NEAR(补偿款 AND *").exists()


def test_it_finds_a_case_despite_a_stray_quote_in_the_query(world):
    petition = register(world.clerk)
    assert list(search_petitions(world.clerk, '补偿款"')) == [petition]


def test_it_returns_the_scope_for_an_empty_query(world):
    petition = register(world.clerk)
    assert list(search_petitions(world.clerk, "   ")) == [petition]


# 检举控告: identity lookups never reveal the accuser to the accused unit.


def test_it_hides_an_accusation_from_identity_lookups_by_the_accused_unit_article_30(world):
    petition = _assign(_accusation(world, "990121ZR"), world.dept)
    handler = world.dept_handler
    assert access_petition(handler, petition.pk) == petition
    assert not search_petitions(handler, ACCUSER["name"]).exists()
    assert not search_petitions(handler, ACCUSER_ID).exists()
    assert not search_petitions(handler, ACCUSER["phone"]).exists()


def test_it_hides_an_accusation_from_units_below_the_accused_unit_article_30(world):
    # Against 清河县人民政府: its 信访局 is one of its departments and must not learn the accuser either.
    petition = _accusation(world, "990121")
    clerk = world.clerk
    assert not search_petitions(clerk, ACCUSER["name"]).exists()
    assert not search_petitions(clerk, ACCUSER_ID).exists()
    assert not search_petitions(clerk, ACCUSER["phone"]).exists()
    assert list(search_petitions(clerk, petition.case_number)) == [petition]


def test_it_lets_the_accused_unit_find_an_accusation_by_keyword(world):
    against_dept = _assign(_accusation(world, "990121ZR"), world.dept)
    against_county = _accusation(world, "990121", content="举报县领导违规发放补贴，收受回扣。")
    assert list(search_petitions(world.dept_handler, "回扣")) == [against_dept]
    assert _ids(search_petitions(world.clerk, "回扣")) == {against_dept.pk, against_county.pk}


def test_it_lets_units_not_accused_find_an_accusation_by_identity(world):
    petition = _assign(_accusation(world, "990121ZR"), world.dept)
    assert list(search_petitions(world.clerk, ACCUSER["name"])) == [petition]
    assert list(search_petitions(world.clerk, ACCUSER_ID)) == [petition]
    assert list(search_petitions(world.city_clerk, ACCUSER["phone"])) == [petition]


def test_it_still_finds_the_accusers_other_cases_by_identity(world):
    accusation = _assign(_accusation(world, "990121ZR"), world.dept)
    claim = _assign(register(world.clerk, petitioners=[ACCUSER]), world.dept)
    assert accusation.pk != claim.pk
    assert list(search_petitions(world.dept_handler, ACCUSER_ID)) == [claim]


def test_it_decides_identity_visibility_by_the_accused_unit_article_30(world):
    claim = register(world.clerk)
    against_dept = _accusation(world, "990121ZR")
    against_county = _accusation(world, "990121")
    against_village = _accusation(world, "990121101201")
    against_nobody = register(world.clerk, request_class="accusation", petitioners=[ACCUSER])
    nobody = User.objects.create_user(username="nobody", password=PASSWORD, role=Role.CLERK)
    expected = {
        (world.clerk, claim): True,
        (world.township_handler, claim): True,
        (nobody, claim): True,
        (world.dept_handler, against_dept): False,
        (world.clerk, against_dept): True,
        (world.township_handler, against_dept): True,
        (world.clerk, against_county): False,
        (world.dept_handler, against_county): False,
        (world.township_handler, against_county): False,
        (world.city_clerk, against_county): True,
        (world.other_clerk, against_county): True,
        (world.township_handler, against_village): True,
        (world.clerk, against_nobody): True,
        (nobody, against_nobody): False,
        (nobody, against_dept): False,
    }
    for (user, petition), visible in expected.items():
        assert identity_visible(user, petition) is visible, (user.username, petition.complained_unit)
        hidden = Petition.objects.filter(pk=petition.pk).filter(identity_hidden_q(user)).exists()
        assert hidden is not visible, (user.username, petition.complained_unit)


# Filters.


@pytest.fixture
def three_cases(world):
    letter = register(world.clerk, received=date(2024, 3, 1), category="0202")
    visit = register(world.clerk, received=date(2024, 6, 3), category="0301", channel="visit", persons=5)
    call = register(world.clerk, channel="phone", category="0202")
    return letter, visit, call


def _filtered(world, **params) -> set[int]:
    return _ids(filter_petitions(visible_petitions(world.clerk), params))


def test_it_filters_by_channel(world, three_cases):
    letter, visit, call = three_cases
    assert _filtered(world, channel="visit") == {visit.pk}
    assert _filtered(world, channel="phone") == {call.pk}


def test_it_filters_by_received_dates_inclusive(world, three_cases):
    letter, visit, call = three_cases
    assert _filtered(world, **{"from": "2024-03-01", "to": "2024-03-01"}) == {letter.pk}
    assert _filtered(world, **{"from": "2024-03-02", "to": "2024-12-31"}) == {visit.pk}
    assert _filtered(world, **{"from": "2025-01-01"}) == {call.pk}
    assert _filtered(world, to="2024-06-03") == {letter.pk, visit.pk}


def test_it_ignores_a_date_that_is_not_one(world, three_cases):
    assert _filtered(world, **{"from": "2024-02-30", "to": "yesterday"}) == {p.pk for p in three_cases}


def test_it_filters_collective_visits(world, three_cases):
    letter, visit, call = three_cases
    assert visit.is_collective
    assert _filtered(world, collective="1") == {visit.pk}


def test_it_filters_overdue_open_cases(world, three_cases):
    letter, visit, call = three_cases
    # Received in 2024, due within 15 days of receipt: long past. Received today: not yet due.
    assert call.due_at >= timezone.localdate()
    assert _filtered(world, overdue="1") == {letter.pk, visit.pk}


def test_it_filters_by_a_parent_category_or_its_child(world, three_cases):
    letter, visit, call = three_cases
    assert _filtered(world, category="02") == {letter.pk, call.pk}
    assert _filtered(world, category="0202") == {letter.pk, call.pk}
    assert _filtered(world, category="03") == {visit.pk}
    assert _filtered(world, category="0201") == set()


def test_it_combines_filters(world, three_cases):
    letter, visit, call = three_cases
    assert _filtered(world, channel="letter", category="02") == {letter.pk}
    assert _filtered(world, channel="letter", collective="1") == set()


def test_it_ignores_empty_filters(world, three_cases):
    everything = {p.pk for p in three_cases}
    assert _filtered(world, channel="", category=" ", overdue="", collective="0") == everything


def test_it_filters_only_within_the_users_scope(world, three_cases):
    assert not filter_petitions(visible_petitions(world.other_clerk), {"channel": "visit"}).exists()


# The work queue.


def test_it_orders_the_work_queue_by_deadline_first(world, three_cases):
    letter, visit, call = three_cases
    assert list(work_queue(world.clerk)) == [letter, visit, call]
    assert list(work_queue(world.clerk, sort="due")) == [letter, visit, call]
    assert list(work_queue(world.clerk, sort="-due")) == [call, visit, letter]


def test_it_orders_the_work_queue_by_received_newest_first(world, three_cases):
    letter, visit, call = three_cases
    assert list(work_queue(world.clerk, sort="received")) == [call, visit, letter]
    assert list(work_queue(world.clerk, sort="-received")) == [letter, visit, call]


def test_it_orders_the_work_queue_by_deadline_for_an_unknown_sort(world, three_cases):
    letter, visit, call = three_cases
    assert list(work_queue(world.clerk, sort="title; DROP")) == [letter, visit, call]


def test_it_breaks_deadline_ties_in_registration_order(world):
    first = register(world.clerk, received=date(2024, 3, 1))
    second = register(world.clerk, received=date(2024, 3, 1))
    assert list(work_queue(world.clerk)) == [first, second]
    assert list(work_queue(world.clerk, sort="received")) == [second, first]


def test_it_keeps_other_units_cases_out_of_the_work_queue(world, three_cases):
    assert not work_queue(world.other_clerk).exists()
    assert not work_queue(world.township_handler).exists()


def test_it_lists_the_work_queue_without_a_query_per_row(world, django_assert_num_queries):
    for i in range(4):
        register(world.clerk, petitioners=[{"name": f"信访人{i}"}, {"name": f"同行人{i}"}])
    visible_petitions(world.clerk)  # the user's scope is computed once per request
    # the duties of 交办 packages, the petitions, their links, the petitioners
    with django_assert_num_queries(4):
        rows = []
        for p in list_related(work_queue(world.clerk)):
            assert p.category.parent is not None
            names = [lk.petitioner.name for lk in p.links.all()]
            rows.append((p.case_number, p.registering_unit.name, p.category.parent.name, names))
    assert len(rows) == 4
    assert all(len(names) == 2 for *_, names in rows)


def test_the_migration_stores_old_dashed_phones_as_digits(world):
    import importlib

    from django.apps import apps

    from xinfang.petitions.models import Petitioner

    petition = register(world.clerk, petitioners=[{"name": "赵六", "phone": "07391234567"}])
    Petitioner.objects.filter(name="赵六").update(phone="0739-1234567")  # as stored before
    module = importlib.import_module("xinfang.petitions.migrations.0009_phones_as_digits")
    module.phones_as_digits(apps, None)
    assert Petitioner.objects.get(name="赵六").phone == "07391234567"
    assert list(search_petitions(world.clerk, "0739-1234567")) == [petition]


def test_the_petition_table_leaves_room_for_hot_updates_on_postgresql(db):
    """Updates that change no indexed column must be able to stay on their page (HOT) and leave the
    full-text index entry of the case alone."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL storage parameter")
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'petitions_petition'")
        assert "fillfactor=80" in (cursor.fetchone()[0] or [])
