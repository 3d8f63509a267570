"""The real thing: a worker process hears SageMaker's card event from a moto server's SQS
queue and marks the card "Changed in SageMaker" within seconds."""

from __future__ import annotations

import json
import time

import boto3
import pytest

from cards.models import ModelCard, PublicationState
from cards.services import publication_request
from tests.factories import make_approved_card
from tests.sagemaker.test_events import card_event
from tests.test_publish_worker import remote_client, wait_for


def sqs_of(moto_url: str):
    return boto3.client(
        "sqs",
        endpoint_url=moto_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.mark.django_db(transaction=True)
def test_a_worker_marks_a_console_edit_from_its_event_within_seconds(start_worker, moto_url, alice):
    queue = sqs_of(moto_url).create_queue(QueueName="card-events")["QueueUrl"]
    start_worker(SAGEMAKER_EVENTS_QUEUE_URL=queue, SAGEMAKER_EVENTS_WAIT="2")
    card = make_approved_card(user=alice)
    publication = wait_for(publication_request(card=card, user=alice))
    assert publication.state == PublicationState.PUBLISHED, publication.last_error
    sagemaker = remote_client(moto_url)
    sagemaker.update_model_card(
        ModelCardName=card.name,
        Content=json.dumps({"model_overview": {"model_description": "Edited in the console"}}),
    )
    version = sagemaker.describe_model_card(ModelCardName=card.name)["ModelCardVersion"]

    # No event, no mark: the periodic check runs every 15 minutes, not now.
    time.sleep(3)
    card.refresh_from_db()
    assert card.sagemaker_newer_version is None

    sqs_of(moto_url).send_message(QueueUrl=queue, MessageBody=card_event(card.name, version))
    sent = time.monotonic()
    while time.monotonic() - sent < 10:
        card.refresh_from_db()
        if card.sagemaker_newer_version is not None:
            break
        time.sleep(0.2)

    assert card.sagemaker_newer_version == version
    assert ModelCard.objects.get(pk=card.pk).sagemaker_newer_version == version
    print(f"marked {time.monotonic() - sent:.2f} s after the event was sent")
