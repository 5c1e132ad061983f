"""An API client that sends a persona's bearer token, and the check of the one error shape."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

BASE = "/api/v1"


class ApiClient:
    def __init__(self, token: str | None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, params: dict[str, Any] | None = None, **headers: str) -> Any:
        return self.client.get(BASE + path, params or {}, headers={**self.headers, **headers})

    def post(self, path: str, data: Any = None, *, raw: bytes | str | None = None, **headers: str) -> Any:
        body = raw if raw is not None else json.dumps(data)
        return self.client.post(
            BASE + path, body, content_type="application/json", headers={**self.headers, **headers}
        )

    def put(self, path: str, data: Any = None) -> Any:
        return self.client.put(
            BASE + path, json.dumps(data), content_type="application/json", headers=self.headers
        )


def error_of(response: Any) -> dict[str, Any]:
    """The error object, after checking that the body has exactly the one shape."""
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "fields"}, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]
