"""The production profile (XINFANG_SECURE=1) and the headers every page carries (等保 2.0)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from xinfang.testing import PASSWORD

pytestmark = pytest.mark.django_db
PROJECT = Path(__file__).resolve().parents[2]


def test_check_deploy_is_clean_in_the_production_profile(tmp_path):
    env = {**os.environ, "XINFANG_SECURE": "1", "XINFANG_VAR_DIR": str(tmp_path)}
    env.pop("XINFANG_DEBUG", None)
    env.pop(
        "DJANGO_ALLOW_ASYNC_UNSAFE", None
    )  # set by the browser tests in this process, never in deployment
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_the_production_profile_turns_on_https_and_the_second_factor(tmp_path):
    env = {**os.environ, "XINFANG_SECURE": "1", "XINFANG_VAR_DIR": str(tmp_path)}
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'xinfang.settings'); django.setup();"
        "from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.XINFANG_OTP_REQUIRED)"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter and a constant program
        [sys.executable, "-c", code], cwd=PROJECT, env=env, capture_output=True, text=True
    )
    assert done.stdout.split() == ["True"] * 5, done.stderr


def test_every_page_carries_a_policy_without_inline_scripts(client, world):
    client.login(username="clerk", password=PASSWORD)
    policy = client.get("/").headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in directives["script-src"] and "frame-ancestors" in directives


def test_the_templates_hold_no_inline_script():
    """Every script is a static file: the policy would block an inline one (and its page break)."""
    offenders = []
    for template in (PROJECT / "xinfang").rglob("templates/**/*.html"):
        text = template.read_text()
        for chunk in text.split("<script")[1:]:
            head = chunk.split(">", 1)[0]
            if "src=" not in head and 'type="application/json"' not in head:
                offenders.append(str(template))
        if " onclick=" in text or " onchange=" in text or " onsubmit=" in text or "javascript:" in text:
            offenders.append(str(template))
    assert offenders == []


def test_the_api_docs_are_for_staff_and_served_locally(client, world):
    response = client.get("/api/v1/docs")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    client.login(username="clerk", password=PASSWORD)
    page = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page and "cdn" not in page.lower()
    assert client.get("/api/v1/openapi.json").status_code == 200  # the schema stays public for clients
