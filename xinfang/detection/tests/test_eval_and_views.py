from django.test import Client

from xinfang.demo import evalset
from xinfang.detection.models import PetitionerMerge
from xinfang.detection.tests.helpers import LAND_AGAIN, WAGES, person, petition
from xinfang.testing import PASSWORD


def test_it_generates_at_least_2000_labelled_pairs_with_every_variation():
    pairs = evalset.generate(2000, seed=4)
    assert len(pairs) == 2000
    assert 800 < sum(p.same for p in pairs) < 1200
    seen = {v for p in pairs for v in p.variations}
    assert seen == {"reorder", "synonyms", "details", "typos", "traditional"}
    assert evalset.generate(5, seed=1) == evalset.generate(5, seed=1)


def test_it_has_at_least_50_hand_written_pairs():
    pairs = evalset.hand_pairs()
    assert len(pairs) >= 50
    assert {True, False} == {p.same for p in pairs}


def _login(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_it_shows_the_person_page_and_merges_from_it(world):
    a = petition(world.clerk, people=[person("张建国", id_number="")])
    b = petition(world.clerk, WAGES, people=[person("章建国", id_number="")])
    keep, gone = a.links.get().petitioner, b.links.get().petitioner
    client = _login(world.clerk)
    page = client.get(f"/detection/people/{keep.pk}/")
    assert page.status_code == 200 and a.case_number in page.content.decode()
    assert "章建国" in page.content.decode()  # a candidate for merging
    response = client.post(f"/detection/people/{keep.pk}/merge/", {"source": gone.pk, "reason": "同一人"})
    assert response.status_code == 302
    merge = PetitionerMerge.objects.get()
    assert b.case_number in client.get(f"/detection/people/{keep.pk}/").content.decode()
    assert client.post(f"/detection/merges/{merge.pk}/undo/").status_code == 302
    merge.refresh_from_db()
    assert merge.undone_at is not None
    assert _login(world.other_clerk).get(f"/detection/people/{keep.pk}/").status_code == 404


def test_it_shows_similar_petitions_and_links_one(world):
    first = petition(world.clerk)
    second = petition(world.clerk, LAND_AGAIN)
    client = _login(world.clerk)
    page = client.get(f"/detection/petitions/{second.pk}/similar/")
    assert page.status_code == 200 and first.case_number in page.content.decode()
    client.post(f"/detection/petitions/{second.pk}/link/", {"kind": "repeat", "target": first.pk})
    second.refresh_from_db()
    assert second.is_repeat and second.repeat_of == first
    assert _login(world.other_clerk).get(f"/detection/petitions/{second.pk}/similar/").status_code == 404
    assert (
        _login(world.dept_handler)
        .post(f"/detection/petitions/{second.pk}/link/", {"kind": "new"})
        .status_code
        == 403
    )


def test_it_lists_identity_candidates_and_reviews(world):
    petition(world.clerk, people=[person("张三")])
    petition(world.clerk, WAGES, people=[person("张山峰")])
    from xinfang.detection import services

    review = services.identity_check(id_number=person()["id_number"])
    assert review is not None
    client = _login(world.clerk)
    page = client.get("/detection/identity/", {"name": "章三", "phone": "13812345678"})
    assert page.status_code == 200 and "张三" in page.content.decode()
    assert review.id_number in client.get("/detection/reviews/").content.decode()
    client.post(f"/detection/reviews/{review.pk}/resolve/", {"note": "亲属借用身份证"})
    review.refresh_from_db()
    assert review.status == "resolved"
    assert _login(world.other_clerk).get("/detection/reviews/").content.decode().count(review.id_number) == 0
