from __future__ import annotations

from collections.abc import Callable

import pytest

from xinfang.api.tests.helpers import ApiClient
from xinfang.orgs.models import User
from xinfang.orgs.services import token_create


@pytest.fixture
def api(world) -> Callable[[User | None], ApiClient]:
    """``api(world.clerk)``: a client sending a fresh token of that persona; ``api(None)``: none."""

    def for_user(user: User | None) -> ApiClient:
        return ApiClient(token_create(user=user, name="tests") if user is not None else None)

    return for_user
