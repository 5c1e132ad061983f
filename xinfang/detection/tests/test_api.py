from xinfang.api.tests.helpers import error_of
from xinfang.detection.models import MatterDecision
from xinfang.detection.tests.helpers import LAND_AGAIN, WAGES, person, petition


def test_it_lists_similar_petitions(world, api):
    first = petition(world.clerk)
    second = petition(world.clerk, LAND_AGAIN)
    petition(world.clerk, WAGES, people=[person("李四", "43042119851212345")])
    response = api(world.clerk).get(f"/petitions/{second.pk}/similar")
    assert response.status_code == 200, response.content
    body = response.json()
    top = body["candidates"][0]
    assert top["id"] == first.pk and top["case_number"] == first.case_number
    assert set(top) >= {"id", "case_number", "score", "reasons"} and top["reasons"]
    assert body["petition"] == second.pk


def test_it_answers_404_for_another_countys_petition(world, api):
    p = petition(world.clerk)
    response = api(world.other_clerk).get(f"/petitions/{p.pk}/similar")
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"


def test_it_links_a_repeat_and_confirms_a_new_matter(world, api):
    first = petition(world.clerk)
    second = petition(world.clerk, LAND_AGAIN)
    client = api(world.clerk)
    response = client.post(f"/petitions/{second.pk}/link", {"kind": "repeat", "target": first.pk})
    assert response.status_code == 200, response.content
    assert response.json() == {
        "petition": second.pk,
        "kind": "repeat",
        "target": first.pk,
        "is_repeat": True,
        "repeat_of": first.pk,
        "parallel_of": None,
    }
    response = client.post(f"/petitions/{second.pk}/link", {"kind": "new"})
    assert response.json()["is_repeat"] is False and response.json()["repeat_of"] is None
    assert list(MatterDecision.objects.values_list("kind", flat=True)) == ["repeat", "new"]


def test_it_links_a_parallel_petition(world, api):
    first = petition(world.clerk)
    visit = petition(world.clerk, LAND_AGAIN, channel="visit", visit_level="local")
    response = api(world.clerk).post(f"/petitions/{visit.pk}/link", {"kind": "parallel", "target": first.pk})
    assert response.json()["parallel_of"] == first.pk


def test_it_refuses_bad_link_input(world, api):
    p = petition(world.clerk)
    client = api(world.clerk)
    assert error_of(client.post(f"/petitions/{p.pk}/link", {"kind": "dup"}))["fields"].keys() == {"kind"}
    assert error_of(client.post(f"/petitions/{p.pk}/link", {"kind": "repeat"}))["fields"].keys() == {"target"}
    response = client.post(f"/petitions/{p.pk}/link", {"kind": "repeat", "target": p.pk})
    assert response.status_code == 422 and "target" in error_of(response)["fields"]
    other = petition(world.other_clerk)
    response = client.post(f"/petitions/{p.pk}/link", {"kind": "repeat", "target": other.pk})
    assert response.status_code == 404


def test_it_refuses_a_link_by_a_handler(world, api):
    first = petition(world.clerk)
    second = petition(world.clerk, LAND_AGAIN)
    from xinfang.workflow import services as cs

    cs.case_transfer(petition=first, actor=world.clerk, unit=world.dept)
    cs.case_transfer(petition=second, actor=world.clerk, unit=world.dept)
    response = api(world.dept_handler).post(
        f"/petitions/{second.pk}/link", {"kind": "repeat", "target": first.pk}
    )
    assert response.status_code == 403
