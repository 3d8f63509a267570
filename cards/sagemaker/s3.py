"""Evaluation reports in S3: read one, list a folder's; only from ``REPORT_BUCKETS``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    HTTPClientError,
    NoCredentialsError,
)
from botocore.exceptions import ConnectionError as BotoConnectionError
from django.conf import settings

from cards.sagemaker.client import (
    TRANSIENT_CODES,
    AwsError,
    AwsUnavailable,
    S3UriRefused,
    client,
)

# S3 bucket names: 3-63 lowercase letters, digits, dots and hyphens.
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


@dataclass(frozen=True)
class S3Object:
    uri: str
    body: bytes
    etag: str
    version_id: str


def parse_s3_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/key`` -> (bucket, key); anything else is refused before any AWS call."""
    uri = uri.strip()
    if not uri.startswith("s3://"):
        raise S3UriRefused("Enter an S3 URI of the form s3://bucket/path/to/report.json.")
    bucket, _, key = uri[len("s3://") :].partition("/")
    if not _BUCKET.match(bucket) or ".." in bucket:
        raise S3UriRefused(f"“{bucket}” is not an S3 bucket name.")
    if not key or key.endswith("/"):
        raise S3UriRefused("The S3 URI must name an object (a file), not a bucket or a folder.")
    if any(part in {".", ".."} for part in key.split("/")):
        raise S3UriRefused("The S3 key must not contain “.” or “..” path segments.")
    return bucket, key


def _allowed_bucket(bucket: str) -> None:
    if bucket not in settings.REPORT_BUCKETS:
        allowed = ", ".join(settings.REPORT_BUCKETS) or "none yet"
        raise S3UriRefused(
            f"Reports cannot be read from the bucket “{bucket}” (allowed: {allowed}). An "
            "administrator can allow it by adding it to the REPORT_BUCKETS setting."
        )


def s3_list_json(prefix_uri: str, *, limit: int) -> list[str]:
    """``s3://`` URIs of the JSON objects under a folder of an allowed bucket, up to ``limit``."""
    uri = prefix_uri.strip()
    if not uri.startswith("s3://"):
        raise AwsError(f"“{uri}” is not an S3 location.")
    bucket, _, prefix = uri[len("s3://") :].partition("/")
    if not _BUCKET.match(bucket):
        raise AwsError(f"“{bucket}” is not an S3 bucket name.")
    _allowed_bucket(bucket)
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    s3 = client("s3")
    found: list[str] = []
    try:
        pages = s3.get_paginator("list_objects_v2").paginate(
            Bucket=bucket, Prefix=prefix, PaginationConfig={"MaxItems": 1000, "PageSize": 1000}
        )
        for page in pages:
            for item in page.get("Contents", []):
                if item["Key"].endswith(".json"):
                    found.append(f"s3://{bucket}/{item['Key']}")
                    if len(found) >= limit:
                        return found
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        if code in {"NoSuchBucket", "404"}:
            raise S3UriRefused(f"There is no S3 bucket named “{bucket}”.") from None
        if code in {"403", "AccessDenied"}:
            raise AwsError(
                f"Listing {uri} was denied. The server's AWS role needs s3:ListBucket on it."
            ) from None
        message = error.response.get("Error", {}).get("Message") or code
        raise AwsError(f"S3 refused to list {uri}: {message}") from None
    except (BotoCoreError, NoCredentialsError) as error:
        raise AwsError(f"Could not list {uri} in S3: {error}") from None
    return found


def s3_read_report(uri: str, *, max_bytes: int) -> S3Object:
    """Read a report from an allowed bucket, checking its size before reading it."""
    bucket, key = parse_s3_uri(uri)
    _allowed_bucket(bucket)
    s3 = client("s3")
    try:
        head = s3.head_object(Bucket=bucket, Key=key)
        size = head.get("ContentLength")
        if size is None:
            raise AwsUnavailable(f"S3 did not say how large {uri} is. Try again in a moment.")
        if size > max_bytes:
            raise S3UriRefused(
                f"{uri} is {size / 1_000_000:.1f} MB; the limit is {max_bytes / 1_000_000:.0f} MB."
            )
        # IfMatch: the object read is the one that was measured.
        response = s3.get_object(Bucket=bucket, Key=key, IfMatch=head["ETag"])
        body = response["Body"].read(max_bytes + 1)
    except ClientError as error:
        raise _s3_refusal(error, s3, bucket, uri) from None
    except (BotoConnectionError, HTTPClientError):
        # Timeouts (AWS_DEADLINE included), refused or closed connections.
        raise AwsUnavailable(
            f"S3 did not answer in time while reading {uri}. Try again in a moment."
        ) from None
    except NoCredentialsError:
        raise AwsError(
            "No AWS credentials are configured on the server, so S3 cannot be read."
        ) from None
    except BotoCoreError as error:
        raise AwsError(f"Could not read {uri} from S3: {error}") from None
    if len(body) > max_bytes:
        raise S3UriRefused(f"{uri} is larger than the {max_bytes / 1_000_000:.0f} MB limit.")
    return S3Object(
        uri=uri,
        body=body,
        etag=head.get("ETag", "").strip('"'),
        version_id=head.get("VersionId") or "",
    )


def _s3_refusal(error: ClientError, s3, bucket: str, uri: str) -> AwsError:
    code = error.response.get("Error", {}).get("Code", "")
    if code in {"NoSuchBucket"}:
        return S3UriRefused(f"There is no S3 bucket named “{bucket}”.")
    if code in {"404", "NoSuchKey", "NotFound"}:
        # HEAD answers a bare 404 for a missing key and a missing bucket alike.
        try:
            s3.head_bucket(Bucket=bucket)
        except ClientError as bucket_error:
            if bucket_error.response.get("Error", {}).get("Code") in {"404", "NoSuchBucket"}:
                return S3UriRefused(f"There is no S3 bucket named “{bucket}”.")
        except BotoCoreError:
            pass
        return S3UriRefused(f"There is no object at {uri}.")
    if code in {"403", "AccessDenied", "Forbidden"}:
        return AwsError(
            f"Access to {uri} was denied. The server's AWS role needs s3:GetObject on it "
            "(and kms:Decrypt if it is encrypted with a customer managed key)."
        )
    if code in {"412", "PreconditionFailed"}:
        return AwsUnavailable(f"{uri} changed while it was being read. Try again.")
    message = error.response.get("Error", {}).get("Message") or code
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
    if code in TRANSIENT_CODES or code == "SlowDown" or status >= 500:
        return AwsUnavailable(f"S3 is busy or unavailable ({code}) while reading {uri}.")
    return AwsError(f"S3 refused to read {uri}: {message}")
