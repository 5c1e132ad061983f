"""The petition row's indexes: each unit key is reached through a composite index that leads
with it, and has no single-column index besides (migration 0013): every transition of a case
rewrites the row's entry in each of its indexes."""

from __future__ import annotations

from django.db import connection

from xinfang.petitions.models import Petition

UNIT_KEYS = ("registering_unit_id", "handling_unit_id", "complained_unit_id")


def _indexes() -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Petition._meta.db_table)
    return {name: c["columns"] for name, c in constraints.items() if c["index"] and not c["primary_key"]}


def test_each_unit_key_leads_a_composite_index_and_has_no_index_of_its_own(db):
    indexes = _indexes()
    for key in UNIT_KEYS:
        leading = [columns for columns in indexes.values() if columns and columns[0] == key]
        assert leading, key
        assert all(len(columns) > 1 for columns in leading), (key, leading)
