"""The publish job's sync against in-process moto, with faults injected through botocore's
own event hooks (so botocore's retry handling really runs)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import EndpointConnectionError, ReadTimeoutError

from cards.models import CardStatus, ModelCard, Publication, PublicationState
from cards.sagemaker import client as sagemaker
from cards.sagemaker.sync import publication_sync
from cards.services import card_save_content
from tests.factories import (
    approve,
    make_approved_card,
)


@pytest.fixture
def card(alice):
    return make_approved_card(user=alice, name="churn-model")


def publish(card: ModelCard, **kwargs) -> Publication:
    publication = Publication.objects.create(
        card=card, revision=card.revision, target_status=card.status, requested_by=card.created_by
    )
    return publication_sync(publication_id=publication.pk, **kwargs)


def versions(client, name: str) -> int:
    return len(client.list_model_card_versions(ModelCardName=name)["ModelCardVersionSummaryList"])


def error_response(code: str, status: int = 400) -> AWSResponse:
    body = json.dumps({"__type": code, "message": f"{code} injected"}).encode()
    raw = SimpleNamespace(stream=lambda **kwargs: iter([body]))
    return AWSResponse("https://sagemaker.test", status, {}, raw)


def test_it_creates_a_new_card_with_the_local_content_and_status(aws, card):
    publication = publish(card)

    remote = aws.describe_model_card(ModelCardName="churn-model")
    assert publication.state == PublicationState.PUBLISHED
    assert json.loads(remote["Content"]) == card.content
    assert remote["ModelCardStatus"] == "Approved"
    assert publication.arn == remote["ModelCardArn"]
    assert publication.remote_version == 1
    assert publication.attempts == 1
    assert len(publication.content_sha256) == 64
    assert publication.finished_at is not None


def test_it_updates_the_content_of_a_published_card(aws, card, alice, rita):
    publish(card)
    content = {**card.content, "model_overview": {"model_name": "churn", "model_owner": "Ana"}}
    card = card_save_content(card=card, user=alice, content=content, base_revision=card.revision)
    card = approve(card, author=alice, reviewer=rita)

    publication = publish(card)

    remote = aws.describe_model_card(ModelCardName="churn-model")
    assert json.loads(remote["Content"]) == content
    assert remote["ModelCardStatus"] == "Approved"
    assert publication.revision == card.revision
    assert publication.remote_version == remote["ModelCardVersion"] == 2


def test_it_changes_only_the_status_when_only_the_status_changed(aws, card):
    publish(card)
    ModelCard.objects.filter(pk=card.pk).update(status=CardStatus.ARCHIVED)
    card.refresh_from_db()

    publication = publish(card)

    remote = aws.describe_model_card(ModelCardName="churn-model")
    assert publication.state == PublicationState.PUBLISHED
    assert remote["ModelCardStatus"] == "Archived"
    assert json.loads(remote["Content"]) == card.content
    # One status-only update, which is not a new version in SageMaker (nor in the sandbox).
    assert versions(aws, "churn-model") == 1


def test_repeating_a_publish_without_changes_creates_no_version(aws, card):
    publish(card)
    publish(card)
    publication = publish(card)

    assert publication.state == PublicationState.PUBLISHED
    assert versions(aws, "churn-model") == 1


def test_it_compares_the_remote_content_in_canonical_form(aws, card):
    # Same document, other key order and spacing: not a change.
    aws.create_model_card(
        ModelCardName="churn-model",
        Content=json.dumps(dict(reversed(list(card.content.items()))), indent=2),
        ModelCardStatus="Approved",
    )

    publication = publish(card)

    assert publication.state == PublicationState.PUBLISHED
    assert versions(aws, "churn-model") == 1


def test_it_never_updates_a_card_archived_in_sagemaker(aws, card):
    aws.create_model_card(ModelCardName="churn-model", Content="{}", ModelCardStatus="Archived")

    publication = publish(card)

    assert publication.state == PublicationState.FAILED
    assert "archived in SageMaker" in publication.last_error
    assert versions(aws, "churn-model") == 1
    assert aws.describe_model_card(ModelCardName="churn-model")["Content"] == "{}"


def test_invalid_content_never_reaches_aws(aws, card):
    ModelCard.objects.filter(pk=card.pk).update(content={"model_overview": {"nope": 1}})
    card.refresh_from_db()
    sent = []
    aws.meta.events.register_first("before-send.sagemaker", lambda **kwargs: sent.append(1))

    publication = publish(card)

    assert publication.state == PublicationState.FAILED
    assert "model_overview" in publication.last_error
    assert sent == []


def test_throttling_twice_then_success_is_retried_by_botocore(aws, card):
    calls = []

    def throttle(**kwargs):
        calls.append(1)
        if len(calls) <= 2:
            return error_response("ThrottlingException")
        return None

    # A first publish goes straight to CreateModelCard.
    aws.meta.events.register_first("before-send.sagemaker.CreateModelCard", throttle)

    publication = publish(card)

    assert publication.state == PublicationState.PUBLISHED
    assert len(calls) >= 3
    assert aws.describe_model_card(ModelCardName="churn-model")["ModelCardStatus"] == "Approved"


def test_a_connection_error_leaves_it_retrying_and_raises_a_transient_error(aws, card):
    def unreachable(request, **kwargs):
        raise EndpointConnectionError(endpoint_url=request.url)

    aws.meta.events.register_first("before-send.sagemaker", unreachable)

    with pytest.raises(sagemaker.AwsUnavailable):
        publish(card, final_attempt=False)

    publication = Publication.objects.get(card=card)
    assert publication.state == PublicationState.RETRYING
    assert "did not answer" in publication.last_error
    assert publication.finished_at is None


def test_a_connection_error_on_the_final_attempt_fails(aws, card):
    def unreachable(request, **kwargs):
        raise EndpointConnectionError(endpoint_url=request.url)

    aws.meta.events.register_first("before-send.sagemaker", unreachable)

    publication = publish(card, final_attempt=True)

    assert publication.state == PublicationState.FAILED
    assert "Gave up" in publication.last_error


def test_an_update_whose_answer_is_lost_is_not_sent_twice(aws, card, alice, rita):
    publish(card)
    content = {**card.content, "intended_uses": {"risk_rating": "High"}}
    card = card_save_content(card=card, user=alice, content=content, base_revision=card.revision)
    card = approve(card, author=alice, reviewer=rita)
    lost = []

    def lose_answer(request, event_name, **kwargs):
        # Registered on the same event as moto's handler and after it, so it runs once moto
        # has applied the update: only the answer is lost.
        if event_name.endswith(".UpdateModelCard") and not lost:
            lost.append(1)
            raise ReadTimeoutError(endpoint_url=request.url)

    writer = sagemaker.client("sagemaker", interactive=True)
    writer.meta.events.register_last("before-send", lose_answer)

    with pytest.raises(sagemaker.AwsUnavailable):
        publish(card, final_attempt=False)
    assert versions(aws, "churn-model") == 2
    publication = Publication.objects.filter(card=card).first()
    assert publication.state == PublicationState.RETRYING

    # The job's next attempt finds the content already there.
    publication = publication_sync(publication_id=publication.pk)

    assert publication.state == PublicationState.PUBLISHED
    assert publication.attempts == 2
    assert versions(aws, "churn-model") == 2
    assert json.loads(aws.describe_model_card(ModelCardName="churn-model")["Content"]) == content


def test_a_validation_exception_fails_at_once_with_its_message(aws, card):
    calls = []

    def refuse(**kwargs):
        calls.append(1)
        return error_response("ValidationException")

    aws.meta.events.register_first("before-send.sagemaker.CreateModelCard", refuse)

    publication = publish(card, final_attempt=False)

    assert publication.state == PublicationState.FAILED
    assert "ValidationException injected" in publication.last_error
    assert len(calls) == 1


def test_archiving_a_published_card_archives_it_in_sagemaker(aws, card, rita):
    from cards.services import card_archive

    publish(card)
    publication = card_archive(card=card, user=rita)
    assert publication is not None
    assert publication.target_status == CardStatus.ARCHIVED
    publication = publication_sync(publication_id=publication.pk)
    assert publication.state == PublicationState.PUBLISHED
    remote = aws.describe_model_card(ModelCardName="churn-model")
    assert remote["ModelCardStatus"] == "Archived"
    assert json.loads(remote["Content"]) == card.content


def test_a_first_publish_of_a_card_that_exists_remotely_compares_instead_of_failing(aws, card):
    from cards.content.validation import serialize_content

    aws.create_model_card(
        ModelCardName="churn-model",
        Content=serialize_content(card.content),
        ModelCardStatus="Approved",
    )
    publication = publish(card)
    assert publication.state == PublicationState.PUBLISHED
    assert versions(aws, "churn-model") == 1
