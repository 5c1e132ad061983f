"""Project middleware."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from xinfang.orgs import secondfactor, sessiontimes
from xinfang.orgs.models import User


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Simplified Chinese for everyone unless the user chose another language (the language cookie).

    Django's own middleware follows the browser's Accept-Language; the computers of a bureau are often
    set to English, and a clerk would then get an English system. The product's language is
    Chinese; English is there for those who pick it."""

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


Handler = Callable[[HttpRequest], HttpResponse]


class SessionTimeoutMiddleware:
    """等保 2.0 login-failure handling: a session ends after ``XINFANG_SESSION_IDLE_SECONDS`` without a
    request, and ``SESSION_COOKIE_AGE`` after the login however busy it is. (django-session-timeout,
    unmaintained since 2020, does one of the two.)"""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            if sessiontimes.expired(request.session, now):
                logout(request)
                messages.info(
                    request, _("You were signed out after a time without activity. Please sign in again.")
                )
                return redirect_to_login(request.get_full_path())
            sessiontimes.touch(request.session, now)
        return self.get_response(request)


class SecondFactorMiddleware:
    """Leaders, supervisors and administrators reach no page before their second factor (when
    ``XINFANG_OTP_REQUIRED``): the code page, or its setup on the first login. The API is
    unaffected: it authenticates by token, never by the session."""

    OPEN = ("/static/", "/api/", "/healthz", "/login/", "/logout/", "/account/second-factor/")

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            isinstance(user, User)
            and not request.path.startswith(self.OPEN)
            and secondfactor.needs_second_factor(user)
            and not user.is_verified()  # type: ignore[attr-defined]  # added by django-otp's middleware
        ):
            return redirect(
                f"{reverse('account:second_factor')}?{urlencode({'next': request.get_full_path()})}"
            )
        return self.get_response(request)
