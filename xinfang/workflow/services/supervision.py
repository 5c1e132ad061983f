"""督查督办 (条例第三十八至四十条): 督办单 issued and answered."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from xinfang.audit.services import audit_record
from xinfang.cases.models import (
    CaseEvent,
    NoticeKind,
    Supervision,
    SupervisionLevel,
)
from xinfang.errors import Conflict
from xinfang.orgs.models import Unit, UnitKind, User
from xinfang.orgs.selectors import scope_unit_ids
from xinfang.petitions.models import Petition
from xinfang.workflow import guards
from xinfang.workflow.services.core import (
    SUPERVISION_REPLY_DAYS,
    _allowed,
    _issue_notice,
    _require,
    _require_text,
    due,
    today,
)


def _escalated_level(petition: Petition, unit_id: int) -> str:
    """Repeated failure escalates: the 2nd order is a 通报, the 3rd and later 挂牌督办."""
    earlier = Supervision.objects.filter(petition=petition, unit_id=unit_id).count()
    if earlier >= 2:
        return SupervisionLevel.LISTED
    if earlier == 1:
        return SupervisionLevel.CIRCULATE
    return SupervisionLevel.SUPERVISE


@transaction.atomic
def supervision_issue(
    *, petition: Petition, actor: User, unit: Unit, reason: str, reply_days: int = SUPERVISION_REPLY_DAYS
) -> Supervision:
    """A 督办单 by hand, from a bureau to a unit that holds the case."""
    _allowed(guards.may_supervise(petition, actor), petition)
    assert actor.unit is not None  # the guard made sure
    _require(
        unit.pk in scope_unit_ids(actor),
        _("A bureau supervises only cases and units of its own area."),
        code="forbidden",
    )
    _require(
        not guards.accused(petition, unit),
        _("Supervised unit: an order about an accusation never goes to the accused unit or a unit below it."),
        "unit",
    )
    reason = _require_text(reason, "reason", _("Reason"))
    _require(1 <= reply_days <= 60, _("Reply days: between 1 and 60."), "reply_days")
    supervision = Supervision.objects.create(
        petition=petition,
        unit=unit,
        issued_from=actor.unit,
        issued_by=actor,
        automatic=False,
        level=_escalated_level(petition, unit.pk),
        reason=reason,
        issued_on=today(),
        reply_due=due(today(), reply_days),
    )
    _record_supervision(petition, supervision, actor)
    return supervision


def _record_supervision(petition: Petition, supervision: Supervision, actor: User | None) -> None:
    CaseEvent.objects.create(
        petition=petition,
        action="supervise",
        old_status=petition.status,
        new_status=petition.status,
        actor=actor,
        unit=supervision.issued_from,
        reason=supervision.reason,
        data={"supervision": supervision.pk, "level": supervision.level, "unit": supervision.unit_id},
    )
    audit_record(
        actor=actor,
        action="case.supervise",
        obj=supervision,
        petition=petition,
        detail={"level": supervision.level},
    )
    _issue_notice(
        petition,
        NoticeKind.SUPERVISION,
        f"supervision:{supervision.pk}",
        supervision.issued_from,
        actor,
        {"supervision": supervision},
    )


@transaction.atomic
def supervision_reply(*, supervision: Supervision, actor: User, text: str) -> Supervision:
    """The unit answers a 督办单 with its 办理情况."""
    refusal = guards.may_answer_supervision(supervision, actor)
    if refusal is not None:
        raise refusal
    text = _require_text(text, "text", _("Progress reply"))
    if (
        Supervision.objects.filter(pk=supervision.pk, replied_on__isnull=True).update(
            reply_text=text, replied_on=today()
        )
        != 1
    ):
        raise Conflict
    supervision.refresh_from_db()
    audit_record(actor=actor, action="case.supervision_reply", obj=supervision, petition=supervision.petition)
    return supervision


def overseeing_bureaus() -> dict[int, int]:
    """Unit id → id of the 信访部门 that supervises it: the bureau under the nearest people's
    government above it (or the unit itself when none is found). All units in one query, so the
    sweep can address thousands of 督办单 without a lookup per case."""
    units = list(Unit.objects.order_by("path").values("pk", "parent_id", "kind", "is_active", "path"))
    bureau_below: dict[int, int] = {}  # area id → its first active bureau
    for u in units:
        if u["kind"] == UnitKind.BUREAU and u["is_active"] and u["parent_id"] is not None:
            bureau_below.setdefault(u["parent_id"], u["pk"])
    kinds = {u["pk"]: u["kind"] for u in units}
    result: dict[int, int] = {}
    for u in units:
        result[u["pk"]] = u["pk"]
        for area in reversed([int(part) for part in u["path"].strip("/").split("/") if part]):
            if area in bureau_below:
                result[u["pk"]] = bureau_below[area]
                break
            if kinds.get(area) == UnitKind.BUREAU:
                result[u["pk"]] = area
                break
    return result
