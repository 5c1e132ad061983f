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


# --- pre-aggregated figures (rollups) ----------------------------------------------------------
# The dashboard and the paragraph read small pre-aggregated tables instead of the petition table
# (issue 5: ≤ 500 ms / ≤ 300 ms at 1M petitions). Each rollup counts the petitions of one received
# day seen from one *scope* unit (a unit near the top of the tree whose figures are read often)
# per combination of a few dimensions. Database triggers on the petition table and on the tables
# the facts come from note the received days that changed (``RollupDirty``); readers recompute
# those days first (``stats.rollups.refresh``). ``manage.py stats_refresh --all`` rebuilds them.


class RollupDirty(models.Model):
    """A received day (``day``) or a deadline day (``due_day``) whose rollup rows are stale; both
    NULL: everything (after a unit or category change). Written by database triggers only."""

    day = models.DateField(_("day"), null=True)
    due_day = models.DateField(_("deadline day"), null=True)
    # A unit was added or removed: only the scope members need rebuilding (such a unit holds no
    # petitions: the petition table protects its units).
    units_only = models.BooleanField(_("units only"), default=False)

    class Meta:
        verbose_name = _("stale statistics day")
        verbose_name_plural = _("stale statistics days")
        indexes = [
            models.Index(fields=["day"], name="stats_dirty_day_idx"),
            models.Index(fields=["due_day"], name="stats_dirty_due_idx"),
        ]

    def __str__(self) -> str:
        return str(self.day or "*")


class RollupMember(models.Model):
    """Unit ``unit`` lies in the figures of scope ``scope``, under ``scope``'s child ``child``
    (``scope`` itself for the scope's own unit and, for a root scope, for units outside it)."""

    scope = models.ForeignKey(
        "orgs.Unit", models.DO_NOTHING, db_constraint=False, related_name="+", verbose_name=_("scope")
    )
    unit = models.ForeignKey(
        "orgs.Unit", models.DO_NOTHING, db_constraint=False, related_name="+", verbose_name=_("unit")
    )
    child = models.ForeignKey(
        "orgs.Unit", models.DO_NOTHING, db_constraint=False, related_name="+", verbose_name=_("child unit")
    )

    class Meta:
        verbose_name = _("statistics scope member")
        verbose_name_plural = _("statistics scope members")
        constraints = [models.UniqueConstraint(fields=["unit", "scope"], name="stats_member_once")]

    def __str__(self) -> str:
        return f"{self.scope_id}:{self.unit_id}"


class Rollup(models.Model):
    scope = models.ForeignKey(
        "orgs.Unit", models.DO_NOTHING, db_constraint=False, related_name="+", verbose_name=_("scope")
    )
    received_at = models.DateField(_("received date"))
    channel = models.CharField(_("channel"), max_length=16)
    visit_level = models.CharField(_("visit level"), max_length=16, blank=True)
    is_legitimate = models.BooleanField(_("legitimate petition"))
    items = models.PositiveIntegerField(_("items"))  # 件 / 批次: the number of petitions
    persons = models.PositiveIntegerField(_("persons"))  # the sum of their ``persons``

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.scope_id} {self.received_at}: {self.items}"


class RollupCounts(Rollup):
    """Counts by channel, visit level and the visit flags (the paragraph, the trend, the totals)."""

    is_collective = models.BooleanField(_("collective visit"))
    is_skip_level = models.BooleanField(_("level-skipping visit"))
    is_repeat = models.BooleanField(_("repeat petition"))

    class Meta:
        verbose_name = _("statistics rollup: counts")
        verbose_name_plural = _("statistics rollups: counts")
        indexes = [
            models.Index(fields=["scope", "received_at"], name="stats_rcounts_idx"),
            models.Index(fields=["received_at"], name="stats_rcounts_day_idx"),  # the refresh
        ]


class CategoryColumns(Rollup):
    category = models.ForeignKey(
        "petitions.Category",
        models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("problem category"),
    )

    class Meta:
        abstract = True


class RollupCategories(CategoryColumns):
    """Counts by top-level problem category."""

    class Meta:
        verbose_name = _("statistics rollup: categories")
        verbose_name_plural = _("statistics rollups: categories")
        indexes = [
            models.Index(fields=["scope", "received_at"], name="stats_rcats_idx"),
            models.Index(fields=["received_at"], name="stats_rcats_day_idx"),  # the refresh
        ]


class UnitColumns(Rollup):
    child = models.ForeignKey(
        "orgs.Unit", models.DO_NOTHING, db_constraint=False, related_name="+", verbose_name=_("child unit")
    )
    status = models.CharField(_("status"), max_length=24)
    is_open = models.BooleanField(_("open"))

    class Meta:
        abstract = True


class RollupUnits(UnitColumns):
    """Counts and outcomes by the scope's child unit holding the petition."""

    class Meta:
        verbose_name = _("statistics rollup: units")
        verbose_name_plural = _("statistics rollups: units")
        indexes = [
            models.Index(fields=["scope", "received_at"], name="stats_runits_idx"),
            models.Index(fields=["received_at"], name="stats_runits_day_idx"),  # the refresh
        ]


class OutcomeColumns(Rollup):
    is_collective = models.BooleanField(_("collective visit"))
    is_skip_level = models.BooleanField(_("level-skipping visit"))
    is_repeat = models.BooleanField(_("repeat petition"))
    status = models.CharField(_("status"), max_length=24)
    is_open = models.BooleanField(_("open"))
    has_later_repeat = models.BooleanField(_("petitioned again later"))
    has_review = models.BooleanField(_("review requested"))
    has_opinion = models.BooleanField(_("answered by a handling opinion"))
    missed_deadline = models.BooleanField(_("missed a deadline"))
    supervised = models.BooleanField(_("supervised"))
    is_parallel = models.BooleanField(_("parallel petition"))
    eval_handler = models.CharField(_("rating of the handling unit"), max_length=14, blank=True)
    eval_bureau = models.CharField(_("rating of the petition bureau"), max_length=14, blank=True)

    class Meta:
        abstract = True


class RollupOutcomes(OutcomeColumns):
    """Counts by status and by the facts recorded in other tables (replies, reviews, ratings,
    supervision, later repeats, parallel petitions): the rates."""

    class Meta:
        verbose_name = _("statistics rollup: outcomes")
        verbose_name_plural = _("statistics rollups: outcomes")
        indexes = [
            models.Index(fields=["scope", "received_at"], name="stats_routc_idx"),
            models.Index(fields=["received_at"], name="stats_routc_day_idx"),  # the refresh
        ]


class RollupOpen(Rollup):
    """Open matters on which the organ owes the next step, by deadline: 超期 of the period."""

    due_at = models.DateField(_("current deadline"), null=True)
    status = models.CharField(_("status"), max_length=24)
    is_open = models.BooleanField(_("open"))

    class Meta:
        verbose_name = _("statistics rollup: open cases")
        verbose_name_plural = _("statistics rollups: open cases")
        indexes = [
            models.Index(fields=["scope", "received_at"], name="stats_ropen_idx"),
            models.Index(fields=["received_at"], name="stats_ropen_day_idx"),  # the refresh
        ]


class RollupOpenByDue(models.Model):
    """The same by deadline day and child unit, without the received day: today's 超期 by unit.
    Kept fresh by deadline day (``RollupDirty.due_day``)."""

    scope = models.ForeignKey(
        "orgs.Unit", models.DO_NOTHING, db_constraint=False, related_name="+", verbose_name=_("scope")
    )
    due_at = models.DateField(_("current deadline"), null=True)
    child = models.ForeignKey(
        "orgs.Unit", models.DO_NOTHING, db_constraint=False, related_name="+", verbose_name=_("child unit")
    )
    status = models.CharField(_("status"), max_length=24)
    is_open = models.BooleanField(_("open"))
    items = models.PositiveIntegerField(_("items"))
    persons = models.PositiveIntegerField(_("persons"))

    class Meta:
        verbose_name = _("statistics rollup: open cases by deadline")
        verbose_name_plural = _("statistics rollups: open cases by deadline")
        indexes = [
            models.Index(fields=["scope", "due_at"], name="stats_rdue_idx"),
            models.Index(fields=["due_at"], name="stats_rdue_day_idx"),  # the refresh
        ]

    def __str__(self) -> str:
        return f"{self.scope_id} {self.due_at}: {self.items}"


# The same by calendar month (``received_at`` is the 1st), summed from the daily rows: a period's
# whole calendar months read these, its other days the daily rollups (a year is 12 rows a
# combination instead of 365).


class RollupCategoriesMonth(CategoryColumns):
    class Meta:
        verbose_name = _("statistics rollup: categories by month")
        verbose_name_plural = _("statistics rollups: categories by month")
        indexes = [models.Index(fields=["scope", "received_at"], name="stats_rcats_m_idx")]


class RollupUnitsMonth(UnitColumns):
    class Meta:
        verbose_name = _("statistics rollup: units by month")
        verbose_name_plural = _("statistics rollups: units by month")
        indexes = [models.Index(fields=["scope", "received_at"], name="stats_runits_m_idx")]


class RollupOutcomesMonth(OutcomeColumns):
    class Meta:
        verbose_name = _("statistics rollup: outcomes by month")
        verbose_name_plural = _("statistics rollups: outcomes by month")
        indexes = [models.Index(fields=["scope", "received_at"], name="stats_routc_m_idx")]


class RollupAssignments(models.Model):
    """Assignments (转送/交办 parts) counted by their petition's received day (the cohort rule) and
    scope, per the columns the assignment metrics read (及时受理率, 回复率 (果必报), 转送/交办): the
    petition's channel, visit level, 正当访 and top-level category (the filters), the scope's child
    holding the *assigned* unit (the split by unit), and the assignment's own facts."""

    scope = models.ForeignKey(
        "orgs.Unit", models.DO_NOTHING, db_constraint=False, related_name="+", verbose_name=_("scope")
    )
    received_at = models.DateField(_("received date"))
    channel = models.CharField(_("channel"), max_length=16)
    visit_level = models.CharField(_("visit level"), max_length=16, blank=True)
    is_legitimate = models.BooleanField(_("legitimate petition"))
    category = models.ForeignKey(
        "petitions.Category",
        models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("problem category"),
    )
    child = models.ForeignKey(
        "orgs.Unit", models.DO_NOTHING, db_constraint=False, related_name="+", verbose_name=_("child unit")
    )
    kind = models.CharField(_("kind"), max_length=12)
    duty = models.CharField(_("duty"), max_length=12)
    is_lead = models.BooleanField(_("lead unit"))
    status = models.CharField(_("status"), max_length=12)
    report_required = models.BooleanField(_("completion report required"))
    reported = models.BooleanField(_("completion report sent"))
    accepted = models.BooleanField(_("accepted"))
    # Accepted on or before the 受理告知 deadline (条例第二十三条).
    accepted_in_time = models.BooleanField(_("accepted in time"))
    # The 受理告知 deadline of an assignment not accepted yet (NULL once accepted): whether it has
    # passed depends on the day the figure is read.
    ack_due = models.DateField(_("acceptance notice due"), null=True)
    items = models.PositiveIntegerField(_("items"))  # the number of assignments

    class Meta:
        verbose_name = _("statistics rollup: assignments")
        verbose_name_plural = _("statistics rollups: assignments")
        indexes = [
            models.Index(fields=["scope", "received_at"], name="stats_rassign_idx"),
            models.Index(fields=["received_at"], name="stats_rassign_day_idx"),  # the refresh
        ]

    def __str__(self) -> str:
        return f"{self.scope_id} {self.received_at}: {self.items}"
