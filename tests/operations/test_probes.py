"""/healthz and /readyz, as compose, the kubelet and a load balancer call them."""

from __future__ import annotations

import pytest
from django.db import connection

from operations import probes


@pytest.fixture
def fresh_probe(monkeypatch):
    # The readiness probe remembers a migrated database for the life of the process.
    monkeypatch.setattr(probes, "_migrated", False)


@pytest.mark.django_db
def test_healthz_answers_without_the_database_a_session_or_a_sign_in(
    client, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "Set-Cookie" not in response.headers
    assert not response.cookies


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
@pytest.mark.django_db
def test_probes_answer_a_pod_address_over_plain_http(client, settings, path, fresh_probe):
    # The kubelet calls the pod's IP over HTTP: no host check and no HTTPS redirect here.
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["studio.example.com"]

    response = client.get(path, HTTP_HOST="10.1.2.3:8000")

    assert response.status_code == 200


@pytest.mark.django_db
def test_readyz_is_ready_when_every_migration_is_applied(client, fresh_probe):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.content == b"ready\n"


@pytest.mark.django_db
def test_readyz_refuses_while_a_migration_is_missing_and_names_it(client, fresh_probe):
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM django_migrations WHERE app = 'cards' AND name = ("
            "SELECT max(name) FROM django_migrations WHERE app = 'cards') RETURNING name"
        )
        (missing,) = cursor.fetchone()

    response = client.get("/readyz")

    assert response.status_code == 503
    text = response.content.decode()
    assert text.count("\n") == 1
    assert text.startswith("not ready: 1 migration(s) not applied yet")
    assert f"cards.{missing}" in text


@pytest.mark.django_db
def test_readyz_after_a_migrated_check_costs_one_query(
    client, fresh_probe, django_assert_num_queries
):
    client.get("/readyz")
    # SELECT 1
    with django_assert_num_queries(1):
        assert client.get("/readyz").status_code == 200


def test_a_probe_path_with_another_method_is_not_a_probe(client):
    # POST /healthz goes on to the URL resolver (and the sign-in), like any unknown path.
    response = client.post("/healthz")

    assert response.status_code != 200
