"""Where a case stands against its deadline today: 临期 (due soon) and 超期 (overdue).

Computed from the stored, indexed ``Petition.due_at`` and the status, so lists and pages are right
whether or not the sweep has run yet; the sweep (workflow.sweep) records each warning once per deadline
as a case event and opens 督办 on 超期 (条例第四十条).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.utils import timezone

from xinfang.lib.deadlines import due_date
from xinfang.petitions.states import ORGAN_OWES_ACTION, Status
from xinfang.workflow.calendar import calendar

if TYPE_CHECKING:
    from xinfang.petitions.models import Petition

NEAR_WORKING_DAYS = 3  # 临期: this many working days before the deadline
ALERT_NEAR = "near"
ALERT_OVERDUE = "overdue"


def near_limit(today: date) -> date:
    """The last deadline that is 临期 on ``today``: ``NEAR_WORKING_DAYS`` working days ahead."""
    return due_date(today, NEAR_WORKING_DAYS, working_days=True, calendar=calendar())


def owes_action(status: str) -> bool:
    """The petitioner is waiting for the organ: a missed deadline is the organ's (超期)."""
    return Status(status) in ORGAN_OWES_ACTION


def deadline_alert(petition: Petition, today: date | None = None) -> str:
    if petition.due_at is None or not petition.is_open or not owes_action(petition.status):
        return ""
    today = today or timezone.localdate()
    if petition.due_at < today:
        return ALERT_OVERDUE
    if petition.due_at <= near_limit(today):
        return ALERT_NEAR
    return ""
