"""Background jobs, run by `manage.py worker` (cards/worker.py; procrastinate finds this module
through its Django app's autodiscovery of ``tasks.py`` in installed apps)."""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from asgiref.sync import sync_to_async
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import Exists, OuterRef, TextField, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from procrastinate import JobContext, RetryStrategy
from procrastinate.contrib.django import app
from procrastinate.contrib.django.models import ProcrastinateJob
from procrastinate.exceptions import AlreadyEnqueued, UniqueViolation
from procrastinate.jobs import Job, Status

from cards.content import document
from cards.content.validation import ContentInvalid, validate_content
from cards.models import ModelCard, Publication, PublicationState, SentContent
from cards.sagemaker import client as sagemaker

logger = logging.getLogger(__name__)

# A lost or reset database connection, a restart of PostgreSQL, a statement or query timeout
# (cards/worker.py): the job's next attempt re-reads everything and compares before sending.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)

# Across attempts; botocore's standard retries already back off inside each attempt.
# Waits 2, 4, 8, 16, 32, 64 s: seven runs in all over about two minutes.
PUBLISH_RETRY = RetryStrategy(
    max_attempts=6,
    exponential_wait=2,
    retry_exceptions={sagemaker.AwsUnavailable, *DATABASE_UNAVAILABLE},
)

# A publication whose jobs all ended on database errors is queued again this many times by
# publications_recover before it is marked failed.
PUBLISH_RECOVERIES = 3

# Tests only: the job waits after its remote update while this file exists, so that a test
# can kill the worker at the worst moment.
PAUSE_FILE_VARIABLE = "STUDIO_TEST_PUBLISH_PAUSE_FILE"

ARCHIVED = "Archived"


@app.task(name="cards.publish_card", retry=PUBLISH_RETRY, pass_context=True)
def publish_card(context: JobContext, publication_id: int) -> None:
    job = context.job
    final = job is None or job.attempts >= (PUBLISH_RETRY.max_attempts or 0)
    try:
        publication_sync(publication_id=publication_id, final_attempt=final)
    except sagemaker.AwsUnavailable:
        if job is not None and _newer_publish_waits(publication_id, job_id=job.id):
            # procrastinate cannot put this job back in the queue beside the waiting one
            # (same queueing lock: the retry fails and the job stays "doing" for good); the
            # waiting one re-reads the card and publishes its current content.
            _supersede(publication_id)
            return
        raise


def _newer_publish_waits(publication_id: int, *, job_id: int | None) -> bool:
    card_pk = Publication.objects.values_list("card_id", flat=True).get(pk=publication_id)
    waiting = ProcrastinateJob.objects.filter(queueing_lock=f"publish-card-{card_pk}")
    return waiting.filter(status="todo").exclude(id=job_id).exists()


def publish_job(card_pk: int):
    """The publish job of a card, configured: one runs at a time per card, one waits."""
    return publish_card.configure(lock=f"card-{card_pk}", queueing_lock=f"publish-card-{card_pk}")


@app.periodic(cron="*/5 * * * *")
@app.task(queueing_lock="retry_stalled_jobs", pass_context=True)
async def retry_stalled_jobs(context: JobContext, timestamp: int) -> None:
    # procrastinate's documented recovery for jobs whose worker died (SIGKILL, lost machine).
    # No `lock` here: a stalled sweeper holding a lock would block the next sweeper
    # (procrastinate issue #1408). `manage.py worker` runs the same sweep every few seconds
    # outside the job queue (cards/worker.py); this one serves plain `procrastinate worker`.
    manager = context.app.job_manager
    for job in await manager.get_stalled_jobs():
        await recover_stalled_job(manager, job)
    await sync_to_async(publications_recover, thread_sensitive=False)()


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
            await sync_to_async(_supersede)(publication_id)


def publications_recover() -> list[int]:
    """Queue again the unfinished publications that nothing moves on any more; returns them.

    A job that failed on a database error at its last attempt (or whose failure procrastinate
    could not even record) leaves its publication Queued, Publishing or Retrying with no job
    left to finish it. Such a publication is one of a card with no waiting or running publish
    job; its job is deferred again (it re-reads and compares, so running it twice is safe),
    up to PUBLISH_RECOVERIES times, after which it is marked failed with the reason."""
    live_locks = ProcrastinateJob.objects.filter(
        task_name=publish_card.name, status__in=["todo", "doing"]
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
            task_name=publish_card.name,
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
                _supersede(publication_id)
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


def _supersede(publication_id: int) -> None:
    Publication.objects.filter(pk=publication_id).exclude(
        state__in=[PublicationState.PUBLISHED, PublicationState.FAILED]
    ).update(
        state=PublicationState.FAILED,
        last_error="Interrupted, and superseded by the publish queued after it.",
        finished_at=timezone.now(),
    )


@dataclass(frozen=True)
class RemoteCard:
    arn: str
    version: int


class ChangedInSageMaker(sagemaker.AwsError):
    """The remote card has content we never wrote: publishing would overwrite someone's edit."""

    def __init__(self, name: str, version: int, known: int | None) -> None:
        self.version = version
        if known is None:
            what = (
                f"SageMaker already has a card named {name} (version {version}) with other "
                "content, which this app never wrote."
            )
        else:
            what = (
                f"{name} was changed in SageMaker (version {version}; the last version "
                f"written or read here is {known})."
            )
        super().__init__(
            f"{what} Nothing was overwritten: open the card's “Changed in SageMaker” page to "
            "compare and choose."
        )


def publication_sync(*, publication_id: int, final_attempt: bool = True) -> Publication:
    """Make SageMaker hold the card's current content and status; safe to run any number of
    times. Raises ``AwsUnavailable`` (after recording it) when a later attempt may work and
    this is not the final attempt."""
    published_before = Publication.objects.filter(
        card=OuterRef("card"), state=PublicationState.PUBLISHED
    )
    with transaction.atomic():
        # One read: the publication (locked alone), its card, and whether the card was ever
        # published; every round trip here is time added to each publish.
        publication = (
            Publication.objects.select_for_update(of=("self",))
            .select_related("card")
            .annotate(published_before=Exists(published_before))
            .get(pk=publication_id)
        )
        if publication.is_finished:
            return publication  # a redelivered job: the work is done
        card = publication.card
        content = document.serialize_content(card.content)
        digest = document.content_digest(card.content)
        publication.state = PublicationState.RUNNING
        publication.attempts += 1
        publication.revision = card.revision
        publication.target_status = card.status
        # Recorded before anything is sent: whatever becomes of this attempt, content with
        # this hash in SageMaker is ours, never someone else's edit (see _sync_remote).
        publication.content_sha256 = digest
        publication.save(
            update_fields=[
                "state",
                "attempts",
                "revision",
                "target_status",
                "content_sha256",
                "updated_at",
            ]
        )
        content_sent_record(card=card, digest=digest)

    try:
        validate_content(card.content)
    except ContentInvalid as error:
        return _finish(publication, failed=f"{error} Fix the card and publish it again.")

    # A card never published (nor imported) before is most likely new in SageMaker too:
    # create it straight away (one call) and fall back to comparing only if it exists.
    first_time = not publication.published_before and card.sagemaker_version is None
    try:
        remote = _sync_remote(
            card.name,
            content=content,
            digest=digest,
            status=card.status,
            first_time=first_time,
            known=lambda: _known_remote(card),
            overwrite_version=publication.overwrite_version,
        )
    except ChangedInSageMaker as error:
        ModelCard.objects.filter(pk=card.pk).update(
            sagemaker_newer_version=error.version, sagemaker_checked_at=timezone.now()
        )
        return _finish(publication, failed=str(error))
    except sagemaker.AwsUnavailable as error:
        if final_attempt:
            return _finish(publication, failed=f"{error} Gave up after several attempts.")
        publication.state = PublicationState.RETRYING
        publication.last_error = str(error)
        publication.save(update_fields=["state", "last_error", "updated_at"])
        raise
    except sagemaker.AwsError as error:
        return _finish(publication, failed=str(error))
    except DATABASE_UNAVAILABLE:
        raise  # retried (PUBLISH_RETRY); nothing can be recorded on this connection now
    except Exception as error:
        # Never leave a publication "Publishing" forever; the job fails (and is logged) too.
        _finish(publication, failed=f"Publishing stopped on an unexpected error: {error!r}")
        raise

    _pause_for_tests()
    publication.arn = remote.arn
    publication.remote_version = remote.version
    publication.content_sha256 = digest
    with transaction.atomic():  # one commit for both rows
        ModelCard.objects.filter(pk=card.pk).update(
            sagemaker_arn=remote.arn,
            sagemaker_version=remote.version,
            sagemaker_newer_version=None,
            sagemaker_checked_at=timezone.now(),
        )
        return _finish(publication)


@dataclass(frozen=True)
class KnownRemote:
    version: int | None  # the remote version last written or read here, if any
    digests: frozenset[str]  # hashes of all content this app sent (ours, not someone's edit)


def _known_remote(card: ModelCard) -> KnownRemote:
    sent = card.sent_contents.values_list("sha256", flat=True)
    return KnownRemote(version=card.sagemaker_version, digests=frozenset(sent))


def content_sent_record(*, card: ModelCard, digest: str) -> None:
    """Remember, before it is sent, that content with this hash is this app's own write.

    Kept per card and never overwritten: a publication's ``content_sha256`` holds only its
    latest attempt, and an earlier attempt whose answer was lost may be what SageMaker holds."""
    SentContent.objects.bulk_create([SentContent(card=card, sha256=digest)], ignore_conflicts=True)


def _sync_remote(
    name: str,
    *,
    content: str,
    digest: str,
    status: str,
    first_time: bool = False,
    known: Callable[[], KnownRemote] | None = None,
    overwrite_version: int | None = None,
) -> RemoteCard:
    """``known`` reads what this app knows of the remote card; it costs a query, so it is
    asked only when the remote content differs from ours."""
    described = None if first_time else sagemaker.describe_model_card(name)
    if described is None:
        try:
            arn = sagemaker.create_model_card(name, content, status)
        except sagemaker.CardExists:
            # Made meanwhile (or by an attempt whose answer was lost): compare with it.
            described = sagemaker.describe_model_card(name)
            if described is None:
                raise sagemaker.AwsUnavailable(
                    f"SageMaker reported {name} as existing and then as missing."
                ) from None
        else:
            # CreateModelCard always makes version 1.
            return RemoteCard(arn=arn, version=1)

    remote_digest = document.remote_digest(described.get("Content"))
    content_differs = remote_digest != digest
    status_differs = described.get("ModelCardStatus") != status
    if not (content_differs or status_differs):
        return RemoteCard(arn=described["ModelCardArn"], version=described["ModelCardVersion"])
    if described.get("ModelCardStatus") == ARCHIVED:
        raise sagemaker.PublishFailed(
            f"{name} is archived in SageMaker, and archived cards are never changed."
        )
    # Someone else's content: a remote version newer than the one we last wrote or read (or
    # a card we never wrote at all) whose content is nothing this app ever sent, such as an
    # edit in the console. A retry whose earlier update did land finds our own content and
    # goes on; only the exact version a person compared and chose to replace is overwritten.
    version = described["ModelCardVersion"]
    if known is not None and content_differs and version != overwrite_version:
        ours = known()
        if remote_digest not in ours.digests and (ours.version is None or version > ours.version):
            raise ChangedInSageMaker(name, version, ours.version)
    if content_differs:
        sagemaker.update_model_card_content(name, content)
    if status_differs:
        sagemaker.update_model_card_status(name, status)
    return _described(name)


def _described(name: str) -> RemoteCard:
    described = sagemaker.describe_model_card(name)
    if described is None:
        raise sagemaker.AwsUnavailable(f"SageMaker does not show {name} after writing it.")
    return RemoteCard(arn=described["ModelCardArn"], version=described["ModelCardVersion"])


def _finish(publication: Publication, *, failed: str = "") -> Publication:
    publication.state = PublicationState.FAILED if failed else PublicationState.PUBLISHED
    publication.last_error = failed
    publication.finished_at = timezone.now()
    publication.save(
        update_fields=[
            "state",
            "last_error",
            "finished_at",
            "arn",
            "remote_version",
            "content_sha256",
            "updated_at",
        ]
    )
    return publication


def _pause_for_tests() -> None:
    path = os.environ.get(PAUSE_FILE_VARIABLE)
    while path and os.path.exists(path):
        time.sleep(0.05)


@app.periodic(cron="*/15 * * * *")
@app.task(name="cards.check_sagemaker_drift", queueing_lock="check_sagemaker_drift")
def check_sagemaker_drift(timestamp: int) -> None:
    """Mark the cards whose SageMaker copy someone changed since we last wrote or read it."""
    linked = ModelCard.objects.exclude(sagemaker_version=None).order_by("pk")
    for card in linked.iterator(chunk_size=100):
        try:
            drift_check(card)
        except sagemaker.AwsError as error:
            logger.warning("Could not check %s in SageMaker: %s", card.name, error)


def drift_check(card: ModelCard) -> int | None:
    """Compare one card with SageMaker; returns the newer remote version, if any."""
    described = sagemaker.describe_model_card(card.name)
    newer = None
    if described is not None and card.sagemaker_version is not None:
        known = _known_remote(card)
        remote_digest = document.remote_digest(described.get("Content"))
        ours = document.content_digest(card.content)
        if (
            described["ModelCardVersion"] > card.sagemaker_version
            and remote_digest != ours
            and remote_digest not in known.digests
        ):
            newer = described["ModelCardVersion"]
    ModelCard.objects.filter(pk=card.pk).update(
        sagemaker_newer_version=newer, sagemaker_checked_at=timezone.now()
    )
    return newer
