"""``manage.py detection_rebuild`` (nightly): rebuilds the term weights only when outdated."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from xinfang.detection.models import StatsBuild, TermStat
from xinfang.detection.tests.helpers import LAND, LAND_AGAIN, WAGES, person, petition


def _run(*args: str) -> str:
    out = StringIO()
    call_command("detection_rebuild", *args, stdout=out)
    return out.getvalue()


def test_it_rebuilds_only_when_the_store_has_grown_by_half(world):
    assert "up to date" in _run()  # nothing stored, nothing to count
    assert not StatsBuild.objects.exists()
    petition(world.clerk, LAND)
    petition(world.clerk, LAND_AGAIN)
    assert "rebuilt" in _run()
    build = StatsBuild.objects.get()
    assert build.total == 2 and TermStat.objects.filter(term="补偿款").get().df == 2
    petition(world.clerk, WAGES, people=[person("李四", "43042119851212345")])
    assert "up to date" in _run()  # 3 of 2 is not yet half as many again
    assert StatsBuild.objects.count() == 1
    petition(world.clerk, WAGES, people=[person("王五", "43042119700101001")])
    assert "rebuilt" in _run()
    assert StatsBuild.objects.count() == 2


def test_force_rebuilds_even_when_up_to_date(world):
    petition(world.clerk, LAND)
    _run()
    assert "rebuilt" in _run("--force")
    assert StatsBuild.objects.count() == 2


def test_it_reindexes_letters_stored_with_traditional_words(world):
    from django.db.models import Value
    from django.db.models.functions import Replace

    from xinfang.cases.access import search_petitions
    from xinfang.lib.textnorm import to_traditional
    from xinfang.petitions.models import Petition

    old = petition(world.clerk, to_traditional(LAND))
    petition(world.clerk, LAND_AGAIN)
    # As stored before the index held simplified words.
    Petition.objects.filter(pk=old.pk).update(
        search_text=Replace("search_text", Value("补偿款"), Value("補償款"))
    )
    assert not search_petitions(world.clerk, "补偿款").filter(pk=old.pk).exists()
    assert "rewritten for 1 petitions" in _run("--reindex-traditional")
    assert search_petitions(world.clerk, "补偿款").filter(pk=old.pk).exists()
    assert "rewritten for 0 petitions" in _run("--reindex-traditional")
