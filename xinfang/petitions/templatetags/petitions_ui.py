"""Template helpers of the staff UI: `{% load petitions_ui %}`."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xinfang.petitions.models import Channel
from xinfang.petitions.states import Status

register = template.Library()

# The timeline's words for each CaseEvent action (xinfang.petitions.states.TRANSITIONS).
EVENT_LABELS = {
    "register": _("Registered"),  # 登记
    "transfer": _("Transferred"),  # 转送
    "assign": _("Assigned with a deadline"),  # 交办
    "refuse": _("Not accepted"),  # 不予受理
    "direct_reply": _("Answered directly"),
    "accept": pgettext_lazy("case event", "Accepted"),  # 受理
    "object": _("Objection raised"),  # 异议
    "objection_approve": _("Objection approved"),
    "objection_reject": _("Objection rejected"),
    "extend": _("Handling period extended"),  # 延期
    "report": _("Completion report submitted"),  # 办结报告
    "record_procedure": _("Directed to a statutory procedure"),
    "reply": _("Handling opinion issued"),  # 信访处理意见书
    "deliver": _("Document delivered"),  # 送达
    "request_review": _("Review requested"),  # 复查申请
    "close": _("Closed"),  # 办结
    "review_decide": _("Review decided"),  # 复查意见书
    "request_recheck": _("Re-examination requested"),  # 复核申请
    "hearing_start": _("Hearing started"),  # 听证
    "hearing_end": _("Hearing ended"),
    "recheck_decide": _("Re-examination decided"),  # 复核意见书
    "archive": _("Archived"),  # 归档
}


@register.simple_tag
def channel_choices() -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in Channel.choices]


@register.filter
def event_label(action: str) -> str:
    return str(EVENT_LABELS.get(action, action))


@register.filter
def status_label(value: str) -> str:
    try:
        return str(Status(value).label)
    except ValueError:
        return value


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key, "") if isinstance(mapping, dict) else ""
