"""Restore the SQLite keyword-index triggers of 0002.

Adding columns with defaults (0004, 0006) makes Django rebuild ``petitions_petition`` on SQLite,
which drops its triggers. This re-creates them and rebuilds the FTS5 index. Any later migration
that alters the petition table on SQLite must end with the same step (``ensure_keyword_triggers``
is also run after every ``migrate`` by a post_migrate hook, petitions.dbtriggers).
"""

from django.db import migrations

TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS petitions_fts_ai AFTER INSERT ON petitions_petition BEGIN "
    "INSERT INTO petitions_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS petitions_fts_ad AFTER DELETE ON petitions_petition BEGIN "
    "INSERT INTO petitions_fts(petitions_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS petitions_fts_au AFTER UPDATE OF search_text ON petitions_petition BEGIN "
    "INSERT INTO petitions_fts(petitions_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO petitions_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "INSERT INTO petitions_fts(petitions_fts) VALUES ('rebuild')",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in TRIGGERS:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("petitions", "0006_repeat_and_level_flags")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
