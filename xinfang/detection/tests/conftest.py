from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from xinfang.api.tests.helpers import ApiClient
from xinfang.detection import weights
from xinfang.orgs.models import User
from xinfang.orgs.services import token_create


@pytest.fixture(autouse=True)
def _fresh_weights() -> Iterator[None]:
    weights.forget()
    yield
    weights.forget()


@pytest.fixture
def api(world) -> Callable[[User | None], ApiClient]:
    def for_user(user: User | None) -> ApiClient:
        return ApiClient(token_create(user=user, name="tests") if user is not None else None)

    return for_user
