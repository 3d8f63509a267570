"""The real thing: a worker process publishing to a moto server."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path

import boto3
import pytest
from django.db import IntegrityError, connection, transaction
from procrastinate.exceptions import AlreadyEnqueued

from cards.models import Publication, PublicationState
from cards.services import publication_request
from cards.tasks import retry_stalled_jobs
from tests.factories import make_approved_card

ROOT = Path(__file__).resolve().parent.parent


def remote_client(moto_url: str):
    return boto3.client(
        "sagemaker",
        endpoint_url=moto_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture
def card(alice):
    return make_approved_card(user=alice)


def wait_for(publication: Publication, timeout: float = 30) -> Publication:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        publication.refresh_from_db()
        if publication.is_finished:
            return publication
        time.sleep(0.2)
    raise AssertionError(f"Still {publication.state} after {timeout} s")


@pytest.mark.django_db(transaction=True)
def test_a_worker_publishes_a_requested_card(worker, moto_url, card, alice):
    publication = wait_for(publication_request(card=card, user=alice))

    assert publication.state == PublicationState.PUBLISHED, publication.last_error
    remote = remote_client(moto_url).describe_model_card(ModelCardName=card.name)
    assert remote["ModelCardStatus"] == "Approved"
    assert remote["ModelCardArn"] == publication.arn
    assert publication.remote_version == 1


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_publish_is_recovered_and_publishes_once(
    start_worker, moto_url, card, alice, tmp_path
):
    pause = tmp_path / "pause"
    pause.touch()
    first = start_worker()
    publication = publication_request(card=card, user=alice)
    sagemaker_client = remote_client(moto_url)
    deadline = time.monotonic() + 30
    while not sagemaker_client.list_model_cards()["ModelCardSummaries"]:
        assert time.monotonic() < deadline, "the first worker never reached SageMaker"
        time.sleep(0.2)

    # Killed after its remote write, before recording it.
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    publication.refresh_from_db()
    assert publication.state == PublicationState.RUNNING
    with connection.cursor() as cursor:
        # As procrastinate's own tests do: the dead worker's heartbeat is long past.
        cursor.execute(
            "UPDATE procrastinate_workers"
            " SET last_heartbeat = last_heartbeat - interval '5 minutes'"
        )
    pause.unlink()
    start_worker()
    # A sweep now; the new worker's periodic deferrer may have queued one already (the queueing
    # lock then refuses a second, which is as good).
    with contextlib.suppress(AlreadyEnqueued, IntegrityError), transaction.atomic():
        retry_stalled_jobs.defer(timestamp=int(time.time()))

    publication = wait_for(publication)

    assert publication.state == PublicationState.PUBLISHED, publication.last_error
    assert publication.attempts == 2
    versions = sagemaker_client.list_model_card_versions(ModelCardName=card.name)
    assert len(versions["ModelCardVersionSummaryList"]) == 1
