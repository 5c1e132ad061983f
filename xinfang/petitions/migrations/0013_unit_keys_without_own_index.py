"""The petition's unit keys lose their single-column indexes, which the composite indexes leading
with the same column (pet_reg_open_*, pet_hdl_open_*, pet_cunit_cat_recv_idx) make redundant: every
transition rewrites the entries of each index of the row (on PostgreSQL an UPDATE of an indexed
column is never HOT). Plain DROP INDEX on both databases (an AlterField would rebuild the 1M-row
table on SQLite, losing its FTS5 and statistics triggers)."""

import django.db.models.deletion
from django.db import migrations, models

# Django's names for the ForeignKey indexes (the same on SQLite and PostgreSQL).
FK_INDEXES = {
    "registering_unit_id": "petitions_petition_registering_unit_id_fbe7c10b",
    "handling_unit_id": "petitions_petition_handling_unit_id_2d87a879",
    "complained_unit_id": "petitions_petition_complained_unit_id_c4e88719",
}


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0001_initial"),
        ("petitions", "0012_open_deadline_index"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="petition", name="pet_complained_idx"),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="petition",
                    name="complained_unit",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="complained_petitions",
                        to="orgs.unit",
                        verbose_name="unit complained about",
                    ),
                ),
                migrations.AlterField(
                    model_name="petition",
                    name="handling_unit",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="handled_petitions",
                        to="orgs.unit",
                        verbose_name="responsible unit",
                    ),
                ),
                migrations.AlterField(
                    model_name="petition",
                    name="registering_unit",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="registered_petitions",
                        to="orgs.unit",
                        verbose_name="registering unit",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {name}",
                    reverse_sql=f"CREATE INDEX {name} ON petitions_petition ({column})",
                )
                for column, name in FK_INDEXES.items()
            ],
        ),
    ]
