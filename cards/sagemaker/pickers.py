"""Lists to pick from instead of typing exact names: one page of SageMaker resources at a time.

Each list is searched and paged by SageMaker itself (``NameContains``, ``NextToken``); what a
person picks is what the wizard's existing look-ups take (a model name, a model package ARN, a
training job name, an ``s3://`` URI of a report). Data only, never HTML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.conf import settings

from cards.errors import InvalidInput
from cards.sagemaker import client as sagemaker
from cards.sagemaker import s3

PAGE_SIZE = 10
# ListProcessingJobs pages are filtered to Clarify and Model Monitor jobs: each needs a
# DescribeProcessingJob, so its pages are kept small.
PROCESSING_PAGE_SIZE = 10
REPORT_FILES_LIMIT = 50
# SageMaker's NameContains pattern.
_QUERY = re.compile(r"^[a-zA-Z0-9-]{0,63}$")
# NextToken is opaque, but never this long or with spaces.
_TOKEN = re.compile(r"^[A-Za-z0-9+/=_.:%-]{0,8192}$")

# The images of the processing jobs whose outputs are evaluation reports.
REPORT_IMAGES = {
    "sagemaker-clarify-processing": "Clarify",
    "sagemaker-model-monitor-analyzer": "Model Monitor",
}

KINDS = {
    "model": "models",
    "model_package_group": "model package groups",
    "model_package": "model package versions",
    "training_job": "training jobs",
    "processing_job": "Clarify and Model Monitor jobs",
    "report": "report files",
}


@dataclass(frozen=True)
class Choice:
    value: str  # what the look-up takes; for a group or a job, what the next list opens
    label: str
    detail: str = ""
    arn: str = ""
    opens: str = ""  # the kind of list this choice opens ("" when it is picked)


@dataclass
class Page:
    kind: str
    query: str
    choices: list[Choice]
    next_token: str = ""
    parent: str = ""  # the group or job this list is in
    notes: list[str] = field(default_factory=list)


def _when(summary: dict, key: str = "CreationTime") -> str:
    value = summary.get(key)
    return value.strftime("%Y-%m-%d %H:%M") if hasattr(value, "strftime") else ""


def check_query(query: str) -> str:
    query = query.strip()
    if not _QUERY.match(query):
        raise InvalidInput(
            "Search with up to 63 letters, digits and hyphens (SageMaker matches names "
            "containing them).",
            field="q",
        )
    return query


def _params(query: str, token: str, page_size: int = PAGE_SIZE) -> dict:
    if not _TOKEN.match(token):
        raise InvalidInput("That page link is not valid; search again.", field="next")
    params: dict = {"MaxResults": page_size, "SortBy": "CreationTime", "SortOrder": "Descending"}
    if query:
        params["NameContains"] = query
    if token:
        params["NextToken"] = token
    return params


def pick_page(kind: str, *, query: str = "", token: str = "", parent: str = "") -> Page:
    """One page of the list ``kind`` (see KINDS), newest first, names containing ``query``.

    ``parent`` names the model package group of ``model_package`` and the processing job of
    ``report``. Raises InvalidInput for a bad query or kind, AwsError when AWS refuses."""
    query = check_query(query)
    if kind == "model":
        return _models(query, token)
    if kind == "model_package_group":
        return _groups(query, token)
    if kind == "model_package":
        return _versions(parent, token)
    if kind == "training_job":
        return _training_jobs(query, token)
    if kind == "processing_job":
        return _processing_jobs(query, token)
    if kind == "report":
        return _reports(parent)
    raise InvalidInput(f"There is no list of “{kind}”.", field="kind")


def _models(query: str, token: str) -> Page:
    items, next_token = sagemaker.list_page(
        "list_models", "Models", "listing models", **_params(query, token)
    )
    choices = [
        Choice(value=m["ModelName"], label=m["ModelName"], detail=_when(m), arn=m["ModelArn"])
        for m in items
    ]
    return Page("model", query, choices, next_token)


def _groups(query: str, token: str) -> Page:
    items, next_token = sagemaker.list_page(
        "list_model_package_groups",
        "ModelPackageGroupSummaryList",
        "listing model package groups",
        **_params(query, token),
    )
    choices = [
        Choice(
            value=g["ModelPackageGroupName"],
            label=g["ModelPackageGroupName"],
            detail=_when(g),
            arn=g.get("ModelPackageGroupArn", ""),
            opens="model_package",
        )
        for g in items
    ]
    return Page("model_package_group", query, choices, next_token)


def _versions(group: str, token: str) -> Page:
    group = check_query(group)
    if not group:
        raise InvalidInput("Choose a model package group first.", field="group")
    params = _params("", token)
    items, next_token = sagemaker.list_page(
        "list_model_packages",
        "ModelPackageSummaryList",
        f"listing the versions of the model package group {group}",
        ModelPackageGroupName=group,
        ModelPackageType="Versioned",
        **params,
    )
    choices = [
        Choice(
            value=p["ModelPackageArn"],
            label=f"{group} version {p.get('ModelPackageVersion', '?')}",
            detail=" · ".join(
                part for part in (p.get("ModelApprovalStatus", ""), _when(p)) if part
            ),
            arn=p["ModelPackageArn"],
        )
        for p in items
    ]
    return Page("model_package", "", choices, next_token, parent=group)


def _training_jobs(query: str, token: str) -> Page:
    items, next_token = sagemaker.list_page(
        "list_training_jobs",
        "TrainingJobSummaries",
        "listing training jobs",
        **_params(query, token),
    )
    choices = [
        Choice(
            value=j["TrainingJobName"],
            label=j["TrainingJobName"],
            detail=" · ".join(p for p in (j.get("TrainingJobStatus", ""), _when(j)) if p),
            arn=j.get("TrainingJobArn", ""),
        )
        for j in items
    ]
    return Page("training_job", query, choices, next_token)


def report_family(described: dict) -> str:
    """ "Clarify" or "Model Monitor" for a processing job that writes such reports, else ""."""
    image = described.get("AppSpecification", {}).get("ImageUri", "")
    repository = image.rsplit("/", 1)[-1].split(":", 1)[0].split("@", 1)[0]
    return REPORT_IMAGES.get(repository, "")


def _processing_jobs(query: str, token: str) -> Page:
    items, next_token = sagemaker.list_page(
        "list_processing_jobs",
        "ProcessingJobSummaries",
        "listing processing jobs",
        **_params(query, token, PROCESSING_PAGE_SIZE),
    )
    choices = []
    for summary in items:
        name = summary["ProcessingJobName"]
        try:
            described = sagemaker.describe_processing_job(name)
        except sagemaker.NotFound:
            continue  # deleted between the two calls
        family = report_family(described)
        if not family:
            continue
        choices.append(
            Choice(
                value=name,
                label=name,
                detail=" · ".join(
                    p for p in (family, summary.get("ProcessingJobStatus", ""), _when(summary)) if p
                ),
                arn=summary.get("ProcessingJobArn", ""),
                opens="report",
            )
        )
    page = Page("processing_job", query, choices, next_token)
    if not choices and next_token:
        page.notes.append("No Clarify or Model Monitor job on this page; try the next one.")
    return page


def _reports(job: str) -> Page:
    job = check_query(job)
    if not job:
        raise InvalidInput("Choose a processing job first.", field="job")
    described = sagemaker.describe_processing_job(job)
    page = Page("report", "", [], parent=job)
    if not report_family(described):
        raise InvalidInput(f"“{job}” is not a Clarify or Model Monitor job.", field="job")
    outputs = described.get("ProcessingOutputConfig", {}).get("Outputs", [])
    for output in outputs:
        uri = output.get("S3Output", {}).get("S3Uri", "")
        if not uri:
            continue
        bucket = uri[len("s3://") :].split("/", 1)[0]
        if bucket not in settings.REPORT_BUCKETS:
            page.notes.append(
                f"The output {uri} is in the bucket “{bucket}”, from which reports are not "
                "read (an administrator can add it to REPORT_BUCKETS)."
            )
            continue
        for found in s3.s3_list_json(uri, limit=REPORT_FILES_LIMIT):
            page.choices.append(
                Choice(value=found, label=found.rsplit("/", 1)[-1], detail=found, opens="")
            )
    if not page.choices and not page.notes:
        page.notes.append(f"“{job}” wrote no JSON report to S3.")
    return page
