"""等保 2.0 third level (GB/T 22239-2019): login-failure handling, session timeouts and a second
factor for leaders, supervisors and administrators."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from xinfang.audit.models import AuditLog
from xinfang.orgs.sessiontimes import LOGIN_AT, SEEN_AT
from xinfang.testing import PASSWORD

pytestmark = pytest.mark.django_db


def _login(client, username, password, ip="10.1.1.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_it_locks_a_user_name_after_five_wrong_passwords_even_for_the_right_one(client, world):
    assert all(_login(client, "clerk", "wrong-password-1").status_code == 200 for _ in range(4))
    assert _login(client, "clerk", "wrong-password-1").status_code == 429  # the fifth locks
    response = _login(client, "clerk", PASSWORD, ip="10.9.9.9")  # another computer: the name is locked
    assert response.status_code == 429 and "锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_locks_an_address_trying_many_user_names(client, world):
    for name in ("clerk", "leader", "supervisor", "township", "dept"):
        _login(client, name, "wrong-password-1", ip="10.2.2.2")
    assert _login(client, "city_clerk", PASSWORD, ip="10.2.2.2").status_code == 429
    assert _login(client, "city_clerk", PASSWORD, ip="10.3.3.3").status_code == 302


def test_an_administrator_lifts_a_lock(client, world):
    for _ in range(5):
        _login(client, "clerk", "wrong-password-1")
    call_command("axes_reset_username", "clerk")
    call_command("axes_reset_ip", "10.1.1.1")
    assert _login(client, "clerk", PASSWORD).status_code == 302


def test_the_lock_passes_with_time(client, world, settings):
    settings.AXES_COOLOFF_TIME = timedelta(seconds=1)
    for _ in range(5):
        _login(client, "clerk", "wrong-password-1")
    assert _login(client, "clerk", PASSWORD).status_code == 429
    time.sleep(1.2)
    assert _login(client, "clerk", PASSWORD).status_code == 302


def _age(client, **seconds_ago):
    session = client.session
    now = int(time.time())
    for key, ago in seconds_ago.items():
        session[key] = now - ago
    session.save()


def test_an_idle_session_ends(client, world, settings):
    assert _login(client, "clerk", PASSWORD).status_code == 302
    assert client.get("/").status_code == 200
    _age(client, **{SEEN_AT: settings.XINFANG_SESSION_IDLE_SECONDS + 5})
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client.get("/").status_code == 302  # logged out for good


def test_a_busy_session_ends_at_its_absolute_limit(client, world, settings):
    assert _login(client, "clerk", PASSWORD).status_code == 302
    _age(client, **{LOGIN_AT: settings.SESSION_COOKIE_AGE + 5, SEEN_AT: 10})
    assert client.get("/").status_code == 302


def test_an_active_session_goes_on(client, world):
    assert _login(client, "clerk", PASSWORD).status_code == 302
    _age(client, **{SEEN_AT: 600})
    assert client.get("/").status_code == 200


@pytest.fixture
def otp_on(settings):
    settings.XINFANG_OTP_REQUIRED = True


def _code(device):
    return f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"


def test_a_leader_sets_up_the_second_factor_at_the_first_login(client, world, otp_on):
    assert _login(client, "leader", PASSWORD).status_code == 302
    response = client.get("/stats/")
    assert response.status_code == 302 and response["Location"].startswith("/account/second-factor/")
    page = client.get("/account/second-factor/setup/")
    assert page.status_code == 200 and "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=world.leader, confirmed=False)
    assert client.post("/account/second-factor/setup/", {"token": "000000"}).status_code == 200
    device.refresh_from_db()
    device.throttle_reset()  # django-otp makes a wrong code wait a second before the next try
    response = client.post("/account/second-factor/setup/", {"token": _code(device), "next": "/stats/"})
    assert response.status_code == 302 and response["Location"] == "/stats/"
    assert client.get("/stats/").status_code == 200
    assert AuditLog.objects.filter(action="otp.enrol", actor=world.leader).exists()


def test_a_leader_with_a_device_must_give_the_code(client, world, otp_on):
    device = TOTPDevice.objects.create(user=world.leader, name="phone", confirmed=True)
    _login(client, "leader", PASSWORD)
    assert client.get("/").status_code == 302
    wrong = client.post("/account/second-factor/", {"token": "123456"})
    assert "验证码" in wrong.content.decode() and client.get("/").status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # the next wrong code waits longer
    device.throttle_reset()
    assert client.post("/account/second-factor/", {"token": _code(device)}).status_code == 302
    assert client.get("/").status_code == 200


def test_a_clerk_is_not_asked_for_a_second_factor(client, world, otp_on):
    _login(client, "clerk", PASSWORD)
    assert client.get("/").status_code == 200


def test_the_admin_also_needs_the_second_factor(client, world, otp_on):
    world.admin.is_staff = world.admin.is_superuser = True
    world.admin.save()
    _login(client, "bureau_admin", PASSWORD)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/account/second-factor/" in response["Location"]
