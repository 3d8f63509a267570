"""The API's card object names the model package the card documents, with the package's
approval status and lifecycle stage as the card page shows them: read in the card's own query,
never from AWS on a request; a card made from a package carries its own card."""

from __future__ import annotations

import pytest

from cards.models import ModelPackageState
from tests.factories import make_card
from tests.sagemaker.test_publish_package import drafted_from_package, package_with_card

pytestmark = pytest.mark.django_db

STAGE = {"Stage": "Staging", "StageStatus": "In-Progress", "StageDescription": "Canary"}


def test_a_card_documenting_a_package_shows_its_approval_status_and_stage(
    aws, alice, alice_client, api_as
):
    arn = package_with_card(aws)
    aws.update_model_package(ModelPackageArn=arn, ModelLifeCycle=STAGE)
    card = drafted_from_package(aws, alice_client, alice, arn)
    # Changed in SageMaker after the look-up: the API shows what was read, as the page does.
    aws.update_model_package(ModelPackageArn=arn, ModelApprovalStatus="Approved")

    package = api_as(alice).get(f"cards/{card.name}").json()["model_package"]

    read_at = ModelPackageState.objects.get(arn=arn).read_at
    assert package == {
        "arn": arn,
        "approval_status": "PendingManualApproval",
        "stage": "Staging",
        "stage_status": "In-Progress",
        "stage_description": "Canary",
        "read_at": read_at.isoformat(),
    }


def test_a_package_never_read_is_named_without_a_state(alice, api_as):
    arn = "arn:aws:sagemaker:us-east-1:123456789012:model-package/churn-group/1"
    make_card(
        user=alice,
        content={
            "model_package_details": {"model_package_arn": arn},
            "model_overview": {"model_description": "Churn."},
        },
    )

    package = api_as(alice).get("cards/churn-model").json()["model_package"]

    assert package == {
        "arn": arn,
        "approval_status": None,
        "stage": None,
        "stage_status": None,
        "stage_description": None,
        "read_at": None,
    }


def test_a_card_without_a_package_has_none(alice, api_as):
    make_card(user=alice)

    assert api_as(alice).get("cards/churn-model").json()["model_package"] is None


@pytest.mark.parametrize("linked", [False, True])
def test_the_package_state_costs_no_query(alice, api_as, django_assert_num_queries, linked):
    arn = "arn:aws:sagemaker:us-east-1:123456789012:model-package/churn-group/1"
    content = {"model_overview": {"model_description": "Churn."}}
    if linked:
        content["model_package_details"] = {"model_package_arn": arn}
        ModelPackageState.record(
            {"ModelPackageArn": arn, "ModelApprovalStatus": "Approved", "ModelLifeCycle": STAGE}
        )
    make_card(user=alice, content=content)
    api = api_as(alice)
    api.get("cards/churn-model")
    # token, card (with team, users, role and the package state), its team template versions
    # (readiness), the metric gates of its review policy: the same with or without a package
    with django_assert_num_queries(4):
        body = api.get("cards/churn-model").json()
    assert (body["model_package"] or {}).get("approval_status") == ("Approved" if linked else None)


def test_a_card_made_from_a_package_carries_the_packages_own_card_and_its_state(aws, alice, api_as):
    arn = package_with_card(aws, status="Approved")
    aws.update_model_package(ModelPackageArn=arn, ModelLifeCycle=STAGE)

    response = api_as(alice).post(
        "cards",
        {
            "name": "churn-v1",
            "team": "Growth",
            "from": {"model_package_arn": arn},
            "content": {"intended_uses": {"purpose_of_model": "Ours"}},
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    # The package's own card fills the empty fields; what the request says wins.
    assert body["content"]["model_overview"]["model_creator"] == "Registry team"
    assert body["content"]["intended_uses"] == {"purpose_of_model": "Ours", "risk_rating": "Medium"}
    source = f"the model package's own card ({arn}, Approved)"
    assert body["provenance"]["intended_uses.risk_rating"]["source"] == source
    assert body["model_package"]["stage"] == "Staging"
