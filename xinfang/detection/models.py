"""Records of identity and matter detection: merges of petitioner records (undoable), identities
flagged for review, the decisions that link a petition to an earlier matter, and the word
frequencies that weigh the text comparison."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfang.audit.models import AppendOnlyModel


class PetitionerMerge(models.Model):
    """Two records of one person made one: the links of ``source`` move to ``target``. The moved
    link ids are kept, so that undo moves exactly those back. A merge is never deleted; undoing it
    fills ``undone_at``."""

    source = models.ForeignKey(
        "petitions.Petitioner", models.PROTECT, related_name="+", verbose_name=_("merged record")
    )
    target = models.ForeignKey(
        "petitions.Petitioner", models.PROTECT, related_name="+", verbose_name=_("kept record")
    )
    moved_links = models.JSONField(_("moved petition links"), default=list)
    reason = models.TextField(_("reason"), blank=True)
    merged_by = models.ForeignKey("orgs.User", models.PROTECT, related_name="+", verbose_name=_("merged by"))
    merged_at = models.DateTimeField(_("merged at"), auto_now_add=True)
    undone_by = models.ForeignKey(
        "orgs.User", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("undone by")
    )
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)

    class Meta:
        verbose_name = _("petitioner merge")
        verbose_name_plural = _("petitioner merges")
        ordering = ["-merged_at", "-id"]
        constraints = [
            # A record is merged away at most once at a time.
            models.UniqueConstraint(
                fields=["source"], condition=models.Q(undone_at__isnull=True), name="merge_source_active_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_id}→{self.target_id}"

    @property
    def is_active(self) -> bool:
        return self.undone_at is None


class ReviewStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")


class IdentityReview(models.Model):
    """One 身份证号 recorded under two or more different names: flagged for staff to check (a typing
    error, a relative's card, or a misuse)."""

    id_number = models.CharField(_("ID card number"), max_length=18)
    names = models.JSONField(_("names"), default=list)
    petitioners = models.JSONField(_("petitioner records"), default=list)
    status = models.CharField(
        _("status"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.OPEN
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    resolved_by = models.ForeignKey(
        "orgs.User", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("resolved by")
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("identity review")
        verbose_name_plural = _("identity reviews")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"], condition=models.Q(status="open"), name="idreview_open_once"
            ),
        ]

    def __str__(self) -> str:
        return self.id_number


class LinkKind(models.TextChoices):
    REPEAT = "repeat", _("Repeat petition")  # 重信重访
    PARALLEL = "parallel", _("Parallel petition")  # 信访并行
    NEW = "new", _("First petition")  # 初信初访


class MatterDecision(AppendOnlyModel):
    """A clerk's (or a rule's) decision about a petition and an earlier matter: a repeat, a parallel
    petition, or a new matter. The latest decision of a petition is the one in force."""

    petition = models.ForeignKey(
        "petitions.Petition", models.PROTECT, related_name="matter_decisions", verbose_name=_("petition")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=LinkKind.choices)
    target = models.ForeignKey(
        "petitions.Petition",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("earlier matter"),
    )
    score = models.FloatField(_("similarity"), null=True, blank=True)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    actor = models.ForeignKey(
        "orgs.User", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    automatic = models.BooleanField(_("by a rule"), default=False)
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("matter decision")
        verbose_name_plural = _("matter decisions")
        ordering = ["petition", "at", "id"]

    def __str__(self) -> str:
        return f"{self.petition_id} {self.kind} {self.target_id or ''}"


class TermStat(models.Model):
    """In how many petitions of the counted sample a word or character bigram occurs (the weight of
    the text comparison). Rebuilt by ``xinfang detection_stats``; words not counted weigh most."""

    term = models.CharField(_("term"), max_length=64, unique=True)
    df = models.PositiveIntegerField(_("document frequency"))

    class Meta:
        verbose_name = _("term frequency")
        verbose_name_plural = _("term frequencies")

    def __str__(self) -> str:
        return f"{self.term} {self.df}"


class StatsBuild(AppendOnlyModel):
    """One rebuild of the term frequencies; the latest is in force."""

    docs = models.PositiveIntegerField(_("petitions counted"))
    total = models.PositiveIntegerField(_("petitions stored"))
    terms = models.PositiveIntegerField(_("terms"))
    seconds = models.FloatField(_("seconds"))
    built_at = models.DateTimeField(_("built at"), auto_now_add=True)

    class Meta:
        verbose_name = _("term frequency build")
        verbose_name_plural = _("term frequency builds")
        ordering = ["-built_at", "-id"]

    def __str__(self) -> str:
        return f"{self.built_at:%Y-%m-%d %H:%M} {self.docs}"
