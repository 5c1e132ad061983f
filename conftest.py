import pytest

from xinfang.testing import World, build_world


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings) -> None:
    # The personas are rebuilt for every test; PBKDF2 would spend most of the suite hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db) -> World:
    return build_world()
