"""What AWS's failures mean to the user, in their words: the errors every caller of
``cards.sagemaker`` branches on, and how a botocore error becomes one of them."""

from __future__ import annotations

from botocore.exceptions import (
    ClientError,
    HTTPClientError,
    NoCredentialsError,
)
from botocore.exceptions import ConnectionError as BotoConnectionError

from cards.errors import InvalidInput, RemoteError, Unavailable


class AwsError(RemoteError):
    """A failure to tell the user about, in their words (502: AWS refused the server)."""


class AwsInputRefused(InvalidInput, AwsError):
    """The input names what cannot be used: a malformed S3 URI, a bucket not allowed, an
    object, model, package or job AWS does not have (422, naming it)."""


class S3UriRefused(AwsInputRefused):
    """The S3 URI given (the services' ``uri``) cannot be read."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="uri")


class PublishFailed(AwsError):
    """SageMaker refused the request; trying again will not help."""


class AwsUnavailable(Unavailable, AwsError):
    """Throttling, a server error, a timeout or a lost connection: worth trying again later."""


class CardExists(AwsError):
    """CreateModelCard found a card with that name (someone, or an earlier attempt, made it)."""


# Error codes that mean "later may work"; every other client error is permanent.
TRANSIENT_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "ThrottledException",
        "RequestThrottled",
        "RequestThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "ProvisionedThroughputExceededException",
        "InternalFailure",
        "InternalServerError",
        "ServiceUnavailable",
        "RequestTimeout",
        "RequestTimeoutException",
    }
)


def classified(error: Exception, action: str) -> AwsError:
    if isinstance(error, ClientError):
        details = error.response.get("Error", {})
        code = details.get("Code", "")
        message = details.get("Message") or code
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        if code in TRANSIENT_CODES or status >= 500:
            return AwsUnavailable(f"SageMaker is busy or unavailable ({code}) while {action}.")
        if code in {"AccessDeniedException", "AccessDenied"}:
            return PublishFailed(
                f"Access denied while {action}: the server's AWS role needs the SageMaker "
                f"model card permissions. ({message})"
            )
        if code == "ResourceLimitExceeded":
            return PublishFailed(f"A SageMaker limit was reached while {action}: {message}")
        return PublishFailed(f"SageMaker refused {action}: {message}")
    if isinstance(error, NoCredentialsError):
        return PublishFailed("No AWS credentials are configured on the server.")
    if isinstance(error, (BotoConnectionError, HTTPClientError)):
        # Includes EndpointConnectionError, ConnectTimeoutError and ReadTimeoutError.
        return AwsUnavailable(f"SageMaker did not answer while {action}: {error}")
    return PublishFailed(f"AWS configuration error while {action}: {error}")


class NotFound(AwsInputRefused):
    """SageMaker has no such resource."""


class SearchUnavailable(AwsError):
    """SageMaker's Search cannot answer this query here (an emulator, an older region...)."""


class TargetRefused(AwsError):
    """STS would not let the studio assume the target's role (trust policy, external ID)."""
