"""The specifics rule of ``likely`` (issue 4, quality): a free paraphrase that keeps the places,
bodies and numbers of the matter is likely the same matter even when its wording differs; the same
kind of problem in another village is not."""

from __future__ import annotations

from xinfang.detection import selectors, similarity
from xinfang.detection.tests.helpers import person, petition

FIRST = "我村东村2023年被征收土地三十亩，征地补偿款至今未足额发放到户，村委会不公开补偿明细，请求调查处理。"
PARAPHRASE = (
    "去年反映的东村三十亩地征收补偿款问题，到现在还是没有发到我们手里，村委会也不给看明细账，要求上级查一查。"
)
ELSEWHERE = (
    "我村西村2023年被征收土地五十亩，征地补偿款至今未足额发放到户，村委会不公开补偿明细，请求调查处理。"
)


def test_it_takes_a_paraphrase_with_the_same_specifics_for_the_same_matter(world):
    first = petition(world.clerk, FIRST, title="反映东村征地补偿款未发放")
    [found] = selectors.similar_petitions(world.clerk, text="再次反映征地补偿款问题\n" + PARAPHRASE)
    assert found.id == first.pk and found.likely
    assert found.text_score < selectors.SAME_MATTER_THRESHOLD  # the text alone would not say so
    assert "地点、单位或数额相同：东村" in found.reasons


def test_it_does_not_take_the_same_problem_in_another_village_for_the_same_matter(world):
    petition(world.clerk, ELSEWHERE, people=[person("李四", "43042119851212345")])
    found = selectors.similar_petitions(world.clerk, text="再次反映征地补偿款问题\n" + PARAPHRASE)
    assert found and all(not c.likely for c in found)  # found as similar, but not as the same


def test_a_bare_year_is_not_a_specific():
    words = similarity.words_of(similarity.match_text("", FIRST))
    assert "东村" in similarity.specifics(words)
    assert "2023" in words and "2023" not in similarity.specifics(words)
