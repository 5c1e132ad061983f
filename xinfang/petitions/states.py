"""The case state machine as data (docs/lifecycle.md).

``TRANSITIONS`` maps (status, action) to the next status. Each action is performed by exactly one
service in ``workflow.services``, which checks the guards, compares-and-swaps the status and writes a
``CaseEvent``. No other module compares raw status strings.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    # 登记: waiting for the 信访部门 (or the receiving organ) to decide within 15 days (条例第二十二条).
    REGISTERED = "registered", _("Registered")
    # 转送/交办: sent to the competent unit(s), waiting for 受理 or 异议 (条例第二十三条第三款).
    ROUTED = "routed", _("Awaiting acceptance")
    # 异议: the receiving unit says the matter is not within its remit; the sender decides.
    OBJECTED = "objected", _("Objection pending")
    # 受理: in handling; for route (六) the 60-day limit of 条例第三十四条 runs.
    ACCEPTED = "accepted", _("In handling")
    # 信访处理意见书 issued (条例第三十二条); the 30-day 复查 window runs from delivery.
    REPLIED = "replied", _("Replied")
    # 复查 requested to the next level up (条例第三十五条).
    REVIEW = "review", _("Under review")
    # 复查意见书 issued; the 30-day 复核 window runs.
    REVIEWED = "reviewed", _("Reviewed")
    # 复核 requested to the next level up again (条例第三十六条).
    RECHECK = "recheck", _("Under re-examination")
    # 终结 after 复核: the same facts and reasons are not accepted again (条例第三十六条第三款).
    CONCLUDED = "concluded", _("Concluded")
    # 不予受理 (not within remit, or 条例第十九条第三款).
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    # 办结: handled to the end without a pending review.
    CLOSED = "closed", _("Closed")
    # 归档 with all documents.
    ARCHIVED = "archived", _("Archived")


S = Status

TRANSITIONS: dict[tuple[Status | None, str], Status] = {
    (None, "register"): S.REGISTERED,
    # the 信访部门's decision within 15 days (条例第二十二条)
    (S.REGISTERED, "transfer"): S.ROUTED,  # 转送
    (S.REGISTERED, "assign"): S.ROUTED,  # 交办, with a fixed deadline and a 办结报告
    (S.REGISTERED, "refuse"): S.NOT_ACCEPTED,  # 不予受理
    (S.REGISTERED, "direct_reply"): S.CLOSED,  # 建议意见类 answered directly (条例第二十九条)
    (S.REGISTERED, "accept"): S.ACCEPTED,  # the registering organ is itself competent
    # the receiving unit (条例第二十三条第三款)
    (S.ROUTED, "accept"): S.ACCEPTED,
    (S.ROUTED, "object"): S.OBJECTED,
    (S.ROUTED, "refuse"): S.NOT_ACCEPTED,
    (S.OBJECTED, "objection_approve"): S.REGISTERED,  # materials go back to the sender
    (S.OBJECTED, "objection_reject"): S.ROUTED,  # the unit must handle it
    # handling (条例第三十一至三十四条)
    (S.ACCEPTED, "request_extension"): S.ACCEPTED,
    (S.ACCEPTED, "extend"): S.ACCEPTED,  # a head approves the extension
    (S.ACCEPTED, "refuse_extension"): S.ACCEPTED,
    (S.ACCEPTED, "report"): S.ACCEPTED,  # a 交办 unit's 办结报告 or a duty closed
    (S.ACCEPTED, "record_procedure"): S.CLOSED,  # routes (一)–(五): the statutory procedure
    (S.ACCEPTED, "reply"): S.REPLIED,  # 信访处理意见书
    # after the reply
    (S.REPLIED, "deliver"): S.REPLIED,  # 送达
    (S.REPLIED, "request_review"): S.REVIEW,
    (S.REPLIED, "close"): S.CLOSED,  # the 复查 window passed or the petitioner is satisfied
    (S.REVIEW, "review_decide"): S.REVIEWED,  # 复查意见书
    (S.REVIEWED, "deliver"): S.REVIEWED,
    (S.REVIEWED, "request_recheck"): S.RECHECK,
    (S.REVIEWED, "close"): S.CLOSED,
    (S.RECHECK, "hearing_start"): S.RECHECK,  # 听证 time does not count (条例第三十六条第二款)
    (S.RECHECK, "hearing_end"): S.RECHECK,
    (S.RECHECK, "recheck_decide"): S.CONCLUDED,  # 复核意见书, then 终结
    (S.CONCLUDED, "deliver"): S.CONCLUDED,  # 送达 of the 复核意见书
    (S.CLOSED, "archive"): S.ARCHIVED,
    (S.CONCLUDED, "archive"): S.ARCHIVED,
    (S.NOT_ACCEPTED, "archive"): S.ARCHIVED,
}

# Cases that still need someone to act; these carry a ``due_at`` that the sweep watches.
OPEN_STATES: frozenset[Status] = frozenset(
    {S.REGISTERED, S.ROUTED, S.OBJECTED, S.ACCEPTED, S.REPLIED, S.REVIEW, S.REVIEWED, S.RECHECK}
)
# States in which the petitioner is waiting for the organ (deadline misses are 超期 and supervised).
ORGAN_OWES_ACTION: frozenset[Status] = frozenset(
    {S.REGISTERED, S.ROUTED, S.OBJECTED, S.ACCEPTED, S.REVIEW, S.RECHECK}
)


def next_status(current: Status | str | None, action: str) -> Status:
    key = (Status(current) if current else None, action)
    try:
        return TRANSITIONS[key]
    except KeyError as exc:
        raise ValueError(f"no transition {action!r} from {current!r}") from exc


def can(current: Status | str | None, action: str) -> bool:
    return (Status(current) if current else None, action) in TRANSITIONS


def actions_from(current: Status | str) -> list[str]:
    status = Status(current)
    return [action for (state, action) in TRANSITIONS if state == status]
