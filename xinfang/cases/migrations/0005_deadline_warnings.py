"""The sweep's warnings (临期, 超期) are case events recorded once per deadline (``deadline`` with a
partial unique constraint) instead of a flag on the petition row (removed by petitions 0011).

The warnings already raised are carried over: the newest 'deadline_near' / 'overdue' event of each
case and deadline gets its ``deadline`` from its own data, so the sweep does not raise them again.
The events are append-only; the guard trigger is lifted for this one backfill of a new column.
"""

from django.db import migrations, models

BACKFILL = {
    "sqlite": (
        "UPDATE cases_caseevent SET deadline = json_extract(data, '$.due_at') WHERE id IN ("
        "SELECT MAX(id) FROM cases_caseevent WHERE action IN ('deadline_near', 'overdue') "
        "AND json_extract(data, '$.due_at') IS NOT NULL "
        "GROUP BY petition_id, action, json_extract(data, '$.due_at'))"
    ),
    "postgresql": (
        "UPDATE cases_caseevent SET deadline = (data ->> 'due_at')::date WHERE id IN ("
        "SELECT MAX(id) FROM cases_caseevent WHERE action IN ('deadline_near', 'overdue') "
        "AND data ->> 'due_at' IS NOT NULL GROUP BY petition_id, action, data ->> 'due_at')"
    ),
}
SQLITE_GUARD = (
    "CREATE TRIGGER cases_caseevent_append_only BEFORE UPDATE ON cases_caseevent "
    "BEGIN SELECT RAISE(ABORT, 'table cases_caseevent is append-only'); END"
)


def backfill(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("ALTER TABLE cases_caseevent DISABLE TRIGGER cases_caseevent_append_only")
        schema_editor.execute(BACKFILL[vendor])
        schema_editor.execute("ALTER TABLE cases_caseevent ENABLE TRIGGER cases_caseevent_append_only")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS cases_caseevent_append_only")
        schema_editor.execute(BACKFILL[vendor])
        schema_editor.execute(SQLITE_GUARD)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_evaluation"),
        ("audit", "0003_append_only_triggers"),
        ("petitions", "0010_petition_fillfactor"),
    ]

    operations = [
        migrations.AddField(
            model_name="caseevent",
            name="deadline",
            field=models.DateField(blank=True, null=True, verbose_name="deadline warned of"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="caseevent",
            constraint=models.UniqueConstraint(
                condition=models.Q(("deadline__isnull", False)),
                fields=("petition", "action", "deadline"),
                name="caseevent_warning_once",
            ),
        ),
    ]
