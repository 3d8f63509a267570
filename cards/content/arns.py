"""Links from a SageMaker ARN to the resource in the SageMaker console, in the ARN's region.

Only the resource types whose console address is known are linked; any other ARN (and any
text that is not an ARN) stays plain text.
"""

from __future__ import annotations

import re
from urllib.parse import quote

# arn:partition:sagemaker:region:account:type/name
_ARN = re.compile(
    r"^arn:(?P<partition>aws[a-z-]*):sagemaker:(?P<region>[a-z]{2}(?:-[a-z]+)+-\d):\d{12}:"
    r"(?P<type>[a-z-]+)/(?P<name>[A-Za-z0-9][A-Za-z0-9-]{0,62})$"
)
# resource type in the ARN -> the console's page for it
_PAGES = {
    "training-job": "jobs",
    "processing-job": "processing-jobs",
    "transform-job": "transform-jobs",
    "model": "models",
    "endpoint": "endpoints",
    "model-card": "model-cards",
}
_CONSOLE = {
    "aws": "https://console.aws.amazon.com",
    "aws-us-gov": "https://console.amazonaws-us-gov.com",
    "aws-cn": "https://console.amazonaws.cn",
}


def console_url(arn: object) -> str | None:
    """The console page of a SageMaker resource, or None when there is none to link."""
    if not isinstance(arn, str):
        return None
    found = _ARN.match(arn.strip())
    if not found or found["type"] not in _PAGES or found["partition"] not in _CONSOLE:
        return None
    region = found["region"]
    return (
        f"{_CONSOLE[found['partition']]}/sagemaker/home?region={region}"
        f"#/{_PAGES[found['type']]}/{quote(found['name'])}"
    )
