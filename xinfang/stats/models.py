"""Published 量化考核 rankings, kept as published: a later change of data or weights never alters
a ranking once it is out (seed 003 L55: monthly, published, per population, only 正当访)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RankingPublication(models.Model):
    """One published monthly ranking of the units below ``scope_unit``."""

    scope_unit = models.ForeignKey(
        "orgs.Unit", models.PROTECT, related_name="+", verbose_name=_("ranked units' parent")
    )
    title = models.CharField(_("title"), max_length=100)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    settings = models.JSONField(_("weights and options"), default=dict)
    published_by = models.ForeignKey(
        "orgs.User", models.PROTECT, related_name="+", verbose_name=_("published by")
    )
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)

    class Meta:
        verbose_name = _("published ranking")
        verbose_name_plural = _("published rankings")
        ordering = ["-period_start", "-published_at", "-id"]

    def __str__(self) -> str:
        return self.title


class RankingEntry(models.Model):
    publication = models.ForeignKey(
        RankingPublication, models.PROTECT, related_name="entries", verbose_name=_("published ranking")
    )
    unit = models.ForeignKey("orgs.Unit", models.PROTECT, related_name="+", verbose_name=_("unit"))
    rank = models.PositiveIntegerField(_("rank"))
    score = models.DecimalField(_("score"), max_digits=10, decimal_places=2)
    population = models.PositiveIntegerField(_("population"), default=0)
    figures = models.JSONField(_("figures"), default=dict)

    class Meta:
        verbose_name = _("ranking entry")
        verbose_name_plural = _("ranking entries")
        ordering = ["publication", "rank", "id"]
        constraints = [
            models.UniqueConstraint(fields=["publication", "unit"], name="ranking_entry_unit_once"),
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.unit_id}"
