"""SageMaker ARNs link to their console page, in their region; nothing else does."""

import pytest

from cards.content.arns import console_url


@pytest.mark.parametrize(
    ("arn", "url"),
    [
        (
            "arn:aws:sagemaker:eu-west-1:111122223333:training-job/churn-gbm-3",
            "https://console.aws.amazon.com/sagemaker/home?region=eu-west-1#/jobs/churn-gbm-3",
        ),
        (
            "arn:aws:sagemaker:us-east-2:111122223333:processing-job/clarify-bias-1",
            "https://console.aws.amazon.com/sagemaker/home?region=us-east-2"
            "#/processing-jobs/clarify-bias-1",
        ),
        (
            "arn:aws-us-gov:sagemaker:us-gov-west-1:111122223333:model/m",
            "https://console.amazonaws-us-gov.com/sagemaker/home?region=us-gov-west-1#/models/m",
        ),
    ],
)
def test_a_sagemaker_arn_links_to_its_console_page(arn, url):
    assert console_url(arn) == url


@pytest.mark.parametrize(
    "text",
    [
        "churn-gbm-3",
        "arn:aws:s3:::bucket/key",
        "arn:aws:sagemaker:eu-west-1:111122223333:model-package/group/1",
        'arn:aws:sagemaker:eu-west-1:111122223333:training-job/a"><script>',
        "javascript:alert(1)",
        None,
        42,
    ],
)
def test_anything_else_stays_text(text):
    assert console_url(text) is None
