"""Signing in with the second factor, and setting it up on the first login."""

from __future__ import annotations

import time

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from xinfang.audit.services import audit_record, client_ip
from xinfang.orgs import secondfactor, sessiontimes
from xinfang.orgs.models import User


class LoginView(auth_views.LoginView):
    """Django's login page, through django-axes' lockout (settings.AUTHENTICATION_BACKENDS); the
    session's clock starts here."""

    template_name = "registration/login.html"

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        sessiontimes.start(self.request.session, int(time.time()))
        return response


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


@login_required
@require_http_methods(["GET", "POST"])
def second_factor(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    device = secondfactor.confirmed_device(user)
    if device is None:
        return redirect("account:second_factor_setup")
    error = ""
    if request.method == "POST":
        if secondfactor.verify(device, request.POST.get("token", "")):
            otp_login(request, device)
            audit_record(actor=user, action="otp.verify", obj=user, ip=client_ip(request))
            return redirect(_next(request))
        error = _("Verification code: the code is wrong or has expired. Enter the six digits shown now.")
        audit_record(actor=user, action="otp.failure", obj=user, ip=client_ip(request))
    return render(request, "orgs/second_factor.html", {"error": error, "next": _next(request)})


@login_required
@require_http_methods(["GET", "POST"])
def second_factor_setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if secondfactor.confirmed_device(user) is not None and not request.user.is_verified():  # type: ignore[union-attr]  # django-otp's middleware adds is_verified
        return redirect("account:second_factor")
    device = secondfactor.enrolment_device(user)
    error = ""
    if request.method == "POST":
        if secondfactor.verify(device, request.POST.get("token", "")):
            secondfactor.confirm(device, user)
            otp_login(request, device)
            messages.success(request, _("The second factor is set up. Keep the authenticator app with you."))
            return redirect(_next(request))
        error = _("Verification code: the code is wrong or has expired. Enter the six digits shown now.")
    context = {
        "qr": secondfactor.qr_svg(device),
        "secret": secondfactor.secret_text(device),
        "error": error,
        "next": _next(request),
    }
    return render(request, "orgs/second_factor_setup.html", context)
