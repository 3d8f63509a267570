import json

import pytest
from django.test import Client

from api.tokens import token_create


class ApiClient:
    """The Django test client speaking to /api/v1/ with a bearer token."""

    def __init__(self, secret: str | None):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {secret}"} if secret else {}

    def request(self, method: str, path: str, body=None, *, headers=None, **kwargs):
        url = path if path.startswith("/") else f"/api/v1/{path}"
        all_headers = {**self.headers, **(headers or {})}
        call = getattr(self.client, method.lower())
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        if body is not None:
            kwargs.setdefault("content_type", "application/json")
            return call(url, body, headers=all_headers, **kwargs)
        return call(url, headers=all_headers, **kwargs)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, body=None, **kwargs):
        return self.request("POST", path, body, **kwargs)

    def put(self, path, body=None, **kwargs):
        return self.request("PUT", path, body, **kwargs)

    def patch(self, path, body=None, **kwargs):
        return self.request("PATCH", path, body, **kwargs)


def token_of(user, scopes=("read", "write", "publish"), days=30):
    return token_create(user=user, name="ci", scopes=list(scopes), expires_in_days=days)


@pytest.fixture
def api_as():
    def make(user, scopes=("read", "write", "publish")):
        _, secret = token_of(user, scopes)
        return ApiClient(secret)

    return make
