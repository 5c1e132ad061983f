"""``{% detection_case_panel petition %}``: the person's history and the likely earlier matters on
any case page, whatever view built the page (the petition page, the cases handling page). The
page's view has reached the petition through ``access_petition``; the panel reads through the
same access rules and audits the personal data it shows."""

from __future__ import annotations

from typing import Any

from django import template

from xinfang.audit.services import client_ip
from xinfang.detection import panels
from xinfang.petitions.models import Petition

register = template.Library()


@register.inclusion_tag("detection/_case_panel_body.html", takes_context=True)
def detection_case_panel(
    context: template.Context, petition: Petition, audited: bool = False
) -> dict[str, Any]:
    """``audited``: the page's view has already audited the reading of this petition's petitioners."""
    request = context["request"]
    user = request.user
    panel = panels.case_panel(user, petition)
    if not audited:
        panels.audit_people(
            user=user, people=panel.people, petition=petition, ip=client_ip(request), via="case_panel"
        )
    return {
        "panel": panel,
        "petition": petition,
        "candidates": panel.matters,
        "can_link": panel.can_link,
        "threshold": panel.threshold,
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
        "request": request,
    }
