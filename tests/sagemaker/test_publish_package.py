"""Publishing a card to its model package's own card (the Model Registry's ModelCard), against
in-process moto with the sandbox's corrections: read into a draft by the look-up, edited,
approved, published back; idempotent, never over content this app did not write or read, and
the package's approval status untouched."""

from __future__ import annotations

import copy
import json

import pytest
from django.urls import reverse

from cards.errors import InvalidInput
from cards.models import Publication, PublicationState, PublishTarget
from cards.sagemaker.sync import publication_sync
from cards.services import card_save_content, publication_request
from tests.factories import approve, make_card
from tests.sagemaker.test_lookups import look_up, messages_of

pytestmark = pytest.mark.django_db

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/xgb:1"
OWN = {
    "model_overview": {"model_creator": "Registry team"},
    "intended_uses": {"purpose_of_model": "Churn", "risk_rating": "Medium"},
}


def package_with_card(aws, content: dict | None = OWN, status: str = "Draft") -> str:
    aws.create_model_package_group(ModelPackageGroupName="churn-group")
    extra = {}
    if content is not None:
        extra["ModelCard"] = {"ModelCardContent": json.dumps(content), "ModelCardStatus": status}
    return aws.create_model_package(
        ModelPackageGroupName="churn-group",
        ModelApprovalStatus="PendingManualApproval",
        InferenceSpecification={
            "Containers": [{"Image": IMAGE}],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
        **extra,
    )["ModelPackageArn"]


def publish(card, target=PublishTarget.MODEL_PACKAGE) -> Publication:
    publication = Publication.objects.create(
        card=card,
        revision=card.revision,
        target_status=card.status,
        requested_by=card.created_by,
        target=target,
    )
    return publication_sync(publication_id=publication.pk)


def drafted_from_package(aws, alice_client, alice, arn):
    card = make_card(user=alice, name="churn-v1", content={})
    response = look_up(alice_client, card, "details", "model_package", {"model_package_arn": arn})
    assert response.status_code == 302, messages_of(response)
    card.refresh_from_db()
    return card


def test_a_registry_card_survives_read_edit_approve_publish(aws, alice, alice_client, rita):
    arn = package_with_card(aws)
    card = drafted_from_package(aws, alice_client, alice, arn)
    assert card.content["intended_uses"] == OWN["intended_uses"]
    edited = copy.deepcopy(card.content)
    edited["intended_uses"]["risk_rating"] = "High"
    card = card_save_content(card=card, user=alice, content=edited, base_revision=card.revision)
    card = approve(card, author=alice, reviewer=rita)

    publication = publish(card)

    assert publication.state == PublicationState.PUBLISHED, publication.last_error
    assert publication.arn == arn
    described = aws.describe_model_package(ModelPackageName=arn)
    expected = {key: value for key, value in card.content.items() if key != "model_package_details"}
    assert json.loads(described["ModelCard"]["ModelCardContent"]) == expected
    assert described["ModelCard"]["ModelCardStatus"] == "Approved"
    assert described["ModelApprovalStatus"] == "PendingManualApproval"
    # The standalone model card is not touched.
    assert aws.list_model_cards()["ModelCardSummaries"] == []


def test_publishing_again_unchanged_sends_nothing(aws, alice, alice_client, rita):
    arn = package_with_card(aws)
    card = approve(drafted_from_package(aws, alice_client, alice, arn), author=alice, reviewer=rita)
    publish(card)
    before = aws.describe_model_package(ModelPackageName=arn)["LastModifiedTime"]

    publication = publish(card)

    assert publication.state == PublicationState.PUBLISHED
    assert aws.describe_model_package(ModelPackageName=arn)["LastModifiedTime"] == before


def test_content_someone_else_wrote_to_the_package_card_is_never_overwritten(
    aws, alice, alice_client, rita
):
    arn = package_with_card(aws)
    card = approve(drafted_from_package(aws, alice_client, alice, arn), author=alice, reviewer=rita)
    theirs = json.dumps({"intended_uses": {"risk_rating": "Low"}})
    aws.update_model_package(ModelPackageArn=arn, ModelCard={"ModelCardContent": theirs})

    publication = publish(card)

    assert publication.state == PublicationState.FAILED
    assert "never wrote or read" in publication.last_error
    card_now = aws.describe_model_package(ModelPackageName=arn)["ModelCard"]
    assert card_now["ModelCardContent"] == theirs


def test_an_archived_package_card_is_never_changed(aws, alice, alice_client, rita):
    arn = package_with_card(aws, status="Archived")
    card = approve(drafted_from_package(aws, alice_client, alice, arn), author=alice, reviewer=rita)

    publication = publish(card)

    assert publication.state == PublicationState.FAILED
    assert "archived" in publication.last_error
    assert aws.describe_model_package(ModelPackageName=arn)["ModelCard"]["ModelCardStatus"] == (
        "Archived"
    )


def test_a_package_without_a_card_gets_one(aws, alice, rita):
    arn = package_with_card(aws, content=None)
    content = {"model_package_details": {"model_package_arn": arn}, **OWN}
    card = approve(make_card(user=alice, content=content), author=alice, reviewer=rita)

    publication = publish(card)

    assert publication.state == PublicationState.PUBLISHED, publication.last_error
    described = aws.describe_model_package(ModelPackageName=arn)
    assert json.loads(described["ModelCard"]["ModelCardContent"]) == OWN
    assert described["ModelCard"]["ModelCardStatus"] == "Approved"


def test_a_request_for_a_card_without_a_package_is_refused(alice, rita, settings):
    card = approve(make_card(user=alice, content=OWN), author=alice, reviewer=rita)

    with pytest.raises(InvalidInput, match="documents no model package") as refused:
        publication_request(card=card, user=rita, target=PublishTarget.MODEL_PACKAGE)
    assert refused.value.field == "target"


def test_a_request_with_overview_fields_the_registry_card_lacks_is_refused(alice, rita):
    arn = "arn:aws:sagemaker:us-east-1:123456789012:model-package/churn-group/1"
    content = {
        "model_package_details": {"model_package_arn": arn},
        "model_overview": {"model_creator": "A", "model_description": "Not in the registry"},
    }
    card = approve(make_card(user=alice, content=content), author=alice, reviewer=rita)

    with pytest.raises(InvalidInput) as refused:
        publication_request(card=card, user=rita, target=PublishTarget.MODEL_PACKAGE)
    assert refused.value.problems[0][0] == "model_overview.model_description"
    assert "model_creator, model_artifact" in refused.value.problems[0][1]
    assert not Publication.objects.exists()


def test_the_card_page_publishes_to_the_package_and_says_so(aws, alice, alice_client, rita):
    arn = package_with_card(aws)
    card = approve(drafted_from_package(aws, alice_client, alice, arn), author=alice, reviewer=rita)
    page = alice_client.get(reverse("cards:detail", args=[card.name])).content.decode()
    assert "Publish to the model package's own card" in page

    alice_client.post(reverse("cards:publish", args=[card.name]), {"target": "model_package"})

    publication = Publication.objects.get()
    assert publication.target == PublishTarget.MODEL_PACKAGE
    publication_sync(publication_id=publication.pk)
    page = alice_client.get(reverse("cards:detail", args=[card.name])).content.decode()
    assert "Published to the model package's own card" in page
    assert arn in page
