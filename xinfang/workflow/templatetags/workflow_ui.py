"""``{{ petition|deadline_alert }}``: 超期 (``"overdue"``), 临期 (``"near"``) or ``""`` as of today."""

from __future__ import annotations

from django import template

from xinfang.petitions.models import Petition
from xinfang.workflow.deadlines import deadline_alert as _deadline_alert

register = template.Library()


@register.filter
def deadline_alert(petition: Petition) -> str:
    return _deadline_alert(petition)
