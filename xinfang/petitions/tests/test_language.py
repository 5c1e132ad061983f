"""The UI speaks Simplified Chinese whatever the browser asks for; English only when chosen."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import translation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def chinese_afterwards():
    """A request leaves its language active in the thread; the next tests expect the default."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def test_an_english_browser_still_gets_the_chinese_login_page(client):
    page = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh-Hans"' in page
    assert "登录" in page


def test_a_user_who_chose_english_gets_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/login/").content.decode()
    assert 'lang="en"' in page


def test_an_unknown_language_cookie_falls_back_to_chinese(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    assert "登录" in client.get("/login/").content.decode()
