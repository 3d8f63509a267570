"""Asking the worker to publish a card to SageMaker (the job is deferred here)."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import TextField, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob
from procrastinate.exceptions import AlreadyEnqueued, UniqueViolation
from procrastinate.jobs import Job, Status

from cards.content.registry import package_arn, package_card_errors
from cards.content.validation import ContentInvalid, format_path, validate_content
from cards.errors import (
    InvalidInput,
    TransitionRefused,
)
from cards.events import Kind, event_record
from cards.jobs import PACKAGE_STAGE_TASK, PUBLISH_TASK, job, publish_job
from cards.models import (
    CardStatus,
    ModelCard,
    Publication,
    PublicationState,
    PublishTarget,
)
from cards.permissions import Action, require
from cards.services.publish_rules import (
    idempotency_key_record,
    publication_for_key,
    remote_change_check,
)


def publication_request(
    *,
    card: ModelCard,
    user,
    any_status: bool = False,
    overwrite_version: int | None = None,
    target: str = PublishTarget.MODEL_CARD,
    idempotency_key: str = "",
) -> Publication:
    """Queue a publish of the card's current revision with its status (see _publication_queue),
    after the rules the pages and the API share (cards.services.publish_rules):

    - SageMaker holds a version someone else wrote (the drift check's mark): refused with
      ``ChangedInSageMaker`` unless ``overwrite_version`` names the version the person chose
      to replace. ``any_status`` (operators, the archive's follow-up) skips this as it skips
      the status rule; the worker still never overwrites a version it was not told to.
    - ``idempotency_key``: the same key with the same request answers the publication it made
      (``publication.repeated`` is then True); with another card or target it is refused.
    """
    require(user, card, Action.PUBLISH)

    def checked_and_queued() -> Publication:
        if not any_status:
            remote_change_check(card, target=target, overwrite_version=overwrite_version)
        return _publication_queue(
            card=card,
            user=user,
            any_status=any_status,
            overwrite_version=overwrite_version,
            target=target,
        )

    if not idempotency_key:
        publication = checked_and_queued()
        publication.repeated = False
        return publication
    with transaction.atomic():
        # The card's row lock orders two requests with the same key: the second finds the
        # first's key row.
        ModelCard.objects.select_for_update().filter(pk=card.pk).exists()
        earlier = publication_for_key(user=user, key=idempotency_key, card=card, target=target)
        if earlier is not None:
            return earlier
        return idempotency_key_record(
            user=user,
            key=idempotency_key,
            card=card,
            target=target,
            publication=checked_and_queued(),
        )


def _publication_queue(
    *,
    card: ModelCard,
    user,
    any_status: bool = False,
    overwrite_version: int | None = None,
    target: str = PublishTarget.MODEL_CARD,
) -> Publication:
    """Queue a publish of the card's current revision with its status.

    The Publication row and the job are written in one transaction: both exist or neither.
    While a publish of this card is already waiting, that one is returned instead.
    ``any_status`` (for operators: ``manage.py publish_card``) skips the status rule.
    ``overwrite_version``: the SageMaker version the user compared with this card and chose
    to replace (only that version is overwritten). ``target``: a standalone model card (named
    as this card), or the own card of the model package the card documents.
    """
    require(user, card, Action.PUBLISH)
    _publish_check(card, any_status=any_status)
    _target_check(card, target)
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
                    target=target,
                )
                publish_job(current.pk).defer(publication_id=publication.pk)
                event_record(
                    actor=user,
                    kind=Kind.PUBLISH,
                    card=current,
                    detail=f"Revision {current.revision} as {current.status}",
                )
        except AlreadyEnqueued:
            waiting = current.publications.filter(
                state__in=[PublicationState.QUEUED, PublicationState.RETRYING]
            ).first()
            if waiting is None:  # pragma: no cover - a job without its row cannot be written
                raise TransitionRefused("A publish of this card is already waiting.") from None
            if waiting.target != target:
                raise TransitionRefused(
                    f"A publish of this card to {waiting.get_target_display().lower()} is "
                    "already waiting; publish again when it has finished."
                ) from None
            if overwrite_version and waiting.overwrite_version != overwrite_version:
                Publication.objects.filter(pk=waiting.pk).update(
                    overwrite_version=overwrite_version
                )
                waiting.overwrite_version = overwrite_version
            return waiting
    return publication


def package_stage_request(*, card: ModelCard, user, stage: str, stage_status: str) -> bool:
    """Queue setting the lifecycle stage of the model package the card documents, in the
    caller's transaction (the approval's: no approval, no job). False: no package to set."""
    arn = package_arn(card.content)
    if not (arn and stage and stage_status):
        return False
    job(PACKAGE_STAGE_TASK, lock=f"package-stage-{card.pk}").defer(
        card_id=card.pk, arn=arn, stage=stage, stage_status=stage_status, actor_id=user.pk
    )
    return True


def _publish_check(card: ModelCard, *, any_status: bool) -> None:
    if not any_status:
        if card.status == CardStatus.ARCHIVED:
            if not card.publications.filter(state=PublicationState.PUBLISHED).exists():
                raise TransitionRefused(
                    "This card was archived before it was ever published, so there is "
                    "nothing to archive in SageMaker."
                )
        elif card.status == CardStatus.DRAFT:
            if not settings.PUBLISH_DRAFTS:
                raise TransitionRefused(
                    "Only approved cards can be published. An administrator can allow "
                    "publishing drafts too (PUBLISH_DRAFTS=true)."
                )
        elif card.status != CardStatus.APPROVED:
            raise TransitionRefused(
                "This card is waiting for review; it can be published once it is approved."
            )
    try:
        validate_content(card.content)
    except ContentInvalid as error:
        raise InvalidInput(f"{error} Fix the card before publishing it.") from None


def _target_check(card: ModelCard, target: str) -> None:
    if target not in PublishTarget.values:
        choices = ", ".join(PublishTarget.values)
        raise InvalidInput(f"Choose a target: {choices} (got “{target}”).", field="target")
    if target != PublishTarget.MODEL_PACKAGE:
        return
    if not package_arn(card.content):
        raise InvalidInput(
            "This card documents no model package (model_package_details.model_package_arn), "
            "so it cannot be published to one. Look the model package up in step 1 first.",
            field="target",
        )
    errors = package_card_errors(card.content)
    if errors:
        raise InvalidInput(
            "The card does not fit a model package's own card: "
            + "; ".join(f"{format_path(e.path)}: {e.message}" for e in errors),
            problems=[(format_path(e.path), e.message) for e in errors],
        )


def card_publication(card: ModelCard) -> Publication | None:
    """The card's latest publication, if it was ever published or queued."""
    return card.publications.select_related("requested_by").first()


logger = logging.getLogger(__name__)


# --- the queue's housekeeping: jobs whose worker died, publications left unfinished ----

# A publication whose jobs all ended on database errors is queued again this many times by
# publications_recover before it is marked failed.
PUBLISH_RECOVERIES = 3


def newer_publish_waits(publication_id: int, *, job_id: int | None) -> bool:
    card_pk = Publication.objects.values_list("card_id", flat=True).get(pk=publication_id)
    waiting = ProcrastinateJob.objects.filter(queueing_lock=f"publish-card-{card_pk}")
    return waiting.filter(status="todo").exclude(id=job_id).exists()


async def recover_stalled_job(manager, job: Job) -> None:
    logger.warning("Retrying stalled job %s (%s)", job.id, job.task_name)
    try:
        await manager.retry_job(job)
    except (UniqueViolation, IntegrityError):
        # A newer publish of the same card is already waiting (same queueing lock) and will
        # re-read the card, so this one is superseded. Finish it, or its `lock` would block
        # the waiting one forever; the other stalled jobs are still recovered.
        logger.warning("Stalled job %s is superseded by a waiting one", job.id)
        await manager.finish_job_by_id_async(job.id, status=Status.FAILED, delete_job=False)
        arguments = job.task_kwargs or {}
        if isinstance(arguments, str):  # some connectors hand back the JSON text
            arguments = json.loads(arguments)
        publication_id = arguments.get("publication_id")
        if publication_id:
            await sync_to_async(publication_supersede)(publication_id)


def publications_recover() -> list[int]:
    """Queue again the unfinished publications that nothing moves on any more; returns them.

    A job that failed on a database error at its last attempt (or whose failure procrastinate
    could not even record) leaves its publication Queued, Publishing or Retrying with no job
    left to finish it. Such a publication is one of a card with no waiting or running publish
    job; its job is deferred again (it re-reads and compares, so running it twice is safe),
    up to PUBLISH_RECOVERIES times, after which it is marked failed with the reason."""
    live_locks = ProcrastinateJob.objects.filter(
        task_name=PUBLISH_TASK, status__in=["todo", "doing"]
    ).values("lock")
    quiet = timezone.now() - timedelta(seconds=5)
    stuck = (
        Publication.objects.filter(
            state__in=[
                PublicationState.QUEUED,
                PublicationState.RUNNING,
                PublicationState.RETRYING,
            ],
            updated_at__lt=quiet,
        )
        .annotate(
            job_lock=Concat(Value("card-"), Cast("card_id", TextField()), output_field=TextField())
        )
        .exclude(job_lock__in=live_locks)
        .values_list("pk", "card_id")
    )
    recovered = []
    for publication_id, card_pk in stuck:
        ended = ProcrastinateJob.objects.filter(
            task_name=PUBLISH_TASK,
            lock=f"card-{card_pk}",
            args__publication_id=publication_id,
        ).count()
        if ended > PUBLISH_RECOVERIES:
            _fail_unrecoverable(publication_id, ended)
            continue
        logger.warning("Queueing publication %s again: its job ended unfinished", publication_id)
        try:
            publish_job(card_pk).defer(publication_id=publication_id)
        except AlreadyEnqueued:
            # Another worker's sweep queued it a moment ago, or a newer publish of the card
            # came in meanwhile and will publish its current content.
            waiting = ProcrastinateJob.objects.filter(
                queueing_lock=f"publish-card-{card_pk}", status="todo"
            ).first()
            if waiting is not None and waiting.args.get("publication_id") != publication_id:
                publication_supersede(publication_id)
        recovered.append(publication_id)
    return recovered


def _fail_unrecoverable(publication_id: int, jobs: int) -> None:
    Publication.objects.filter(pk=publication_id).exclude(
        state__in=[PublicationState.PUBLISHED, PublicationState.FAILED]
    ).update(
        state=PublicationState.FAILED,
        last_error=(
            f"Publishing was interrupted {jobs} times by database errors (the worker could "
            "not reach PostgreSQL). Check the database, then publish the card again: "
            "nothing already in SageMaker is sent twice."
        ),
        finished_at=timezone.now(),
    )


def publication_supersede(publication_id: int) -> None:
    Publication.objects.filter(pk=publication_id).exclude(
        state__in=[PublicationState.PUBLISHED, PublicationState.FAILED]
    ).update(
        state=PublicationState.FAILED,
        last_error="Interrupted, and superseded by the publish queued after it.",
        finished_at=timezone.now(),
    )
