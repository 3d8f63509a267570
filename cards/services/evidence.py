"""Evaluation reports as evidence: preview, attach to a job, discard, remove."""

from __future__ import annotations

import copy
import hashlib

from django.db import transaction
from django.utils import timezone

from attestations.models import ReportBody
from cards.errors import (
    InvalidInput,
    TransitionRefused,
)
from cards.models import (
    EvaluationReport,
    ModelCard,
    ReportState,
)
from cards.permissions import Action, require
from cards.reports import load_json_document, read_report
from cards.services.cards import card_save_content


def report_preview(
    *,
    card: ModelCard,
    user,
    source: str,
    raw: bytes,
    report_type: str,
    etag: str = "",
    version_id: str = "",
) -> EvaluationReport:
    """Parse a report and keep it, unattached, so the user can see what it would add.

    Raises ReportError (with a message for the user) when the file cannot be used, and
    NotAllowed before anything is stored when the user may not edit the card (viewers may
    not preview either: a preview is a stored step of editing).
    """
    require(user, card, Action.EDIT)
    document = load_json_document(raw)
    preview = read_report(document, report_type, card_content=card.content)
    # One preview at a time per person and card: earlier unattached ones are dropped.
    EvaluationReport.objects.filter(card=card, created_by=user, state=ReportState.PENDING).delete()
    report = EvaluationReport.objects.create(
        card=card,
        source=source,
        etag=etag,
        version_id=version_id,
        report_type=preview.report_type,
        sha256=hashlib.sha256(raw).hexdigest(),
        raw=document,
        produced={"metric_groups": preview.groups},
        problems=preview.problems,
        state=ReportState.PENDING,
        created_by=user,
    )
    ReportBody.objects.create(report=report, body=raw)
    return report


def job_named(content: dict, name: str) -> dict | None:
    for job in content.get("evaluation_details") or []:
        if isinstance(job, dict) and job.get("name") == name:
            return job
    return None


def _without_groups(
    content: dict, job_name: str, groups: list[dict], *, anywhere: bool = False
) -> tuple[dict, list[str]]:
    """The content without exactly the groups a report added (one occurrence each), and the
    names of the jobs they were taken from.

    Groups are matched whole, not by name: two reports of one kind produce the same group
    names, and a group the author edited since is theirs now and stays. ``anywhere``: a
    group not in the job named ``job_name`` (renamed since) is looked for in the others.
    """
    content = copy.deepcopy(content)
    jobs = [
        job
        for job in content.get("evaluation_details") or []
        if isinstance(job, dict) and isinstance(job.get("metric_groups"), list)
    ]
    # The job the report was attached to first; then, if asked, every other one.
    jobs.sort(key=lambda job: job.get("name") != job_name)
    if not anywhere:
        jobs = [job for job in jobs if job.get("name") == job_name][:1]
    touched: list[str] = []
    for group in groups:
        for job in jobs:
            if group in job["metric_groups"]:
                job["metric_groups"].remove(group)
                if job.get("name") not in touched:
                    touched.append(job.get("name"))
                break
    return content, touched


def report_attach(
    *,
    card: ModelCard,
    user,
    report: EvaluationReport,
    job_name: str,
    content: dict,
    base_revision: int,
) -> ModelCard:
    """Add a previewed report's metric groups to an evaluation job (created if missing).

    ``content`` is the card's content as the user is saving it. A report imported before
    from the same source into the same job is replaced: its groups go, the new ones come.
    """
    job_name = job_name.strip()
    if not job_name:
        raise InvalidInput("Name the evaluation job that gets these metrics.", field="job_name")
    limit = EvaluationReport._meta.get_field("evaluation_job").max_length
    if len(job_name) > limit:
        raise InvalidInput(
            f"An evaluation job's name has at most {limit:,} characters.", field="job_name"
        )
    replaced = list(
        card.reports.filter(
            state=ReportState.ATTACHED, source=report.source, evaluation_job=job_name
        ).exclude(pk=report.pk)
    )
    for earlier in replaced:
        content, _ = _without_groups(content, job_name, earlier.produced["metric_groups"])
    content = copy.deepcopy(content)
    job = job_named(content, job_name)
    if job is None:
        job = {"name": job_name, "metric_groups": []}
        content.setdefault("evaluation_details", []).append(job)
    if not isinstance(job.get("metric_groups"), list):
        job["metric_groups"] = []
    job["metric_groups"].extend(copy.deepcopy(report.produced["metric_groups"]))
    with transaction.atomic():
        attached = EvaluationReport.objects.filter(
            pk=report.pk, card=card, state=ReportState.PENDING
        ).update(state=ReportState.ATTACHED, evaluation_job=job_name, attached_at=timezone.now())
        if not attached:
            raise InvalidInput("This report was already attached or discarded.", field="job_name")
        EvaluationReport.objects.filter(pk__in=[r.pk for r in replaced]).update(
            state=ReportState.REPLACED
        )
        verb = "Replaced" if replaced else "Attached"
        return card_save_content(
            card=card,
            user=user,
            content=content,
            base_revision=base_revision,
            note=f"{verb} metrics from {report.source}"[:200],
        )


def report_discard(*, card: ModelCard, report: EvaluationReport) -> None:
    EvaluationReport.objects.filter(pk=report.pk, card=card, state=ReportState.PENDING).delete()


def report_remove(*, card: ModelCard, user, report: EvaluationReport) -> tuple[ModelCard, list]:
    """Take an attached report's metric groups out of the card; the evidence stays.

    Returns the card and the names of the jobs the groups were taken from: the job they were
    attached to, or the one it became when renamed (empty when every group was edited or
    removed since; the report is no longer attached either way)."""
    with transaction.atomic():
        removed = EvaluationReport.objects.filter(
            pk=report.pk, card=card, state=ReportState.ATTACHED
        ).update(state=ReportState.REMOVED)
        if not removed:
            raise TransitionRefused("This report is not attached to the card.")
        current = ModelCard.objects.select_for_update().get(pk=card.pk)
        content, jobs = _without_groups(
            current.content,
            report.evaluation_job,
            report.produced["metric_groups"],
            anywhere=True,
        )
        if not jobs:
            return current, []
        saved = card_save_content(
            card=current,
            user=user,
            content=content,
            base_revision=current.revision,
            note=f"Removed metrics from {report.source}"[:200],
        )
        return saved, jobs
