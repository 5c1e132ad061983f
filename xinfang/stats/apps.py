from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "xinfang.stats"
    label = "stats"
    verbose_name = _("Statistics")

    def ready(self) -> None:
        from xinfang.stats.dbtriggers import ensure_rollup_triggers

        post_migrate.connect(ensure_rollup_triggers, sender=self, dispatch_uid="xinfang_rollup_triggers")
