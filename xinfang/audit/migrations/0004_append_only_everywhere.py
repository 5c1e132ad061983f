"""The audit log and the case timeline refuse every way of changing or removing a row (issue 17):

- SQLite: DELETE, unless the connection's ``xinfang_may_delete()`` says a test run flushes (a
  connection that lacks the function — the sqlite3 shell — cannot delete at all); and an INSERT
  whose id already exists, which ``INSERT OR REPLACE`` would otherwise turn into a silent
  delete-and-insert (REPLACE fires no delete trigger unless recursive triggers are on). UPDATE was
  refused by 0003.
- PostgreSQL: TRUNCATE, unless the session sets ``xinfang.maintenance = on`` (the test suite, which
  flushes with TRUNCATE). UPDATE and DELETE were refused by 0003.
"""

from django.db import migrations

TABLES = ["audit_auditlog", "cases_caseevent"]

PG_FUNCTION = (
    "CREATE OR REPLACE FUNCTION xinfang_append_only() RETURNS trigger AS $$ BEGIN "
    "IF TG_OP = 'TRUNCATE' AND current_setting('xinfang.maintenance', true) = 'on' THEN RETURN NULL; END IF; "
    "RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME; END $$ LANGUAGE plpgsql"
)
PG_FUNCTION_0003 = (
    "CREATE OR REPLACE FUNCTION xinfang_append_only() RETURNS trigger AS $$ BEGIN "
    "RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME; END $$ LANGUAGE plpgsql"
)


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION, params=None)
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION xinfang_append_only()"
            )
    elif vendor == "sqlite":
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
                f"WHEN xinfang_may_delete() IS NOT 1 "
                f"BEGIN SELECT RAISE(ABORT, 'table {table} is append-only'); END"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} "
                f"WHEN EXISTS (SELECT 1 FROM {table} WHERE id = NEW.id) "
                f"BEGIN SELECT RAISE(ABORT, 'table {table} is append-only'); END"
            )


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_replace")
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION_0003, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_append_only_triggers")]

    operations = [migrations.RunPython(forward, backward)]
