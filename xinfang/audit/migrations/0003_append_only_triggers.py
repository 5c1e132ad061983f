"""Database-level append-only guard for the audit log and the case timeline.

PostgreSQL refuses UPDATE and DELETE on both tables. SQLite refuses UPDATE; its DELETE stays
possible only because Django's test flush deletes rows there (PostgreSQL flushes with TRUNCATE,
which row triggers do not see) — the model and queryset refuse deletes on every database.
"""

from django.db import migrations

TABLES = ["audit_auditlog", "cases_caseevent"]

PG_FUNCTION = (
    "CREATE OR REPLACE FUNCTION xinfang_append_only() RETURNS trigger AS $$ BEGIN "
    "RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME; END $$ LANGUAGE plpgsql"
)


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION, params=None)
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION xinfang_append_only()"
            )
    elif vendor == "sqlite":
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'table {table} is append-only'); END"
            )


def backward(apps, schema_editor):
    for table in TABLES:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only")


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_initial"), ("cases", "0002_initial")]

    operations = [migrations.RunPython(forward, backward)]
