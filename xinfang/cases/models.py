"""Case events: the append-only timeline of every transition."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfang.audit.models import AppendOnlyModel
from xinfang.cases.states import Status


class CaseEvent(AppendOnlyModel):
    petition = models.ForeignKey(
        "petitions.Petition", models.PROTECT, related_name="events", verbose_name=_("petition")
    )
    action = models.CharField(_("action"), max_length=40)
    old_status = models.CharField(_("old status"), max_length=24, choices=Status.choices, blank=True)
    new_status = models.CharField(_("new status"), max_length=24, choices=Status.choices)
    actor = models.ForeignKey(
        "orgs.User", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("actor")
    )
    unit = models.ForeignKey(
        "orgs.Unit", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("unit")
    )
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["petition", "at"], name="caseevent_petition_at_idx")]

    def __str__(self) -> str:
        return f"{self.petition_id} {self.action}"
