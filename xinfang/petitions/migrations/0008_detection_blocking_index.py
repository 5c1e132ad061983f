"""Issue 4: the index of detection's same-unit/category block, and the PostgreSQL keyword index
without a GIN pending list.

With ``fastupdate`` on (the default), new rows wait in the GIN index's pending list until vacuum,
and every keyword lookup scans that whole list: registration with detection measured p50 73 ms
against 26 ms with it off (300 registrations, PostgreSQL, docs/detection.md). Inserts were not
measurably slower (7 ms either way)."""

from django.db import migrations, models


def _fastupdate(value: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER INDEX IF EXISTS pet_search_gin SET (fastupdate = {value})")

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("petitions", "0007_restore_keyword_triggers"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="petition",
            index=models.Index(
                fields=["complained_unit", "category", "-received_at"], name="pet_cunit_cat_recv_idx"
            ),
        ),
        migrations.RunPython(_fastupdate("off"), _fastupdate("on"), elidable=False),
    ]
