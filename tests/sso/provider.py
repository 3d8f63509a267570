"""The test OIDC provider (tests/oidc_provider/) as a process, and sign-ins through it
(a pytest plugin, registered in tests/conftest.py).

``oidc_provider`` starts it once per session on a free loopback port; ``sso`` points this
app's settings at it for one test. ``sign_in`` walks the real code flow: our start view,
the provider's login form (over HTTP, as a browser would), its redirect back, our callback.
"""

from __future__ import annotations

import secrets
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from django.core.cache import cache

from tests.worker_fixtures import free_port, stop

ROOT = Path(__file__).resolve().parent.parent.parent
PROVIDER_PASSWORD = "provider-password-1"  # noqa: S105 (the test provider's users)
CLIENT_ID = "model-card-studio"
REDIRECT_URIS = [
    # The test client's host, and the live server's (any port: RFC 8252 loopback).
    "http://testserver/oidc/callback/",
    "http://localhost/oidc/callback/",
    "http://127.0.0.1/oidc/callback/",
]


@dataclass
class Provider:
    url: str
    client_secret: str

    @property
    def issuer(self) -> str:
        return f"{self.url}/o"

    def person(self, username: str, groups: list[str], **fields) -> str:
        """Create or update a user at the provider (their groups replaced); returns the sub."""
        response = requests.post(
            f"{self.url}/people/",
            json={"username": username, "password": PROVIDER_PASSWORD, "groups": groups} | fields,
            timeout=10,
        )
        response.raise_for_status()
        return response.json()["sub"]


def start_provider(directory: Path) -> tuple[subprocess.Popen, Provider]:
    """The provider on a free loopback port, answering, with this app registered."""
    port = free_port()
    log = (directory / "provider.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.oidc_provider.serve", str(port), directory / "db.sqlite3"],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(f"{url}/o/.well-known/openid-configuration", timeout=2)
                break
            except requests.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "The test OIDC provider did not start: "
                        + (directory / "provider.log").read_text()
                    ) from None
                time.sleep(0.2)
        provider = Provider(url=url, client_secret=secrets.token_urlsafe(24))
        requests.post(
            f"{url}/client/",
            json={
                "client_id": CLIENT_ID,
                "client_secret": provider.client_secret,
                "redirect_uris": REDIRECT_URIS,
            },
            timeout=10,
        ).raise_for_status()
    except BaseException:
        stop(process)
        raise
    return process, provider


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    process, provider = start_provider(tmp_path_factory.mktemp("oidc-provider"))
    try:
        yield provider
    finally:
        stop(process)


@pytest.fixture
def sso(oidc_provider, settings):
    """This app signs in through the test provider (replace mode, roles in ``groups``)."""
    settings.OIDC_ISSUER_URL = oidc_provider.issuer
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = oidc_provider.client_secret
    settings.OIDC_RP_SCOPES = "openid email profile groups"
    settings.OIDC_PROVIDER_NAME = "Corp ID"
    settings.OIDC_CLAIM_PATH = "groups"
    settings.OIDC_ROLE_MODE = "replace"
    cache.clear()
    yield oidc_provider
    cache.clear()


def provider_login(authorize_url: str, username: str, password: str) -> str:
    """At the provider: its login form, then the authorization; returns where it sends the
    browser back to (our callback with code and state)."""
    browser = requests.Session()
    response = browser.get(authorize_url, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text
    login_url = urljoin(authorize_url, response.headers["Location"])
    page = browser.get(login_url, timeout=10)
    assert "Corp identity provider" in page.text
    response = browser.post(
        login_url,
        data={
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
            "next": parse_qs(urlsplit(login_url).query)["next"][0],
        },
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, "the provider refused the password"
    response = browser.get(
        urljoin(login_url, response.headers["Location"]), allow_redirects=False, timeout=10
    )
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def sign_in(client, username: str, password: str = PROVIDER_PASSWORD, start: str = "/oidc/start/"):
    """The whole code flow for the Django test client; returns our callback's response."""
    response = client.get(start)
    assert response.status_code == 302, response.content
    back = provider_login(response["Location"], username, password)
    assert back.startswith("http://testserver/oidc/callback/?"), back
    return client.get(back.removeprefix("http://testserver"))
