"""临期/超期 are computed from ``due_at`` (cases.deadlines) and the sweep's warnings are case events
(cases 0005, which carries the raised ones over first): the ``alert`` flag goes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("petitions", "0010_petition_fillfactor"),
        ("cases", "0005_deadline_warnings"),
    ]

    operations = [
        migrations.RemoveField(model_name="petition", name="alert"),
    ]
