"""Transitions of a case (docs/lifecycle.md). Every service:
- is keyword-only and atomic; views, the API, admin actions and commands call these and nothing else;
- checks its guards and raises ``ActionRefused`` with a Chinese message naming the field;
- moves the status by compare-and-swap on ``Petition.version`` (exactly one of two simultaneous
  actions wins; the other gets ``Conflict``);
- writes a ``CaseEvent`` and an ``AuditLog`` entry in the same transaction.
"""

from __future__ import annotations

from xinfang.workflow.services.after_reply import (
    case_archive,
    case_close,
    case_deliver,
    case_evaluate,
    case_hearing,
    case_request_recheck,
    case_request_review,
    case_review_decide,
)
from xinfang.workflow.services.core import (
    DECISION_DAYS,
    HANDLING_DAYS,
    MAX_EXTENSION_DAYS,
    OBJECTION_WORKING_DAYS,
    RECHECK_DAYS,
    RECHECK_REQUEST_DAYS,
    REVIEW_DAYS,
    REVIEW_REQUEST_DAYS,
    SUPERVISION_REPLY_DAYS,
    due,
    events_of,
    identity_known,
    record_registration,
    today,
)
from xinfang.workflow.services.handling import (
    DecisionInput,
    case_decide_extension,
    case_record_procedure,
    case_reply,
    case_report,
    case_request_extension,
    execution_done,
)
from xinfang.workflow.services.receiving import (
    case_accept,
    case_decide_objection,
    case_object,
)
from xinfang.workflow.services.routing import (
    AssignmentSpec,
    case_assign,
    case_direct_reply,
    case_refuse,
    case_transfer,
    refusal_confirm,
)
from xinfang.workflow.services.supervision import (
    overseeing_bureaus,
    supervision_issue,
    supervision_reply,
)

__all__ = [
    "AssignmentSpec",
    "DECISION_DAYS",
    "DecisionInput",
    "HANDLING_DAYS",
    "MAX_EXTENSION_DAYS",
    "OBJECTION_WORKING_DAYS",
    "RECHECK_DAYS",
    "RECHECK_REQUEST_DAYS",
    "REVIEW_DAYS",
    "REVIEW_REQUEST_DAYS",
    "SUPERVISION_REPLY_DAYS",
    "case_accept",
    "case_archive",
    "case_assign",
    "case_close",
    "case_decide_extension",
    "case_decide_objection",
    "case_deliver",
    "case_direct_reply",
    "case_evaluate",
    "case_hearing",
    "case_object",
    "case_record_procedure",
    "case_refuse",
    "case_reply",
    "case_report",
    "case_request_extension",
    "case_request_recheck",
    "case_request_review",
    "case_review_decide",
    "case_transfer",
    "due",
    "events_of",
    "execution_done",
    "identity_known",
    "overseeing_bureaus",
    "record_registration",
    "refusal_confirm",
    "supervision_issue",
    "supervision_reply",
    "today",
]
