"""Token use is in the audit log: at most once a minute per token, naming the request."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from api.models import ApiToken
from cards.events import Kind
from cards.models import AuditEvent

pytestmark = pytest.mark.django_db


def uses() -> list[tuple[str, str, int | None]]:
    events = AuditEvent.objects.filter(action=Kind.TOKEN_USE).order_by("pk")
    return [(event.actor.username, event.detail, event.token_id) for event in events]


def test_a_tokens_use_is_recorded_once_a_minute(alice, api_as):
    api = api_as(alice)
    token = ApiToken.objects.get()
    assert api.get("me").status_code == 200
    assert api.get("cards").status_code == 200

    assert uses() == [("alice", "GET /api/v1/me (via API token “ci”)", token.pk)]

    # A minute later the next request is recorded again.
    ApiToken.objects.update(last_used_at=timezone.now() - timedelta(seconds=61))
    api.get("cards")
    assert [detail for _, detail, _ in uses()] == [
        "GET /api/v1/me (via API token “ci”)",
        "GET /api/v1/cards (via API token “ci”)",
    ]


def test_a_refused_token_records_no_use(alice, api_as):
    api = api_as(alice)
    ApiToken.objects.update(revoked_at=timezone.now())
    assert api.get("me").status_code == 401
    assert uses() == []
