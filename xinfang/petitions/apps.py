from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PetitionsConfig(AppConfig):
    name = "xinfang.petitions"
    label = "petitions"
    verbose_name = _("Petitions")

    def ready(self) -> None:
        from xinfang.petitions.dbtriggers import ensure_keyword_triggers

        post_migrate.connect(ensure_keyword_triggers, sender=self, dispatch_uid="xinfang_keyword_triggers")
