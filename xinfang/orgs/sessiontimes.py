"""When a session began and was last used: the idle and absolute timeouts (等保 2.0 third level)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.utils.translation import gettext_lazy as _

LOGIN_AT, SEEN_AT = "xinfang_login_at", "xinfang_seen_at"
SEEN_RESOLUTION = 60  # seconds: the last-seen time is written at most once a minute
SIGNED_OUT = _("You were signed out after a time without activity. Please sign in again.")


def start(session: SessionBase, now: int) -> None:
    """At login (the login view saves the session anyway, so this costs no write of its own)."""
    session[LOGIN_AT] = session[SEEN_AT] = now


def expired(session: SessionBase, now: int) -> bool:
    started, seen = session.get(LOGIN_AT, now), session.get(SEEN_AT, now)
    return now - seen > settings.XINFANG_SESSION_IDLE_SECONDS or now - started > settings.SESSION_COOKIE_AGE


def touch(session: SessionBase, now: int) -> None:
    """A session that did not begin at the login page (e.g. from an older release) starts now."""
    if LOGIN_AT not in session:
        start(session, now)
    elif now - session.get(SEEN_AT, 0) >= SEEN_RESOLUTION:
        session[SEEN_AT] = now
