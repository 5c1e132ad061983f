"""Writers for units, users and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from xinfang.audit.services import audit_record
from xinfang.orgs.models import ApiToken, TokenScope, User
from xinfang.prepared import Prepared

TOKEN_PREFIX = "xf_"  # noqa: S105 - a visible prefix, not a secret


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def token_create(
    *,
    user: User,
    name: str = "",
    actor: User | None = None,
    days: int | None = None,
    scope: str = TokenScope.WRITE,
) -> str:
    """Create a bearer token and return its secret; only its hash is kept. It expires after
    ``days`` (default ``XINFANG_TOKEN_DAYS``, 90); a ``read`` token may only read."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    lifetime = days if days is not None else settings.XINFANG_TOKEN_DAYS
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=raw[:10],
        key_hash=hash_token(raw),
        expires_at=timezone.now() + timedelta(days=lifetime),
        scope=TokenScope(scope),
    )
    audit_record(
        actor=actor or user,
        action="token.create",
        obj=token,
        detail={"user": user.username, "scope": token.scope, "days": lifetime},
    )
    return raw


# Every API request runs this: compiled once (xinfang.prepared).
_ACTIVE_TOKEN = Prepared(
    lambda key_hash: ApiToken.objects.select_related("user__unit__parent").filter(
        key_hash=key_hash, revoked=False, user__is_active=True
    ),
    key_hash=str,
)


def token_lookup(raw: str) -> ApiToken | None:
    """The active token with this secret, with its active user, the user's unit and the unit's
    parent (what the scope of every request reads), or None."""
    token = _ACTIVE_TOKEN.first(key_hash=hash_token(raw))
    if token is None or (token.expires_at is not None and token.expires_at <= timezone.now()):
        return None
    return token
