"""CaseEvent.petition and Supervision.petition without a database foreign-key constraint, as
AuditLog.petition already is.

Checking such a key takes a KEY SHARE lock on the referenced petition: a write to that wide row's
page, logged in full after each checkpoint. The sweep's first run at 1M (146,000 overdue cases, a
督办单 and an event each) spent seconds on nothing else. Petitions are never deleted (PROTECT, no
delete path), and both tables are written only by the services. The index stays.

PostgreSQL drops the constraint. On SQLite the table keeps it (a rebuild would drop the append-only
and statistics triggers of these tables, for nothing: SQLite's check takes no lock).
"""

import django.db.models.deletion
from django.db import migrations, models

TABLES = ("cases_caseevent", "cases_supervision")


def drop_petition_constraints(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in TABLES:
            constraints = connection.introspection.get_constraints(cursor, table)
            for name, info in constraints.items():
                if info["foreign_key"] == ("petitions_petition", "id") and info["columns"] == ["petition_id"]:
                    schema_editor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {schema_editor.quote_name(name)}")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_deadline_warnings"),
        ("petitions", "0012_open_deadline_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="caseevent",
                    name="petition",
                    field=models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="events",
                        to="petitions.petition",
                        verbose_name="petition",
                    ),
                ),
                migrations.AlterField(
                    model_name="supervision",
                    name="petition",
                    field=models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="supervisions",
                        to="petitions.petition",
                        verbose_name="petition",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(drop_petition_constraints, migrations.RunPython.noop)],
        ),
    ]
