"""Writers for units, users and API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction

from xinfang.audit.services import audit_record
from xinfang.orgs.models import ApiToken, User
from xinfang.prepared import Prepared

TOKEN_PREFIX = "xf_"  # noqa: S105 - a visible prefix, not a secret


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def token_create(*, user: User, name: str = "", actor: User | None = None) -> str:
    """Create a bearer token and return its secret; only its hash is kept."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=raw[:10], key_hash=hash_token(raw))
    audit_record(actor=actor or user, action="token.create", obj=token, detail={"user": user.username})
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
    return _ACTIVE_TOKEN.first(key_hash=hash_token(raw))
