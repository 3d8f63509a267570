"""SageMaker's "Model Card State Change" events, read from SQS (moto in-process): a change
someone made in the console marks the card at once; the studio's own writes, other events
and poison messages never do, and nothing stays stuck on the queue."""

from __future__ import annotations

import json
import logging
from types import SimpleNamespace

import pytest
from botocore.awsrequest import AWSResponse

from cards.events import Kind
from cards.models import AuditEvent, ModelCard, PublicationState
from cards.sagemaker import client as sagemaker
from cards.sagemaker.events import events_poll
from tests.factories import approve, make_card
from tests.sagemaker.test_drift import edit_in_console, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(aws, alice, rita):
    card = approve(make_card(user=alice, name="churn-model"), author=alice, reviewer=rita)
    assert publish(card).state == PublicationState.PUBLISHED
    card.refresh_from_db()
    return card


@pytest.fixture
def queue(aws):
    return sagemaker.client("sqs").create_queue(QueueName="sagemaker-card-events")["QueueUrl"]


def card_event(card: str, version: int, arn: str = "", who: str = "console-user") -> str:
    """An EventBridge event as the rule in docs/sagemaker-events.md delivers it to SQS."""
    arn = arn or f"arn:aws:sagemaker:us-east-1:123456789012:model-card/{card}"
    return json.dumps(
        {
            "version": "0",
            "id": "b2f0c3c8-3d0c-4e0f-9c52-6c4f3f4a0b1e",
            "detail-type": "SageMaker Model Card State Change",
            "source": "aws.sagemaker",
            "account": "123456789012",
            "time": "2026-12-07T02:30:00Z",
            "region": "us-east-1",
            "resources": [arn],
            "detail": {
                "ModelCardName": card,
                "ModelCardVersion": version,
                "ModelCardStatus": "Approved",
                "AccountId": "123456789012",
                "CreatedBy": {"UserProfileName": "studio"},
                "LastModifiedBy": {"UserProfileName": who},
                "CreationTime": "2026-12-07T02:00:00Z",
                "LastModifiedTime": "2026-12-07T02:30:00Z",
            },
        }
    )


def send(queue: str, *bodies: str) -> None:
    for body in bodies:
        sagemaker.client("sqs").send_message(QueueUrl=queue, MessageBody=body)


def left_on(queue: str) -> int:
    attributes = sagemaker.client("sqs").get_queue_attributes(
        QueueUrl=queue,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(
        attributes["ApproximateNumberOfMessagesNotVisible"]
    )


def test_a_console_edit_event_marks_the_card_changed_in_sagemaker_at_once(
    published, aws, queue, alice_client
):
    version = edit_in_console(aws)
    send(queue, card_event("churn-model", version))

    assert events_poll(queue, wait=0) == 1

    published.refresh_from_db()
    assert published.sagemaker_newer_version == version
    assert (
        AuditEvent.objects.filter(card_id=published.pk, action=Kind.CHANGED_REMOTELY).count() == 1
    )
    assert "Changed in SageMaker" in alice_client.get("/cards/churn-model/").content.decode()
    assert left_on(queue) == 0


def test_the_studios_own_publication_event_marks_nothing(published, queue):
    send(queue, card_event("churn-model", published.sagemaker_version, who="studio"))

    events_poll(queue, wait=0)

    published.refresh_from_db()
    assert published.sagemaker_newer_version is None
    assert not AuditEvent.objects.filter(action=Kind.CHANGED_REMOTELY).exists()
    assert left_on(queue) == 0


def test_events_for_other_cards_accounts_and_kinds_are_consumed_and_ignored(published, aws, queue):
    version = edit_in_console(aws)
    other_account = "arn:aws:sagemaker:eu-west-1:210987654321:model-card/churn-model"
    export_job = json.loads(card_event("churn-model", version))
    export_job["detail-type"] = "SageMaker Model Card Export Job State Change"
    send(
        queue,
        card_event("not-here", 3),
        card_event("churn-model", version, arn=other_account),
        json.dumps(export_job),
    )

    assert events_poll(queue, wait=0) == 3

    published.refresh_from_db()
    assert published.sagemaker_newer_version is None
    assert left_on(queue) == 0


def test_a_poison_message_is_dropped_with_a_log_line_and_the_batch_goes_on(
    published, aws, queue, caplog
):
    version = edit_in_console(aws)
    send(
        queue,
        "not json {",
        json.dumps(
            {
                "source": "aws.sagemaker",
                "detail-type": "SageMaker Model Card State Change",
                "detail": {},
            }
        ),
        card_event("churn-model", version),
    )

    with caplog.at_level(logging.WARNING, logger="cards.sagemaker.events"):
        assert events_poll(queue, wait=0) == 3

    dropped = [
        r.getMessage() for r in caplog.records if "Dropped the SQS message" in r.getMessage()
    ]
    assert len(dropped) == 2
    assert "not JSON" in dropped[0] or "not JSON" in dropped[1]
    published.refresh_from_db()
    assert published.sagemaker_newer_version == version
    assert left_on(queue) == 0


def test_an_event_sagemaker_cannot_answer_for_stays_on_the_queue(published, aws, queue, caplog):
    version = edit_in_console(aws)
    send(queue, card_event("churn-model", version))

    def throttle(**kwargs):
        raw = SimpleNamespace(stream=lambda **kw: iter([b"{}"]))
        http = AWSResponse("https://sagemaker.test", 400, {}, raw)
        error = {"Code": "ThrottlingException", "Message": "Rate exceeded"}
        return http, {"Error": error, "ResponseMetadata": {"HTTPStatusCode": 400}}

    # SageMaker itself throttles the worker's DescribeModelCard.
    aws.meta.events.register("before-call.sagemaker.DescribeModelCard", throttle)
    with caplog.at_level(logging.WARNING, logger="cards.sagemaker.events"):
        assert events_poll(queue, wait=0) == 0
    aws.meta.events.unregister("before-call.sagemaker.DescribeModelCard", throttle)

    assert "left on the queue for later" in caplog.text
    assert left_on(queue) == 1
    assert ModelCard.objects.get(pk=published.pk).sagemaker_newer_version is None
