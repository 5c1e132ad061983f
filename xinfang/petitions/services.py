"""Writers of the petition record: case numbers and the keyword index. Registration, which also
writes the first case event and runs detection, is ``workflow.registration``."""

from __future__ import annotations

from django.db import connection

from xinfang.lib.text import index_tokens
from xinfang.lib.textnorm import to_simplified
from xinfang.orgs.models import Unit
from xinfang.petitions.models import CaseSequence, Petition

# One statement: the increment takes the row lock and returns the new number (SQLite ≥ 3.35 and
# PostgreSQL both have RETURNING).
_NEXT_SEQ = (
    "UPDATE petitions_casesequence SET last = last + 1 WHERE unit_id = %s AND year = %s RETURNING last"
)


def next_case_number(*, unit: Unit, year: int) -> str:
    """ "<unit code>-<year>-<6-digit sequence>", e.g. 430421-2026-000123. The UPDATE takes a row
    lock, so concurrent registrations in one unit get consecutive, unique numbers."""
    with connection.cursor() as cursor:
        cursor.execute(_NEXT_SEQ, [unit.pk, year])
        row = cursor.fetchone()
    if row is None:  # the unit's first case of the year
        CaseSequence.objects.get_or_create(unit=unit, year=year)
        return next_case_number(unit=unit, year=year)
    return f"{unit.code}-{year}-{row[0]:06d}"


def petitions_reindex_traditional(*, chunk: int = 2000) -> int:
    """Rebuild the stored keyword-index words (``search_text``) of petitions whose title or content
    has traditional characters, written before the index stored simplified ones. Idempotent; the
    database's keyword index follows ``search_text`` (triggers / expression index). Returns the
    number of petitions rewritten."""
    changed = 0
    last = 0
    while True:
        rows = list(
            Petition.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "title", "content", "search_text")[:chunk]
        )
        if not rows:
            return changed
        last = rows[-1][0]
        for pk, title, content, stored in rows:
            if to_simplified(title) == title and to_simplified(content) == content:
                continue
            words = index_tokens(title, content)
            if words != stored:
                Petition.objects.filter(pk=pk).update(search_text=words)
                changed += 1
