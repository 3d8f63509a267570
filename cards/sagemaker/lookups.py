"""Look-ups in SageMaker for the wizard: what a response fills in a card, and from where.

The functions at the top are pure: they turn SageMaker's responses into ``Fill`` values
(a content path, the value, where it came from) and sentences for the user. The ``lookup_*``
functions at the bottom ask SageMaker (through ``cards.sagemaker``) and this app's database;
``cards.services.card_apply_lookup`` writes the result to a card.

Every value is clipped to what the card's content allows (list caps, text lengths), with a
sentence saying what was left out: a look-up never produces content SageMaker would refuse.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html

from cards.content.document import dig, parse_content
from cards.content.fields import LIST_LIMITS, TEXT_LIMITS, label
from cards.models import ModelCard
from cards.reports import (
    CLARIFY_BIAS,
    CLARIFY_EXPLAINABILITY,
    MODEL_QUALITY,
    ReportError,
    load_json_document,
    read_report,
)
from cards.sagemaker import client as sagemaker

Path = tuple[str, ...]

OVERVIEW = ("model_overview",)
JOB = ("training_details", "training_job_details")

# What the SDK carries over from the previous card of a model package group.
CARRIED_SECTIONS = ("intended_uses", "business_details", "additional_information")
# ModelMetrics (DescribeModelPackage) -> evaluation job name and report type, as the SDK.
_EXPLAINABILITY_JOB = "Explainability report"
_MODEL_QUALITY_JOB = "Model quality report"


@dataclass(frozen=True)
class Fill:
    path: Path
    value: Any
    source: str
    only_if_empty: bool = False  # carry-over never replaces what is there

    @property
    def key(self) -> str:
        return ".".join(self.path)

    @property
    def label(self) -> str:
        return label(self.key)


@dataclass(frozen=True)
class ReportFill:
    """An evaluation job made from a report that SageMaker's ModelMetrics points at."""

    job_name: str
    source: str  # the S3 URI
    report_type: str
    raw: bytes
    document: object
    groups: list[dict]
    problems: list[str]
    etag: str = ""
    version_id: str = ""


@dataclass
class Lookup:
    """What a look-up found: values to fill, reports to attach, and what to tell the user."""

    fills: list[Fill] = field(default_factory=list)
    reports: list[ReportFill] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # warnings: clipped lists, skipped parts
    # Set when the model already has a card: nothing is filled, the user is told where it is.
    blocked: str = ""
    source: str = ""  # the main request, for the revision note


# --- pure: SageMaker responses -> fills ---------------------------------------------------


def _capped(items: list, limit_key: str, what: str, source: str, notes: list[str]) -> list:
    limit = LIST_LIMITS[limit_key]
    if len(items) > limit:
        notes.append(
            f"{source} lists {len(items)} {what}; a model card holds at most {limit}, so only "
            f"the first {limit} were filled."
        )
        return items[:limit]
    return items


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(item for item in items if item))


def _fits(value: str, limit_key: str) -> bool:
    return len(value) <= TEXT_LIMITS[limit_key]


def _strings(items: list[str], limit_key: str, what: str, source: str, notes: list[str]):
    kept = [item for item in items if _fits(item, limit_key)]
    if len(kept) < len(items):
        notes.append(
            f"{len(items) - len(kept)} {what} from {source} were left out: longer than "
            f"{TEXT_LIMITS[limit_key]} characters."
        )
    return kept


def fills_from_model(response: dict) -> Lookup:
    """DescribeModel -> model ID, name, inference images and artifacts (every container)."""
    name = response.get("ModelName", "")
    source = f"DescribeModel {name}"
    lookup = Lookup(source=source)
    containers = response.get("Containers") or []
    if not containers and response.get("PrimaryContainer"):
        containers = [response["PrimaryContainer"]]
    images = _unique([c.get("Image", "") for c in containers])
    artifacts = _unique([c.get("ModelDataUrl", "") for c in containers])
    images = _strings(images, "container_image", "container images", source, lookup.notes)
    artifacts = _strings(artifacts, "model_artifact", "model artifacts", source, lookup.notes)
    images = _capped(images, "container_image", "container images", source, lookup.notes)
    artifacts = _capped(artifacts, "model_artifact", "model artifacts", source, lookup.notes)
    lookup.fills += [
        Fill((*OVERVIEW, "model_id"), response.get("ModelArn", ""), source),
        Fill((*OVERVIEW, "model_name"), name, source),
    ]
    if images:
        lookup.fills.append(
            Fill((*OVERVIEW, "inference_environment", "container_image"), images, source)
        )
    if artifacts:
        lookup.fills.append(Fill((*OVERVIEW, "model_artifact"), artifacts, source))
    return lookup


def fills_from_training_job(
    response: dict, *, source: str = "", only_if_empty: bool = False
) -> Lookup:
    """DescribeTrainingJob -> training job ARN, image, final metrics and hyperparameters."""
    source = source or f"DescribeTrainingJob {response.get('TrainingJobName', '')}"
    lookup = Lookup(source=source)
    notes = lookup.notes
    fills = [
        Fill((*JOB, "training_arn"), response.get("TrainingJobArn", ""), source, only_if_empty)
    ]
    image = (response.get("AlgorithmSpecification") or {}).get("TrainingImage", "")
    if image and _fits(image, "container_image"):
        fills.append(
            Fill((*JOB, "training_environment", "container_image"), [image], source, only_if_empty)
        )
    metrics, skipped, unnamed = [], 0, 0
    for item in response.get("FinalMetricDataList") or []:
        name, value = item.get("MetricName") or "", item.get("Value")
        number = isinstance(value, int | float) and not isinstance(value, bool)
        usable = number and math.isfinite(value)
        if not name.strip():
            unnamed += 1
        elif len(name) > TEXT_LIMITS["training_metric_name"] or not usable:
            skipped += 1
        else:
            metrics.append({"name": name, "value": value})
    if unnamed:
        notes.append(f"{unnamed} final metrics from {source} were left out: they have no name.")
    if skipped:
        notes.append(f"{skipped} final metrics from {source} were left out (no usable value).")
    metrics = _capped(metrics, "training_metrics", "final metrics", source, notes)
    if metrics:
        fills.append(Fill((*JOB, "training_metrics"), metrics, source, only_if_empty))
    parameters, long, unnamed = [], [], 0
    for name, value in (response.get("HyperParameters") or {}).items():
        value = str(value)
        if not name.strip():
            # SageMaker accepts an empty key; a card's hyperparameter needs a name.
            unnamed += 1
        elif len(name) > TEXT_LIMITS["hyper_parameter_name"] or not _fits(
            value, "hyper_parameter_value"
        ):
            long.append(name[:60])
        else:
            parameters.append({"name": name, "value": value})
    if unnamed:
        notes.append(f"{unnamed} hyperparameters from {source} were left out: they have no name.")
    if long:
        notes.append(
            f"Hyperparameters longer than 255 characters were left out: {', '.join(long)}."
        )
    parameters = _capped(parameters, "hyper_parameters", "hyperparameters", source, notes)
    if parameters:
        fills.append(Fill((*JOB, "hyper_parameters"), parameters, source, only_if_empty))
    lookup.fills = fills
    return lookup


def _text(value: Any, limit_key: str | None = None) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    if limit_key and not _fits(value, limit_key):
        return value[: TEXT_LIMITS[limit_key]]
    return value


def model_package_details(response: dict, notes: list[str] | None = None) -> dict:
    """DescribeModelPackage -> content ``model_package_details``, as the SDK's ModelPackage."""
    notes = [] if notes is None else notes
    details: dict[str, Any] = {"model_package_arn": response.get("ModelPackageArn", "")}
    simple = {
        "ModelPackageName": ("model_package_name", "model_package_name"),
        "ModelPackageGroupName": ("model_package_group_name", "model_package_group_name"),
        "ModelPackageDescription": ("model_package_description", "model_package_description"),
        "ApprovalDescription": ("approval_description", "approval_description"),
        "ModelPackageStatus": ("model_package_status", None),
        "ModelApprovalStatus": ("model_approval_status", None),
        "Domain": ("domain", None),
        "Task": ("task", None),
    }
    for key, (target, limit) in simple.items():
        value = _text(response.get(key), limit)
        if value is not None:
            details[target] = value
    version = response.get("ModelPackageVersion")
    if isinstance(version, int) and version >= 1:
        details["model_package_version"] = version
    profile = (response.get("CreatedBy") or {}).get("UserProfileName")
    if isinstance(profile, str) and profile:
        details["created_by"] = {"user_profile_name": profile[:63]}
    algorithms = (response.get("SourceAlgorithmSpecification") or {}).get("SourceAlgorithms") or []
    source_algorithms = []
    for algorithm in algorithms:
        item = {"algorithm_name": (algorithm.get("AlgorithmName") or "")[:170]}
        if algorithm.get("ModelDataUrl"):
            item["model_data_url"] = algorithm["ModelDataUrl"]
        source_algorithms.append(item)
    source = f"DescribeModelPackage {details['model_package_arn']}"
    if source_algorithms:
        details["source_algorithms"] = _capped(
            source_algorithms, "source_algorithms", "source algorithms", source, notes
        )
    containers = []
    for container in (response.get("InferenceSpecification") or {}).get("Containers") or []:
        image = container.get("Image") or ""
        if not image:
            continue
        item = {"image": image[:255]}
        if container.get("ModelDataUrl"):
            item["model_data_url"] = container["ModelDataUrl"]
        if container.get("NearestModelName"):
            item["nearest_model_name"] = container["NearestModelName"]
        containers.append(item)
    if containers:
        containers = _capped(
            containers, "inference_containers", "inference containers", source, notes
        )
        details["inference_specification"] = {"containers": containers}
    return details


def model_metrics_reports(response: dict) -> list[tuple[str, str, str]]:
    """(evaluation job name, report type, S3 URI) for each report in the package's
    ModelMetrics, named as the SDK names them: bias, explainability, model quality."""
    metrics = response.get("ModelMetrics") or {}
    reports = []
    for key, value in (metrics.get("Bias") or {}).items():
        if isinstance(value, dict) and value.get("S3Uri"):
            reports.append((f"Bias {key}", CLARIFY_BIAS, value["S3Uri"]))
    explainability = (metrics.get("Explainability") or {}).get("Report") or {}
    if explainability.get("S3Uri"):
        reports.append((_EXPLAINABILITY_JOB, CLARIFY_EXPLAINABILITY, explainability["S3Uri"]))
    quality = (metrics.get("ModelQuality") or {}).get("Statistics") or {}
    if quality.get("S3Uri"):
        reports.append((_MODEL_QUALITY_JOB, MODEL_QUALITY, quality["S3Uri"]))
    return reports


def package_artifacts(response: dict) -> list[str]:
    containers = (response.get("InferenceSpecification") or {}).get("Containers") or []
    return _unique([c.get("ModelDataUrl", "") for c in containers])


def carry_over_fills(previous: dict, source: str) -> list[Fill]:
    """Business details, intended uses and additional information of an earlier card, to be
    filled only where the new card has nothing (field by field)."""
    fills = []
    for section in CARRIED_SECTIONS:
        values = previous.get(section)
        if not isinstance(values, dict):
            continue
        for key, value in values.items():
            if value not in (None, "", [], {}):
                fills.append(Fill((section, key), value, source, only_if_empty=True))
    return fills


# --- provenance ----------------------------------------------------------------------------


def summary(applied: list[Fill], reports: list[ReportFill]) -> list[str]:
    """One sentence per source: what was filled from where."""
    by_source: dict[str, list[str]] = {}
    for fill in applied:
        by_source.setdefault(fill.source, []).append(fill.label)
    for report in reports:
        count = sum(len(group["metric_data"]) for group in report.groups)
        by_source.setdefault(f"{report.source} ({report.report_type})", []).append(
            f"evaluation job “{report.job_name}” ({count} metrics)"
        )
    return [f"From {source}: {', '.join(labels)}." for source, labels in by_source.items()]


# --- look-ups: SageMaker and this app's cards ---------------------------------------------


def _card_link(card: ModelCard, user) -> str:
    if ModelCard.objects.visible_to(user).filter(pk=card.pk).exists():
        url = reverse("cards:detail", kwargs={"name": card.name})
        return format_html('<a href="{}">{}</a>', url, card.name)
    return ""


class CheckFailed(Exception):
    pass


def existing_card(model_arn: str, *, card: ModelCard | None, user) -> str:
    """A sentence (HTML-safe) naming the card that already documents this model, or ""."""
    local = ModelCard.objects.filter(model_id=model_arn)
    if card is not None:
        local = local.exclude(pk=card.pk)
    other = local.first()
    if other is not None:
        link = _card_link(other, user)
        if link:
            return format_html(
                "This model already has a model card here: {}. A model has only one card; "
                "edit that card instead.",
                link,
            )
        return (
            "This model already has a model card in another team. A model has only one card; "
            "ask that team about it."
        )
    try:
        names = remote_cards_for_model(model_arn)
    except sagemaker.AwsError as error:
        raise CheckFailed(
            f"Could not check whether SageMaker already has a card for this model: {error}"
        ) from error
    names = [name for name in names if card is None or name != card.name]
    if not names:
        return ""
    known = ModelCard.objects.filter(name=names[0]).first()
    if known is not None:
        link = _card_link(known, user)
        if not link:
            return "SageMaker already has a model card for this model, kept by another team."
        return format_html("SageMaker already has a model card for this model: {}.", link)
    return format_html(
        "SageMaker already has a model card for this model: “{}”. A model has only one card; "
        "import or edit that card instead.",
        names[0],
    )


def remote_cards_for_model(model_arn: str) -> list[str]:
    """Names of SageMaker model cards whose model ID is ``model_arn``.

    Search where SageMaker has it; otherwise (moto, some regions) every card's content.
    """
    try:
        found = sagemaker.search(
            "ModelCard", [{"Name": "ModelId", "Operator": "Equals", "Value": model_arn}]
        )
        return [record.get("ModelCardName", "") for record in found]
    except sagemaker.SearchUnavailable:
        pass
    return [
        name
        for name, content, _ in _remote_contents()
        if dig(content, *OVERVIEW, "model_id") == model_arn
    ]


# ListModelCards + DescribeModelCard is one call per card: bounded, since a person waits.
REMOTE_SCAN_LIMIT = 100


def _remote_contents() -> list[tuple[str, dict, Any]]:
    results = []
    for summary_ in sagemaker.list_model_cards(limit=REMOTE_SCAN_LIMIT):
        name = summary_.get("ModelCardName", "")
        try:
            described = sagemaker.describe_model_card_version(name)
            content = parse_content(described.get("Content") or "{}")
        except sagemaker.NotFound:
            continue
        if isinstance(content, dict):
            modified = described.get("LastModifiedTime") or summary_.get("LastModifiedTime")
            results.append((name, content, modified))
    return results


def lookup_model(name: str, *, card: ModelCard | None, user) -> Lookup:
    response = sagemaker.describe_model(name)
    lookup = fills_from_model(response)
    try:
        blocked = existing_card(response.get("ModelArn", ""), card=card, user=user)
    except CheckFailed as error:
        blocked = ""
        lookup.notes.append(str(error))
    if blocked:
        lookup.blocked = blocked
        lookup.fills = []
    return lookup


def lookup_training_job(name_or_arn: str) -> Lookup:
    return fills_from_training_job(sagemaker.describe_training_job(name_or_arn))


def training_job_for_artifact(artifact: str) -> tuple[dict | None, str]:
    """The one training job that produced ``artifact`` and "", or None and why not."""
    try:
        jobs = sagemaker.search(
            "TrainingJob",
            [{"Name": "ModelArtifacts.S3ModelArtifacts", "Operator": "Equals", "Value": artifact}],
            limit=2,
        )
    except sagemaker.SearchUnavailable:
        return None, (
            f"Could not search training jobs for the model artifact {artifact}: SageMaker's "
            "Search is not available here. Enter the training job name instead."
        )
    if not jobs:
        return None, f"No training job produced the model artifact {artifact}."
    if len(jobs) > 1:
        return None, (
            f"Several training jobs list the model artifact {artifact}; enter the training "
            "job name instead."
        )
    name = jobs[0].get("TrainingJobName", "")
    try:
        return sagemaker.describe_training_job(name), ""
    except sagemaker.NotFound as error:
        return None, str(error)


def lookup_training_from_artifacts(artifacts: list[str]) -> Lookup:
    artifacts = _unique(artifacts)
    if len(artifacts) != 1:
        count = "no model artifact" if not artifacts else f"{len(artifacts)} model artifacts"
        raise sagemaker.AwsError(
            f"The card has {count}; finding the training job needs exactly one (step 1, "
            "Model artifacts)."
        )
    response, problem = training_job_for_artifact(artifacts[0])
    if response is None:
        raise sagemaker.AwsError(problem)
    name = response.get("TrainingJobName", "")
    source = f"DescribeTrainingJob {name} (found by its model artifact)"
    return fills_from_training_job(response, source=source)


def _report(job_name: str, report_type: str, uri: str, notes: list[str]) -> ReportFill | None:
    try:
        s3_object = sagemaker.s3_read_report(uri, max_bytes=settings.UPLOAD_MAX_BYTES)
        document = load_json_document(s3_object.body)
        preview = read_report(document, report_type)
    except (sagemaker.AwsError, ReportError) as error:
        notes.append(f"The report for “{job_name}” could not be used: {error}")
        return None
    notes += [f"{job_name}: {problem}" for problem in preview.problems[:5]]
    return ReportFill(
        job_name=job_name,
        source=uri,
        report_type=preview.report_type,
        raw=s3_object.body,
        document=document,
        groups=preview.groups,
        problems=preview.problems,
        etag=s3_object.etag,
        version_id=s3_object.version_id,
    )


# Search's newest few records of a group: the card's own SageMaker copy (often the newest)
# and cards hidden from the user are passed over, so one record would not do.
GROUP_SEARCH_LIMIT = 5


def _hidden_names(names: list[str], user) -> set[str]:
    """Those of ``names`` that are cards here the user cannot see (another team's)."""
    here = ModelCard.objects.filter(name__in=names)
    return set(here.values_list("name", flat=True)) - set(
        here.visible_to(user).values_list("name", flat=True)
    )


def previous_group_card(group: str, *, card: ModelCard | None, user) -> tuple[dict, str] | None:
    """Content and description of the newest card of the model package group ``group``.

    SageMaker's Search when it has it, else ListModelCards + DescribeModelCard; this app's
    own cards (those the user can see) count as well, the newest wins. A SageMaker card that
    is also a card here the user cannot see is passed over (and never named); one that is not
    in this app at all counts, as in the SDK.
    """
    candidates: list[tuple[datetime | None, dict, str]] = []
    own = card.name if card is not None else None
    try:
        found = sagemaker.search(
            "ModelCard",
            [{"Name": "ModelPackageGroupName", "Operator": "Equals", "Value": group}],
            sort_by="LastModifiedTime",
            limit=GROUP_SEARCH_LIMIT,
        )
        names = [record.get("ModelCardName", "") for record in found]
        hidden = _hidden_names(names, user)
        for name in names:
            if not name or name == own or name in hidden:
                continue
            try:
                described = sagemaker.describe_model_card_version(name)
                content = parse_content(described.get("Content") or "{}")
            except sagemaker.NotFound:
                continue
            if isinstance(content, dict):
                modified = described.get("LastModifiedTime")
                candidates.append((modified, content, f"the SageMaker model card “{name}”"))
                break  # newest first
    except sagemaker.SearchUnavailable:
        remote = [
            (name, content, modified)
            for name, content, modified in _remote_contents()
            if name != own
            and dig(content, "model_package_details", "model_package_group_name") == group
        ]
        hidden = _hidden_names([name for name, _, _ in remote], user)
        candidates += [
            (modified, content, f"the SageMaker model card “{name}”")
            for name, content, modified in remote
            if name not in hidden
        ]
    local = ModelCard.objects.visible_to(user).filter(
        content__model_package_details__model_package_group_name=group
    )
    if card is not None:
        local = local.exclude(pk=card.pk)
    newest = local.order_by("-updated_at").only("name", "content", "updated_at").first()
    if newest is not None:
        candidates.append((newest.updated_at, newest.content, f"the card “{newest.name}”"))
    candidates = [c for c in candidates if isinstance(c[1], dict)]
    if not candidates:
        return None
    epoch = datetime.min
    best = max(
        candidates,
        key=lambda c: c[0].replace(tzinfo=None) if isinstance(c[0], datetime) else epoch,
    )
    return best[1], best[2]


def lookup_model_package(arn: str, *, card: ModelCard | None, user) -> Lookup:
    try:
        response = sagemaker.describe_model_package(arn)
    except sagemaker.NotFound:
        raise
    except sagemaker.AwsError as error:
        # DescribeModelPackage answers a missing package with a ValidationException
        # ("... does not exist", moto: "... not found"), not ResourceNotFound.
        if "does not exist" in str(error) or "not found" in str(error).lower():
            raise sagemaker.NotFound(
                f"SageMaker has no model package “{arn.strip()}” in {settings.AWS_REGION}."
            ) from error
        raise
    source = f"DescribeModelPackage {response.get('ModelPackageArn', arn)}"
    lookup = Lookup(source=source)
    # One card per model package, as the SDK has it: a card here that already documents it.
    documented = ModelCard.objects.filter(
        content__model_package_details__model_package_arn=response.get("ModelPackageArn", arn)
    )
    if card is not None:
        documented = documented.exclude(pk=card.pk)
    other = documented.first()
    if other is not None:
        link = _card_link(other, user)
        lookup.blocked = (
            format_html(
                "This model package already has a model card here: {}. Edit that card instead.",
                link,
            )
            if link
            else "This model package already has a model card in another team."
        )
        return lookup
    details = model_package_details(response, lookup.notes)
    lookup.fills.append(Fill(("model_package_details",), details, source))

    artifacts = package_artifacts(response)
    if len(artifacts) == 1:
        job, problem = training_job_for_artifact(artifacts[0])
        if job is not None:
            found = fills_from_training_job(
                job,
                source=f"DescribeTrainingJob {job.get('TrainingJobName', '')} (the package's "
                "model artifact)",
                only_if_empty=True,
            )
            lookup.fills += found.fills
            lookup.notes += found.notes
        else:
            lookup.notes.append(f"Training details were not filled: {problem}")
    elif len(artifacts) > 1:
        lookup.notes.append(
            "Training details were not filled: the package has several model artifacts, so "
            "its training job cannot be told apart. Look it up on step 2."
        )

    for job_name, report_type, uri in model_metrics_reports(response):
        report = _report(job_name, report_type, uri, lookup.notes)
        if report is not None:
            lookup.reports.append(report)

    group = details.get("model_package_group_name")
    if group:
        try:
            previous = previous_group_card(group, card=card, user=user)
        except sagemaker.AwsError as error:
            previous = None
            lookup.notes.append(f"Nothing was carried over from earlier cards: {error}")
        if previous is not None:
            content, described = previous
            lookup.fills += carry_over_fills(
                content, f"{described} (newest card of the model package group {group})"
            )
    return lookup
