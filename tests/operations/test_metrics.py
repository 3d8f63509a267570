"""GET /metrics: Prometheus text for the operator's scraper, and nobody else."""

from __future__ import annotations

import pytest
from django.db import connection

from cards.models import Publication, PublicationState
from cards.services import publication_request
from tests.factories import make_approved_card, make_card
from tests.jobs import clear_jobs

TOKEN = "metrics-token-for-tests-0123"


@pytest.fixture
def metrics_on(settings):
    settings.METRICS_TOKEN = TOKEN


def scrape(client) -> str:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    return response.content.decode()


def test_metrics_are_off_without_a_token(client, settings):
    settings.METRICS_TOKEN = ""

    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer ")

    assert response.status_code == 404


@pytest.mark.parametrize(
    "header", [None, "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x"]
)
def test_metrics_refuse_anyone_without_the_token(client, metrics_on, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}

    response = client.get("/metrics", **extra)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert b"studio_" not in response.content


@pytest.mark.django_db
def test_metrics_count_cards_by_status_and_publications_by_outcome(client, metrics_on, alice):
    for name in ("draft-a", "draft-b"):
        make_card(user=alice, name=name)
    approved = make_approved_card(user=alice, name="approved-a")
    clear_jobs()  # the review's e-mails
    publication = publication_request(card=approved, user=alice)
    Publication.objects.filter(pk=publication.pk).update(state=PublicationState.FAILED)

    text = scrape(client)

    assert 'studio_cards{status="Draft"} 2.0' in text
    assert 'studio_cards{status="Approved"} 1.0' in text
    assert 'studio_cards{status="Archived"} 0.0' in text
    assert 'studio_publications_total{outcome="failed"} 1.0' in text
    assert 'studio_publications_total{outcome="published"} 0.0' in text
    assert 'studio_webhook_deliveries_total{outcome="delivered"} 0.0' in text
    # The publish job waits in the default queue: one job, waiting a moment so far.
    assert 'studio_jobs_waiting{queue="default"} 1.0' in text


@pytest.mark.django_db
def test_the_oldest_waiting_job_and_the_worker_heartbeat_are_ages(client, metrics_on, alice):
    publication_request(card=make_approved_card(user=alice), user=alice)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE procrastinate_events SET at = now() - interval '90 seconds' "
            "WHERE type = 'deferred'"
        )
        cursor.execute(
            "INSERT INTO procrastinate_workers (last_heartbeat) "
            "VALUES (now() - interval '12 seconds')"
        )

    text = scrape(client)

    oldest = float(text.split('studio_oldest_job_seconds{queue="default"} ')[1].split()[0])
    heartbeat = float(text.split("\nstudio_worker_heartbeat_age_seconds ")[1].split()[0])
    assert 90 <= oldest < 120
    assert 12 <= heartbeat < 40
    assert "studio_workers 1.0" in text


@pytest.mark.django_db
def test_request_latency_is_recorded_per_view(client, metrics_on):
    client.get("/login/")

    text = scrape(client)

    assert 'studio_request_duration_seconds_count{method="GET",view="login"}' in text
