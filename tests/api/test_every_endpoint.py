"""Every operation in the OpenAPI document refuses a request without a valid token (401) and
another team's card (404), as problem+json."""

import re

import pytest
from django.utils import timezone

from api.api import api
from api.models import ApiToken
from tests.api.conftest import ApiClient, token_of
from tests.factories import make_card

pytestmark = pytest.mark.django_db

PATHS = api.get_openapi_schema()["paths"]
OPERATIONS = [
    (method.upper(), path)
    for path, methods in PATHS.items()
    for method, operation in methods.items()
    if operation.get("security")
]
PUBLIC = [
    (method.upper(), path)
    for path, methods in PATHS.items()
    for method, operation in methods.items()
    if not operation.get("security")
]


def test_only_the_published_attestation_keys_need_no_token():
    assert PUBLIC == [("GET", "/api/v1/attestation-keys")]


VALUES = {"name": "churn-model", "number": "1", "publication_id": "1"}


def concrete(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda match: VALUES[match.group(1)], path)


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_without_or_with_a_revoked_token_every_operation_is_401(alice, method, path):
    make_card(user=alice)
    token, secret = token_of(alice)
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    for client in (ApiClient(None), ApiClient(secret)):
        response = client.request(method, concrete(path), {} if method != "GET" else None)
        assert response.status_code == 401, response.content
        assert response["Content-Type"] == "application/problem+json"


CARD_OPERATIONS = [(m, p) for m, p in OPERATIONS if "{name}" in p]


@pytest.mark.parametrize(
    ("method", "path"), CARD_OPERATIONS, ids=[f"{m} {p}" for m, p in CARD_OPERATIONS]
)
def test_another_teams_card_is_404_on_every_operation(alice, charlie, method, path):
    make_card(user=alice)
    _, secret = token_of(charlie)
    response = ApiClient(secret).request(
        method, concrete(path), {} if method != "GET" else None, headers={"If-Match": "1"}
    )
    assert response.status_code == 404, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert "churn-model" not in response.json()["detail"]
