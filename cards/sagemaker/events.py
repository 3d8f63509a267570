"""SageMaker's own word that a card changed: EventBridge "SageMaker Model Card State Change"
events, routed to an SQS queue (docs/sagemaker-events.md), read by the worker.

An event names a card and its new version, never its content, so it only says when to look:
the card is then compared by the periodic check's own rule (``drift.drift_check``), which
tells a version someone else wrote from one this app wrote. The periodic check stays as the
fallback for events lost or never routed.

A message is deleted once handled. One that can never be handled (not JSON, no card name) is
logged and deleted at once; one whose handling failed (SageMaker or the database unavailable)
is left on the queue, comes back after the queue's visibility timeout, and after the queue's
redrive policy's maxReceiveCount goes to its dead-letter queue.

This reads the event vocabulary of today (``drift.remote_change_record``); when the card
owns its events, ``card_change_handle`` is the one place to change.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from botocore.exceptions import BotoCoreError, ClientError

from cards.models import ModelCard
from cards.sagemaker import client as sagemaker
from cards.sagemaker import drift

logger = logging.getLogger(__name__)

SOURCE = "aws.sagemaker"
DETAIL_TYPE = "SageMaker Model Card State Change"
BATCH = 10  # SQS's largest batch


class PoisonMessage(Exception):
    """A message no retry can handle."""


@dataclass(frozen=True)
class CardChange:
    name: str
    version: int | None
    arn: str


def card_change_parse(body: str) -> CardChange | None:
    """The card change an SQS message body (the whole EventBridge event) announces; None for
    another event. Raises PoisonMessage when the body is no such event at all."""
    try:
        event = json.loads(body)
    except ValueError as error:
        raise PoisonMessage(f"the body is not JSON ({error})") from None
    if not isinstance(event, dict):
        raise PoisonMessage("the body is not an EventBridge event")
    if event.get("source") != SOURCE or event.get("detail-type") != DETAIL_TYPE:
        return None
    detail = event.get("detail")
    name = detail.get("ModelCardName") if isinstance(detail, dict) else None
    if not isinstance(name, str) or not name:
        raise PoisonMessage("the event names no model card (detail.ModelCardName)")
    version = detail.get("ModelCardVersion")
    if isinstance(version, bool) or not isinstance(version, int):
        version = None
    resources = event.get("resources")
    arn = resources[0] if isinstance(resources, list) and resources else ""
    return CardChange(name=name, version=version, arn=arn if isinstance(arn, str) else "")


def card_change_handle(change: CardChange) -> int | None:
    """Check the announced card now; returns the newer remote version it found, if any.

    Cards not linked to SageMaker here, cards of the same name elsewhere (another account or
    region) and versions this app already knows are passed over without a call."""
    card = ModelCard.objects.filter(name=change.name).first()
    if card is None or card.sagemaker_version is None:
        return None
    if change.arn and card.sagemaker_arn and change.arn != card.sagemaker_arn:
        return None
    if change.version is not None and change.version <= card.sagemaker_version:
        return None  # our own write, or older news
    return drift.drift_check(card)


def events_poll(queue_url: str, *, wait: int) -> int:
    """Receive one batch (long polling up to ``wait`` seconds), handle it, delete what was
    handled; returns how many messages were deleted. Raises AwsError when SQS cannot be read.
    """
    sqs = sagemaker.waiting_client("sqs", wait=wait)
    try:
        received = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=BATCH, WaitTimeSeconds=wait
        )
    except (ClientError, BotoCoreError) as error:
        raise sagemaker.AwsError(f"Could not read the queue {queue_url}: {error}") from error
    done = []
    for message in received.get("Messages", []):
        if _handled(message):
            done.append({"Id": message["MessageId"], "ReceiptHandle": message["ReceiptHandle"]})
    if done:
        try:
            answer = sqs.delete_message_batch(QueueUrl=queue_url, Entries=done)
        except (ClientError, BotoCoreError) as error:
            # Handled twice at worst: a second check finds nothing new.
            logger.warning("Could not delete handled SageMaker events: %s", error)
            return 0
        for failed in answer.get("Failed", []):
            logger.warning("Could not delete the SageMaker event %s: %s", failed["Id"], failed)
        return len(done) - len(answer.get("Failed", []))
    return 0


def _handled(message: dict) -> bool:
    """Whether the message is done with (handled, or never handleable)."""
    ident = message.get("MessageId", "?")
    try:
        change = card_change_parse(message.get("Body", ""))
        if change is not None:
            newer = card_change_handle(change)
            if newer is not None:
                logger.info("SageMaker event %s: %s changed in SageMaker", ident, change.name)
        return True
    except PoisonMessage as error:
        logger.warning("Dropped the SQS message %s, which is no card event: %s", ident, error)
        return True
    except sagemaker.AwsError as error:
        logger.warning("SageMaker event %s left on the queue for later: %s", ident, error)
        return False
    except Exception:
        # Left for the queue's redrive policy to move aside after its maxReceiveCount.
        logger.exception("SageMaker event %s could not be handled; left on the queue", ident)
        return False
