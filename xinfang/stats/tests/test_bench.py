"""bench/stats.py runs and its engine table equals the hand-written SQL GROUP BY (exactness)."""

from __future__ import annotations

import random
from datetime import date

import pytest

from bench import stats as bench_stats
from xinfang.petitions.models import Petition
from xinfang.stats.tests.builders import petition

pytestmark = pytest.mark.django_db


def test_the_engine_table_equals_the_hand_written_sql_after_random_changes(world):
    rng = random.Random(5)
    units = [world.bureau, world.dept, world.township, world.village, world.other_bureau, None]
    for _ in range(60):
        petition(
            world,
            channel=rng.choice(["visit", "letter", "online", "phone"]),
            visit_level="local",
            persons=rng.randint(1, 9),
            received_at=date(2024, 3, rng.randint(1, 31)),
            handling_unit=rng.choice(units),
            is_collective=rng.random() < 0.2,
            is_skip_level=rng.random() < 0.2,
            is_repeat=rng.random() < 0.2,
            status=rng.choice(["registered", "accepted", "replied", "closed", "not_accepted"]),
        )
    for p in Petition.objects.order_by("?")[:20]:  # updates and transitions
        Petition.objects.filter(pk=p.pk).update(status="closed", is_open=False, persons=rng.randint(1, 5))
    result = bench_stats.run("default", 60)
    assert result["table_equal"] is True
    assert result["month"] == "2024-03"
    assert result["units"] == 10
    assert result["paragraph_chars"] > 50
