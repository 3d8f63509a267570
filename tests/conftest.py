from types import SimpleNamespace

import botocore.endpoint
import pytest
from django.conf import settings as django_settings
from moto import mock_aws

from cards.models import Role
from cards.sagemaker import client as sagemaker
from cards.sagemaker import sandbox
from config.embedded_postgres import ensure_embedded_database
from tests.factories import make_team, make_user

# moto_url, start_worker and worker: a moto server and real worker processes; oidc_provider
# and sso: a real OpenID Connect provider on loopback (tests/sso/provider.py).
pytest_plugins = ["tests.worker_fixtures", "tests.sso.provider"]


def pytest_configure(config: pytest.Config) -> None:
    # Without DATABASE_URL, the embedded PostgreSQL settings point at: started (or joined) for
    # the session, before any test database is made; it stops with the last process using it.
    ensure_embedded_database()


@pytest.fixture
def aws(monkeypatch, settings):
    """moto in-process, as the worker's SageMaker client sees it (with the sandbox's fix)."""
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SAGEMAKER", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    settings.AWS_ENDPOINT_URL = ""
    settings.AWS_REGION = "us-east-1"
    sandbox.patch_moto(monkeypatch.setattr)
    # botocore's backoff between its own retries: real retries, no real waiting.
    monkeypatch.setattr(botocore.endpoint, "time", SimpleNamespace(sleep=lambda seconds: None))
    sagemaker._client.cache_clear()
    sagemaker._assumed_session.cache_clear()
    with mock_aws():
        yield sagemaker.client("sagemaker", interactive=False)
    sagemaker._client.cache_clear()
    sagemaker._assumed_session.cache_clear()


@pytest.fixture
def team_a(db):
    return make_team("Growth")


@pytest.fixture
def team_b(db):
    return make_team("Payments")


@pytest.fixture
def alice(team_a):
    """An author in team A."""
    return make_user("alice", team=team_a)


@pytest.fixture
def bob(team_a):
    """Alice's teammate."""
    return make_user("bob", team=team_a)


@pytest.fixture
def rita(team_a):
    """A reviewer in team A."""
    return make_user("rita", team=team_a, role=Role.REVIEWER)


@pytest.fixture
def vera(team_a):
    """A viewer in team A: reads and exports, changes nothing."""
    return make_user("vera", team=team_a, role=Role.VIEWER)


@pytest.fixture
def sam(db):
    """A site administrator, in no team."""
    return make_user("sam", is_superuser=True, is_staff=True)


@pytest.fixture
def charlie(team_b):
    """In another team: sees none of team A's cards."""
    return make_user("charlie", team=team_b)


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def bob_client(alice, bob):
    from django.test import Client

    other = Client()
    other.force_login(bob)
    return other


@pytest.fixture
def rita_client(rita):
    from django.test import Client

    other = Client()
    other.force_login(rita)
    return other


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Tests make many users; hashing their passwords (PBKDF2) is not what they test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    # The manifest storage needs collectstatic first; tests serve files as they are.
    settings.STORAGES = {
        **django_settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(scope="session")
def live_server(django_db_setup, live_server):
    # Set the test database up first so it is torn down after the server thread (and its
    # connection) is gone; otherwise dropping the test database finds it still in use.
    return live_server


# Tests that start processes (a moto server, real workers, the run command) are marked
# "worker", so `pytest -m "not browser and not worker"` is the fast inner loop.
_PROCESS_FIXTURES = {"moto_url", "start_worker", "worker", "oidc_provider"}


def pytest_collection_modifyitems(items):
    for item in items:
        if _PROCESS_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.worker)
