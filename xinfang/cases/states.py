"""The case state machine as data (docs/lifecycle.md).

Only the states and transitions that have a service implementing them are listed here; later
work adds rows to ``TRANSITIONS`` and the services that perform them. No other module compares
raw status strings.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    # 登记: recorded, waiting for the 信访部门's decision within 15 days (条例第二十二条).
    REGISTERED = "registered", _("Registered")


# (from, action) -> to
TRANSITIONS: dict[tuple[Status | None, str], Status] = {
    (None, "register"): Status.REGISTERED,
}

OPEN_STATES: frozenset[Status] = frozenset({Status.REGISTERED})


def next_status(current: Status | None, action: str) -> Status:
    try:
        return TRANSITIONS[(current, action)]
    except KeyError as exc:
        raise ValueError(f"no transition {action!r} from {current!r}") from exc
