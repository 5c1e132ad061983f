"""PostgreSQL: leave a fifth of every page of the petition table free, so that the updates which
change no indexed column — the sweep's 临期/超期 alert above all — are HOT updates that touch no
index. Without it, flagging 150,000 overdue cases at 1M rewrote each row's entry in the full-text
GIN index (kept without a pending list, for steady registration times): minutes instead of seconds.
Takes effect for pages written from now on (a ``VACUUM FULL`` rewrites the old ones)."""

from django.db import migrations


def set_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE petitions_petition SET (fillfactor = 80)")


def reset_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE petitions_petition RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("petitions", "0009_phones_as_digits")]

    operations = [migrations.RunPython(set_fillfactor, reset_fillfactor)]
