"""Wrong API tokens are throttled per address, as sign-ins are (django-axes), and audited."""

from __future__ import annotations

import pytest
from django.test import Client

from cards.events import Kind
from cards.models import AuditEvent
from tests.api.conftest import token_of

pytestmark = pytest.mark.django_db


def get_me(secret: str, address: str):
    return Client(REMOTE_ADDR=address).get(
        "/api/v1/me", headers={"Authorization": f"Bearer {secret}"}
    )


def test_wrong_tokens_from_one_address_are_throttled_and_the_lockout_is_audited(alice, settings):
    _, good = token_of(alice)
    limit = settings.AXES_FAILURE_LIMIT
    answers = [get_me(f"mcs_wrong{n}", "203.0.113.7") for n in range(limit)]
    # The failure that reaches the limit is refused as a lockout already (as at sign-in).
    assert [answer.status_code for answer in answers] == [401] * (limit - 1) + [429]
    assert answers[-1]["Content-Type"].startswith("application/problem+json")

    refused = get_me("mcs_wrong-again", "203.0.113.7")
    assert refused.status_code == 429
    assert refused["Content-Type"].startswith("application/problem+json")
    assert int(refused["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
    assert "Too many wrong API tokens from this address" in refused.json()["detail"]
    # Per address: other addresses are not affected, and a valid token is never refused
    # (it cannot be guessed; one wrong secret in a CI network must not stop every pipeline).
    assert get_me("mcs_wrong-elsewhere", "198.51.100.2").status_code == 401
    assert get_me(good, "203.0.113.7").status_code == 200
    (lockout,) = AuditEvent.objects.filter(action=Kind.LOCKOUT)
    assert lockout.detail == f"API tokens from 203.0.113.7: {limit} wrong tokens."
