"""Login through django-axes' lockout check."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class LockoutBackend(AxesStandaloneBackend):
    """django-axes refuses a locked-out user name or address before the password is checked.

    Every login of a person comes with a request (the login page, the admin's). Only code
    authenticates without one — the test client's ``login()``, a shell — and that goes on to
    Django's own backend, as it would without django-axes."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        super().authenticate(request, username, password, **kwargs)
        return None
