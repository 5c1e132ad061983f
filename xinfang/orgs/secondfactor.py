"""The second factor (等保 2.0 third level: two or more factors for administrators): a TOTP code from
an authenticator app, through django-otp, for bureau leaders, supervisors and administrators."""

from __future__ import annotations

import base64

import segno
from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from xinfang.audit.services import audit_record
from xinfang.orgs.models import Role, User

SECOND_FACTOR_ROLES = (Role.LEADER, Role.SUPERVISOR, Role.ADMIN)


def needs_second_factor(user: User) -> bool:
    return settings.XINFANG_OTP_REQUIRED and (user.is_superuser or user.role in SECOND_FACTOR_ROLES)


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def enrolment_device(user: User) -> TOTPDevice:
    """The device being set up: made once and kept until confirmed, so a reload shows the same code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def secret_text(device: TOTPDevice) -> str:
    """The key as an authenticator app asks for it when typed in (base32, in groups of four)."""
    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an inline SVG QR code (made here: no outside service)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4)


def verify(device: TOTPDevice, token: str) -> bool:
    """django-otp throttles repeated wrong codes on the device itself."""
    token = "".join(ch for ch in token if ch.isdigit())
    allowed, _ = device.verify_is_allowed()
    return bool(allowed and token and device.verify_token(token))


@transaction.atomic
def confirm(device: TOTPDevice, actor: User) -> None:
    TOTPDevice.objects.filter(user=actor, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(actor=actor, action="otp.enrol", obj=actor)
