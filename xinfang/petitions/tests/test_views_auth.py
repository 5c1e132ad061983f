"""Signing in and out, and that every staff page needs a signed-in user."""

from __future__ import annotations

import pytest
from django.urls import reverse

from xinfang.testing import PASSWORD, register


def test_it_shows_the_login_page_in_chinese(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-Hans">' in html
    assert "登录" in html
    assert 'name="username"' in html and 'name="password"' in html
    assert "退出" not in html  # no navigation before signing in


def test_it_signs_in_to_the_work_queue(client, world):
    response = client.post(reverse("login"), {"username": "clerk", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("petitions:queue")
    html = client.get(response["Location"]).content.decode()
    assert "王登记" in html
    assert world.bureau.name in html


def test_it_returns_to_the_page_asked_for(client, world):
    petition = register(world.clerk)
    target = reverse("petitions:detail", args=[petition.pk])
    response = client.get(target)
    assert response.status_code == 302
    response = client.post(response["Location"], {"username": "clerk", "password": PASSWORD, "next": target})
    assert response["Location"] == target


def test_it_refuses_a_wrong_password_in_chinese(client, world):
    response = client.post(reverse("login"), {"username": "clerk", "password": "wrong"})
    assert response.status_code == 200
    assert "用户名" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_signs_out_with_a_post(client, world):
    client.force_login(world.clerk)
    html = client.get(reverse("petitions:queue")).content.decode()
    assert f'action="{reverse("logout")}"' in html
    assert "退出" in html
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("petitions:queue")).status_code == 302


@pytest.mark.parametrize(
    "name,args",
    [
        ("petitions:queue", []),
        ("petitions:list", []),
        ("petitions:new", []),
        ("petitions:register", ["visit"]),
        ("petitions:detail", [1]),
        ("petitions:attachment", [1, 1]),
    ],
)
def test_every_staff_page_needs_a_signed_in_user(client, db, name, args):
    url = reverse(name, args=args)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_it_offers_registration_only_to_users_who_may_register(client, world):
    client.force_login(world.clerk)
    assert reverse("petitions:register", args=["visit"]) in client.get("/").content.decode()
    client.force_login(world.township_handler)
    assert reverse("petitions:register", args=["visit"]) not in client.get("/").content.decode()


def test_it_answers_a_forbidden_page_in_chinese(client, world):
    client.force_login(world.township_handler)
    response = client.get(reverse("petitions:new"))
    assert response.status_code == 403
    assert "无权" in response.content.decode()
