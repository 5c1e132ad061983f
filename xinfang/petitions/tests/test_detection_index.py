"""Issue 4, the keyword index: it stores simplified characters, so a letter in traditional
characters is found by a simplified query (and the other way round) in the search box and by
duplicate detection; and the same-unit/category blocking has its own index."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from xinfang.cases.access import search_petitions
from xinfang.detection import selectors, weights
from xinfang.detection.tests.helpers import LAND, LAND_AGAIN, person, petition
from xinfang.lib.textnorm import to_traditional
from xinfang.petitions.models import Petition


@pytest.fixture(autouse=True)
def _fresh_weights():
    weights.forget()
    yield
    weights.forget()


def test_a_traditional_letter_is_found_by_a_simplified_search(client, world):
    old = petition(world.clerk, to_traditional(LAND))
    assert "徵地補償款" in old.content  # stored as written
    assert list(search_petitions(world.clerk, "征地补偿款")) == [old]
    client.force_login(world.clerk)
    html = client.get(reverse("petitions:list"), {"q": "征地补偿款"}).content.decode()
    assert old.case_number in html


def test_a_simplified_letter_is_found_by_a_traditional_search(world):
    new = petition(world.clerk, LAND)
    assert list(search_petitions(world.clerk, "徵地補償款")) == [new]


def test_a_traditional_letter_is_an_earlier_matter_of_its_simplified_repeat(world):
    # Another person and no unit: found through the keyword index alone.
    old = petition(world.clerk, to_traditional(LAND), people=[person("李四", "43042119851212345")])
    found = selectors.similar_petitions(world.clerk, text=LAND_AGAIN)
    assert [c.id for c in found] == [old.pk]
    assert found[0].text_score > 0.3


def test_the_same_unit_and_category_blocking_has_an_index(db):
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Petition._meta.db_table)
    index = constraints["pet_cunit_cat_recv_idx"]
    assert index["index"] and index["columns"] == ["complained_unit_id", "category_id", "received_at"]


def test_the_postgresql_keyword_index_has_no_pending_list(db):
    # New petitions go straight into the GIN index, so a keyword lookup never scans a pending list
    # of recent rows (migration 0008; measured in docs/detection.md).
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'pet_search_gin'")
        (options,) = cursor.fetchone()
    assert "fastupdate=off" in options
