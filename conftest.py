import pytest

from xinfang.testing import World, build_world


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings) -> None:
    # The personas are rebuilt for every test; PBKDF2 would spend most of the suite hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db) -> World:
    return build_world()


def _allow_flush(sender, connection, **kwargs) -> None:
    """Django empties the test database between transactional tests (DELETE on SQLite, TRUNCATE on
    PostgreSQL), which the append-only tables otherwise refuse (audit migration 0004)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET xinfang.maintenance = 'on'")


def pytest_configure(config) -> None:
    from django.db.backends.signals import connection_created

    from xinfang.sqlite import base as sqlite_base

    sqlite_base.maintenance.flush_allowed = True
    connection_created.connect(_allow_flush)
