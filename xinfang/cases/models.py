"""Case handling records: the timeline, assignments (转送/交办), extensions, written decisions
(信访处理意见书, 复查意见书, 复核意见书), execution tasks, review requests, 督办单, notices and the
administrators' holiday schedules."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfang.audit.models import AppendOnlyModel
from xinfang.petitions.states import Status


class CaseEvent(AppendOnlyModel):
    petition = models.ForeignKey(
        "petitions.Petition",
        models.PROTECT,
        related_name="events",
        verbose_name=_("petition"),
        # No database constraint (as AuditLog.petition): its check locks the wide petition row, a
        # page write each (cases 0006). Petitions are never deleted (PROTECT, no delete path).
        db_constraint=False,
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
    # The deadline a warning of the sweep (临期, 超期) was raised for: each is raised once per deadline.
    deadline = models.DateField(_("deadline warned of"), null=True, blank=True)
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["petition", "at"], name="caseevent_petition_at_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "action", "deadline"],
                condition=models.Q(deadline__isnull=False),
                name="caseevent_warning_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.petition_id} {self.action}"


class Route(models.TextChoices):
    """How an accepted matter is handled (条例第二十九至三十一条)."""

    SUGGESTION = "suggestion", _("Study and answer a suggestion")  # 第二十九条
    ACCUSATION = "accusation", _("Discipline inspection procedure")  # 第三十条
    LITIGATION = "litigation", _("(1) Litigation, review, procuratorate or police procedure")
    ARBITRATION = "arbitration", _("(2) Arbitration")
    PARTY_APPEAL = "party_appeal", _("(3) Party member appeal")
    ADMINISTRATIVE = "administrative", _("(4) Administrative procedure")
    DUTY = "duty", _("(5) Performance of statutory duty or answer")
    PETITION = "petition", _("(6) Petition procedure with a handling opinion")


# Routes (一)–(五) direct the matter into another statutory procedure; only (六) runs the 60-day
# clock and the 复查/复核 ladder (条例第三十一条、第三十四条).
STATUTORY_PROCEDURE_ROUTES = frozenset(
    {Route.LITIGATION, Route.ARBITRATION, Route.PARTY_APPEAL, Route.ADMINISTRATIVE, Route.DUTY}
)


class AssignmentKind(models.TextChoices):
    TRANSFER = "transfer", _("Transfer")  # 转送
    ASSIGN = "assign", _("Assignment with a deadline")  # 交办


class Duty(models.TextChoices):
    LEAD = "lead", _("Lead handling")  # 主办
    ASSIST = "assist", _("Assisting")  # 协办
    TRACK = "track", _("Tracking and supervision")  # 跟踪督办
    MEDIATE = "mediate", _("Mediation and ruling")  # 调解裁决
    STABILIZE = "stabilize", _("Stability work")  # 稳控
    LEGAL_AID = "legal_aid", _("Legal aid")  # 法律援助
    AUDIT = "audit", _("Audit and investigation")  # 审计查处


class AssignmentStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting acceptance")
    ACCEPTED = "accepted", _("Accepted")
    OBJECTED = "objected", _("Objection raised")
    RETURNED = "returned", _("Returned")
    DONE = "done", _("Done")


ACTIVE_ASSIGNMENT = (AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED, AssignmentStatus.OBJECTED)


class Assignment(models.Model):
    """One unit's part of a 转送 or 交办 package, with its duty and deadlines."""

    petition = models.ForeignKey(
        "petitions.Petition", models.PROTECT, related_name="assignments", verbose_name=_("petition")
    )
    unit = models.ForeignKey("orgs.Unit", models.PROTECT, related_name="assignments", verbose_name=_("unit"))
    kind = models.CharField(_("kind"), max_length=12, choices=AssignmentKind.choices)
    duty = models.CharField(_("duty"), max_length=12, choices=Duty.choices, default=Duty.LEAD)
    is_lead = models.BooleanField(_("lead unit"), default=True)
    sent_from = models.ForeignKey(
        "orgs.Unit", models.PROTECT, related_name="+", verbose_name=_("sent by unit")
    )
    sent_by = models.ForeignKey("orgs.User", models.PROTECT, related_name="+", verbose_name=_("sent by"))
    sent_on = models.DateField(_("date received by the unit"))
    ack_due = models.DateField(_("acceptance notice due"))  # 条例第二十三条第三款: 15 days
    objection_due = models.DateField(_("objection due"))  # 条例第二十三条第三款: 5 working days
    due_at = models.DateField(_("deadline"), null=True, blank=True)
    report_required = models.BooleanField(_("completion report required"), default=False)
    share = models.TextField(_("share of responsibility"), blank=True)  # 责任分摊表
    status = models.CharField(
        _("status"), max_length=12, choices=AssignmentStatus.choices, default=AssignmentStatus.PENDING
    )
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    objection_reason = models.TextField(_("objection reason"), blank=True)
    report_text = models.TextField(_("completion report"), blank=True)
    reported_on = models.DateField(_("reported on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["petition", "-is_lead", "id"]
        indexes = [models.Index(fields=["unit", "status"], name="assign_unit_status_idx")]

    def __str__(self) -> str:
        return f"{self.petition_id}→{self.unit_id} {self.duty}"


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class Extension(models.Model):
    """延期 (条例第三十四条): asked by the handling unit, approved once by a head (负责人), at most
    30 days, with a 延长办理期限告知书 stating the reason."""

    petition = models.ForeignKey(
        "petitions.Petition", models.PROTECT, related_name="extensions", verbose_name=_("petition")
    )
    days = models.PositiveSmallIntegerField(_("days"))
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(
        "orgs.User", models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING
    )
    decided_by = models.ForeignKey(
        "orgs.User", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    old_due = models.DateField(_("old deadline"))
    new_due = models.DateField(_("new deadline"))

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        constraints = [
            models.UniqueConstraint(
                fields=["petition"], condition=models.Q(status="approved"), name="extension_approved_once"
            ),
            models.UniqueConstraint(
                fields=["petition"], condition=models.Q(status="pending"), name="extension_pending_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.petition_id} +{self.days}"


class RefusalGround(models.TextChoices):
    """Why a matter is 不予受理 (or 不再受理): the ``ground`` of a refusal's case event and notice."""

    NOT_IN_REMIT = "not_in_remit", _("Not within the remit of this organ (art. 23)")  # 条例第二十三条第一款
    # 条例第十九条第三款 (XF-DUP-01)
    ACCEPTED_BELOW = "accepted_below", _("Already accepted or in progress below (art. 19 para. 3)")
    # 条例第三十六条第三款 (XF-DUP-02): 不再受理
    CONCLUDED = "concluded", _("Concluded after re-examination: no further acceptance (art. 36)")


class DecisionKind(models.TextChoices):
    OPINION = "opinion", _("Handling opinion")  # 信访处理意见书
    REVIEW = "review", _("Review opinion")  # 复查意见书
    RECHECK = "recheck", _("Re-examination opinion")  # 复核意见书


class Outcome(models.TextChoices):
    """条例第三十二条."""

    SUPPORT = "support", _("Supported")  # 支持
    EXPLAIN = "explain", _("Explained")  # 解释说明
    REJECT = "reject", _("Not supported")  # 不予支持


class Decision(models.Model):
    """A written decision. Its text never changes; only the delivery date is filled in later."""

    petition = models.ForeignKey(
        "petitions.Petition", models.PROTECT, related_name="decisions", verbose_name=_("petition")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=DecisionKind.choices)
    unit = models.ForeignKey("orgs.Unit", models.PROTECT, related_name="+", verbose_name=_("issuing unit"))
    requests = models.TextField(_("requests"))  # 投诉请求
    facts = models.TextField(_("facts and reasons"))  # 事实和理由
    opinion = models.TextField(_("opinion"))  # 处理意见
    basis = models.TextField(_("legal basis"))  # 法律法规依据
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    issued_on = models.DateField(_("issued on"))
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    issued_by = models.ForeignKey("orgs.User", models.PROTECT, related_name="+", verbose_name=_("issued by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["petition", "issued_on", "id"]

    def __str__(self) -> str:
        return f"{self.petition_id} {self.kind}"


class ExecutionTask(models.Model):
    """督促执行 of a supported decision (条例第三十二条第二款)."""

    petition = models.ForeignKey(
        "petitions.Petition", models.PROTECT, related_name="execution_tasks", verbose_name=_("petition")
    )
    decision = models.ForeignKey(Decision, models.PROTECT, related_name="tasks", verbose_name=_("decision"))
    unit = models.ForeignKey("orgs.Unit", models.PROTECT, related_name="+", verbose_name=_("unit"))
    description = models.TextField(_("what must be done"))
    due_at = models.DateField(_("deadline"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_note = models.TextField(_("how it was done"), blank=True)

    class Meta:
        verbose_name = _("execution task")
        verbose_name_plural = _("execution tasks")

    def __str__(self) -> str:
        return f"{self.petition_id} {self.description[:20]}"


class ReviewLevel(models.TextChoices):
    REVIEW = "review", _("Review")  # 复查
    RECHECK = "recheck", _("Re-examination")  # 复核


class ReviewRequest(models.Model):
    petition = models.ForeignKey(
        "petitions.Petition", models.PROTECT, related_name="review_requests", verbose_name=_("petition")
    )
    level = models.CharField(_("level"), max_length=10, choices=ReviewLevel.choices)
    unit = models.ForeignKey("orgs.Unit", models.PROTECT, related_name="+", verbose_name=_("reviewing unit"))
    requested_on = models.DateField(_("requested on"))
    due_at = models.DateField(_("deadline"))
    hearing_started_on = models.DateField(_("hearing started on"), null=True, blank=True)
    hearing_days = models.PositiveSmallIntegerField(_("hearing days"), default=0)
    decided = models.BooleanField(_("decided"), default=False)

    class Meta:
        verbose_name = _("review request")
        verbose_name_plural = _("review requests")
        ordering = ["petition", "requested_on", "id"]

    def __str__(self) -> str:
        return f"{self.petition_id} {self.level}"


class SupervisionLevel(models.TextChoices):
    SUPERVISE = "supervise", _("Supervision order")  # 督办
    CIRCULATE = "circulate", _("Circulated criticism")  # 通报
    LISTED = "listed", _("Listed supervision")  # 挂牌督办


class Supervision(models.Model):
    """督办单 (条例第三十八至四十条), by hand or raised by the sweep on 超期."""

    petition = models.ForeignKey(
        "petitions.Petition",
        models.PROTECT,
        related_name="supervisions",
        verbose_name=_("petition"),
        db_constraint=False,  # as CaseEvent.petition (cases 0006)
    )
    unit = models.ForeignKey("orgs.Unit", models.PROTECT, related_name="supervisions", verbose_name=_("unit"))
    issued_from = models.ForeignKey(
        "orgs.Unit", models.PROTECT, related_name="+", verbose_name=_("issued by unit")
    )
    issued_by = models.ForeignKey(
        "orgs.User", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("issued by")
    )
    automatic = models.BooleanField(_("raised automatically"), default=False)
    missed_due = models.DateField(_("missed deadline"), null=True, blank=True)
    level = models.CharField(_("level"), max_length=12, choices=SupervisionLevel.choices)
    reason = models.TextField(_("reason"))
    issued_on = models.DateField(_("issued on"))
    reply_due = models.DateField(_("reply due"))
    reply_text = models.TextField(_("progress reply"), blank=True)
    replied_on = models.DateField(_("replied on"), null=True, blank=True)

    class Meta:
        verbose_name = _("supervision order")
        verbose_name_plural = _("supervision orders")
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "missed_due"],
                condition=models.Q(automatic=True),
                name="supervision_auto_once",
            )
        ]
        indexes = [models.Index(fields=["unit", "replied_on"], name="supervision_unit_idx")]

    def __str__(self) -> str:
        return f"{self.petition_id} {self.level}"


class NoticeKind(models.TextChoices):
    ACCEPTANCE = "acceptance", _("Acceptance notice")  # 受理告知书
    NON_ACCEPTANCE = "non_acceptance", _("Non-acceptance notice")  # 不予受理告知书
    NO_FURTHER = "no_further", _("Notice of no further acceptance")  # 不再受理告知书
    EXTENSION = "extension", _("Extension notice")  # 延长办理期限告知书
    ASSIGNMENT = "assignment", _("Assignment order")  # 交办单
    SUPERVISION = "supervision", _("Supervision order")  # 督办单
    OPINION = "opinion", _("Handling opinion")  # 信访处理意见书
    REVIEW = "review", _("Review opinion")  # 复查意见书
    RECHECK = "recheck", _("Re-examination opinion")  # 复核意见书


class NoticeTemplate(models.Model):
    """The text of a notice, editable by administrators. ``body`` is a Django template."""

    kind = models.CharField(_("kind"), max_length=16, choices=NoticeKind.choices, unique=True)
    title = models.CharField(_("notice title"), max_length=100)
    number_prefix = models.CharField(_("document number prefix"), max_length=20)  # e.g. 信受
    body = models.TextField(_("body"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("notice template")
        verbose_name_plural = _("notice templates")

    def __str__(self) -> str:
        return self.title


class Notice(models.Model):
    """A generated notice, kept with the case. Never regenerated: the stored files are the record."""

    petition = models.ForeignKey(
        "petitions.Petition", models.PROTECT, related_name="notices", verbose_name=_("petition")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=NoticeKind.choices)
    unit = models.ForeignKey("orgs.Unit", models.PROTECT, related_name="+", verbose_name=_("issuing unit"))
    year = models.PositiveSmallIntegerField(_("year"))
    seq = models.PositiveIntegerField(_("sequence"))
    number = models.CharField(_("document number"), max_length=60)  # 文号
    source = models.CharField(_("source"), max_length=60)  # e.g. "decision:12", "extension:3"
    text = models.TextField(_("text"))
    docx = models.FileField(_("Word file"), upload_to="notices/%Y/")
    pdf = models.FileField(_("PDF file"), upload_to="notices/%Y/")
    sha256 = models.CharField(_("SHA-256 of the text"), max_length=64)
    created_by = models.ForeignKey(
        "orgs.User", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["petition", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "kind", "year", "seq"], name="notice_number_unique"),
            models.UniqueConstraint(fields=["petition", "kind", "source"], name="notice_once_per_source"),
        ]

    def __str__(self) -> str:
        return self.number


class HolidaySchedule(models.Model):
    """The State Council's holiday schedule for a year the calendar package does not know yet."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    holidays = models.TextField(_("holidays"), help_text=_("One date per line, YYYY-MM-DD."))
    workdays = models.TextField(
        _("adjusted working days"), blank=True, help_text=_("Weekend days that are worked, one per line.")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("holiday schedule")
        verbose_name_plural = _("holiday schedules")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")  # 满意
    BASIC = "basic", _("Basically satisfied")  # 基本满意
    DISSATISFIED = "dissatisfied", _("Dissatisfied")  # 不满意


class EvaluationTarget(models.TextChoices):
    BUREAU = "bureau", _("The petition bureau")  # 信访部门
    HANDLER = "handler", _("The handling unit")  # 责任单位


class EvaluationMethod(models.TextChoices):
    """How a rating reached the system: staff state how they collected it at a 回访; the
    petitioner's own rating comes through the public portal."""

    PHONE = "phone", _("Telephone return visit")  # 电话回访
    VISIT = "visit", _("Home visit")  # 上门回访
    LETTER = "letter", _("Return visit by letter")  # 信函回访
    PORTAL = "portal", _("The petitioner online")  # 网上评价


class StaffMethod(models.TextChoices):
    """The methods open to staff recording a rating (the portal is the petitioner's own)."""

    PHONE = EvaluationMethod.PHONE.value, EvaluationMethod.PHONE.label
    VISIT = EvaluationMethod.VISIT.value, EvaluationMethod.VISIT.label
    LETTER = EvaluationMethod.LETTER.value, EvaluationMethod.LETTER.label


STAFF_METHODS: tuple[str, ...] = tuple(StaffMethod.values)


class Evaluation(AppendOnlyModel):
    """回访 / 满意度评价 by the petitioner, of the bureau and of the handling unit."""

    petition = models.ForeignKey(
        "petitions.Petition", models.PROTECT, related_name="evaluations", verbose_name=_("petition")
    )
    target = models.CharField(_("evaluated"), max_length=10, choices=EvaluationTarget.choices)
    unit = models.ForeignKey("orgs.Unit", models.PROTECT, related_name="+", verbose_name=_("evaluated unit"))
    satisfaction = models.CharField(_("satisfaction"), max_length=14, choices=Satisfaction.choices)
    comment = models.TextField(_("comment"), blank=True)
    method = models.CharField(
        _("collected by"), max_length=10, choices=EvaluationMethod.choices, blank=True
    )  # blank only on ratings recorded before the method was asked
    recorded_by = models.ForeignKey(
        "orgs.User", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("recorded by")
    )
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        constraints = [
            models.UniqueConstraint(fields=["petition", "target"], name="evaluation_once_per_target")
        ]

    def __str__(self) -> str:
        return f"{self.petition_id} {self.target} {self.satisfaction}"
