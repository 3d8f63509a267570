"""Everything the app asks of AWS. The only module that imports boto3.

Clients use the standard credential chain (never keys from the database), the region and
optional endpoint from settings, standard retries and short explicit timeouts, and each
operation ends by AWS_DEADLINE, its retries included: no request waits more than a few
seconds on AWS. Inside ``using(target)`` (a team's AWS target) they use
the target's role, assumed with STS from that chain, and its region.
"""

from __future__ import annotations

import re
from functools import cache

import boto3
import botocore.session
from botocore.config import Config
from botocore.credentials import DeferredRefreshableCredentials
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings

from cards.sagemaker import deadline

# Re-exported: callers know the failures and the target as ``sagemaker.AwsError``,
# ``sagemaker.using``... (cards/sagemaker/failures.py, targets.py).
from cards.sagemaker.failures import (  # noqa: F401
    TRANSIENT_CODES,
    AwsError,
    AwsInputRefused,
    AwsUnavailable,
    CardExists,
    NotFound,
    PublishFailed,
    S3UriRefused,
    SearchUnavailable,
    TargetRefused,
    classified,
)
from cards.sagemaker.targets import (  # noqa: F401
    Target,
    current_region,
    current_target,
    default_region,
    using,
)

# --- AWS targets: a team's account (a role assumed with STS) and region -------------------


def sagemaker_regions() -> list[str]:
    """The regions SageMaker runs in, from botocore's endpoint data (no AWS call)."""
    return _session().get_available_regions("sagemaker")


def _assume_role(sts, target: Target) -> dict:
    params = {
        "RoleArn": target.role_arn,
        "RoleSessionName": target.session_name,
        "DurationSeconds": 3600,
    }
    if target.external_id:
        params["ExternalId"] = target.external_id
    try:
        answer = sts.assume_role(**params)["Credentials"]
    except (ClientError, BotoCoreError) as error:
        failure = classified(error, f"assuming the role {target.role_arn}")
        if isinstance(failure, AwsUnavailable):
            raise failure from error
        reason = error.response["Error"].get("Message") if isinstance(error, ClientError) else ""
        raise TargetRefused(
            f"The studio could not assume the role {target.role_arn} of the AWS target "
            f"“{target.label or target.role_arn}”: check the role's trust policy and the "
            f"external ID (docs/aws-targets.md). ({reason or error})"
        ) from error
    return {
        "access_key": answer["AccessKeyId"],
        "secret_key": answer["SecretAccessKey"],
        "token": answer["SessionToken"],
        "expiry_time": answer["Expiration"].isoformat(),
    }


@cache
def _assumed_session(target: Target) -> boto3.Session:
    """A session with the target role's credentials, one per target for the process: STS is
    asked on first use and again before they expire (botocore refreshes them 15 minutes
    ahead, and at once with 10 minutes left), never at every call."""
    sts = _client(
        "sts", target.region, settings.AWS_ENDPOINT_URL, *_timeouts(), 5, settings.AWS_DEADLINE
    )
    core = botocore.session.get_session()
    # botocore has no public way to hand a session refreshable credentials; this is the
    # attribute its own credential resolver fills.
    core._credentials = DeferredRefreshableCredentials(
        refresh_using=lambda: _assume_role(sts, target), method="sts-assume-role"
    )
    return boto3.Session(botocore_session=core, region_name=target.region)


def _timeouts() -> tuple[int, int]:
    return settings.AWS_CONNECT_TIMEOUT, settings.AWS_READ_TIMEOUT


@cache
def _client(
    service: str,
    region: str,
    endpoint: str,
    connect: int,
    read: int,
    attempts: int,
    seconds: float,
    target: Target | None = None,
):
    return _bounded_client(
        _assumed_session(target) if target else _session(),
        service,
        region=region,
        endpoint=endpoint,
        connect=connect,
        read=read,
        attempts=attempts,
        seconds=seconds,
    )


def _bounded_client(
    session: boto3.Session,
    service: str,
    *,
    region: str,
    endpoint: str,
    connect: int,
    read: int,
    attempts: int,
    seconds: float,
):
    """A client of ``session`` whose every operation ends ``seconds`` after it starts, its
    ``attempts`` tries (botocore's standard retries), the waits between them and the
    answer's body included (cards/sagemaker/deadline.py). ``connect`` and ``read`` still
    bound each socket operation."""
    config = Config(
        region_name=region,
        # The deadline's retry handler makes botocore's standard retries; botocore's own
        # handler is left with one attempt (total_max_attempts counts the first).
        retries={"mode": "standard", "total_max_attempts": 1},
        connect_timeout=connect,
        read_timeout=read,
    )
    made = session.client(service, endpoint_url=endpoint or None, config=config)
    return deadline.bound(made, seconds=seconds, attempts=attempts)


# botocore's chain ends with these: they call the ECS agent (169.254.170.2) and the EC2 instance
# metadata service (169.254.169.254), and off EC2 the latter waits for its timeout.
_INSTANCE_PROVIDERS = ("container-role", "iam-role")


def _session() -> boto3.Session:
    """boto3's standard chain, without instance credentials unless AWS_USE_INSTANCE_METADATA."""
    core = botocore.session.get_session()
    if not settings.AWS_USE_INSTANCE_METADATA:
        resolver = core.get_component("credential_provider")
        for name in _INSTANCE_PROVIDERS:
            resolver.remove(name)
    return boto3.Session(botocore_session=core)


_CURRENT = object()


def client(service: str, *, interactive: bool = True, target: Target | None | object = _CURRENT):
    """A client for ``service`` in ``target`` (by default the one ``using`` set; None: the
    standard chain and AWS_REGION). Interactive clients (a person is waiting) try once; the
    worker's retry on throttling and server errors with standard backoff."""
    chosen = current_target() if target is _CURRENT else target
    return _client(
        service,
        chosen.region if chosen else settings.AWS_REGION,
        settings.AWS_ENDPOINT_URL,
        settings.AWS_CONNECT_TIMEOUT,
        settings.AWS_READ_TIMEOUT,
        1 if interactive else 5,
        settings.AWS_DEADLINE,
        chosen,
    )


def waiting_client(service: str, *, wait: int):
    """A client for calls that wait on purpose (SQS long polling up to ``wait`` seconds): the
    read timeout and the deadline are the wait plus the usual ones, standard retries. Always
    the studio's own account (the events queue is the studio's, whatever the teams' targets)."""
    return _client(
        service,
        settings.AWS_REGION,
        settings.AWS_ENDPOINT_URL,
        settings.AWS_CONNECT_TIMEOUT,
        wait + settings.AWS_READ_TIMEOUT,
        5,
        wait + settings.AWS_DEADLINE,
    )


def credentials_configured() -> bool:
    """Whether boto3's standard chain finds credentials (env, profile, role...)."""
    try:
        return _session().get_credentials() is not None
    except BotoCoreError as error:  # e.g. AWS_PROFILE names a profile that does not exist
        raise AwsError(f"AWS configuration error: {error}") from error


# --- Model cards, for the publishing worker ------------------------------------------------


def _sagemaker_call(operation: str, action: str, *, retry: bool = True, **params):
    # A content update is not idempotent (each one is a new version) and botocore would resend
    # it after a timeout whose request did land: it gets one try, and the job's next attempt
    # compares the remote content before sending anything again.
    sagemaker = client("sagemaker", interactive=not retry)
    try:
        return getattr(sagemaker, operation)(**params)
    except (ClientError, BotoCoreError) as error:
        raise classified(error, action) from error


def describe_model_card(name: str, *, metadata_only: bool = False) -> dict | None:
    """The latest version of the remote card, or None if SageMaker has no card by that name.

    ``metadata_only``: IncludedData=MetadataOnly, whose content is sanitized to a few metadata
    fields and which needs no kms:Decrypt on a card's customer managed key."""
    params: dict = {"ModelCardName": name}
    if metadata_only:
        params["IncludedData"] = "MetadataOnly"
    try:
        return _sagemaker_call("describe_model_card", f"reading {name}", **params)
    except PublishFailed as error:
        cause = error.__cause__
        if isinstance(cause, ClientError) and cause.response["Error"].get("Code") in {
            "ResourceNotFound",
            "ResourceNotFoundException",
        }:
            return None
        raise


def create_model_card(name: str, content: str, status: str) -> str:
    """Create the card (with the configured KMS key and tags); returns its ARN."""
    params: dict = {"ModelCardName": name, "Content": content, "ModelCardStatus": status}
    # A target's own key; the setting's key belongs to the default account, never a target's.
    target = current_target()
    kms_key = target.kms_key_id if target else settings.SAGEMAKER_KMS_KEY_ID
    if kms_key:
        params["SecurityConfig"] = {"KmsKeyId": kms_key}
    if settings.SAGEMAKER_TAGS:
        params["Tags"] = [{"Key": k, "Value": v} for k, v in settings.SAGEMAKER_TAGS.items()]
    try:
        return _sagemaker_call("create_model_card", f"creating {name}", **params)["ModelCardArn"]
    except PublishFailed as error:
        cause = error.__cause__
        if isinstance(cause, ClientError) and cause.response["Error"].get("Code") == (
            "ConflictException"
        ):
            raise CardExists(str(error)) from cause
        raise


# SageMaker refuses content and status in one UpdateModelCard call: two functions.
def update_model_card_content(name: str, content: str) -> None:
    _sagemaker_call(
        "update_model_card",
        f"updating the content of {name}",
        retry=False,
        ModelCardName=name,
        Content=content,
    )


def update_model_card_status(name: str, status: str) -> None:
    # Like content: one try. SageMaker makes no version for a status change, but a resend
    # after a lost answer is still a second write; the job's next attempt describes first.
    _sagemaker_call(
        "update_model_card",
        f"setting the status of {name}",
        retry=False,
        ModelCardName=name,
        ModelCardStatus=status,
    )


# A model package's own card (the Model Registry's): the same two-call rule, through
# UpdateModelPackage, whose ModelCard names only what it changes; nothing else of the package
# (its approval status above all) is sent. One try each, as for a standalone card.
def update_model_package_card(arn: str, *, content: str = "", status: str = "") -> None:
    card = {"ModelCardContent": content} if content else {"ModelCardStatus": status}
    what = "the content" if content else "the status"
    action = f"updating {what} of the card of the model package {arn}"
    _sagemaker_call(
        "update_model_package", action, retry=False, ModelPackageArn=arn, ModelCard=card
    )


def update_model_package_life_cycle(arn: str, *, stage: str, stage_status: str) -> None:
    """The package's ModelLifeCycle only (never its approval status nor its card). Setting
    the same stage twice changes nothing, so botocore's retries are safe here."""
    _sagemaker_call(
        "update_model_package",
        f"setting the lifecycle stage of the model package {arn}",
        ModelPackageArn=arn,
        ModelLifeCycle={"Stage": stage, "StageStatus": stage_status},
    )


# --- Reading from SageMaker: look-ups for the wizard, existing cards to import -------------
# A person is waiting on each of these: one try, short timeouts (the interactive client).


_NOT_FOUND_CODES = frozenset({"ResourceNotFound", "ResourceNotFoundException", "NotFound"})


def _lookup(operation: str, action: str, missing: str, **params) -> dict:
    try:
        return _sagemaker_call(operation, action, retry=False, **params)
    except PublishFailed as error:
        cause = error.__cause__
        if isinstance(cause, ClientError):
            code = cause.response["Error"].get("Code", "")
            message = cause.response["Error"].get("Message", "")
            # DescribeModel and friends answer ValidationException "Could not find ...".
            if code in _NOT_FOUND_CODES or message.lower().startswith("could not find"):
                raise NotFound(missing) from cause
        raise


def _name_from_arn(name_or_arn: str, resource: str) -> str:
    """``arn:aws:sagemaker:...:training-job/NAME`` -> NAME; a plain name stays as it is."""
    value = name_or_arn.strip()
    marker = f":{resource}/"
    return value.split(marker, 1)[1] if value.startswith("arn:") and marker in value else value


def describe_model(name: str) -> dict:
    name = name.strip()
    return _lookup(
        "describe_model",
        f"looking up the model {name}",
        f"SageMaker has no model named “{name}” in {current_region()}.",
        ModelName=name,
    )


def describe_training_job(name_or_arn: str) -> dict:
    name = _name_from_arn(name_or_arn, "training-job")
    return _lookup(
        "describe_training_job",
        f"looking up the training job {name}",
        f"SageMaker has no training job named “{name}” in {current_region()}.",
        TrainingJobName=name,
    )


def describe_model_package(arn: str, *, metadata_only: bool = False) -> dict:
    """``metadata_only``: IncludedData=MetadataOnly, the package's card sanitized (no
    kms:Decrypt needed). The publish job reads with this too: its own retries cover the try."""
    arn = arn.strip()
    extra = {"IncludedData": "MetadataOnly"} if metadata_only else {}
    return _lookup(
        "describe_model_package",
        f"looking up the model package {arn}",
        f"SageMaker has no model package “{arn}” in {current_region()}.",
        ModelPackageName=arn,
        **extra,
    )


def search(resource: str, filters: list[dict], *, sort_by: str = "", limit: int = 10) -> list:
    """SageMaker's Search: the matching records of ``resource`` (newest first when sorted).

    Raises SearchUnavailable when Search cannot run this query (moto, for one, implements
    neither model cards nor nested training-job filters); callers fall back or explain.
    """
    params: dict = {
        "Resource": resource,
        "SearchExpression": {"Filters": filters},
        "MaxResults": limit,
    }
    if sort_by:
        params.update(SortBy=sort_by, SortOrder="Descending")
    try:
        response = _sagemaker_call("search", f"searching {resource}", retry=False, **params)
    except PublishFailed as error:
        raise SearchUnavailable(f"SageMaker could not search {resource}: {error}") from error
    except AwsUnavailable as error:
        raise SearchUnavailable(str(error)) from error
    return [result.get(resource, {}) for result in response.get("Results", [])]


def _pages(operation: str, action: str, key: str, *, limit: int | None = None, **params) -> list:
    """Every item under ``key`` of every page (boto3's paginator), up to ``limit`` items."""
    paginator = client("sagemaker", interactive=True).get_paginator(operation)
    config = {"PageSize": 100, **({"MaxItems": limit} if limit else {})}
    items: list = []
    try:
        for page in paginator.paginate(**params, PaginationConfig=config):
            items += page.get(key, [])
    except (ClientError, BotoCoreError) as error:
        raise classified(error, action) from error
    return items[:limit] if limit else items


def list_model_cards(*, limit: int = 1000) -> list[dict]:
    """Summaries of the account's model cards (every page, up to ``limit``)."""
    return _pages(
        "list_model_cards",
        "listing model cards",
        "ModelCardSummaries",
        limit=limit,
        SortBy="Name",
        SortOrder="Ascending",
    )


def list_model_package_groups() -> list[dict]:
    key = "ModelPackageGroupSummaryList"
    return _pages("list_model_package_groups", "listing model package groups", key)


def list_model_packages(group: str) -> list[dict]:
    """A group's model package versions (every page)."""
    action = f"listing the versions of the model package group {group}"
    params = {"ModelPackageGroupName": group, "ModelPackageType": "Versioned"}
    return _pages("list_model_packages", action, "ModelPackageSummaryList", **params)


def list_model_card_versions(name: str) -> list[dict]:
    """Summaries of every version of a card, oldest first."""
    return _pages(
        "list_model_card_versions",
        f"listing the versions of {name}",
        "ModelCardVersionSummaryList",
        ModelCardName=name,
        SortBy="Version",
        SortOrder="Ascending",
    )


def describe_model_card_version(name: str, version: int | None = None) -> dict:
    """One version of a remote card (the latest when ``version`` is None)."""
    params: dict = {"ModelCardName": name}
    if version is not None:
        params["ModelCardVersion"] = version
    return _lookup(
        "describe_model_card",
        f"reading {name}",
        f"SageMaker has no model card named “{name}”.",
        **params,
    )


def latest_model_package_version(group: str) -> int | None:
    """The newest version number in a model package group (ListModelPackages), or None when
    the group has no versioned package. For the worker: standard retries."""
    response = _sagemaker_call(
        "list_model_packages",
        f"listing the versions of the model package group {group}",
        ModelPackageGroupName=group,
        ModelPackageType="Versioned",
        SortBy="CreationTime",
        SortOrder="Descending",
        MaxResults=10,
    )
    versions = [
        summary["ModelPackageVersion"]
        for summary in response.get("ModelPackageSummaryList", [])
        if summary.get("ModelPackageVersion") is not None
    ]
    return max(versions, default=None)


# --- Lists for the pickers: one page at a time, a person waits ----------------------------


def list_page(operation: str, key: str, action: str, **params) -> tuple[list[dict], str]:
    """One page of a SageMaker List* call: its items under ``key`` and the next page's token
    ("" on the last page). One try, the interactive client's short timeouts."""
    response = _sagemaker_call(operation, action, retry=False, **params)
    return response.get(key, []), response.get("NextToken", "") or ""


def describe_processing_job(name: str) -> dict:
    return _lookup(
        "describe_processing_job",
        f"looking up the processing job {name}",
        f"SageMaker has no processing job named “{name}” in {current_region()}.",
        ProcessingJobName=name,
    )


# --- Tags of a published card (AddTags / DeleteTags / ListTags on its ARN) -----------------


# SageMaker's tag characters (Key 1-128, Value 0-256).
TAG_PATTERN = re.compile(r"[\w\s.:/=+\-@]*")


def list_tags(arn: str) -> dict[str, str]:
    items = _pages("list_tags", f"reading the tags of {arn}", "Tags", ResourceArn=arn)
    return {item["Key"]: item.get("Value", "") for item in items}


def add_tags(arn: str, tags: dict[str, str]) -> None:
    """Adds or overwrites these tags (the same call twice changes nothing: retries are safe)."""
    items = [{"Key": key, "Value": value} for key, value in tags.items()]
    _sagemaker_call("add_tags", f"tagging {arn}", ResourceArn=arn, Tags=items)


def delete_tags(arn: str, keys: list[str]) -> None:
    _sagemaker_call("delete_tags", f"removing tags of {arn}", ResourceArn=arn, TagKeys=keys)
