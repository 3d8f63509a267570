"""SageMaker's answers turned into what they fill in a card: pure functions, no network.

Each ``Fill`` is a content path, the value and where it came from; every value is clipped to
what the card's content allows (list caps, text lengths), with a sentence saying what was left
out, so a look-up never produces content SageMaker would refuse.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from cards.content.fields import LIST_LIMITS, TEXT_LIMITS, label
from cards.reports import CLARIFY_BIAS, CLARIFY_EXPLAINABILITY, MODEL_QUALITY

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
    # ``blocked_card`` names a card here the user may open: the screen links it at "{card}".
    blocked: str = ""
    blocked_card: str = ""
    source: str = ""  # the main request, for the revision note
    # Digests of content read from SageMaker with the look-up (a model package's own card):
    # publishing over that content later replaces nothing the team has not seen.
    read_digests: list[str] = field(default_factory=list)

    def blocked_text(self) -> str:
        """``blocked`` as plain text, the card named where a screen would link it (the API)."""
        return self.blocked.replace("{card}", f"“{self.blocked_card}”")


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


def unique(items: list[str]) -> list[str]:
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
    images = unique([c.get("Image", "") for c in containers])
    artifacts = unique([c.get("ModelDataUrl", "") for c in containers])
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
    return unique([c.get("ModelDataUrl", "") for c in containers])


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


def package_card_fills(content: dict, source: str) -> list[Fill]:
    """The model package's own card (its ``ModelCard`` content), to be filled only where the
    card has nothing: field by field in each section, a list (evaluation jobs) as a whole.

    The model ID is left out: a card with model package details and a model ID is one SDK
    v2's ModelCard.load refuses."""
    fills = []
    for section, values in content.items():
        if section == "model_package_details" or values in (None, "", [], {}):
            continue
        if not isinstance(values, dict):
            fills.append(Fill((section,), values, source, only_if_empty=True))
            continue
        for key, value in values.items():
            if (section, key) == ("model_overview", "model_id"):
                continue
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
