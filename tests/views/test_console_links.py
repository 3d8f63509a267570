"""Every SageMaker ARN the studio shows links to that resource's page in the AWS console, in
the resource's own region."""

import pytest

from cards.console import console_url
from cards.models import ModelCard
from tests.factories import make_card

ACCOUNT = "123456789012"


@pytest.mark.parametrize(
    ("arn", "url"),
    [
        (
            f"arn:aws:sagemaker:eu-west-1:{ACCOUNT}:model-card/churn-card",
            "https://eu-west-1.console.aws.amazon.com/sagemaker/home?region=eu-west-1"
            "#/model-cards/churn-card",
        ),
        (
            f"arn:aws:sagemaker:us-east-2:{ACCOUNT}:model/churn-xgb",
            "https://us-east-2.console.aws.amazon.com/sagemaker/home?region=us-east-2"
            "#/models/churn-xgb",
        ),
        (
            f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:training-job/churn-train",
            "https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1"
            "#/jobs/churn-train",
        ),
        (
            f"arn:aws:sagemaker:ap-southeast-2:{ACCOUNT}:processing-job/clarify-bias",
            "https://ap-southeast-2.console.aws.amazon.com/sagemaker/home?region=ap-southeast-2"
            "#/processing-jobs/clarify-bias",
        ),
        (
            f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:model-package/churn-group/2",
            "https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1"
            "#/model-registry/churn-group/2",
        ),
        (
            f"arn:aws-cn:sagemaker:cn-north-1:{ACCOUNT}:model/churn-xgb",
            "https://cn-north-1.console.amazonaws.cn/sagemaker/home?region=cn-north-1"
            "#/models/churn-xgb",
        ),
    ],
)
def test_a_sagemaker_arn_has_its_console_page(arn, url):
    assert console_url(arn) == url


@pytest.mark.parametrize(
    "value",
    [
        "churn-xgb",
        "arn:aws:s3:::bucket/key",
        f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:endpoint-config/x",
        f'arn:aws:sagemaker:us-east-1:{ACCOUNT}:model/x"><script>',
        "javascript:alert(1)",
    ],
)
def test_anything_else_has_none(value):
    assert console_url(value) == ""


@pytest.mark.django_db
def test_the_card_page_links_its_model_and_training_job_and_sagemaker_card(alice, alice_client):
    model = f"arn:aws:sagemaker:eu-west-1:{ACCOUNT}:model/churn-xgb"
    job = f"arn:aws:sagemaker:eu-west-1:{ACCOUNT}:training-job/churn-train"
    card = make_card(
        user=alice,
        name="churn-card",
        content={
            "model_overview": {"model_id": model},
            "training_details": {"training_job_details": {"training_arn": job}},
        },
    )
    ModelCard.objects.filter(pk=card.pk).update(
        sagemaker_arn=f"arn:aws:sagemaker:eu-west-1:{ACCOUNT}:model-card/churn-card"
    )

    page = alice_client.get(f"/cards/{card.name}/").content.decode()

    base = "https://eu-west-1.console.aws.amazon.com/sagemaker/home?region=eu-west-1#/"
    for route, text in (
        ("models/churn-xgb", model),
        ("jobs/churn-train", job),
        ("model-cards/churn-card", "model-card/churn-card"),
    ):
        assert f'<a href="{base}{route}" class="console-link"' in page
        assert text in page


@pytest.mark.django_db
def test_the_wizard_links_an_arn_it_holds(alice, alice_client):
    model = f"arn:aws:sagemaker:eu-west-1:{ACCOUNT}:model/churn-xgb"
    card = make_card(user=alice, name="churn-card", content={"model_overview": {"model_id": model}})

    page = alice_client.get(f"/cards/{card.name}/edit/details/").content.decode()

    url = (
        "https://eu-west-1.console.aws.amazon.com/sagemaker/home?region=eu-west-1#/models/churn-xgb"
    )
    assert f'<a href="{url}" class="console-link"' in page
