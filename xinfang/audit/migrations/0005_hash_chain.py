"""Each audit entry carries the hash of its predecessor (issue 17): ``prev_hash`` and ``hash``.

Added with ALTER TABLE on both databases: Django would rebuild the SQLite table for a NOT NULL
column, and the rebuild would drop the append-only triggers of 0003 and 0004. Entries written
before this migration keep empty hashes; the chain starts at the first entry after it."""

from django.db import migrations, models

COLUMNS = ("prev_hash", "hash")

# PostgreSQL: the chain's tail, read under a transaction-scoped advisory lock in one round trip. A
# VOLATILE PL/pgSQL function takes a fresh snapshot for each statement, so the read sees an entry
# committed by the writer that held the lock before.
PG_TAIL = (
    "CREATE OR REPLACE FUNCTION xinfang_audit_tail() RETURNS varchar AS $$ BEGIN "
    "PERFORM pg_advisory_xact_lock(380256011841); "
    "RETURN (SELECT hash FROM audit_auditlog ORDER BY id DESC LIMIT 1); END $$ LANGUAGE plpgsql VOLATILE"
)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_TAIL, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS xinfang_audit_tail()", params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_append_only_everywhere")]

    operations = [
        migrations.RunPython(forward, backward),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f"ALTER TABLE audit_auditlog ADD COLUMN {column} varchar(64) NOT NULL DEFAULT ''",
                    f"ALTER TABLE audit_auditlog DROP COLUMN {column}",
                )
                for column in COLUMNS
            ],
            state_operations=[
                migrations.AddField(
                    model_name="auditlog",
                    name="prev_hash",
                    field=models.CharField(blank=True, max_length=64, verbose_name="predecessor's hash"),
                ),
                migrations.AddField(
                    model_name="auditlog",
                    name="hash",
                    field=models.CharField(blank=True, max_length=64, verbose_name="hash"),
                ),
            ],
        ),
    ]
