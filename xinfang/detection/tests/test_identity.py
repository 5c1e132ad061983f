import pytest
from django.test import override_settings

from xinfang.cases.access import PetitionNotFound
from xinfang.detection import selectors, services
from xinfang.detection.models import IdentityReview, PetitionerMerge
from xinfang.detection.tests.helpers import LAND, WAGES, person, petition
from xinfang.errors import ActionRefused
from xinfang.petitions.models import Petitioner, PetitionPetitioner
from xinfang.testing import misfiled_accusation


def test_it_matches_exactly_by_id_number(world):
    p = petition(world.clerk)
    who = p.links.get().petitioner
    found = selectors.identity_candidates(world.clerk, name="张三", id_number=who.id_number)
    assert found[0].petitioner == who and found[0].score == 1.0
    assert "same ID card number" in found[0].reasons[0] or "身份证" in found[0].reasons[0]


def test_it_finds_a_misspelt_name_by_phone(world):
    p = petition(world.clerk, people=[person("张建国", id_number="")])
    found = selectors.identity_candidates(world.clerk, name="章建国", phone="138 1234 5678")
    assert [c.petitioner for c in found] == [p.links.get().petitioner]
    assert found[0].score > 0.8


def test_it_finds_a_person_by_name_and_address(world):
    p = petition(world.clerk, people=[person("王建勇", id_number="", phone="")])
    found = selectors.identity_candidates(world.clerk, name="王剑涌", address="清河县城关镇东村三组")
    assert [c.petitioner for c in found] == [p.links.get().petitioner]


def test_it_never_finds_people_of_another_county(world):
    petition(world.clerk, people=[person("张建国", id_number="")])
    assert selectors.identity_candidates(world.other_clerk, name="张建国", phone="13812345678") == []


def test_it_flags_an_id_number_shared_by_two_names(world):
    a = petition(world.clerk, people=[person("张三")])
    petition(world.clerk, WAGES, people=[person("张山峰")])
    number = a.links.get().petitioner.id_number
    review = services.identity_check(id_number=number)
    assert review is not None and review.names == ["张三", "张山峰"]
    assert services.identity_check(id_number=number) == review  # flagged once
    assert IdentityReview.objects.count() == 1
    who = a.links.get().petitioner
    assert selectors.shared_id_names(who) == ["张山峰"]
    found = selectors.identity_candidates(world.clerk, name="张三", id_number=number)
    assert len(found) == 2


def test_it_merges_two_records_and_undoes_the_merge(world):
    a = petition(world.clerk, people=[person("张建国", id_number="")])
    b = petition(world.clerk, WAGES, people=[person("章建国", id_number="")])
    keep, gone = a.links.get().petitioner, b.links.get().petitioner
    merge = services.petitioner_merge(source=gone, target=keep, actor=world.clerk, reason="同一人")
    assert set(selectors.person_petitions(world.clerk, keep)) == {a, b}
    assert not PetitionPetitioner.objects.filter(petitioner=gone).exists()
    services.petitioner_merge_undo(merge=merge, actor=world.clerk)
    assert set(selectors.person_petitions(world.clerk, keep)) == {a}
    assert set(selectors.person_petitions(world.clerk, gone)) == {b}
    merge.refresh_from_db()
    assert merge.undone_at is not None and merge.undone_by == world.clerk
    with pytest.raises(ActionRefused):
        services.petitioner_merge_undo(merge=merge, actor=world.clerk)


def test_it_refuses_to_merge_two_signers_of_one_petition(world):
    p = petition(world.clerk, people=[person("张三"), person("李四", "43042119851212345")])
    first, second = (link.petitioner for link in p.links.all())
    with pytest.raises(ActionRefused):
        services.petitioner_merge(source=second, target=first, actor=world.clerk)
    assert not PetitionerMerge.objects.exists()


def test_it_refuses_a_merge_by_a_handler(world):
    a = petition(world.clerk)
    b = petition(world.clerk, WAGES, people=[person("李四", "43042119851212345")])
    with pytest.raises(ActionRefused):
        services.petitioner_merge(
            source=b.links.get().petitioner, target=a.links.get().petitioner, actor=world.dept_handler
        )


def test_it_hides_accusations_against_the_users_unit_from_the_person_history(world):
    claim = petition(world.clerk)
    accusation = petition(world.clerk, request_class="accusation", complained_unit=world.dept.code)
    who = claim.links.get().petitioner
    assert set(selectors.person_petitions(world.clerk, who)) == {claim, accusation}
    from xinfang.workflow import services as cs

    cs.case_transfer(petition=claim, actor=world.clerk, unit=world.dept)
    cs.case_transfer(petition=accusation, actor=world.clerk, unit=world.discipline)
    assert set(selectors.person_petitions(world.dept_handler, who)) == {claim}


def test_it_gives_no_person_page_to_another_county(world):
    who = petition(world.clerk).links.get().petitioner
    with pytest.raises(PetitionNotFound):
        selectors.access_person(world.other_clerk, who.pk)


@override_settings(XINFANG_OLD_HAND_MIN_PETITIONS=3, XINFANG_OLD_HAND_MIN_YEARS=1)
def test_it_flags_a_long_term_petitioner_by_the_configured_criteria(world):
    from datetime import date

    for day in (date(2023, 1, 5), date(2023, 9, 1), date(2024, 3, 1)):
        p = petition(world.clerk, LAND, received=day)
    who = p.links.get().petitioner
    flag = selectors.old_hand(selectors.person_petitions(world.clerk, who))
    assert flag.is_old_hand and flag.petitions == 3 and flag.years == 1
    with override_settings(XINFANG_OLD_HAND_MIN_PETITIONS=4):
        assert not selectors.old_hand(selectors.person_petitions(world.clerk, who)).is_old_hand
    assert Petitioner.objects.count() == 1


def test_xf_conf_similar_lists_never_tie_an_accusation_to_its_accusers_other_cases(world):
    # 条例第三十条、第四十六条: the bureau is itself accused; its clerk holds the accusation but is
    # hidden from the accuser, so the similar list must not reveal which cases share the person.
    claim = petition(world.clerk, LAND)
    accuser = claim.links.get().petitioner
    accusation = misfiled_accusation(
        petition(
            world.clerk,
            WAGES,
            request_class="accusation",
            people=[person(name=accuser.name, id_number=accuser.id_number)],
        ),
        world.bureau,
    )
    found = selectors.similar_to(world.clerk, accusation)
    assert not any(c.same_person for c in found)
    assert claim.pk not in {c.id for c in found if "同一信访人" in " ".join(c.reasons)}
    # The petitioner's own case, seen by the clerk (no hidden identity): the person block still works.
    other = petition(world.clerk, WAGES, people=[person(name=accuser.name, id_number=accuser.id_number)])
    assert claim.pk in {c.id for c in selectors.similar_to(world.clerk, other) if c.same_person}
