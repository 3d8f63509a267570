"""Cards written by SageMaker's own SDKs (v3's sagemaker-core shape classes, and SDK v2): they
import exactly as written and publish back with no new version, against in-process moto.

The SDK v3 fixtures in tests/data/sdk_v3/ were written by sagemaker-core's shape classes
(tests/data/sdk_v3/generate.py; the version is in MADE_WITH)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cards.content.validation import content_errors
from cards.models import Publication
from cards.sagemaker.sync import publication_sync
from cards.services import card_import_sagemaker
from tests.factories import load_json

SDK_V3 = Path(__file__).resolve().parent.parent / "data" / "sdk_v3"
V3_CARDS = sorted(path.name for path in SDK_V3.glob("*.json"))
V2_CARDS = ["sdk_v2_standalone_card.json", "sdk_v2_model_package_card.json"]


def canonical(document: dict) -> str:
    return json.dumps(document, sort_keys=True)


def v3_text(name: str) -> str:
    return (SDK_V3 / name).read_text(encoding="utf-8").strip()


def test_there_are_sdk_v3_fixtures_with_both_objective_shapes_covered():
    objectives = [
        json.loads(v3_text(name)).get("training_details", {}).get("objective_function")
        for name in V3_CARDS
    ]
    assert len(V3_CARDS) == 5
    assert {"function": "Minimize", "facet": "Loss", "condition": "binary:logistic"} in objectives
    assert "objective_function" in load_json("sdk_v2_standalone_card.json")["training_details"]


@pytest.mark.parametrize("name", V3_CARDS)
def test_sdk_v3_cards_are_valid(name):
    assert content_errors(json.loads(v3_text(name))) == []


@pytest.mark.parametrize("name", V3_CARDS)
def test_sdk_v3_cards_import_exactly_and_publish_back_with_no_new_version(aws, rita, team_a, name):
    text = v3_text(name)
    aws.create_model_card(ModelCardName="churn-model", Content=text, ModelCardStatus="Approved")

    card = card_import_sagemaker(user=rita, team=team_a, name="churn-model")
    card.refresh_from_db()
    assert card.content == json.loads(text)
    # As text too: dict equality takes -0.0 for 0.0 and ignores the order of custom details.
    assert canonical(card.content) == canonical(json.loads(text))
    custom = card.content.get("additional_information", {}).get("custom_details", {})
    assert list(custom) == list(
        json.loads(text).get("additional_information", {}).get("custom_details", {})
    )

    publication = Publication.objects.create(
        card=card, revision=card.revision, target_status=card.status, requested_by=rita
    )
    publication = publication_sync(publication_id=publication.pk)

    assert publication.last_error == ""
    remote = aws.describe_model_card(ModelCardName="churn-model")
    assert remote["ModelCardVersion"] == 1
    assert remote["Content"] == text
    versions = aws.list_model_card_versions(ModelCardName="churn-model")
    assert len(versions["ModelCardVersionSummaryList"]) == 1


@pytest.mark.parametrize("name", V2_CARDS)
def test_sdk_v2_cards_publish_back_with_no_new_version(aws, rita, team_a, name):
    document = load_json(name)
    text = json.dumps(document)
    aws.create_model_card(ModelCardName="churn-model", Content=text, ModelCardStatus="Approved")

    card = card_import_sagemaker(user=rita, team=team_a, name="churn-model")
    publication = Publication.objects.create(
        card=card, revision=card.revision, target_status=card.status, requested_by=rita
    )
    publication = publication_sync(publication_id=publication.pk)

    assert publication.last_error == ""
    remote = aws.describe_model_card(ModelCardName="churn-model")
    assert remote["ModelCardVersion"] == 1
    assert json.loads(remote["Content"]) == document
