"""What an export reads besides the card: the revision, its approvals, who edited, the threads."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.http import Http404
from django.utils import timezone

from attestations.models import Attestation
from cards.models import Approval, CardRevision, Comment, EvaluationReport, ModelCard, ReportState


@dataclass
class ExportSource:
    card: ModelCard
    revision: CardRevision
    approvals: list[Approval]
    # Approved revision -> who changed the content between the previous approval and it.
    editors: dict[int, list[str]]
    # The content of the last approval at or before the exported revision, for "changes since".
    approved_number: int | None
    approved_content: dict | None
    threads: list[Comment] = field(default_factory=list)
    # The evidence behind imported metrics, as the card page lists it (previews left out).
    reports: list[EvaluationReport] = field(default_factory=list)
    # The signed attestations of the approvals up to the exported revision.
    attestations: list[Attestation] = field(default_factory=list)
    exported_by: str = ""
    exported_at: datetime | None = None


def export_source(
    card: ModelCard, number: int | None, *, user, threads: bool = False
) -> ExportSource:
    """The revision ``number`` of ``card`` (the current one when None) and its review record.

    Raises Http404 for a revision the card does not have.
    """
    number = number or card.revision
    try:
        revision = card.revisions.select_related("author").get(number=number)
    except CardRevision.DoesNotExist:
        raise Http404("No such revision.") from None
    approvals = list(
        card.approvals.filter(revision__lte=number)
        .select_related("approved_by")
        .order_by("revision")
    )
    spans = (
        CardRevision.objects.edits(card, after=0, upto=number)
        .order_by("number")
        .values_list("number", "author__username")
    )
    editors: dict[int, list[str]] = {}
    previous = 0
    edits = list(spans)
    for approval in approvals:
        names = [name for at, name in edits if previous < at <= approval.revision]
        editors[approval.revision] = sorted(set(names))
        previous = approval.revision
    last = approvals[-1] if approvals else None
    approved_content = None
    if last is not None:
        approved_content = (
            revision.content
            if last.revision == number
            else card.revisions.values_list("content", flat=True).get(number=last.revision)
        )
    return ExportSource(
        card=card,
        revision=revision,
        approvals=approvals,
        editors=editors,
        approved_number=last.revision if last else None,
        approved_content=approved_content,
        threads=list(card.comments.threads()) if threads else [],
        reports=list(
            card.reports.exclude(state=ReportState.PENDING)
            .select_related("created_by")
            .defer("raw", "produced")
            .order_by("created_at", "pk")
        ),
        attestations=list(card.attestations.filter(revision__lte=number).order_by("revision")),
        exported_by=user.get_username(),
        exported_at=timezone.now(),
    )
