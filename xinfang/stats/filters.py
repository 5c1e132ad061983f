"""Reading the period, unit and split filters of the statistics pages and API from query parameters.

Period parameters: ``from`` and ``to`` (YYYY-MM-DD, a custom period, recognised as whole statistical
months when it is one), or ``year`` with ``month`` (one month), ``quarter`` (1–4), ``m1``/``m2``
(months m1..m2) or nothing (the whole year). Default: this year up to the current month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from xinfang.orgs.models import Unit, User
from xinfang.petitions.models import Category, Channel
from xinfang.stats.periods import Period, month_index, period_from_dates
from xinfang.stats.selectors import Scope, user_scope

PERIOD_PARAMS = ("from", "to", "year", "month", "quarter", "m1", "m2")


class FilterInvalid(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _int(params: Any, name: str, low: int, high: int) -> int | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise FilterInvalid(
            name,
            _("%(field)s: a whole number from %(low)d to %(high)d.")
            % {"field": name, "low": low, "high": high},
        )
    return value


def _date(params: Any, name: str) -> date | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise FilterInvalid(name, _("%(field)s: a date written YYYY-MM-DD.") % {"field": name}) from None


def parse_period(params: Any, start_day: int, *, today: date | None = None) -> Period:
    today = today or timezone.localdate()
    start, end = _date(params, "from"), _date(params, "to")
    if start or end:
        if start is None:
            raise FilterInvalid("from", _("from: required together with to."))
        if end is None:
            raise FilterInvalid("to", _("to: required together with from."))
        if end < start:
            raise FilterInvalid("to", _("to: must not be before from."))
        if (end - start).days > 366 * 10:
            raise FilterInvalid("to", _("to: a period is at most ten years long."))
        return period_from_dates(start, end, start_day)
    current = divmod(month_index(today, start_day), 12)
    year = _int(params, "year", 2000, 2100) or current[0]
    if (month := _int(params, "month", 1, 12)) is not None:
        return Period.month(year, month, start_day)
    if (quarter := _int(params, "quarter", 1, 4)) is not None:
        return Period.quarter(year, quarter, start_day)
    m1, m2 = _int(params, "m1", 1, 12), _int(params, "m2", 1, 12)
    if m1 is not None or m2 is not None:
        first, last = m1 or 1, m2 or 12
        if last < first:
            raise FilterInvalid("m2", _("m2: must not be before m1."))
        return Period.month_range(year, first, last, start_day)
    if params.get("year"):
        return Period.year(year, start_day)
    return Period.month_range(year, 1, current[1] + 1 if year == current[0] else 12, start_day)


def parse_scope(params: Any, user: User) -> Scope:
    """``unit`` (a unit code) within the user's scope; missing and forbidden read alike."""
    code = (params.get("unit") or "").strip()
    unit = None
    if code:
        unit = Unit.objects.filter(code=code).first()
        if unit is None:
            raise FilterInvalid("unit", _("unit: no such unit within your scope."))
    scope = user_scope(user, unit)
    if scope is None:
        raise FilterInvalid("unit", _("unit: no such unit within your scope."))
    return scope


@dataclass
class Filters:
    period: Period
    scope: Scope
    channel: str
    category: Category | None
    params: dict[str, str]

    def as_metric_filters(self) -> dict[str, Any]:
        return {"channel": self.channel, "category": self.category.pk if self.category else None}

    def query(self, **extra: Any) -> str:
        """The query string of these filters, with ``extra`` added (None removes a key)."""
        data = {k: v for k, v in self.params.items() if v}
        for key, value in extra.items():
            if value is None:
                data.pop(key, None)
            else:
                data[key] = str(value)
        return urlencode(data)


def parse_filters(params: Any, user: User, start_day: int) -> Filters:
    period = parse_period(params, start_day)
    scope = parse_scope(params, user)
    channel = (params.get("channel") or "").strip()
    if channel and channel not in Channel.values:
        raise FilterInvalid("channel", _("channel: choose one of the listed options."))
    code = (params.get("category") or "").strip()
    category = Category.objects.filter(code=code).first() if code else None
    if code and category is None:
        raise FilterInvalid("category", _("category: no such problem category."))
    kept = {
        name: (params.get(name) or "").strip() for name in (*PERIOD_PARAMS, "unit", "channel", "category")
    }
    return Filters(period, scope, channel, category, kept)
