"""Writing the audit log. Call inside the transaction of the change it records."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models, router, transaction
from django.utils import timezone

from xinfang.audit.chain import chain_tail, entry_hash
from xinfang.audit.models import AuditLog
from xinfang.writes import Insert

if TYPE_CHECKING:
    from xinfang.petitions.models import Petition


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    petition: Petition | None = None,
    detail: dict[str, Any] | None = None,
    ip: str | None = None,
) -> AuditLog:
    entry = _entry(actor=actor, action=action, obj=obj, petition=petition, detail=detail, ip=ip)
    values = {name: getattr(entry, name) for name in _CONTENT}
    values["ip"] = _IP.get_prep_value(values["ip"])  # as stored and read back, for the hash
    # The chain's tail is read and extended in one transaction (the caller's, if it has one).
    with transaction.atomic(savepoint=False):
        entry.prev_hash = chain_tail()
        entry.hash = entry_hash(values, entry.prev_hash)
        # Every change writes one: the INSERT is built once (xinfang.writes), not by Model.save().
        entry.pk = _INSERT.run(**values, prev_hash=entry.prev_hash, hash=entry.hash)
    entry._state.adding, entry._state.db = False, router.db_for_write(AuditLog)
    return entry


def _entry(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    petition: Petition | None,
    detail: dict[str, Any] | None,
    ip: str | None,
) -> AuditLog:
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditLog(
        at=timezone.now(),
        actor=user,
        actor_unit_id=getattr(user, "unit_id", None),
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        petition=petition,
        detail=detail or {},
        ip=ip,
    )


_CONTENT = (
    "at",
    "actor_id",
    "actor_unit_id",
    "action",
    "object_type",
    "object_id",
    "petition_id",
    "detail",
    "ip",
)
_INSERT = Insert(AuditLog, *_CONTENT, "prev_hash", "hash")
_IP = AuditLog._meta.get_field("ip")


def audit_personal_data_view(
    *, actor: Any, petition: Petition, petitioner_ids: list[int], ip: str | None, channel: str
) -> AuditLog:
    """Record that ``actor`` read the personal data (身份证号, phone, address) of these petitioners."""
    return audit_record(
        actor=actor,
        action="personal_data.view",
        obj=petition,
        petition=petition,
        detail={"petitioners": petitioner_ids, "via": channel},
        ip=ip,
    )


def client_ip(request: Any) -> str | None:
    return request.META.get("REMOTE_ADDR") or None
