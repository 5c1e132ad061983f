"""Every metric the bureaus publish, each defined once: name, Chinese label, numerator, denominator,
basis (件, 批次 or 人次) and the seed it comes from (docs/metrics.md lists them all).

A metric is a numerator ``Measure`` and, for a rate, a denominator ``Measure``. A measure is a
filter on one source table (petitions or assignments) and a weight: 1 per row (批次/件) or the
persons of a visit (人次; any other item counts 1 人次, seed 003: 2935+56+628+53 = 3672). The
engine (``stats.selectors.compute``) turns all measures of a source into one GROUP BY query with
conditional aggregates, so any set of metrics for any period, unit subtree and split costs one
query per source table.

Where the seeds are ambiguous the choice is a setting (``XINFANG_STATS``, see ``DEFAULTS``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from xinfang.cases.models import (
    AssignmentKind,
    Decision,
    DecisionKind,
    Evaluation,
    EvaluationTarget,
    ReviewRequest,
    Supervision,
)
from xinfang.petitions.models import Channel, Petition, VisitLevel
from xinfang.petitions.states import ORGAN_OWES_ACTION, Status

# --- configuration ----------------------------------------------------------------------------

DEFAULTS: dict[str, Any] = {
    # Statistical month boundary: 1 = calendar months; 21 = the 21st of the previous month to the 20th.
    "month_start_day": 1,
    # Which unit a petition belongs to for a unit's figures: "registering" (the unit that recorded
    # it), "handling" (the responsible unit) or "either" (the same rule as the case lists).
    "unit_basis": "either",
    # 同比/环比 of the totals on 人次 (seed 003) or on 批次.
    "growth_basis": "person",
    # What 办结 means: "answered" (a 处理意见书 or a statutory procedure ended the handling),
    # "closed" (the case is closed, concluded or archived) or "settled" (closed and the petitioner
    # did not petition again: 息诉罢访, seed 003 L190: 102/136 = 75%).
    "done_means": "answered",
    # 不予受理 matters are left out of the denominator of 办结率.
    "done_rate_excludes_not_accepted": True,
    # 满意率 over the rated matters ("rated") or over every answered matter ("all").
    "satisfaction_over": "rated",
    "satisfied_levels": ["satisfied", "basic"],
    # Whose handling the 满意率 rates: "handler" (责任单位) or "bureau" (信访部门).
    "evaluation_target": "handler",
    # 初信初访 rates by item ("batch") or by persons ("person", seed 001 L16 「按人数计算」).
    "first_time_basis": "batch",
    "first_time_channels": ["letter", "visit", "online", "phone", "mailbox", "fax"],
    # 重信重访率: "new_matters" = new matters that drew a repeat / new matters (seed 000 L48);
    # "share" = repeat items / all items.
    "repeat_rate_mode": "new_matters",
    # 案结事了率 over letters and visits (seed 000 L48 「信、访综合」); online items count as letters.
    "settled_channels": ["letter", "visit", "online"],
    # 集访占比 on 批次 (seed 003 L17: 6/36) or on 人次.
    "collective_share_basis": "batch",
    # 量化考核 (seed 003 L55): only 正当访, per 10,000 population, these weights.
    "ranking": {
        "legitimate_only": True,
        "base": 100,
        "weights": {
            "total_persons_per_10k": -1.0,
            "skip_level_persons_per_10k": -5.0,
            "collective_batches_per_10k": -5.0,
            "done_rate": 0.1,
            "timely_accept_rate": 0.05,
            "satisfaction_rate": 0.05,
        },
    },
}


def config(**overrides: Any) -> dict[str, Any]:
    """The defaults, then ``settings.XINFANG_STATS``, then ``overrides``."""
    cfg = {**DEFAULTS, **getattr(settings, "XINFANG_STATS", {})}
    cfg.update(overrides)
    return cfg


# --- bases and measures -----------------------------------------------------------------------

BATCH = "batch"  # 批次 (or 件 for a count of items)
PERSON = "person"  # 人次
ITEM = "item"  # 件

BASIS_LABELS: dict[str, Promise] = {
    BATCH: _("batches"),  # 批次
    PERSON: _("person-times"),  # 人次
    ITEM: _("items"),  # 件
}

PETITION = "petition"
ASSIGNMENT = "assignment"

QFn = Callable[[dict[str, Any]], Q]


@dataclass(frozen=True)
class Measure:
    source: str  # PETITION or ASSIGNMENT
    where: QFn  # a filter in the source model's terms
    weight: str | Callable[[dict[str, Any]], str] = BATCH  # BATCH/ITEM: 1 per row; PERSON: persons

    def weight_for(self, cfg: dict[str, Any]) -> str:
        return self.weight(cfg) if callable(self.weight) else self.weight


@dataclass(frozen=True)
class Metric:
    key: str
    label: Promise
    basis: str
    numerator: Measure
    denominator: Measure | None = None
    doc: str = ""
    # A count divided by the unit's population × 10,000 (per-capita figures, seed 000 L23).
    per_10k: bool = False

    @property
    def is_rate(self) -> bool:
        return self.denominator is not None


# --- reusable filters (petition terms) ---------------------------------------------------------


def _all(cfg: dict[str, Any]) -> Q:
    return Q()


def _visit(cfg: dict[str, Any]) -> Q:
    return Q(channel=Channel.VISIT)


# Facts recorded in other tables. Each has two forms: on the petition table a non-correlated ``IN``
# subquery (evaluated once per query, not once per row), and on the rollups (``cfg[ROLLUP]``, set by
# the engine) a column that ``stats.rollups`` fills from the same tables. The exactness tests
# compare the two.
ROLLUP = "_rollup"


def _later_repeat(cfg: dict[str, Any]) -> Q:
    """Someone petitioned again on this matter after it (a 重信重访 linked by detection)."""
    if cfg.get(ROLLUP):
        return Q(has_later_repeat=True)
    return Q(pk__in=Petition.objects.filter(repeat_of__isnull=False).values("repeat_of_id"))


def _missed_deadline(cfg: dict[str, Any]) -> Q:
    """The sweep raised an automatic 督办单 because a deadline passed (workflow.sweep)."""
    if cfg.get(ROLLUP):
        return Q(missed_deadline=True)
    return Q(pk__in=Supervision.objects.filter(automatic=True).values("petition_id"))


def _supervised(cfg: dict[str, Any]) -> Q:
    if cfg.get(ROLLUP):
        return Q(supervised=True)
    return Q(pk__in=Supervision.objects.values("petition_id"))


def _review_requested(cfg: dict[str, Any]) -> Q:
    if cfg.get(ROLLUP):
        return Q(has_review=True)
    return Q(pk__in=ReviewRequest.objects.values("petition_id"))


def _rated_dissatisfied(cfg: dict[str, Any]) -> Q:
    """Rated 不满意 by the petitioner (of the bureau or of the handling unit)."""
    if cfg.get(ROLLUP):
        q = Q()
        for target in EvaluationTarget.values:
            q |= Q(**{f"eval_{target}": "dissatisfied"})
        return q
    return Q(pk__in=Evaluation.objects.filter(satisfaction="dissatisfied").values("petition_id"))


def _parallel(cfg: dict[str, Any]) -> Q:
    if cfg.get(ROLLUP):
        return Q(is_parallel=True)
    return Q(parallel_of__isnull=False) | Q(
        pk__in=Petition.objects.filter(parallel_of__isnull=False).values("parallel_of_id")
    )


ANSWERED = [
    Status.REPLIED,
    Status.REVIEW,
    Status.REVIEWED,
    Status.RECHECK,
    Status.CONCLUDED,
    Status.CLOSED,
    Status.ARCHIVED,
]
CLOSED = [Status.CONCLUDED, Status.CLOSED, Status.ARCHIVED]


def _done(cfg: dict[str, Any]) -> Q:
    means = cfg["done_means"]
    if means == "closed":
        return Q(status__in=CLOSED)
    if means == "settled":
        return Q(status__in=CLOSED) & ~_later_repeat(cfg)
    return Q(status__in=ANSWERED)


def _done_base(cfg: dict[str, Any]) -> Q:
    return ~Q(status=Status.NOT_ACCEPTED) if cfg["done_rate_excludes_not_accepted"] else Q()


def _first_time(cfg: dict[str, Any]) -> Q:
    return Q(is_repeat=False, channel__in=cfg["first_time_channels"])


def _evaluated(cfg: dict[str, Any], satisfied: bool = False) -> Q:
    if cfg.get(ROLLUP):
        column = f"eval_{cfg['evaluation_target']}"
        return Q(**{f"{column}__in": cfg["satisfied_levels"]}) if satisfied else ~Q(**{column: ""})
    evaluations = Evaluation.objects.filter(target=cfg["evaluation_target"])
    if satisfied:
        evaluations = evaluations.filter(satisfaction__in=cfg["satisfied_levels"])
    return Q(pk__in=evaluations.values("petition_id"))


def _answered(cfg: dict[str, Any]) -> Q:
    return Q(status__in=ANSWERED)


def overdue_q(cfg: dict[str, Any]) -> Q:
    return Q(
        is_open=True,
        status__in=[s.value for s in ORGAN_OWES_ACTION],
        due_at__lt=timezone.localdate(),
    )


def _replied(cfg: dict[str, Any]) -> Q:
    if cfg.get(ROLLUP):
        return Q(has_opinion=True)
    return Q(pk__in=Decision.objects.filter(kind=DecisionKind.OPINION).values("petition_id"))


# Assignment facts (assignment terms). On the assignment rollup (``cfg[ROLLUP]``) they are columns
# that ``stats.rollups`` computes from the same assignment columns.


def _accepted_in_time(cfg: dict[str, Any]) -> Q:
    """Accepted on or before the 受理告知 deadline (条例第二十三条)."""
    if cfg.get(ROLLUP):
        return Q(accepted_in_time=True)
    return Q(accepted_on__isnull=False, accepted_on__lte=F("ack_due"))


def _accepted_or_past_ack_due(cfg: dict[str, Any]) -> Q:
    """Accepted, or still not accepted once the 受理告知 deadline has passed (the rollup keeps
    the deadline of the assignments not accepted yet: which have passed depends on today)."""
    if cfg.get(ROLLUP):
        return Q(accepted=True) | Q(ack_due__lt=timezone.localdate())
    return Q(accepted_on__isnull=False) | Q(ack_due__lt=timezone.localdate())


def _reported(cfg: dict[str, Any]) -> Q:
    """The unit sent its 办结报告 (果必报)."""
    if cfg.get(ROLLUP):
        return Q(reported=True)
    return Q(reported_on__isnull=False)


def _first_time_weight(cfg: dict[str, Any]) -> str:
    return PERSON if cfg["first_time_basis"] == PERSON else BATCH


def _collective_weight(cfg: dict[str, Any]) -> str:
    return PERSON if cfg["collective_share_basis"] == PERSON else BATCH


def _p(where: QFn, weight: str | Callable[[dict[str, Any]], str] = BATCH) -> Measure:
    return Measure(PETITION, where, weight)


def _a(where: QFn) -> Measure:
    return Measure(ASSIGNMENT, where, ITEM)


def _q(**lookups: Any) -> QFn:
    return lambda cfg: Q(**lookups)


# --- the metrics ----------------------------------------------------------------------------------

LEVEL_LABELS: dict[str, tuple[Promise, Promise]] = {
    VisitLevel.LOCAL: (_("Visits at this level (batches)"), _("Visits at this level (person-times)")),
    VisitLevel.CITY: (_("Visits to the city (batches)"), _("Visits to the city (person-times)")),
    VisitLevel.PROVINCE: (
        _("Visits to the province (batches)"),
        _("Visits to the province (person-times)"),
    ),
    VisitLevel.NATIONAL: (_("Visits to Beijing (batches)"), _("Visits to Beijing (person-times)")),
}

CHANNEL_ITEMS: dict[str, Promise] = {
    Channel.LETTER: _("Letters (items)"),  # 来信
    Channel.ONLINE: _("Online petitions (items)"),  # 网信
    Channel.PHONE: _("Calls (items)"),  # 来电
    Channel.MAILBOX: _("Leader's mailbox (items)"),  # 领导信箱
    Channel.FAX: _("Faxes (items)"),  # 传真
}


def _build() -> list[Metric]:
    m: list[Metric] = [
        Metric(
            "total_batches",
            _("Total petitions (batches)"),
            BATCH,
            _p(_all),
            doc="信访总量批次: visit batches + one per other item. Seed 003 L179–188: 973+56+628+53 = 1710.",
        ),
        Metric(
            "total_persons",
            _("Total petitions (person-times)"),
            PERSON,
            _p(_all, PERSON),
            doc="信访总量人次: visit persons + one per other item. Seed 003: 2935+56+628+53 = 3672.",
        ),
        Metric(
            "visit_batches",
            _("Visits (batches)"),
            BATCH,
            _p(_visit),
            doc="来访批次: every visit row is one batch. Seeds 000 L2, 003 L183, 004 L5.",
        ),
        Metric(
            "visit_persons",
            _("Visits (person-times)"),
            PERSON,
            _p(_visit, PERSON),
            doc="来访人次 (上访总量): persons of every visit, all levels. Seed 000 L2: 1+421+2525 = 2947.",
        ),
    ]
    for level, (batch_label, person_label) in LEVEL_LABELS.items():
        m.append(
            Metric(
                f"visit_{level}_batches",
                batch_label,
                BATCH,
                _p(_q(channel=Channel.VISIT, visit_level=level)),
                doc=f"来访批次, visit level {level} (本级/到市/赴省/进京). Seed 004 L5, seed 000 L2.",
            )
        )
        m.append(
            Metric(
                f"visit_{level}_persons",
                person_label,
                PERSON,
                _p(_q(channel=Channel.VISIT, visit_level=level), PERSON),
                doc=f"来访人次, visit level {level}. Seed 004 L5, seed 000 L2.",
            )
        )
    for channel, label in CHANNEL_ITEMS.items():
        m.append(
            Metric(
                f"{channel}_items",
                label,
                ITEM,
                _p(_q(channel=channel)),
                doc=f"Items of channel {channel}; each counts 1 批次 and 1 人次 in the totals. Seed 003.",
            )
        )
    for key, field, label_b, label_p, seed in (
        ("skip_level", "is_skip_level", _("Level-skipping visits (batches)"), _("Level-skipping visits (person-times)"), "越级访, 条例第二十条; seed 003 L19–21"),
        ("collective", "is_collective", _("Collective visits (batches)"), _("Collective visits (person-times)"), "集体访 (≥5 persons); seeds 000 L23, 001 L3"),
        ("repeat_visit", "is_repeat", _("Repeat visits (batches)"), _("Repeat visits (person-times)"), "重复访; seed 003 L183: 130批次1340人次"),
    ):  # fmt: skip
        where = _q(channel=Channel.VISIT, **{field: True})
        m.append(Metric(f"{key}_batches", label_b, BATCH, _p(where), doc=f"{seed} (批次)."))
        m.append(Metric(f"{key}_persons", label_p, PERSON, _p(where, PERSON), doc=f"{seed} (人次)."))
    m += [
        Metric(
            "repeat_items",
            _("Repeat letters and visits (items)"),
            ITEM,
            _p(_q(is_repeat=True)),
            doc="重信重访: items linked to an earlier matter by detection (any channel). Seed 000 L48.",
        ),
        Metric(
            "first_time_items",
            _("First-time letters and visits (items)"),
            ITEM,
            _p(_first_time),
            doc="初信初访: items not repeating an earlier matter, channels per first_time_channels. "
            "Seed 004 L5 (50件, 同比 −52.38%).",
        ),
        Metric(
            "overdue_items",
            _("Overdue cases (items)"),
            ITEM,
            _p(overdue_q),
            doc="超期: open, the organ owes the next step and the deadline has passed (workflow.sweep; "
            "条例第三十八条 supervises overdue matters).",
        ),
        Metric(
            "supervised_items",
            _("Supervised cases (items)"),
            ITEM,
            _p(_supervised),
            doc="督办: cases with at least one 督办单 (条例第三十八至四十条).",
        ),
        Metric(
            "transferred_items",
            _("Transferred (items)"),
            ITEM,
            _a(_q(is_lead=True, kind=AssignmentKind.TRANSFER)),
            doc="转送: lead assignments of kind transfer (条例第四十一条 annual report).",
        ),
        Metric(
            "assigned_items",
            _("Assigned with a deadline (items)"),
            ITEM,
            _a(_q(is_lead=True, kind=AssignmentKind.ASSIGN)),
            doc="交办: lead assignments of kind assign (条例第四十一条 annual report).",
        ),
        # --- rates ---
        Metric(
            "timely_accept_rate",
            _("Timely acceptance rate"),
            ITEM,
            _a(lambda cfg: Q(is_lead=True) & _accepted_in_time(cfg)),
            _a(lambda cfg: Q(is_lead=True) & _accepted_or_past_ack_due(cfg)),
            doc="及时受理率: lead assignments accepted by their 受理告知 deadline (ack_due, 条例第二十三条) "
            "/ lead assignments accepted or past that deadline. Seed 004 L5 (100%).",
        ),
        Metric(
            "on_time_reply_rate",
            _("On-time reply rate"),
            ITEM,
            _p(lambda cfg: _replied(cfg) & ~_missed_deadline(cfg)),
            _p(lambda cfg: _replied(cfg) | (overdue_q(cfg) & Q(status=Status.ACCEPTED))),
            doc="按期答复率: matters answered by a 处理意见书 without a missed deadline (no automatic "
            "督办单) / matters answered or overdue in handling. Seed 004 L5 (100%).",
        ),
        Metric(
            "on_time_done_rate",
            _("On-time completion rate"),
            ITEM,
            _p(lambda cfg: _done(cfg) & ~_missed_deadline(cfg)),
            _p(lambda cfg: _done(cfg) | overdue_q(cfg)),
            doc="按期办结率: matters done (done_means) without a missed deadline / matters done or overdue "
            "(条例第三十四条 limits; seed 000 L48).",
        ),
        Metric(
            "done_rate",
            _("Completion rate"),
            ITEM,
            _p(lambda cfg: _done(cfg) & _done_base(cfg)),
            _p(_done_base),
            doc="办结率: matters done (done_means) / matters received, 不予受理 excluded when configured. "
            "Per channel by splitting on channel: seed 003 L183–188 (走访 70%, 来信 98.5%); seed 001 L47 "
            "384/390 = 98.5%; with done_means=settled seed 003 L190 102/136 = 75%.",
        ),
        Metric(
            "first_time_done_rate",
            _("First-time petition completion rate"),
            ITEM,
            _p(lambda cfg: _first_time(cfg) & _done(cfg), _first_time_weight),
            _p(_first_time, _first_time_weight),
            doc="初信初访办结率: first-time items done / first-time items, by item or by persons "
            "(first_time_basis; seed 001 L16 「按人数计算」). Seeds 000 L48, 002 L3 (target ≥98%).",
        ),
        Metric(
            "one_time_done_rate",
            _("Resolved-at-first-handling rate"),
            ITEM,
            _p(
                lambda cfg: _first_time(cfg) & _done(cfg) & ~_later_repeat(cfg) & ~_review_requested(cfg),
                _first_time_weight,
            ),
            _p(_first_time, _first_time_weight),
            doc="一次办结率: first-time items done with no later repeat and no 复查 request / first-time "
            "items. Seed 003 L151–154, L346.",
        ),
        Metric(
            "repeat_rate",
            _("Repeat petition rate"),
            ITEM,
            _p(
                lambda cfg: (
                    Q(is_repeat=True)
                    if cfg["repeat_rate_mode"] == "share"
                    else Q(is_repeat=False) & _later_repeat(cfg)
                )
            ),
            _p(lambda cfg: Q() if cfg["repeat_rate_mode"] == "share" else Q(is_repeat=False)),
            doc="重信重访率: new matters of the period that drew a repeat letter or visit / new matters "
            "(repeat_rate_mode=new_matters, seed 000 L48 target 0.5%), or repeat items / all items (share).",
        ),
        Metric(
            "settled_rate",
            _("Case-closed-and-dispute-settled rate"),
            ITEM,
            _p(
                lambda cfg: (
                    Q(channel__in=cfg["settled_channels"], status__in=CLOSED)
                    & ~_later_repeat(cfg)
                    & ~_rated_dissatisfied(cfg)
                )
            ),
            _p(lambda cfg: Q(channel__in=cfg["settled_channels"]) & _done_base(cfg)),
            doc="案结事了率: letters and visits closed, with no later repeat and no 不满意 rating / letters "
            "and visits received. Seed 000 L48 (target 95%), L33 (96.7%).",
        ),
        Metric(
            "stop_rate",
            _("Petitioning-stopped rate"),
            ITEM,
            _p(lambda cfg: _done(cfg) & ~_later_repeat(cfg)),
            _p(_done),
            doc="停访息诉率: matters done after which nobody petitioned again on them / matters done. "
            "Seed 000 L23.",
        ),
        Metric(
            "old_case_resolved_rate",
            _("Long-term petitioner resolution rate"),
            ITEM,
            _p(lambda cfg: Q(is_repeat=True, is_open=False) & ~_later_repeat(cfg)),
            _p(_q(is_repeat=True)),
            doc="老户化解息访率 (proxy): repeat matters closed with no further repeat / repeat matters. "
            "Seed 000 L48 targets ≥85% of 老户 under 包案; the system has no 老户 registry and no 包案 "
            "records, so repeat matters stand in for 老户 (docs/metrics.md).",
        ),
        Metric(
            "satisfaction_rate",
            _("Satisfaction rate"),
            ITEM,
            _p(lambda cfg: _evaluated(cfg, satisfied=True)),
            _p(lambda cfg: _evaluated(cfg) if cfg["satisfaction_over"] == "rated" else _answered(cfg)),
            doc="满意率: matters rated 满意 or 基本满意 (satisfied_levels) / rated matters, or / all "
            "answered matters (satisfaction_over). Seed 000 L23, 001 L47 (415/421 = 98.6%).",
        ),
        Metric(
            "rating_rate",
            _("Rating participation rate"),
            ITEM,
            _p(lambda cfg: _evaluated(cfg)),
            _p(_answered),
            doc="参评率: answered matters that were rated / answered matters (seed 000 L23, the base of 满意率).",
        ),
        Metric(
            "report_rate",
            _("Report-back rate"),
            ITEM,
            _a(lambda cfg: Q(report_required=True) & _reported(cfg)),
            _a(_q(report_required=True)),
            doc="回复率 (果必报): assignments whose unit sent its 办结报告 / assignments requiring one. "
            "Seed 000 L20 (98% of 1413).",
        ),
        Metric(
            "collective_share",
            _("Share of collective visits"),
            BATCH,
            _p(lambda cfg: Q(channel=Channel.VISIT, is_collective=True), _collective_weight),
            _p(_all, _collective_weight),
            doc="集访占比: collective visits / all petitions (collective_share_basis). Seed 003 L17: "
            "6/36 = 16.67%.",
        ),
        Metric(
            "collective_person_share",
            _("Collective visits' share of visit person-times"),
            PERSON,
            _p(lambda cfg: Q(channel=Channel.VISIT, is_collective=True), PERSON),
            _p(_visit, PERSON),
            doc="集体访人次 / 走访人次. Seed 003 L97 (≈70% nationally), seed 001 L47 (1824/2149).",
        ),
        Metric(
            "parallel_share",
            _("Share of parallel petitions"),
            ITEM,
            _p(_parallel),
            _p(_all),
            doc="信访并行: items on a matter also raised through another channel / all items. Seed 002 L5 "
            "(≈1/4).",
        ),
    ]
    for key, base, label in (
        ("total_persons_per_10k", "total_persons", _("Petitions per 10,000 population (person-times)")),
        ("visit_persons_per_10k", "visit_persons", _("Visits per 10,000 population (person-times)")),
        ("skip_level_persons_per_10k", "skip_level_persons", _("Level-skipping visits per 10,000 population (person-times)")),
        ("collective_batches_per_10k", "collective_batches", _("Collective visits per 10,000 population (batches)")),
    ):  # fmt: skip
        src = next(x for x in m if x.key == base)
        m.append(
            Metric(
                key,
                label,
                src.basis,
                src.numerator,
                per_10k=True,
                doc=f"{base} / population × 10,000 (seed 000 L23 「按信访总人次与全市人口总量之比」; "
                "seed 003 L55 asks for population-normalised assessment).",
            )
        )
    return m


METRICS: dict[str, Metric] = {metric.key: metric for metric in _build()}


# --- values -------------------------------------------------------------------------------------


def percent(num: int | float, den: int | float) -> float | None:
    """num / den × 100, rounded half up to two decimals; None when den is 0."""
    if not den:
        return None
    value = Decimal(num) * 100 / Decimal(den)
    return float(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def growth(current: int | float, previous: int | float) -> float | None:
    """同比/环比 in percent: (current − previous) / previous × 100; None when previous is 0."""
    if not previous:
        return None
    return percent(current - previous, previous)


@dataclass(frozen=True)
class Value:
    metric: Metric
    num: int
    den: int | None = None
    population: int | None = None

    @property
    def value(self) -> float | int | None:
        if self.metric.per_10k:
            if not self.population:
                return None
            return float(
                (Decimal(self.num) * 10000 / Decimal(self.population)).quantize(
                    Decimal("0.01"), rounding=ROUND_HALF_UP
                )
            )
        if self.metric.is_rate:
            return percent(self.num, self.den or 0)
        return self.num

    def display(self) -> str:
        v = self.value
        if v is None:
            return "—"
        if self.metric.is_rate:
            return f"{v:.2f}%"
        if self.metric.per_10k:
            return f"{v:.2f}"
        return str(v)
