"""The provider's configuration, read from ``<issuer>/.well-known/openid-configuration``.

mozilla-django-oidc takes each endpoint as a setting; here they come from discovery instead,
fetched on the first sign-in and cached (DISCOVERY_CACHE_SECONDS), so only the issuer is
configured.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
import requests
from django.conf import settings
from django.core.cache import cache

from cards.outbound import deadline_client, tls_context

DISCOVERY_CACHE_SECONDS = 3600
LOOPBACK_HOSTS = {"127.0.0.1", "::1", "localhost"}
ENDPOINTS = ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri")


class ProviderUnavailable(Exception):
    """The provider could not be reached or answered something that is not OIDC discovery."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def sso_enabled() -> bool:
    return bool(settings.OIDC_ISSUER_URL and settings.OIDC_RP_CLIENT_ID)


def url_allowed(url: str) -> bool:
    """HTTPS, or plain HTTP to this machine (a provider on loopback, as in the tests)."""
    parts = urlsplit(url)
    return parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS)


def provider_fetch(method: str, url: str, **kwargs) -> httpx.Response:
    """One call to the provider, over by OIDC_TIMEOUT from its start whatever the provider
    sends (a byte at a time included: cards/outbound.py). Failures are requests' exceptions,
    as mozilla-django-oidc's own calls raise them and the callback view refuses them."""
    timeout = settings.OIDC_TIMEOUT
    try:
        with deadline_client(timeout, verify=tls_context()) as client:
            response = client.request(method, url, **kwargs)
    except httpx.TimeoutException:
        raise requests.Timeout(f"No answer from {url} within {timeout} s.") from None
    except httpx.HTTPError as error:
        raise requests.ConnectionError(f"Could not reach {url}: {error}") from None
    if not response.is_success:
        raise requests.HTTPError(f"{url} answered {response.status_code}: {response.text[:500]}")
    return response


def provider_configuration() -> dict:
    issuer = settings.OIDC_ISSUER_URL
    key = f"sso:discovery:{issuer}"
    document = cache.get(key)
    if document is not None:
        return document
    url = f"{issuer}/.well-known/openid-configuration"
    try:
        document = provider_fetch("GET", url).json()
    except (requests.RequestException, ValueError) as exc:
        raise ProviderUnavailable(
            f"The identity provider could not be reached at {url} ({type(exc).__name__}). "
            "Try again in a moment; if it persists, tell a site admin."
        ) from exc
    if not isinstance(document, dict) or document.get("issuer", "").rstrip("/") != issuer:
        found = document.get("issuer") if isinstance(document, dict) else None
        raise ProviderUnavailable(
            f"The identity provider at {url} names its issuer {found!r}, not {issuer!r}: "
            "OIDC_ISSUER_URL is wrong."
        )
    for name in ENDPOINTS:
        if not isinstance(document.get(name), str) or not url_allowed(document[name]):
            raise ProviderUnavailable(
                f"The identity provider's discovery document gives no usable {name} "
                "(HTTPS, or HTTP on loopback only)."
            )
    cache.set(key, document, DISCOVERY_CACHE_SECONDS)
    return document
