"""Complex passwords (等保 2.0 third level): at least 10 characters, not all digits, not like the
username or the name, not the pinyin of the name."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "password",
    ["84736251", "8473625190", "short-1", "wangfang2024", "Fangwang!2024", "WFang#19900101x"],
)
def test_it_refuses_weak_passwords(world, password):
    world.clerk.full_name = "王芳"
    with pytest.raises(ValidationError):
        validate_password(password, world.clerk)


def test_it_accepts_a_long_unrelated_password(world):
    world.clerk.full_name = "王芳"
    validate_password("渡口-Qingshan-7731", world.clerk)
