"""Phones typed with dashes before intake stored digits only (0739-8123456 → 07398123456), so that
the search box and identity matching, which compare digits, find them."""

from django.db import migrations
from django.db.models import Value
from django.db.models.functions import Replace


def phones_as_digits(apps, schema_editor):
    Petitioner = apps.get_model("petitions", "Petitioner")
    Petitioner.objects.filter(phone__contains="-").update(phone=Replace("phone", Value("-"), Value("")))


class Migration(migrations.Migration):
    dependencies = [("petitions", "0008_detection_blocking_index")]

    operations = [migrations.RunPython(phones_as_digits, migrations.RunPython.noop)]
