import pytest

from xinfang.testing import World, build_world


@pytest.fixture
def world(db) -> World:
    return build_world()
