"""The client against a live server (real HTTP) with a real worker and the moto sandbox:
the SDK's flow, from a model package to the card in SageMaker."""

from __future__ import annotations

import json
import threading
import time

import boto3
import pytest
from django.db import connection
from studio_client import Studio, StudioError

from api.tokens import token_create
from cards.models import ModelCard
from cards.sagemaker import client as sagemaker
from cards.services import card_approve
from tests.factories import DATA

BIAS = DATA / "reports" / "clarify_bias_analysis.sdk_test.json"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/xgboost:1"


def remote(moto_url: str, service: str):
    return boto3.client(
        service,
        endpoint_url=moto_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture
def sandbox(moto_url, settings, monkeypatch):
    """The live server's SageMaker is the moto server the worker publishes to."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    settings.AWS_ENDPOINT_URL = moto_url
    settings.AWS_REGION = "us-east-1"
    settings.REPORT_BUCKETS = ["registry-reports"]
    sagemaker._client.cache_clear()
    yield moto_url
    sagemaker._client.cache_clear()


def model_package(moto_url: str) -> str:
    s3 = remote(moto_url, "s3")
    s3.create_bucket(Bucket="registry-reports")
    s3.put_object(Bucket="registry-reports", Key="churn/bias.json", Body=BIAS.read_bytes())
    client = remote(moto_url, "sagemaker")
    client.create_model_package_group(ModelPackageGroupName="churn-group")
    return client.create_model_package(
        ModelPackageGroupName="churn-group",
        ModelPackageDescription="Churn model, weekly retrain",
        ModelApprovalStatus="PendingManualApproval",
        InferenceSpecification={
            "Containers": [{"Image": IMAGE, "ModelDataUrl": "s3://models/churn/model.tar.gz"}],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
    )["ModelPackageArn"]


@pytest.mark.django_db(transaction=True)
def test_a_pipeline_creates_reports_submits_waits_and_publishes(
    live_server, sandbox, worker, alice, rita
):
    arn = model_package(sandbox)
    _, secret = token_create(
        user=alice, name="pipeline", scopes=["read", "write", "publish"], expires_in_days=1
    )
    studio = Studio(live_server.url, secret)

    card = studio.create_card("churn-v7", "Growth", from_model_package_arn=arn)
    assert card.content["model_package_details"]["model_package_arn"] == arn
    card.update(
        intended_uses={"purpose_of_model": "Predict churn", "risk_rating": "Low"},
        model_overview={"model_owner": "Data science"},
    )
    added = card.add_report(BIAS, report_type="Clarify Bias", job="holdout-2025q4")
    assert added["report"]["metric_count"] > 0
    card.submit()
    assert card.status == "PendingReview"

    def reviewer_approves():
        time.sleep(1.5)  # while the client is waiting in its long poll
        try:
            current = ModelCard.objects.get(name="churn-v7")
            card_approve(card=current, user=rita, revision=current.revision)
        finally:
            connection.close()  # this thread's own: it would outlive the test

    approval = threading.Thread(target=reviewer_approves)
    approval.start()
    started = time.monotonic()
    card.wait_for_status("Approved", timeout=30, poll=10)
    approval.join()
    assert time.monotonic() - started < 9, "the long poll answered when the status changed"

    publication = card.publish(wait=True, timeout=60)
    assert publication.state == "published"

    described = remote(sandbox, "sagemaker").describe_model_card(ModelCardName="churn-v7")
    assert described["ModelCardStatus"] == "Approved"
    assert json.loads(described["Content"]) == studio.card("churn-v7").content
    [job] = json.loads(described["Content"])["evaluation_details"]
    assert job["name"] == "holdout-2025q4"

    with pytest.raises(StudioError) as refused:
        studio.request("POST", "cards/churn-v7/approval")
    assert refused.value.status == 403
    assert "four eyes" in refused.value.detail
    studio.close()


@pytest.mark.django_db(transaction=True)
def test_the_client_raises_one_error_type_with_the_content_paths(live_server, alice):
    _, secret = token_create(user=alice, name="ci", scopes=["read", "write"], expires_in_days=1)
    with Studio(live_server.url, secret) as studio:
        card = studio.create_card("paths-card", "Growth")
        with pytest.raises(StudioError) as refused:
            card.update(
                training_details={
                    "training_job_details": {
                        "hyper_parameters": [{"name": "a", "value": "1"}] * 3 + [{"value": "x"}]
                    }
                }
            )
        assert refused.value.status == 422
        assert any(
            error["path"].startswith("training_details.training_job_details.hyper_parameters[3]")
            for error in refused.value.errors
        )
        stale = studio.card("paths-card")
        card.update(model_overview={"model_owner": "a"})
        with pytest.raises(StudioError) as conflict:
            stale.update(model_overview={"model_owner": "b"})
        assert conflict.value.status == 412
        assert [c["name"] for c in studio.cards()] == ["paths-card"]
    with pytest.raises(StudioError) as unauthorised:
        Studio(live_server.url, "mcs_not-a-token").card("paths-card")
    assert unauthorised.value.status == 401
