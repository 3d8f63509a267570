"""Every write to a card goes through here; each one records the revision it makes."""

from __future__ import annotations

import copy
import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from cards import sagemaker
from cards.lookups import Fill, Lookup, ReportFill, job_key, summary
from cards.models import (
    CARD_NAME_MESSAGE,
    COMMENT_MAX_LENGTH,
    Approval,
    AuditAction,
    AuditEvent,
    CardRevision,
    CardStatus,
    Comment,
    EvaluationReport,
    ModelCard,
    Publication,
    PublicationState,
    ReportState,
    Section,
    Team,
)
from cards.models import validate_card_name as _validate_name_pattern
from cards.notifications import notify_reviewed, notify_submitted
from cards.permissions import Action, NotAllowed, can, require
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


class TransitionRefused(Exception):
    """A review step cannot happen as asked (the card moved on); the message says why."""


def audit_record(
    *, actor, action: AuditAction, card: ModelCard | None = None, detail: str = ""
) -> AuditEvent:
    """Append one event to the audit log (rows are never updated or deleted)."""
    return AuditEvent.objects.create(
        actor=actor,
        action=action,
        card_id=card.pk if card else None,
        card_name=card.name if card else "",
        team_id=card.team_id if card else None,
        revision=card.revision if card else None,
        detail=detail[:500],
    )


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
    require(user, None, Action.CREATE, team_id=team.pk)
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
            action = AuditAction.IMPORT if note == "Imported" else AuditAction.CREATE
            audit_record(actor=user, action=action, card=card, detail=note)
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
    if hasattr(card, "user_role"):
        # The role the access helper read with the card (cards.access.card_for).
        current.user_role = card.user_role
    require(user, current, Action.EDIT)
    if current.content == content:
        return current
    if promoted["model_id"] != current.model_id:
        _model_id_check(promoted["model_id"], exclude_pk=card.pk)
    # Approved content is never changed silently, and reviewers approve what was submitted:
    # an edit makes an approved or submitted card a draft again, to be submitted anew.
    status = current.status
    if status in {CardStatus.APPROVED, CardStatus.PENDING_REVIEW}:
        status = CardStatus.DRAFT
        was = "approved" if current.status == CardStatus.APPROVED else "submitted"
        note = f"{note} ({was} card back to draft)".strip()[:200]
    now = timezone.now()
    ModelCard.objects.filter(pk=card.pk).update(
        content=content,
        status=status,
        revision=F("revision") + 1,
        updated_by=user,
        updated_at=now,
        **promoted,
    )
    CardRevision.objects.create(
        card=current,
        number=base_revision + 1,
        content=content,
        status=status,
        author=user,
        note=note,
    )
    # What the UPDATE wrote, without reading it back.
    current.content = content
    current.status = status
    current.revision = base_revision + 1
    current.updated_by = user
    current.updated_at = now
    audit_record(actor=user, action=AuditAction.EDIT, card=current, detail=note)
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
    require(user, card, Action.DELETE)
    # Only drafts that were never approved nor sent to SageMaker: the others leave through
    # Archived, and keep their history (and their SageMaker card is not orphaned).
    never_approved_or_sent = ModelCard.objects.filter(
        pk=card.pk, status=CardStatus.DRAFT, approved_revision=None, sagemaker_version=None
    ).exclude(Exists(Publication.objects.filter(card=OuterRef("pk"))))
    deleted, _ = never_approved_or_sent.delete()
    if not deleted:
        raise CardNotEditable(
            "Only drafts that were never approved or published can be deleted; archive "
            "this card instead."
        )
    audit_record(actor=user, action=AuditAction.DELETE, card=card)


def card_export_record(*, card: ModelCard, user, revision: int | None = None) -> None:
    require(user, card, Action.EXPORT)
    detail = f"Revision {revision}" if revision else f"Revision {card.revision} (current)"
    audit_record(actor=user, action=AuditAction.EXPORT, card=card, detail=detail)


def _locked(card: ModelCard) -> ModelCard:
    # The card row alone (see _save_locked); the team is needed for permissions.
    return ModelCard.objects.select_for_update(of=("self",)).select_related("team").get(pk=card.pk)


def _transition(current: ModelCard, *, user, status: str, note: str, **fields) -> ModelCard:
    """Move a locked card to another status, as a revision with unchanged content."""
    now = timezone.now()
    ModelCard.objects.filter(pk=current.pk).update(
        status=status, revision=F("revision") + 1, updated_by=user, updated_at=now, **fields
    )
    CardRevision.objects.create(
        card=current,
        number=current.revision + 1,
        content=current.content,
        status=status,
        author=user,
        note=note,
        content_changed=False,
    )
    current.status = status
    current.revision += 1
    current.updated_by = user
    current.updated_at = now
    for field, value in fields.items():
        setattr(current, field, value)
    return current


def _check_revision(current: ModelCard, revision: int | None, doing: str) -> None:
    if revision is not None and current.revision != revision:
        raise TransitionRefused(
            f"The card changed since you opened it: it is now revision {current.revision} "
            f"(by {current.updated_by}). Look at the changes, then {doing} again."
        )


def editors_since_approval(card: ModelCard) -> set[int]:
    """Who changed the content since the last approval (or ever, before a first one)."""
    return set(
        CardRevision.objects.filter(card=card)
        .content_changes_after(card.approved_revision or 0)
        .values_list("author_id", flat=True)
    )


def card_submit(*, card: ModelCard, user, revision: int | None = None) -> ModelCard:
    """Draft -> PendingReview. The content must pass full validation."""
    with transaction.atomic():
        current = _locked(card)
        require(user, current, Action.SUBMIT)
        _check_revision(current, revision, "submit")
        validate_content(current.content)
        current = _transition(
            current, user=user, status=CardStatus.PENDING_REVIEW, note="Submitted for review"
        )
        audit_record(actor=user, action=AuditAction.SUBMIT, card=current)
        notify_submitted(current, user)
    return current


def card_approve(*, card: ModelCard, user, revision: int) -> ModelCard:
    """PendingReview -> Approved, approving exactly ``revision`` (the one the reviewer saw).

    Four eyes: whoever changed the content since the last approval cannot approve it.
    """
    with transaction.atomic():
        current = _locked(card)
        require(user, current, Action.APPROVE)
        _check_revision(current, revision, "approve")
        if user.pk in editors_since_approval(current):
            raise NotAllowed(
                "Four eyes: you changed this card since its last approval, so another "
                "reviewer has to approve it."
            )
        previous = current.approved_revision or 0
        try:
            # The row lock already orders approvals; the constraint makes a second one of
            # the same revision impossible whatever happens.
            with transaction.atomic():
                Approval.objects.create(card=current, revision=revision, approved_by=user)
        except IntegrityError:  # pragma: no cover - the row lock gets there first
            raise TransitionRefused("This revision is approved already.") from None
        current = _transition(
            current,
            user=user,
            status=CardStatus.APPROVED,
            note=f"Approved revision {revision}",
            approved_revision=revision,
        )
        audit_record(
            actor=user, action=AuditAction.APPROVE, card=current, detail=f"Revision {revision}"
        )
        notify_reviewed(current, user, since_revision=previous, approved=True)
    return current


def _comment_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "Write the comment first."})
    if len(body) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            {"body": f"Comments are at most {COMMENT_MAX_LENGTH} characters ({len(body)} now)."}
        )
    return body


def card_request_changes(
    *, card: ModelCard, user, body: str, section: str = Section.CARD
) -> ModelCard:
    """PendingReview -> Draft, with a comment saying what must change (required)."""
    try:
        body = _comment_body(body)
    except ValidationError:
        raise ValidationError(
            {"body": "Say what needs to change: a comment is required to request changes."}
        ) from None
    if section not in Section.values:
        raise ValidationError({"section": "Choose a section of the card."})
    with transaction.atomic():
        current = _locked(card)
        require(user, current, Action.REQUEST_CHANGES)
        Comment.objects.create(
            card=current, section=section, author=user, body=body, revision=current.revision
        )
        current = _transition(current, user=user, status=CardStatus.DRAFT, note="Changes requested")
        audit_record(
            actor=user, action=AuditAction.REQUEST_CHANGES, card=current, detail=body[:300]
        )
        notify_reviewed(
            current,
            user,
            since_revision=current.approved_revision or 0,
            approved=False,
            comment=body,
        )
    return current


def card_archive(*, card: ModelCard, user) -> Publication | None:
    """Archive the card (read-only from now on); if it was published, archive it in SageMaker.

    The status change is guarded (only a card that is not archived yet changes) and recorded
    as a revision. Returns the publication that carries it to SageMaker, if any.
    """
    with transaction.atomic():
        current = _locked(card)
        if current.status == CardStatus.ARCHIVED and can(user, current, Action.VIEW):
            raise CardNotEditable("This card is archived already.")
        require(user, current, Action.ARCHIVE)
        current = _transition(current, user=user, status=CardStatus.ARCHIVED, note="Archived")
        audit_record(actor=user, action=AuditAction.ARCHIVE, card=current)
        # Published, or on its way (a running first publish read the old status): SageMaker
        # must end up archived too, so a publish follows (or the waiting one carries it).
        if not current.publications.exclude(state=PublicationState.FAILED).exists():
            return None
        # In the same transaction: the archive and its trip to SageMaker commit together.
        return publication_request(card=current, user=user, any_status=True)


def card_restore(*, card: ModelCard, user) -> ModelCard:
    """Archived -> Draft (site admins). SageMaker's copy, if any, stays archived there."""
    with transaction.atomic():
        current = _locked(card)
        require(user, current, Action.RESTORE)
        current = _transition(current, user=user, status=CardStatus.DRAFT, note="Restored")
        audit_record(actor=user, action=AuditAction.RESTORE, card=current)
    return current


# --- review comments -----------------------------------------------------------------------


def comment_add(
    *,
    card: ModelCard,
    user,
    body: str,
    section: str = Section.CARD,
    parent: Comment | None = None,
) -> Comment:
    """A new thread on the card or a section, or a reply to a thread."""
    body = _comment_body(body)
    if parent is not None:
        if parent.card_id != card.pk:
            raise ValidationError({"parent": "That comment belongs to another card."})
        # Replies join the thread of the comment they answer; the thread keeps its section.
        parent = parent.parent or parent
        section = parent.section
    elif section not in Section.values:
        raise ValidationError({"section": "Choose a section of the card."})
    with transaction.atomic():
        # Under the card's row lock: a card archived a moment ago takes no more comments.
        card = _locked(card)
        require(user, card, Action.COMMENT)
        comment = Comment.objects.create(
            card=card,
            section=section,
            parent=parent,
            author=user,
            body=body,
            revision=card.revision,
        )
        where = Section(section).label
        audit_record(
            actor=user, action=AuditAction.COMMENT, card=card, detail=f"{where}: {body[:200]}"
        )
    return comment


def comment_resolve(*, card: ModelCard, user, comment: Comment) -> None:
    """Mark a thread resolved (guarded: resolving twice is refused)."""
    thread = comment.parent or comment
    with transaction.atomic():
        # Under the card's row lock, like comment_add: an archived card's threads stay put.
        card = _locked(card)
        require(user, card, Action.COMMENT)
        resolved = Comment.objects.filter(pk=thread.pk, card=card, resolved_at=None).update(
            resolved_at=timezone.now(), resolved_by=user
        )
        if not resolved:
            raise TransitionRefused("This thread is resolved already.")
        audit_record(actor=user, action=AuditAction.RESOLVE, card=card, detail=thread.body[:200])


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


def publication_request(
    *, card: ModelCard, user, any_status: bool = False, overwrite_version: int | None = None
) -> Publication:
    """Queue a publish of the card's current revision with its status.

    The Publication row and the job are written in one transaction: both exist or neither.
    While a publish of this card is already waiting, that one is returned instead.
    ``any_status`` (for operators: ``manage.py publish_card``) skips the status rule.
    ``overwrite_version``: the SageMaker version the user compared with this card and chose
    to replace (only that version is overwritten).
    """
    from procrastinate.exceptions import AlreadyEnqueued

    from cards.tasks import publish_job

    require(user, card, Action.PUBLISH)
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
                    overwrite_version=overwrite_version,
                )
                publish_job(current.pk).defer(publication_id=publication.pk)
                audit_record(
                    actor=user,
                    action=AuditAction.PUBLISH,
                    card=current,
                    detail=f"Revision {current.revision} as {current.status}",
                )
        except AlreadyEnqueued:
            waiting = current.publications.filter(
                state__in=[PublicationState.QUEUED, PublicationState.RETRYING]
            ).first()
            if waiting is None:  # pragma: no cover - a job without its row cannot be written
                raise PublishRefused("A publish of this card is already waiting.") from None
            if overwrite_version and waiting.overwrite_version != overwrite_version:
                Publication.objects.filter(pk=waiting.pk).update(
                    overwrite_version=overwrite_version
                )
                waiting.overwrite_version = overwrite_version
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


# --- drift: the SageMaker copy changed outside this app ------------------------------------


def card_take_remote_version(*, card: ModelCard, user, described: dict) -> ModelCard:
    """Keep the SageMaker version someone edited in the console: it becomes the card's next
    revision (content exactly as SageMaker holds it) and the version known here.

    ``described`` is DescribeModelCard's answer, read before this is called (no network
    inside the transaction).
    """
    from cards.reports import ReportError

    version = described["ModelCardVersion"]
    try:
        content = load_json_document(str(described.get("Content") or "{}").encode())
    except ReportError as error:
        raise ValidationError(f"SageMaker's version {version} is not readable: {error}") from None
    if not isinstance(content, dict):
        raise ValidationError(f"SageMaker's version {version} is not a model card document.")
    with transaction.atomic():
        current = _locked(card)
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


# --- Importing cards that already exist in SageMaker ---------------------------------------


class ImportRefused(Exception):
    """A SageMaker card cannot be imported; the message says why, for the user."""


class AlreadyImported(ImportRefused):
    """The card is here already, imported from the same SageMaker card."""


def card_import_sagemaker(*, user, team: Team, name: str, with_versions: bool = False) -> ModelCard:
    """Bring the SageMaker card ``name`` into ``team``: its latest content and status exactly
    as SageMaker holds them, and with ``with_versions`` every earlier version as a revision.

    Raises ImportRefused (AlreadyImported when it is here already) and NotAllowed.
    """
    require(user, None, Action.IMPORT_SAGEMAKER, team_id=team.pk)
    # Every read from AWS happens here, before the transaction below: no network inside it.
    latest = _remote_version(name, None)
    arn = latest["ModelCardArn"]
    here = list(ModelCard.objects.filter(name=name).values_list("sagemaker_arn", flat=True))
    if here:
        if here[0] == arn:
            raise AlreadyImported(f"“{name}” is already imported from this SageMaker card.")
        raise ImportRefused(
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

    number, status, content = versions[-1]
    promoted = _promoted(content)
    try:
        card_name_check(name)
        _model_id_check(promoted["model_id"], exclude_pk=None)
    except ValidationError as error:
        raise ImportRefused(" ".join(error.messages)) from None
    try:
        with transaction.atomic():
            card = ModelCard.objects.create(
                name=name,
                team=team,
                status=status,
                content=content,
                revision=len(versions),
                # Approved in SageMaker: that content counts as reviewed (four eyes).
                approved_revision=len(versions) if status == CardStatus.APPROVED else None,
                sagemaker_arn=arn,
                sagemaker_version=number,
                sagemaker_checked_at=timezone.now(),
                created_by=user,
                updated_by=user,
                **promoted,
            )
            previous = None
            revisions = []
            for position, (version, version_status, version_content) in enumerate(versions, 1):
                revisions.append(
                    CardRevision(
                        card=card,
                        number=position,
                        content=version_content,
                        status=version_status,
                        author=user,
                        note=f"SageMaker version {version}",
                        content_changed=version_content != previous,
                    )
                )
                previous = version_content
            CardRevision.objects.bulk_create(revisions)
            history = f" with {len(versions)} versions" if len(versions) > 1 else ""
            audit_record(
                actor=user,
                action=AuditAction.IMPORT,
                card=card,
                detail=f"From SageMaker version {number}{history}",
            )
    except IntegrityError as error:
        # Someone imported or created the same name or model meanwhile: the constraint decides.
        problem = _integrity_to_validation(error)
        raise ImportRefused(" ".join(problem.messages)) from None
    return card


def _remote_read(read, *args: object):
    try:
        return read(*args)
    except sagemaker.AwsError as error:
        raise ImportRefused(str(error)) from None


def _remote_version(name: str, number: int | None) -> dict:
    return _remote_read(sagemaker.describe_model_card_version, name, number)


def _imported_version(name: str, described: dict) -> tuple[int, str, dict]:
    """(version, status, content) of one described version, or ImportRefused saying why not."""
    from cards.reports import ReportError

    version = described["ModelCardVersion"]
    where = f"Version {version} of “{name}”"
    status = described.get("ModelCardStatus")
    if status not in CardStatus.values:
        raise ImportRefused(f"{where} has the status “{status}”, which is not a card status.")
    raw = str(described.get("Content") or "").encode("utf-8", "surrogatepass")
    try:
        # SageMaker bounds Content (100,000 characters), so no size limit of our own.
        content = load_json_document(raw, max_bytes=max(len(raw), 1))
    except ReportError as error:
        raise ImportRefused(f"{where} is not readable JSON: {error}") from None
    if not isinstance(content, dict):
        raise ImportRefused(f"{where} is not a model card document (a JSON object).")
    try:
        validate_content(content)
    except ContentInvalid as error:
        raise ImportRefused(f"{where} cannot be imported. {error}") from None
    return version, status, content


# --- Look-ups in SageMaker ------------------------------------------------------------------


def _node(content: dict, path: tuple[str, ...]) -> dict:
    node = content
    for key in path:
        child = node.get(key)
        if not isinstance(child, dict):
            child = {}
            node[key] = child
        node = child
    return node


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
        node = _node(content, fill.path[:-1])
        if fill.only_if_empty and node.get(fill.path[-1]) not in (None, "", [], {}):
            continue
        node[fill.path[-1]] = copy.deepcopy(fill.value)
        applied.append(fill)
    reports: list[ReportFill] = []
    jobs = content.setdefault("evaluation_details", [])
    for report in lookup.reports:
        if not isinstance(jobs, list) or _job_named(content, report.job_name) is not None:
            notes.append(
                f"The card already has an evaluation job “{report.job_name}”; the report "
                f"{report.source} was not added again."
            )
            continue
        jobs.append({"name": report.job_name, "metric_groups": copy.deepcopy(report.groups)})
        reports.append(report)
    if content.get("evaluation_details") == [] and "evaluation_details" not in card.content:
        del content["evaluation_details"]
    provenance = dict(card.provenance or {})
    for fill in applied:
        provenance[fill.key] = {"source": fill.source, "value": fill.value}
    for report in reports:
        job = _job_named(content, report.job_name)
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
