"""The sandbox behaves as SageMaker does where moto 5.2.5 does not (cards/sagemaker/sandbox.py),
checked through boto3 against in-process moto with the sandbox's corrections."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

CARD = {"model_overview": {"model_description": "Churn"}, "intended_uses": {"risk_rating": "Low"}}
CONTENT = json.dumps(CARD)


def versions(aws, name: str = "churn") -> list[tuple[int, str]]:
    summaries = aws.list_model_card_versions(ModelCardName=name)["ModelCardVersionSummaryList"]
    return [(item["ModelCardVersion"], item["ModelCardStatus"]) for item in summaries]


def test_a_status_only_update_keeps_the_content_and_makes_no_version(aws):
    aws.create_model_card(ModelCardName="churn", Content=CONTENT, ModelCardStatus="Draft")

    aws.update_model_card(ModelCardName="churn", ModelCardStatus="Approved")

    described = aws.describe_model_card(ModelCardName="churn")
    assert (described["ModelCardVersion"], described["ModelCardStatus"]) == (1, "Approved")
    assert described["Content"] == CONTENT
    assert versions(aws) == [(1, "Approved")]


def test_a_content_update_makes_a_version_and_keeps_the_status(aws):
    aws.create_model_card(ModelCardName="churn", Content=CONTENT, ModelCardStatus="PendingReview")

    aws.update_model_card(ModelCardName="churn", Content=json.dumps({"model_overview": {}}))

    described = aws.describe_model_card(ModelCardName="churn")
    assert (described["ModelCardVersion"], described["ModelCardStatus"]) == (2, "PendingReview")
    assert len(versions(aws)) == 2


def test_content_and_status_in_one_call_are_refused(aws):
    aws.create_model_card(ModelCardName="churn", Content=CONTENT, ModelCardStatus="Draft")

    with pytest.raises(ClientError) as refused:
        aws.update_model_card(
            ModelCardName="churn", Content=json.dumps({}), ModelCardStatus="Approved"
        )

    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert "both model card content and model card status" in str(refused.value)
    assert versions(aws) == [(1, "Draft")]


def test_an_archived_cards_content_cannot_change_but_its_status_can(aws):
    aws.create_model_card(ModelCardName="churn", Content=CONTENT, ModelCardStatus="Archived")

    with pytest.raises(ClientError, match="Model Card is in Archived state"):
        aws.update_model_card(ModelCardName="churn", Content=json.dumps({}))

    assert aws.describe_model_card(ModelCardName="churn")["Content"] == CONTENT
    aws.update_model_card(ModelCardName="churn", ModelCardStatus="Draft")
    assert versions(aws) == [(1, "Draft")]


def test_metadata_only_describes_a_card_with_only_its_metadata(aws):
    content = {
        **CARD,
        "model_overview": {"model_id": "m-1", "model_name": "churn", "model_description": "x"},
        "model_package_details": {"model_package_group_name": "g", "model_package_status": "x"},
    }
    aws.create_model_card(
        ModelCardName="churn", Content=json.dumps(content), ModelCardStatus="Draft"
    )

    full = aws.describe_model_card(ModelCardName="churn", IncludedData="AllData")
    sanitized = aws.describe_model_card(ModelCardName="churn", IncludedData="MetadataOnly")

    assert json.loads(full["Content"]) == content
    assert json.loads(sanitized["Content"]) == {
        "model_overview": {"model_id": "m-1", "model_name": "churn"},
        "intended_uses": {"risk_rating": "Low"},
        "model_package_details": {"model_package_group_name": "g"},
    }


# --- model packages ---------------------------------------------------------------------------

PACKAGE_CARD = {"ModelCardContent": CONTENT, "ModelCardStatus": "Draft"}
LIFE_CYCLE = {"Stage": "Development", "StageStatus": "InProgress", "StageDescription": "Tuning"}


def create_package(aws, **extra) -> str:
    aws.create_model_package_group(ModelPackageGroupName="churn-group")
    return aws.create_model_package(
        ModelPackageGroupName="churn-group",
        ModelApprovalStatus="PendingManualApproval",
        InferenceSpecification={
            "Containers": [{"Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/xgb:1"}],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
        **extra,
    )["ModelPackageArn"]


def test_a_package_keeps_its_card_and_life_cycle(aws):
    arn = create_package(aws, ModelCard=PACKAGE_CARD, ModelLifeCycle=LIFE_CYCLE)

    described = aws.describe_model_package(ModelPackageName=arn)

    assert described["ModelCard"] == PACKAGE_CARD
    assert described["ModelLifeCycle"] == LIFE_CYCLE
    assert described["ModelApprovalStatus"] == "PendingManualApproval"


def test_updating_a_packages_card_keeps_its_approval_status_and_the_other_half(aws):
    arn = create_package(aws, ModelCard=PACKAGE_CARD)
    new_content = json.dumps({"intended_uses": {"risk_rating": "High"}})

    aws.update_model_package(ModelPackageArn=arn, ModelCard={"ModelCardContent": new_content})
    aws.update_model_package(ModelPackageArn=arn, ModelCard={"ModelCardStatus": "Approved"})
    aws.update_model_package(ModelPackageArn=arn, ModelLifeCycle=LIFE_CYCLE)

    described = aws.describe_model_package(ModelPackageName=arn)
    assert described["ModelCard"] == {
        "ModelCardContent": new_content,
        "ModelCardStatus": "Approved",
    }
    assert described["ModelLifeCycle"] == LIFE_CYCLE
    assert described["ModelApprovalStatus"] == "PendingManualApproval"


def test_update_model_package_changes_only_what_it_names(aws):
    arn = create_package(aws)
    aws.update_model_package(
        ModelPackageArn=arn, ModelApprovalStatus="Approved", ApprovalDescription="Reviewed"
    )

    aws.update_model_package(ModelPackageArn=arn, ModelLifeCycle=LIFE_CYCLE)

    described = aws.describe_model_package(ModelPackageName=arn)
    assert described["ModelApprovalStatus"] == "Approved"
    assert described["ApprovalDescription"] == "Reviewed"


def test_an_archived_package_cards_content_cannot_change(aws):
    arn = create_package(aws, ModelCard={**PACKAGE_CARD, "ModelCardStatus": "Archived"})

    with pytest.raises(ClientError, match="Model Card is in Archived state"):
        aws.update_model_package(
            ModelPackageArn=arn, ModelCard={"ModelCardContent": json.dumps({})}
        )

    assert aws.describe_model_package(ModelPackageName=arn)["ModelCard"] == {
        **PACKAGE_CARD,
        "ModelCardStatus": "Archived",
    }


def test_metadata_only_describes_a_package_with_its_card_sanitized(aws):
    arn = create_package(aws, ModelCard=PACKAGE_CARD, ModelLifeCycle=LIFE_CYCLE)

    described = aws.describe_model_package(ModelPackageName=arn, IncludedData="MetadataOnly")

    assert json.loads(described["ModelCard"]["ModelCardContent"]) == {
        "intended_uses": {"risk_rating": "Low"}
    }
    assert described["ModelCard"]["ModelCardStatus"] == "Draft"
    assert described["ModelLifeCycle"] == LIFE_CYCLE
    assert described["ModelApprovalStatus"] == "PendingManualApproval"
