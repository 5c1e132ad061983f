"""The Chinese keyword index over ``search_text`` (jieba words separated by spaces).

PostgreSQL: a GIN index on to_tsvector('simple', search_text).
SQLite: an external-content FTS5 table kept in step by triggers in the same transaction, so a new
petition is findable at once.
"""

from django.db import migrations

SQLITE_UP = [
    "CREATE VIRTUAL TABLE petitions_fts USING fts5(search_text, content='petitions_petition', "
    "content_rowid='id', tokenize='unicode61')",
    "CREATE TRIGGER petitions_fts_ai AFTER INSERT ON petitions_petition BEGIN "
    "INSERT INTO petitions_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER petitions_fts_ad AFTER DELETE ON petitions_petition BEGIN "
    "INSERT INTO petitions_fts(petitions_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER petitions_fts_au AFTER UPDATE OF search_text ON petitions_petition BEGIN "
    "INSERT INTO petitions_fts(petitions_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO petitions_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS petitions_fts_au",
    "DROP TRIGGER IF EXISTS petitions_fts_ad",
    "DROP TRIGGER IF EXISTS petitions_fts_ai",
    "DROP TABLE IF EXISTS petitions_fts",
]
PG_UP = [
    "CREATE INDEX IF NOT EXISTS pet_search_gin ON petitions_petition "
    "USING gin (to_tsvector('simple', search_text))",
]
PG_DOWN = ["DROP INDEX IF EXISTS pet_search_gin"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("petitions", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": PG_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": PG_DOWN}),
        ),
    ]
