"""Links to the AWS console page of a SageMaker resource, from its ARN. Strings only: no AWS
call, nothing imported from the app.

The console's SageMaker pages are addressed by region and a fragment per resource type. The
fragments below are the SageMaker console's routes (model cards, models, training and
processing jobs, model registry); an ARN of another type links to no page.
"""

from __future__ import annotations

import re
from urllib.parse import quote

_ARN = re.compile(
    r"^arn:(?P<partition>aws|aws-cn|aws-us-gov):sagemaker:(?P<region>[a-z]{2}(?:-[a-z]+)+-\d+):"
    r"(?P<account>\d{12}):(?P<type>[a-z-]+)/(?P<name>[A-Za-z0-9][A-Za-z0-9/_.-]{0,200})$"
)
_CONSOLE = {
    "aws": "https://{region}.console.aws.amazon.com",
    "aws-cn": "https://{region}.console.amazonaws.cn",
    "aws-us-gov": "https://console.amazonaws-us-gov.com",
}
_ROUTES = {
    "model-card": "model-cards/{name}",
    "model": "models/{name}",
    "training-job": "jobs/{name}",
    "processing-job": "processing-jobs/{name}",
    "transform-job": "transform-jobs/{name}",
    "endpoint": "endpoints/{name}",
    "model-package-group": "model-registry/{name}",
    # model-package/GROUP/VERSION: the version's page in its group.
    "model-package": "model-registry/{name}",
}


def console_url(arn: str) -> str:
    """The console page of the SageMaker resource ``arn`` in its region, or "" when the ARN
    is not one of a SageMaker resource type the console has a page for."""
    match = _ARN.match(str(arn or "").strip())
    if match is None or match["type"] not in _ROUTES:
        return ""
    region = match["region"]
    route = _ROUTES[match["type"]].format(name=quote(match["name"], safe="/"))
    host = _CONSOLE[match["partition"]].format(region=region)
    return f"{host}/sagemaker/home?region={region}#/{route}"
