from xinfang.detection import selectors, services
from xinfang.detection.models import StatsBuild
from xinfang.detection.tests.helpers import LAND, LAND_AGAIN, WAGES, person, petition
from xinfang.lib.textnorm import to_traditional
from xinfang.petitions.models import Petition
from xinfang.testing import misfiled_accusation


def test_it_finds_a_petition_registered_a_moment_ago(world):
    first = petition(world.clerk, people=[person("赵六", id_number="")])
    found = selectors.similar_petitions(world.clerk, text=LAND)
    assert [c.id for c in found] == [first.pk]
    assert found[0].likely and found[0].text_score > 0.95


def test_it_ranks_the_same_matter_above_another(world):
    same = petition(world.clerk, LAND, people=[person("赵六", id_number="")])
    other = petition(world.clerk, WAGES, people=[person("钱七", id_number="")])
    found = selectors.similar_petitions(world.clerk, text=LAND_AGAIN)
    assert found[0].id == same.pk
    assert other.pk not in [c.id for c in found if c.likely]


def test_it_gives_the_same_person_as_a_reason(world):
    a = petition(world.clerk)
    b = petition(world.clerk, WAGES)
    found = selectors.similar_to(world.clerk, b)
    assert [c.id for c in found] == [a.pk]
    assert found[0].same_person and "same petitioner" in " ".join(found[0].reasons) or found[0].same_person


def test_it_finds_a_traditional_copy_through_the_person_block(world):
    a = petition(world.clerk)
    b = petition(world.clerk, to_traditional(LAND))
    found = selectors.similar_to(world.clerk, b)
    assert found[0].id == a.pk and found[0].text_score > 0.9 and found[0].likely


def test_it_never_returns_petitions_of_another_county(world):
    petition(world.other_clerk, people=[person("赵六", id_number="")], category="0202")
    assert selectors.similar_petitions(world.clerk, text=LAND) == []


def test_it_leaves_out_hidden_accusations_from_the_person_block(world):
    # An accusation against the county government: the county bureau's clerk sees the case but
    # not the accuser (条例第三十条), so the person block must not reveal it.
    accusation = misfiled_accusation(petition(world.clerk, WAGES, request_class="accusation"), world.county)
    pid = accusation.links.get().petitioner_id
    assert selectors.similar_petitions(world.clerk, text="无关", petitioner_ids=[pid]) == []
    visible = petition(world.clerk, LAND)
    found = selectors.similar_petitions(world.clerk, text="无关", petitioner_ids=[pid])
    assert [c.id for c in found] == [visible.pk]


def test_it_handles_punctuation_and_digits_only(world):
    petition(world.clerk)
    for text in ("，。！？……", "1234567890", "", "   "):
        assert selectors.similar_petitions(world.clerk, text=text) == []


def test_it_handles_a_text_of_100k_characters(world):
    a = petition(world.clerk, content=(LAND + "此致敬礼。" * 20_000)[:100_000])
    assert len(a.content) == 100_000
    found = selectors.similar_petitions(world.clerk, text=LAND + "补充材料" * 25_000)
    assert found and found[0].id == a.pk


def test_it_handles_mixed_traditional_and_simplified_text(world):
    a = petition(world.clerk, people=[person("赵六", id_number="")])
    mixed = "".join(to_traditional(ch) if i % 2 else ch for i, ch in enumerate(LAND))
    found = selectors.similar_petitions(world.clerk, text=mixed)
    assert found and found[0].id == a.pk and found[0].likely


def test_it_weighs_terms_after_a_stats_rebuild(world):
    petition(world.clerk)
    petition(world.clerk, WAGES, people=[person("李四", "43042119851212345")])
    result = services.stats_rebuild(min_df=1)
    assert StatsBuild.objects.get() == result.build
    assert result.build.docs == 2 and result.build.terms > 50
    assert not services.stats_outdated()
    land = Petition.objects.get(content=LAND)
    found = selectors.similar_petitions(world.clerk, text=LAND_AGAIN)
    assert found[0].id == land.pk and found[0].text_score > 0.2
