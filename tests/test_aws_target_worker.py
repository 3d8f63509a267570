"""A team's AWS target through a real worker and the sandbox (moto in server mode, with its
STS): the team with a target publishes into the target's account, seen through the assumed
role, while another team publishes to the default account."""

from __future__ import annotations

import boto3
import pytest

from cards.models import PublicationState
from cards.services import publication_request
from cards.services.targets import team_target_set
from tests.factories import make_approved_card
from tests.test_publish_worker import remote_client, wait_for

PROD = "111122223333"
PROD_ROLE = f"arn:aws:iam::{PROD}:role/ModelCardStudio"


def as_the_target(moto_url: str):
    """The target's account as someone holding its role sees it."""
    sts = boto3.client(
        "sts",
        endpoint_url=moto_url,
        region_name="eu-west-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    credentials = sts.assume_role(
        RoleArn=PROD_ROLE, RoleSessionName="test", ExternalId="studio-growth-7f3a"
    )["Credentials"]
    return boto3.client(
        "sagemaker",
        endpoint_url=moto_url,
        region_name="eu-west-1",
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


@pytest.mark.django_db(transaction=True)
def test_a_worker_publishes_each_team_to_its_own_target(
    worker, moto_url, alice, charlie, sam, team_a
):
    team_target_set(
        actor=sam,
        team=team_a,
        label="Growth, prod",
        region="eu-west-1",
        role_arn=PROD_ROLE,
        external_id="studio-growth-7f3a",
    )
    growth = make_approved_card(user=alice, name="churn-model")
    payments = make_approved_card(user=charlie, name="fraud-model")

    in_target = wait_for(publication_request(card=growth, user=alice))
    in_default = wait_for(publication_request(card=payments, user=charlie))

    assert in_target.state == PublicationState.PUBLISHED, in_target.last_error
    assert in_default.state == PublicationState.PUBLISHED, in_default.last_error
    remote = as_the_target(moto_url).describe_model_card(ModelCardName="churn-model")
    assert remote["ModelCardArn"] == in_target.arn
    assert in_target.arn.startswith(f"arn:aws:sagemaker:eu-west-1:{PROD}:model-card/")
    default = remote_client(moto_url)
    names = [card["ModelCardName"] for card in default.list_model_cards()["ModelCardSummaries"]]
    assert names == ["fraud-model"]
    assert in_default.arn.startswith("arn:aws:sagemaker:us-east-1:123456789012:")
