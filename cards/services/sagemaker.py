"""What SageMaker brings in: imported cards, a kept remote version, look-up fills."""

from __future__ import annotations

import copy
import hashlib

from django.db import transaction
from django.utils import timezone

from cards.content.compatibility import SDK_V2_LOAD_REFUSED, sdk_load_errors
from cards.content.document import section
from cards.content.provenance import job_key
from cards.content.validation import ContentInvalid, validate_content
from cards.errors import (
    AlreadyExists,
    InvalidInput,
    StudioError,
)
from cards.models import (
    CardStatus,
    EvaluationReport,
    ModelCard,
    Publication,
    ReportState,
    SentContent,
    Team,
)
from cards.permissions import Action, require
from cards.reports import ReportError, load_json_document
from cards.sagemaker import client as sagemaker
from cards.sagemaker import lookups, pickers, s3
from cards.sagemaker.lookups import Fill, Lookup, ReportFill, summary
from cards.sagemaker.pickers import KINDS as PICK_KINDS  # noqa: F401 (for screens)
from cards.sagemaker.pickers import Choice as PickChoice  # noqa: F401
from cards.sagemaker.pickers import Page as PickPage
from cards.services.cards import (
    card_create_imported,
    card_save_content,
    locked,
)
from cards.services.evidence import job_named
from cards.services.targets import card_aws, team_aws


def card_take_remote_version(*, card: ModelCard, user, described: dict) -> ModelCard:
    """Keep the SageMaker version someone edited in the console: it becomes the card's next
    revision (content exactly as SageMaker holds it) and the version known here.

    ``described`` is DescribeModelCard's answer, read before this is called (no network
    inside the transaction).
    """

    version = described["ModelCardVersion"]
    try:
        content = load_json_document(str(described.get("Content") or "{}").encode())
    except ReportError as error:
        raise InvalidInput(f"SageMaker's version {version} is not readable: {error}") from None
    if not isinstance(content, dict):
        raise InvalidInput(f"SageMaker's version {version} is not a model card document.")
    with transaction.atomic():
        current = locked(card)
        require(user, current, Action.EDIT)
        current = card_save_content(
            card=current,
            user=user,
            content=content,
            base_revision=current.revision,
            note=f"SageMaker version {version}, kept from the console",
        )
        ModelCard.objects.filter(pk=card.pk).update(
            sagemaker_arn=described.get("ModelCardArn", ""),
            sagemaker_version=version,
            sagemaker_newer_version=None,
        )
        current.sagemaker_version, current.sagemaker_newer_version = version, None
    return current


def card_import_sagemaker(*, user, team: Team, name: str, with_versions: bool = False) -> ModelCard:
    """Bring the SageMaker card ``name`` of ``team``'s AWS target into ``team``: its latest
    content and status exactly as SageMaker holds them, and with ``with_versions`` every
    earlier version as a revision. The card stays tied to that target.

    Raises StudioError (AlreadyExists when it is here already) and NotAllowed.
    """
    require(user, None, Action.IMPORT_SAGEMAKER, team_id=team.pk)
    with team_aws(team) as target:
        return _card_import(
            user=user, team=team, name=name, with_versions=with_versions, target=target
        )


def _card_import(*, user, team: Team, name: str, with_versions: bool, target) -> ModelCard:
    # Every read from AWS happens here, before the transaction below: no network inside it.
    latest = _remote_version(name, None)
    arn = latest["ModelCardArn"]
    here = list(ModelCard.objects.filter(name=name).values_list("sagemaker_arn", flat=True))
    if here:
        if here[0] == arn:
            raise AlreadyExists(f"“{name}” is already imported from this SageMaker card.")
        raise StudioError(
            f"A card named “{name}” already exists here and is not this SageMaker card; "
            "card names are unique, so it cannot be imported beside it."
        )
    described = [latest]
    if with_versions:
        newest = latest["ModelCardVersion"]
        numbers = [
            summary["ModelCardVersion"]
            for summary in _remote_read(sagemaker.list_model_card_versions, name)
            # A version written since the first read is left for the drift check to find.
            if summary["ModelCardVersion"] < newest
        ]
        described = [_remote_version(name, number) for number in sorted(numbers)] + described
    versions = [_imported_version(name, item) for item in described]

    number = versions[-1][0]
    history = f" with {len(versions)} versions" if len(versions) > 1 else ""
    return card_create_imported(
        user=user,
        team=team,
        name=name,
        versions=[
            (f"SageMaker version {version}", status, content)
            for version, status, content in versions
        ],
        detail=f"From SageMaker version {number}{history}",
        sagemaker_arn=arn,
        aws_target=target,
        sagemaker_version=number,
    )


def _remote_read(read, *args: object):
    try:
        return read(*args)
    except sagemaker.AwsError as error:
        raise StudioError(str(error)) from None


def _remote_version(name: str, number: int | None) -> dict:
    return _remote_read(sagemaker.describe_model_card_version, name, number)


def _imported_version(name: str, described: dict) -> tuple[int, str, dict]:
    """(version, status, content) of one described version, or StudioError saying why not."""

    version = described["ModelCardVersion"]
    where = f"Version {version} of “{name}”"
    status = described.get("ModelCardStatus")
    if status not in CardStatus.values:
        raise StudioError(f"{where} has the status “{status}”, which is not a card status.")
    raw = str(described.get("Content") or "").encode("utf-8", "surrogatepass")
    try:
        # SageMaker bounds Content (100,000 characters), so no size limit of our own.
        content = load_json_document(raw, max_bytes=max(len(raw), 1))
    except ReportError as error:
        raise StudioError(f"{where} is not readable JSON: {error}") from None
    if not isinstance(content, dict):
        raise StudioError(f"{where} is not a model card document (a JSON object).")
    try:
        validate_content(content)
    except ContentInvalid as error:
        raise StudioError(f"{where} cannot be imported. {error}") from None
    return version, status, content


def card_apply_lookup(
    *, card: ModelCard, user, lookup: Lookup, base_revision: int
) -> tuple[ModelCard, list[str], list[str]]:
    """Fill what a SageMaker look-up found into the card, as one revision.

    A fill replaces the value at its path, except a carry-over fill, which only fills a field
    that is still empty; a report becomes an evaluation job unless the card has a job of that
    name. Each filled value is recorded in ``provenance`` with its source, so the wizard can
    mark it while it stays unchanged. Returns the card, one sentence per source saying what
    it filled, and the notes for the user (what was left out or skipped, and why).
    """
    content = copy.deepcopy(card.content)
    applied: list[Fill] = []
    notes = list(lookup.notes)
    for fill in lookup.fills:
        node = section(content, *fill.path[:-1])
        if fill.only_if_empty and node.get(fill.path[-1]) not in (None, "", [], {}):
            continue
        node[fill.path[-1]] = copy.deepcopy(fill.value)
        applied.append(fill)
    reports: list[ReportFill] = []
    jobs = content.setdefault("evaluation_details", [])
    for report in lookup.reports:
        if not isinstance(jobs, list) or job_named(content, report.job_name) is not None:
            notes.append(
                f"The card already has an evaluation job “{report.job_name}”; the report "
                f"{report.source} was not added again."
            )
            continue
        jobs.append({"name": report.job_name, "metric_groups": copy.deepcopy(report.groups)})
        reports.append(report)
    if content.get("evaluation_details") == [] and "evaluation_details" not in card.content:
        del content["evaluation_details"]
    if sdk_load_errors(content) and not sdk_load_errors(card.content):
        raise InvalidInput(f"Nothing was filled in. {SDK_V2_LOAD_REFUSED}")
    provenance = dict(card.provenance or {})
    for fill in applied:
        provenance[fill.key] = {"source": fill.source, "value": fill.value}
    for report in reports:
        job = job_named(content, report.job_name)
        provenance[job_key(report.job_name)] = {"source": report.source, "value": job}
    now = timezone.now()
    with transaction.atomic():
        saved = card_save_content(
            card=card,
            user=user,
            content=content,
            base_revision=base_revision,
            note=f"Look-up: {lookup.source}"[:200],
        )
        ModelCard.objects.filter(pk=card.pk).update(provenance=provenance)
        saved.provenance = provenance
        SentContent.objects.bulk_create(
            [SentContent(card=saved, sha256=digest) for digest in lookup.read_digests],
            ignore_conflicts=True,
        )
        EvaluationReport.objects.bulk_create(
            EvaluationReport(
                card=saved,
                source=report.source,
                etag=report.etag,
                version_id=report.version_id,
                report_type=report.report_type,
                sha256=hashlib.sha256(report.raw).hexdigest(),
                raw=report.document,
                produced={"metric_groups": report.groups},
                problems=report.problems,
                evaluation_job=report.job_name,
                state=ReportState.ATTACHED,
                created_by=user,
                attached_at=now,
            )
            for report in reports
        )
    return saved, summary(applied, reports), notes


# --- reads a person asked for: screens reach SageMaker only through these -------------------


def sagemaker_card_read(*, name: str, card: ModelCard | None = None) -> dict:
    """The latest version of the SageMaker card ``name`` (DescribeModelCard), one short try,
    in ``card``'s AWS target."""
    with card_aws(card):
        return sagemaker.describe_model_card_version(name)


def sagemaker_cards_list(*, team: Team | None = None) -> list[dict]:
    """Summaries of the SageMaker cards in ``team``'s AWS target (every page)."""
    with team_aws(team):
        return sagemaker.list_model_cards()


def sagemaker_import_states(summaries: list[dict]) -> dict[str, str]:
    """For each SageMaker card (ListModelCards summaries): "" when no card here has its name,
    "published" when a card here was published to it, "imported" when the card here came
    from it, "clash" when another card here has the name."""
    names = [remote["ModelCardName"] for remote in summaries]
    here = dict(ModelCard.objects.filter(name__in=names).values_list("name", "sagemaker_arn"))
    published = set(
        Publication.objects.filter(card__name__in=names, arn__gt="").values_list(
            "card__name", flat=True
        )
    )
    states = {}
    for remote in summaries:
        name = remote["ModelCardName"]
        if name not in here:
            states[name] = ""
        elif here[name] == remote.get("ModelCardArn"):
            states[name] = "published" if name in published else "imported"
        else:
            states[name] = "clash"
    return states


def sagemaker_report_read(
    *, uri: str, max_bytes: int, card: ModelCard | None = None
) -> s3.S3Object:
    """A report in S3 (``REPORT_BUCKETS`` only), size checked before it is read, through
    ``card``'s AWS target."""
    with card_aws(card):
        return s3.s3_read_report(uri, max_bytes=max_bytes)


def sagemaker_lookup(
    *, kind: str, value: str | list[str], card: ModelCard | None, user, team: Team | None = None
) -> Lookup:
    """What SageMaker knows for a wizard look-up: a model, a model package, a training job
    (by name or ARN) or the training job behind a card's model artifacts, in ``card``'s AWS
    target (``team``'s for a card not written yet)."""
    with card_aws(card) if card is not None else team_aws(team):
        return _lookup(kind=kind, value=value, card=card, user=user)


def _lookup(*, kind: str, value: str | list[str], card: ModelCard | None, user) -> Lookup:
    if kind == "model":
        return lookups.lookup_model(value, card=card, user=user)
    if kind == "model_package":
        return lookups.lookup_model_package(value, card=card, user=user)
    if kind == "training_job":
        return lookups.lookup_training_job(value)
    if kind == "training_artifact":
        return lookups.lookup_training_from_artifacts(value)
    raise InvalidInput(f"There is no look-up “{kind}”.")


def sagemaker_pick_list(
    *,
    kind: str,
    query: str = "",
    token: str = "",
    parent: str = "",
    card: ModelCard | None = None,
    team: Team | None = None,
) -> PickPage:
    """One page of SageMaker resources to pick from (``cards.sagemaker.pickers.KINDS``):
    models, model package groups and their versions, training jobs, Clarify and Model Monitor
    jobs and their report files. Searched and paged by SageMaker; raises InvalidInput for a
    bad search and Unavailable when AWS does not answer. In ``card``'s AWS target, else
    ``team``'s."""
    aws = card_aws(card) if card is not None else team_aws(team)
    with aws:
        return pickers.pick_page(kind, query=query, token=token, parent=parent)
