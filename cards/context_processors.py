from django.conf import settings
from django.http import HttpRequest


def studio(request: HttpRequest) -> dict[str, object]:
    return {"aws_sandbox": settings.AWS_SANDBOX, "aws_region": settings.AWS_REGION}
