"""Model Registry cards: listed (IncludedData=MetadataOnly) and imported as a card per model
package version, linked to its package; the command's --model-packages; publishing back."""

from __future__ import annotations

import json

import pytest

from cards.errors import AlreadyExists, StudioError
from cards.models import CardStatus, ModelCard, PublicationState, SentContent
from cards.services import card_import_model_package, sagemaker_registry_cards_list
from tests.sagemaker.test_publish_package import OWN, package_with_card, publish
from tests.sagemaker.test_sagemaker_import import run

pytestmark = pytest.mark.django_db


def test_a_registry_card_imports_with_its_content_status_and_package_link(aws, rita, team_a):
    arn = package_with_card(aws, status="Approved")

    card = card_import_model_package(user=rita, team=team_a, arn=arn)

    card = ModelCard.objects.get(pk=card.pk)
    assert card.name == "churn-group-1"
    assert card.status == CardStatus.APPROVED
    details = card.content.pop("model_package_details")
    assert card.content == OWN
    assert details["model_package_arn"] == arn
    assert details["model_package_group_name"] == "churn-group"
    assert details["model_approval_status"] == "PendingManualApproval"
    assert card.revisions.get().note == f"The card of the model package {arn}"
    assert SentContent.objects.filter(card=card).count() == 1


def test_an_imported_registry_card_publishes_back_to_its_package_sending_nothing(aws, rita, team_a):
    arn = package_with_card(aws, status="Approved")
    card = card_import_model_package(user=rita, team=team_a, arn=arn)
    before = aws.describe_model_package(ModelPackageName=arn)

    publication = publish(card)

    assert publication.state == PublicationState.PUBLISHED, publication.last_error
    after = aws.describe_model_package(ModelPackageName=arn)
    assert after["ModelCard"] == before["ModelCard"]
    assert after.get("LastModifiedTime") == before.get("LastModifiedTime")


def test_a_package_is_imported_once(aws, rita, team_a):
    arn = package_with_card(aws)
    card_import_model_package(user=rita, team=team_a, arn=arn)

    with pytest.raises(AlreadyExists):
        card_import_model_package(user=rita, team=team_a, arn=arn)


def test_a_package_without_its_own_card_is_refused(aws, rita, team_a):
    arn = package_with_card(aws, content=None)

    with pytest.raises(StudioError, match="has no card of its own"):
        card_import_model_package(user=rita, team=team_a, arn=arn)
    assert not ModelCard.objects.exists()


def test_the_list_shows_packages_with_cards_and_which_are_here(aws, rita, team_a):
    arn = package_with_card(aws)
    aws.create_model_package(
        ModelPackageGroupName="churn-group",
        InferenceSpecification={
            "Containers": [{"Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/xgb:1"}],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
    )
    assert [row["arn"] for row in sagemaker_registry_cards_list()] == [arn]
    assert sagemaker_registry_cards_list()[0]["state"] == ""

    card_import_model_package(user=rita, team=team_a, arn=arn)

    assert sagemaker_registry_cards_list()[0]["state"] == "imported"


def test_the_command_lists_and_imports_registry_cards(aws, rita, sam, team_a):
    arn = package_with_card(aws, content={"intended_uses": {"risk_rating": "Low"}})

    out, _ = run("--model-packages")
    assert f"{arn}\tDraft\tnot here" in out
    assert not ModelCard.objects.exists()

    out, _ = run("--model-packages", "--all")
    assert f"Imported {arn}" in out
    card = ModelCard.objects.get()
    assert card.content["intended_uses"] == {"risk_rating": "Low"}
    assert json.loads(json.dumps(card.content))["model_package_details"]["model_package_arn"] == arn
