"""Every write to a card goes through here; each one records the revision it makes."""

from __future__ import annotations

import copy
import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from cards.models import (
    CARD_NAME_MESSAGE,
    CardRevision,
    CardStatus,
    EvaluationReport,
    ModelCard,
    Publication,
    PublicationState,
    ReportState,
    Team,
)
from cards.models import validate_card_name as _validate_name_pattern
from cards.reports import load_json_document, read_report
from cards.validation import ContentInvalid, validate_content


class CardChanged(Exception):
    """Someone saved the card after the revision this save started from."""

    def __init__(self, current: ModelCard) -> None:
        self.current = current
        super().__init__(
            f"{current.updated_by} saved this card (revision {current.revision}) while you "
            "were editing it. Your input is still below: check it against their changes "
            "and save again."
        )


class CardNotEditable(Exception):
    pass


def _promoted(content: dict) -> dict[str, str]:
    overview = content.get("model_overview") or {}
    uses = content.get("intended_uses") or {}
    return {
        "risk_rating": str(uses.get("risk_rating") or "")[:10],
        "model_id": str(overview.get("model_id") or ""),
        "model_name": str(overview.get("model_name") or ""),
    }


def card_name_check(name: str, *, exclude_pk: int | None = None) -> None:
    """Raise ValidationError({"name": ...}) when the name breaks SageMaker's rule or is taken."""
    try:
        _validate_name_pattern(name)
    except ValidationError:
        raise ValidationError({"name": CARD_NAME_MESSAGE}, code="invalid_name") from None
    if len(name) > 63:
        raise ValidationError({"name": CARD_NAME_MESSAGE}, code="invalid_name")
    taken = ModelCard.objects.filter(name=name)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationError(
            {"name": f"A model card named “{name}” already exists. Choose another name."},
            code="duplicate_name",
        )


def _model_id_check(model_id: str, *, exclude_pk: int | None) -> None:
    if not model_id:
        return
    others = ModelCard.objects.filter(model_id=model_id)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise ValidationError(
            {
                "model_id": "This model already has a model card. SageMaker allows one "
                "card per model: edit that card instead."
            },
            code="model_has_card",
        )


def _integrity_to_validation(error: IntegrityError) -> ValidationError:
    text = str(error)
    if "one_card_per_model" in text:
        return ValidationError({"model_id": "This model already has a model card."})
    if "name" in text:
        return ValidationError({"name": "A model card with this name already exists."})
    raise error


def card_create(*, user, team: Team, name: str, content: dict, note: str = "Created") -> ModelCard:
    card_name_check(name)
    validate_content(content)
    promoted = _promoted(content)
    _model_id_check(promoted["model_id"], exclude_pk=None)
    try:
        with transaction.atomic():
            card = ModelCard.objects.create(
                name=name,
                team=team,
                status=CardStatus.DRAFT,
                content=content,
                revision=1,
                created_by=user,
                updated_by=user,
                **promoted,
            )
            CardRevision.objects.create(
                card=card, number=1, content=content, status=card.status, author=user, note=note
            )
    except IntegrityError as error:
        # Two people creating the same name or model at once: the constraint decides.
        raise _integrity_to_validation(error) from None
    return card


def card_save_content(
    *,
    card: ModelCard,
    user,
    content: dict,
    base_revision: int,
    note: str = "",
) -> ModelCard:
    """Replace the card's content if nobody saved it since ``base_revision``.

    Saving unchanged content is a no-op and writes no revision.
    """
    if not card.is_editable:
        raise CardNotEditable("Archived cards cannot be edited.")
    validate_content(content)
    promoted = _promoted(content)
    try:
        with transaction.atomic():
            return _save_locked(
                card=card,
                user=user,
                content=content,
                promoted=promoted,
                base_revision=base_revision,
                note=note,
            )
    except IntegrityError as error:
        # The one-card-per-model constraint, when someone else took the model meanwhile.
        raise _integrity_to_validation(error) from None


def _save_locked(
    *,
    card: ModelCard,
    user,
    content: dict,
    promoted: dict[str, str],
    base_revision: int,
    note: str,
) -> ModelCard:
    # Lock the card row alone: with a join, PostgreSQL re-checks the join against the
    # updated row after waiting for the lock and can drop the row.
    current = ModelCard.objects.select_for_update().get(pk=card.pk)
    if current.revision != base_revision:
        raise CardChanged(current)
    if not current.is_editable:
        raise CardNotEditable("Archived cards cannot be edited.")
    if current.content == content:
        return current
    if promoted["model_id"] != current.model_id:
        _model_id_check(promoted["model_id"], exclude_pk=card.pk)
    now = timezone.now()
    ModelCard.objects.filter(pk=card.pk).update(
        content=content,
        revision=F("revision") + 1,
        updated_by=user,
        updated_at=now,
        **promoted,
    )
    CardRevision.objects.create(
        card=current,
        number=base_revision + 1,
        content=content,
        status=current.status,
        author=user,
        note=note,
    )
    # What the UPDATE wrote, without reading it back.
    current.content = content
    current.revision = base_revision + 1
    current.updated_by = user
    current.updated_at = now
    for field, value in promoted.items():
        setattr(current, field, value)
    return current


def card_import_json(*, user, team: Team, name: str, raw: bytes) -> ModelCard:
    """Create a draft card from a SageMaker content document (as exported or sent by the SDK)."""
    from cards.reports import ReportError

    try:
        document = load_json_document(raw)
    except ReportError as error:
        raise ValidationError({"file": str(error)}) from None
    if not isinstance(document, dict):
        raise ValidationError({"file": "The file must hold one JSON object: a card's content."})
    # SageMaker's DescribeModelCard returns the content as a string inside "Content".
    if isinstance(document.get("Content"), str):
        try:
            document = load_json_document(document["Content"].encode("utf-8", "surrogatepass"))
        except ReportError as error:
            raise ValidationError({"file": f"Its Content: {error}"}) from None
    return card_create(
        user=user, team=team, name=name, content=copy.deepcopy(document), note="Imported"
    )


@transaction.atomic
def card_delete(*, card: ModelCard, user) -> None:
    # Only drafts are deleted here; published cards leave through SageMaker's own states.
    deleted, _ = ModelCard.objects.filter(pk=card.pk, status=CardStatus.DRAFT).delete()
    if not deleted:
        raise CardNotEditable("Only draft cards can be deleted.")


def card_archive(*, card: ModelCard, user) -> Publication | None:
    """Archive the card (read-only from now on); if it was published, archive it in SageMaker.

    The status change is guarded (only a card that is not archived yet changes) and recorded
    as a revision. Returns the publication that carries it to SageMaker, if any.
    """
    with transaction.atomic():
        current = ModelCard.objects.select_for_update().get(pk=card.pk)
        if current.status == CardStatus.ARCHIVED:
            raise CardNotEditable("This card is archived already.")
        ModelCard.objects.filter(pk=card.pk).update(
            status=CardStatus.ARCHIVED,
            revision=F("revision") + 1,
            updated_by=user,
            updated_at=timezone.now(),
        )
        CardRevision.objects.create(
            card=current,
            number=current.revision + 1,
            content=current.content,
            status=CardStatus.ARCHIVED,
            author=user,
            note="Archived",
        )
        current.refresh_from_db()
        # Published, or on its way (a running first publish read the old status): SageMaker
        # must end up archived too, so a publish follows (or the waiting one carries it).
        if not current.publications.exclude(state=PublicationState.FAILED).exists():
            return None
        # In the same transaction: the archive and its trip to SageMaker commit together.
        return publication_request(card=current, user=user, any_status=True)


# --- evaluation reports -------------------------------------------------------------------


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

    Raises ReportError (with a message for the user) when the file cannot be used.
    """
    document = load_json_document(raw)
    preview = read_report(document, report_type)
    # One preview at a time per person and card: earlier unattached ones are dropped.
    EvaluationReport.objects.filter(card=card, created_by=user, state=ReportState.PENDING).delete()
    return EvaluationReport.objects.create(
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


def _job_named(content: dict, name: str) -> dict | None:
    for job in content.get("evaluation_details") or []:
        if isinstance(job, dict) and job.get("name") == name:
            return job
    return None


def _without_groups(content: dict, job_name: str, groups: list[dict]) -> dict:
    """The content without exactly the groups a report added (one occurrence each).

    Groups are matched whole, not by name: two reports of one kind produce the same group
    names, and a group the author edited since is theirs now and stays.
    """
    content = copy.deepcopy(content)
    job = _job_named(content, job_name)
    if job is not None and isinstance(job.get("metric_groups"), list):
        remaining = list(groups)
        kept = []
        for group in job["metric_groups"]:
            if group in remaining:
                remaining.remove(group)
            else:
                kept.append(group)
        job["metric_groups"] = kept
    return content


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
        raise ValidationError({"attach_job": "Name the evaluation job that gets these metrics."})
    replaced = list(
        card.reports.filter(
            state=ReportState.ATTACHED, source=report.source, evaluation_job=job_name
        ).exclude(pk=report.pk)
    )
    for earlier in replaced:
        content = _without_groups(content, job_name, earlier.produced["metric_groups"])
    content = copy.deepcopy(content)
    job = _job_named(content, job_name)
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
            raise ValidationError({"attach_job": "This report was already attached or discarded."})
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


def report_remove(*, card: ModelCard, user, report: EvaluationReport) -> ModelCard:
    """Take an attached report's metric groups out of the card; the evidence stays."""
    with transaction.atomic():
        removed = EvaluationReport.objects.filter(
            pk=report.pk, card=card, state=ReportState.ATTACHED
        ).update(state=ReportState.REMOVED)
        if not removed:
            raise ValidationError("This report is not attached to the card.")
        current = ModelCard.objects.select_for_update().get(pk=card.pk)
        content = _without_groups(
            current.content, report.evaluation_job, report.produced["metric_groups"]
        )
        return card_save_content(
            card=current,
            user=user,
            content=content,
            base_revision=current.revision,
            note=f"Removed metrics from {report.source}"[:200],
        )


# --- Publishing to SageMaker ---------------------------------------------------------------


class PublishRefused(Exception):
    """The card cannot be published as it stands; the message says why, for the user."""


def publication_request(*, card: ModelCard, user, any_status: bool = False) -> Publication:
    """Queue a publish of the card's current revision with its status.

    The Publication row and the job are written in one transaction: both exist or neither.
    While a publish of this card is already waiting, that one is returned instead.
    ``any_status`` (for operators: ``manage.py publish_card``) skips the status rule.
    """
    from procrastinate.exceptions import AlreadyEnqueued

    from cards.tasks import publish_card

    _publish_check(card, any_status=any_status)
    with transaction.atomic():
        # The row lock orders this request after any save in progress.
        current = ModelCard.objects.select_for_update().get(pk=card.pk)
        try:
            # A savepoint: the queueing-lock violation would abort the whole transaction.
            with transaction.atomic():
                publication = Publication.objects.create(
                    card=current,
                    revision=current.revision,
                    target_status=current.status,
                    requested_by=user,
                )
                publish_card.configure(
                    lock=f"card-{current.pk}", queueing_lock=f"publish-card-{current.pk}"
                ).defer(publication_id=publication.pk)
        except AlreadyEnqueued:
            waiting = current.publications.filter(
                state__in=[PublicationState.QUEUED, PublicationState.RETRYING]
            ).first()
            if waiting is None:  # pragma: no cover - a job without its row cannot be written
                raise PublishRefused("A publish of this card is already waiting.") from None
            return waiting
    return publication


def _publish_check(card: ModelCard, *, any_status: bool) -> None:
    if not any_status:
        if card.status == CardStatus.ARCHIVED:
            if not card.publications.filter(state=PublicationState.PUBLISHED).exists():
                raise PublishRefused(
                    "This card was archived before it was ever published, so there is "
                    "nothing to archive in SageMaker."
                )
        elif card.status == CardStatus.DRAFT:
            if not settings.PUBLISH_DRAFTS:
                raise PublishRefused(
                    "Only approved cards can be published. An administrator can allow "
                    "publishing drafts too (PUBLISH_DRAFTS=true)."
                )
        elif card.status != CardStatus.APPROVED:
            raise PublishRefused(
                "This card is waiting for review; it can be published once it is approved."
            )
    try:
        validate_content(card.content)
    except ContentInvalid as error:
        raise PublishRefused(f"{error} Fix the card before publishing it.") from None


def card_publication(card: ModelCard) -> Publication | None:
    """The card's latest publication, if it was ever published or queued."""
    return card.publications.select_related("requested_by").first()
