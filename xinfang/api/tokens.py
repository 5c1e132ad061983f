"""The operations behind ``xinfang token`` (xinfang/orgs/management/commands/token.py): bearer
tokens for /api/v1. Creation is ``orgs.services.token_create``; the messages live here, with the
API they serve, so they are in the api catalogue."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from xinfang.audit.services import audit_record
from xinfang.orgs.models import ApiToken, TokenScope, User
from xinfang.orgs.services import hash_token, token_create

PREFIX_CHARS = 10  # ApiToken.prefix: the first characters of the secret, shown to tell tokens apart
MIN_PREFIX_CHARS = 6


class TokenCommandError(Exception):
    """A refusal, with a message for the person at the console."""


@dataclass(frozen=True)
class Created:
    user: User
    token: str

    def lines(self) -> list[str]:
        """What the console shows; the token is the last word, alone on the last line."""
        unit = self.user.unit.name if self.user.unit else _("no unit")
        return [
            _(
                "Created an API token for user “%(username)s” (%(name)s, %(unit)s). It is shown only this "
                "once; keep it secret and send it as “Authorization: Bearer <token>”:"
            )
            % {"username": self.user.username, "name": self.user.full_name or "-", "unit": unit},
            self.token,
        ]


MAX_TOKEN_DAYS = 366  # a credential for at most a year


def create(*, username: str, name: str = "", days: int | None = None, read_only: bool = False) -> Created:
    user = User.objects.select_related("unit").filter(username=username).first()
    if user is None:
        raise TokenCommandError(
            _("There is no user “%(username)s”; no token was created.") % {"username": username}
        )
    if not user.is_active:
        raise TokenCommandError(
            _("User “%(username)s” is deactivated; no token was created.") % {"username": username}
        )
    if days is not None and not 1 <= days <= MAX_TOKEN_DAYS:
        raise TokenCommandError(
            _("Days: between 1 and %(max)d; no token was created.") % {"max": MAX_TOKEN_DAYS}
        )
    scope = TokenScope.READ if read_only else TokenScope.WRITE
    return Created(user=user, token=token_create(user=user, name=name, days=days, scope=scope))


def _matching(given: str) -> list[ApiToken]:
    if len(given) > PREFIX_CHARS:  # the whole secret
        qs = ApiToken.objects.filter(key_hash=hash_token(given))
    elif len(given) >= MIN_PREFIX_CHARS:
        qs = ApiToken.objects.filter(prefix__startswith=given)
    else:
        raise TokenCommandError(
            _("Give at least the first %(count)d characters of the token.") % {"count": MIN_PREFIX_CHARS}
        )
    return list(qs.filter(revoked=False).select_related("user"))


@transaction.atomic
def revoke(*, prefix: str) -> str:
    """Revoke the one active token that starts with ``prefix`` (or is the whole secret)."""
    given = prefix.strip()
    tokens = _matching(given)
    if not tokens:
        raise TokenCommandError(_("No active token starts with “%(prefix)s”.") % {"prefix": given})
    if len(tokens) > 1:
        raise TokenCommandError(
            _("%(count)d active tokens start with “%(prefix)s”; give more characters.")
            % {"count": len(tokens), "prefix": given}
        )
    token = tokens[0]
    ApiToken.objects.filter(pk=token.pk).update(revoked=True)
    audit_record(
        actor=None, action="token.revoke", obj=token, detail={"user": token.user.username, "via": "cli"}
    )
    return _("Revoked token %(prefix)s… of user “%(username)s”.") % {
        "prefix": token.prefix,
        "username": token.user.username,
    }


def listing(*, username: str = "") -> list[str]:
    qs = ApiToken.objects.select_related("user").order_by("user__username", "created_at")
    if username:
        qs = qs.filter(user__username=username)
    lines = []
    for token in qs:
        last = (
            timezone.localtime(token.last_used_at).strftime("%Y-%m-%d %H:%M") if token.last_used_at else "-"
        )
        state = pgettext("api token", "revoked") if token.revoked else pgettext("api token", "active")
        lines.append(
            _("%(prefix)s…  %(username)s  %(name)s  created %(created)s  last used %(last)s  %(state)s")
            % {
                "prefix": token.prefix,
                "username": token.user.username,
                "name": token.name or "-",
                "created": timezone.localtime(token.created_at).strftime("%Y-%m-%d %H:%M"),
                "last": last,
                "state": state,
            }
        )
    return lines or [_("No tokens.")]
