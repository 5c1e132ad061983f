"""What the 等保 controls cost a request (issue 17: at most 2 ms together): the audit hash chain
(reading the chain's tail under its lock and hashing, per audit entry) and the login-lockout and
session checks (django-axes, the session timeouts, the second factor's middleware), each measured
against the same work without it."""

from __future__ import annotations

import statistics
import time
from typing import Any

from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone

from xinfang.audit.models import AuditLog
from xinfang.audit.services import _CONTENT, _INSERT, audit_record
from xinfang.orgs.models import User

CONTROLS = (
    "axes.middleware.AxesMiddleware",
    "xinfang.middleware.SessionTimeoutMiddleware",
    "xinfang.middleware.SecondFactorMiddleware",
    "django_otp.middleware.OTPMiddleware",
)


class TouchUser:
    """In the stack without the controls: loads the session and the user, as every page behind the
    login does, so that the difference is the controls' own cost."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        assert request.user.is_authenticated is not None
        return self.get_response(request)


def _per_call_ms(fn: Any, n: int) -> float:
    """The median of five rounds of ``n`` calls, per call."""
    rounds = []
    for _ in range(5):
        started = time.perf_counter()
        for i in range(n):
            fn(i)
        rounds.append((time.perf_counter() - started) / n * 1000)
    return round(statistics.median(rounds), 3)


def chain_figures(user: User, n: int = 300) -> dict[str, Any]:
    def chained(i: int) -> None:
        with transaction.atomic():
            audit_record(actor=user, action="bench.chain", obj=user, detail={"i": i})

    def plain(i: int) -> None:  # the same INSERT, without the tail read and the hash
        with transaction.atomic():
            values: dict[str, Any] = dict.fromkeys(_CONTENT)
            values.update(at=timezone.now(), actor_id=user.pk, actor_unit_id=user.unit_id, action="bench.plain",
                          object_type="orgs.user", object_id=str(user.pk), detail={"i": i})  # fmt: skip
            _INSERT.run(**values, prev_hash="", hash="")

    with_chain, without = _per_call_ms(chained, n), _per_call_ms(plain, n)
    return {"entries": n, "with_chain_ms": with_chain, "without_ms": without,
            "chain_ms_per_entry": round(with_chain - without, 3)}  # fmt: skip


def _requests(user: User, n: int) -> tuple[float, float]:
    """(a logged-in request of the cheapest page, a failed login), in ms, under the current settings."""
    client = Client()
    client.force_login(user)
    client.get("/healthz")
    request_ms = _per_call_ms(lambda i: client.get("/healthz"), n)
    anonymous = Client()

    def failed_login(i: int) -> None:  # from many addresses, so that no address lock stops the loop
        address = f"10.{i // 250 % 250}.{i % 250}.7"
        anonymous.post("/login/", {"username": user.username, "password": "x"}, REMOTE_ADDR=address)

    return request_ms, _per_call_ms(failed_login, max(20, n // 10))


def request_figures(user: User, n: int = 300) -> dict[str, Any]:
    """With and without the controls: the middleware and django-axes' backend. Both load the
    session and the user; the failed login's cost is dominated by the password hash (PBKDF2)."""
    bare = [m for m in settings.MIDDLEWARE if m not in CONTROLS] + ["bench.security.TouchUser"]
    with_request, with_login = _requests(user, n)
    with override_settings(
        MIDDLEWARE=bare, AUTHENTICATION_BACKENDS=["django.contrib.auth.backends.ModelBackend"]
    ):
        without_request, without_login = _requests(user, n)
    return {
        "requests": n,
        "with_request_ms": with_request,
        "without_request_ms": without_request,
        "with_failed_login_ms": with_login,
        "without_failed_login_ms": without_login,
        "controls_ms_per_request": round(with_request - without_request, 3),
        "lockout_ms_per_failed_login": round(with_login - without_login, 3),
    }


def security_figures() -> dict[str, Any]:
    user = User.objects.filter(is_active=True, unit__isnull=False).order_by("pk").first()
    if user is None:
        return {"error": "no user in the bench database"}
    chain = chain_figures(user)
    with override_settings(AXES_FAILURE_LIMIT=10**9):
        requests = request_figures(user)
    return {
        "audit_chain": chain,
        "requests": requests,
        "overhead_ms_per_request": round(
            max(chain["chain_ms_per_entry"], 0) + max(requests["controls_ms_per_request"], 0), 3
        ),
        "target_ms": 2,
        "audit_entries_written": AuditLog.objects.filter(action__startswith="bench.").count(),
    }
