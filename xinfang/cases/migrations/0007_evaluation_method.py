"""How a rating was collected (phone, visit, letter, the petitioner online).

The column is added with ALTER TABLE on both databases: Django would rebuild the SQLite table for
a NOT NULL column, and the rebuild drops the statistics triggers that stats installs on it."""

from django.db import migrations, models

ADD = "ALTER TABLE cases_evaluation ADD COLUMN method varchar(10) NOT NULL DEFAULT ''"
DROP = "ALTER TABLE cases_evaluation DROP COLUMN method"


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_petition_keys_unchecked"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(ADD, DROP)],
            state_operations=[
                migrations.AddField(
                    model_name="evaluation",
                    name="method",
                    field=models.CharField(
                        blank=True,
                        choices=[
                            ("phone", "Telephone return visit"),
                            ("visit", "Home visit"),
                            ("letter", "Return visit by letter"),
                            ("portal", "The petitioner online"),
                        ],
                        max_length=10,
                        verbose_name="collected by",
                    ),
                ),
            ],
        ),
    ]
