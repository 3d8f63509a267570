"""A provider that trickles its answers cannot hold a sign-in past OIDC_TIMEOUT: discovery,
the token, the user information and the signing keys are each fetched under one deadline."""

from __future__ import annotations

import time

import pytest
import requests
from django.core.cache import cache

from sso.backend import StudioOIDCBackend
from sso.discovery import ProviderUnavailable, provider_configuration
from tests.webhooks.test_delivery import trickling_receiver

pytestmark = pytest.mark.django_db

SLOW = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Slow: " + b"a" * 100


@pytest.fixture
def slow_provider(settings):
    with trickling_receiver(SLOW) as url:
        issuer = url.removesuffix("/hook")
        settings.OIDC_ISSUER_URL = issuer
        settings.OIDC_RP_CLIENT_ID = "studio"
        settings.OIDC_TIMEOUT = 1
        cache.clear()
        yield issuer
        cache.clear()


def test_a_trickling_discovery_document_is_given_up_at_the_timeout(slow_provider):
    started = time.monotonic()
    with pytest.raises(ProviderUnavailable, match="could not be reached"):
        provider_configuration()
    assert time.monotonic() - started < 3


@pytest.mark.parametrize("call", ["token", "userinfo", "jwks"])
def test_trickling_token_userinfo_and_key_endpoints_are_given_up_at_the_timeout(
    slow_provider, call
):
    endpoints = {
        name: f"{slow_provider}/{name}"
        for name in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri")
    }
    cache.set(f"sso:discovery:{slow_provider}", {"issuer": slow_provider, **endpoints}, 60)
    backend = StudioOIDCBackend()
    started = time.monotonic()
    with pytest.raises(requests.RequestException):
        if call == "token":
            backend.get_token({"code": "x"})
        elif call == "userinfo":
            backend.get_userinfo("token", "id", {})
        else:
            backend.retrieve_matching_jwk("e30.e30.sig")
    assert time.monotonic() - started < 3
