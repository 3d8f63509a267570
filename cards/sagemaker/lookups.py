"""Look-ups in SageMaker for the wizard: ask SageMaker and this app's cards what to fill.

The ``lookup_*`` functions call SageMaker (through ``client``) and read this app's database;
``fills`` turns the answers into values for the card; ``cards.services.card_apply_lookup``
writes the result to a card.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings

from cards.content.document import content_digest, dig, parse_content
from cards.models import ModelCard, ModelPackageState
from cards.reports import (
    ReportError,
    load_json_document,
    read_report,
)
from cards.sagemaker import client as sagemaker
from cards.sagemaker import s3
from cards.sagemaker.fills import (  # noqa: F401 (re-exported for callers)
    CARRIED_SECTIONS,
    OVERVIEW,
    Fill,
    Lookup,
    ReportFill,
    carry_over_fills,
    fills_from_model,
    fills_from_training_job,
    model_metrics_reports,
    model_package_details,
    package_artifacts,
    package_card_fills,
    summary,
    unique,
)

# --- look-ups: SageMaker and this app's cards ---------------------------------------------


def _visible_name(card: ModelCard, user) -> str:
    """The card's name if the user may see it (so a screen may link it), else ""."""
    return card.name if ModelCard.objects.visible_to(user).filter(pk=card.pk).exists() else ""


class CheckFailed(Exception):
    pass


def existing_card(model_arn: str, *, card: ModelCard | None, user) -> tuple[str, str]:
    """(sentence, card name) for the card that already documents this model, or ("", "").

    The sentence holds "{card}" where the screen links the named card of this app."""
    local = ModelCard.objects.filter(model_id=model_arn)
    if card is not None:
        local = local.exclude(pk=card.pk)
    other = local.first()
    if other is not None:
        link = _visible_name(other, user)
        if link:
            return (
                "This model already has a model card here: {card}. A model has only one card; "
                "edit that card instead.",
                link,
            )
        return (
            "This model already has a model card in another team. A model has only one card; "
            "ask that team about it.",
            "",
        )
    try:
        names = remote_cards_for_model(model_arn)
    except sagemaker.AwsError as error:
        raise CheckFailed(
            f"Could not check whether SageMaker already has a card for this model: {error}"
        ) from error
    names = [name for name in names if card is None or name != card.name]
    if not names:
        return "", ""
    known = ModelCard.objects.filter(name=names[0]).first()
    if known is not None:
        link = _visible_name(known, user)
        if not link:
            return "SageMaker already has a model card for this model, kept by another team.", ""
        return "SageMaker already has a model card for this model: {card}.", link
    return (
        f"SageMaker already has a model card for this model: “{names[0]}”. A model has only "
        "one card; import or edit that card instead.",
        "",
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
        blocked, blocked_card = existing_card(response.get("ModelArn", ""), card=card, user=user)
    except CheckFailed as error:
        blocked, blocked_card = "", ""
        lookup.notes.append(str(error))
    if blocked:
        lookup.blocked, lookup.blocked_card = blocked, blocked_card
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
    artifacts = unique(artifacts)
    if len(artifacts) != 1:
        count = "no model artifact" if not artifacts else f"{len(artifacts)} model artifacts"
        raise sagemaker.AwsInputRefused(
            f"The card has {count}; finding the training job needs exactly one (step 1, "
            "Model artifacts)."
        )
    response, problem = training_job_for_artifact(artifacts[0])
    if response is None:
        raise sagemaker.AwsInputRefused(problem)
    name = response.get("TrainingJobName", "")
    source = f"DescribeTrainingJob {name} (found by its model artifact)"
    return fills_from_training_job(response, source=source)


def _report(job_name: str, report_type: str, uri: str, notes: list[str]) -> ReportFill | None:
    try:
        s3_object = s3.s3_read_report(uri, max_bytes=settings.UPLOAD_MAX_BYTES)
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


def _own_card_fills(response: dict, lookup: Lookup) -> list[Fill]:
    """What the package's own card (the Model Registry's ModelCard) holds, for empty fields.

    It comes before the training job and the group's earlier cards: it was written for this
    very package version."""
    own = response.get("ModelCard")
    if not isinstance(own, dict) or "ModelCardContent" not in own:
        return []
    content = parse_content(own.get("ModelCardContent"))
    if content is None:
        lookup.notes.append(
            "The model package's own card was not read: its content is not a JSON document."
        )
        return []
    lookup.read_digests.append(content_digest(content))
    status = own.get("ModelCardStatus") or "no status"
    arn = response.get("ModelPackageArn", "")
    return package_card_fills(content, f"the model package's own card ({arn}, {status})")


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
                f"SageMaker has no model package “{arn.strip()}” in {sagemaker.current_region()}."
            ) from error
        raise
    ModelPackageState.record(response)  # its approval status and stage, for the card page
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
        lookup.blocked_card = _visible_name(other, user)
        lookup.blocked = (
            "This model package already has a model card here: {card}. Edit that card instead."
            if lookup.blocked_card
            else "This model package already has a model card in another team."
        )
        return lookup
    details = model_package_details(response, lookup.notes)
    lookup.fills.append(Fill(("model_package_details",), details, source))
    lookup.fills += _own_card_fills(response, lookup)

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
