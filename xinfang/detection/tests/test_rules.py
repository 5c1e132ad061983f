from datetime import timedelta

from django.utils import timezone

from xinfang.cases.models import RefusalGround
from xinfang.detection import rules, services
from xinfang.detection.tests.helpers import LAND, LAND_AGAIN, WAGES, person, petition
from xinfang.petitions.models import Petition
from xinfang.petitions.states import Status
from xinfang.workflow import services as cs
from xinfang.workflow.services import AssignmentSpec


def _set(p: Petition, **fields) -> Petition:
    Petition.objects.filter(pk=p.pk).update(**fields)
    p.refresh_from_db()
    return p


def test_rule_parallel(world):
    letter = petition(world.clerk)
    visit = petition(world.clerk, LAND_AGAIN, channel="visit", visit_level="local")
    # registration ran the rule: the visit is linked to the letter
    assert visit.detection is not None and visit.detection.parallel_of == letter.pk
    assert Petition.objects.get(pk=visit.pk).parallel_of == letter
    _set(visit, parallel_of=None)
    found = rules.rule_parallel(visit, user=world.clerk)
    assert found is not None and found.petition == letter
    done = services.on_registered(petition=visit, actor=world.clerk)
    visit.refresh_from_db()
    assert done.parallel_of == letter.pk and visit.parallel_of == letter
    # two letters on one matter are a repeat, not parallel
    again = petition(world.clerk, LAND_AGAIN)
    assert rules.rule_parallel(again, user=world.clerk, earlier=[rules.Earlier(letter, linked=True)]) is None


def test_rule_skip_level(world):
    # A township's matter, visited at the city (two levels up) with no handling below: 越级.
    city_visit = petition(
        world.city_clerk, channel="visit", visit_level="local", complained_unit=world.township.code
    )
    assert rules.rule_skip_level(city_visit)
    assert services.mark_skip_level(petition=city_visit, actor=world.city_clerk)
    city_visit.refresh_from_db()
    assert city_visit.is_skip_level
    # The same visit at the county (one level up): not 越级.
    county_visit = petition(
        world.clerk, channel="visit", visit_level="local", complained_unit=world.township.code
    )
    assert not rules.rule_skip_level(county_visit)
    # At the city after the county handled it: not 越级.
    assert not rules.rule_skip_level(city_visit, earlier=[county_visit])
    # A letter is never 越级.
    assert not rules.rule_skip_level(petition(world.city_clerk, complained_unit=world.township.code))


def test_rule_accepted_below(world):
    below = petition(world.clerk)
    cs.case_transfer(petition=below, actor=world.clerk, unit=world.township)
    cs.case_accept(petition=below, actor=world.township_handler, route="petition")
    below.refresh_from_db()
    assert below.status == Status.ACCEPTED
    upward = petition(world.city_clerk, LAND_AGAIN)
    proposal = rules.rule_accepted_below(upward, user=world.city_clerk)
    assert proposal is not None
    assert proposal.ground == RefusalGround.ACCEPTED_BELOW and proposal.earlier_id == below.pk
    assert proposal.article == "第十九条第三款" and below.case_number in proposal.reason
    refused = cs.refusal_confirm(petition=upward, actor=world.city_clerk, proposal=proposal)
    assert refused.status == Status.NOT_ACCEPTED
    # After its time limit has passed the higher organ may take it up.
    _set(below, due_at=timezone.localdate() - timedelta(days=1))
    late = petition(world.city_clerk, LAND_AGAIN)
    assert rules.rule_accepted_below(late, user=world.city_clerk) is None


def test_rule_concluded(world):
    earlier = _set(petition(world.clerk), status=Status.CONCLUDED, is_open=False)
    again = petition(world.clerk, LAND_AGAIN)
    proposal = rules.rule_concluded(again, user=world.clerk)
    assert proposal is not None and proposal.ground == RefusalGround.CONCLUDED
    assert proposal.earlier_id == earlier.pk and proposal.article == "第三十六条"
    other = petition(world.clerk, WAGES, people=[person("李四", "43042119851212345")])
    assert rules.rule_concluded(other, user=world.clerk) is None
    refused = cs.refusal_confirm(petition=again, actor=world.clerk, proposal=proposal)
    assert refused.status == Status.NOT_ACCEPTED
    last = refused.events.last()
    assert last is not None and last.data == {"ground": "concluded"}


def test_rule_collective(world):
    group = petition(
        world.clerk,
        channel="visit",
        visit_level="local",
        persons=6,
        people=[person("张三"), person("李四", "43042119851212345")],
    )
    marks = rules.rule_collective(group)
    assert marks.is_collective and marks.is_joint
    assert (group.is_collective, group.is_joint) == (marks.is_collective, marks.is_joint)
    small = petition(world.clerk, channel="visit", visit_level="local", persons=4)
    assert rules.rule_collective(small) == rules.CollectiveMarks(False, False)


def test_rule_second_assignment(world):
    first = petition(world.clerk)
    due = timezone.localdate() + timedelta(days=30)
    cs.case_assign(petition=first, actor=world.clerk, specs=[AssignmentSpec(world.township, due_at=due)])
    second = petition(world.clerk, LAND_AGAIN)
    found = rules.rule_second_assignment(second, user=world.clerk)
    assert found is not None and found.petition == first and found.unit == world.township
    # linked explicitly, it is found without text matching too
    services.matter_link(petition=second, actor=world.clerk, kind="repeat", target=first)
    assert rules.rule_second_assignment(second) == found
    unrelated = petition(world.clerk, WAGES, people=[person("李四", "43042119851212345")])
    assert rules.rule_second_assignment(unrelated, user=world.clerk) is None


def test_it_flags_shared_id_numbers_on_registration(world):
    petition(world.clerk, LAND)
    second = petition(world.clerk, WAGES, people=[person("张山峰")])
    found = services.on_registered(petition=second, actor=world.clerk)
    assert [r.names for r in found.reviews] == [["张三", "张山峰"]]
    assert LAND


def test_the_same_letter_of_another_villager_neither_links_nor_refuses(world):
    """Similar text alone (another petitioner's letter on the same kind of matter) is shown to the
    clerk but drives no rule: no 信访并行 link, no 第十九条第三款 or 第三十六条 proposal."""
    neighbour = person("李四", "43042119851212345", phone="13900001111", address="城关镇西村1组")
    below = petition(world.clerk)
    cs.case_transfer(petition=below, actor=world.clerk, unit=world.township)
    cs.case_accept(petition=below, actor=world.township_handler, route="petition")
    upward = petition(world.city_clerk, LAND, people=[neighbour])
    assert rules.rule_accepted_below(upward, user=world.city_clerk) is None
    visit = petition(world.clerk, LAND, people=[neighbour], channel="visit", visit_level="local")
    assert Petition.objects.get(pk=visit.pk).parallel_of is None
    _set(below, status=Status.CONCLUDED, is_open=False)
    assert rules.rule_concluded(petition(world.clerk, LAND, people=[neighbour]), user=world.clerk) is None
    # …while the panel still lists the neighbour's letter for the clerk to judge.
    from xinfang.detection.selectors import similar_to

    assert below.pk in {c.id for c in similar_to(world.clerk, visit)}
