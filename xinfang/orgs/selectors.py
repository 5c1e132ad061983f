"""Readers for the unit tree and a user's scope."""

from __future__ import annotations

from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

from xinfang.orgs.models import Unit, User
from xinfang.prepared import Prepared

# The scope of every list and search: compiled once (xinfang.prepared). ``path__startswith``
# would rewrite the value into a pattern; here the caller passes the pattern itself.
_SUBTREE = Prepared(
    lambda pattern: Unit.objects.filter(
        Q(RawSQL("orgs_unit.path LIKE %s ESCAPE '\\'", [pattern], output_field=BooleanField()))
    ).values_list("pk", flat=True),
    pattern=str,
)


# Registrations and routing look units up by code on every request: compiled once; codes are unique.
_BY_CODE = Prepared(lambda code: Unit.objects.filter(code=code)[:1], code=str)
_ACTIVE_BY_CODE = Prepared(lambda code: Unit.objects.filter(code=code, is_active=True)[:1], code=str)


def unit_by_code(code: str, *, active: bool = True) -> Unit | None:
    return (_ACTIVE_BY_CODE if active else _BY_CODE).first(code=code)


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def subtree_ids(unit: Unit) -> list[int]:
    """The unit and every unit below it."""
    return _SUBTREE.all(pattern=_like_prefix(unit.path))


def in_scope(user: User, unit: Unit | None) -> bool:
    """Whether ``unit`` is in the user's scope (``scope_unit_ids``), decided from the units' paths
    without a query."""
    own = user.unit if user.is_authenticated else None
    if own is None or unit is None:
        return False
    if own.is_bureau:
        return unit.is_within(own.scope_root())
    return unit.pk == own.pk


def scope_unit_ids(user: User) -> list[int]:
    """Units whose cases the user may see: their own unit; a 信访部门 user also sees the units
    below (shared/domain.md, "Who uses it"). Cached on the user object for the request."""
    cached = getattr(user, "_xf_scope_ids", None)
    if cached is not None:
        return cached
    if not user.is_authenticated or user.unit is None:
        ids: list[int] = []
    elif user.unit.is_bureau:
        ids = subtree_ids(user.unit.scope_root())
    else:
        ids = [user.unit.pk]
    user._xf_scope_ids = ids  # type: ignore[attr-defined]  # the per-request cache read above
    return ids
