"""涉法涉诉 (category 05) must be transferred to the 政法部门 (条例第二十二条)."""

from django.db import migrations


def forward(apps, schema_editor):
    Category = apps.get_model("petitions", "Category")
    Category.objects.filter(code__startswith="05").update(route_to_kind="legal")


class Migration(migrations.Migration):
    dependencies = [("petitions", "0004_case_handling_fields")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
