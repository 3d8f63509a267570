"""Background jobs, run by `manage.py worker` (cards/worker.py; procrastinate finds this module
through its Django app's autodiscovery of ``tasks.py`` in installed apps).

Only the task wrappers live here: the publish algorithm is ``cards.sagemaker.sync``, the drift
check ``cards.sagemaker.drift``, the queue's housekeeping ``cards.services.publishing``.
"""

from __future__ import annotations

import logging

from asgiref.sync import sync_to_async
from procrastinate import JobContext
from procrastinate.contrib.django import app

from cards.events import event_deliver
from cards.jobs import (
    FAN_OUT_TASK,
    MAIL_RETRY,
    MAIL_TASK,
    PACKAGE_STAGE_TASK,
    PUBLISH_RETRY,
    PUBLISH_TASK,
    SUBSCRIBER_RETRY,
)
from cards.models import ModelCard
from cards.notifications import mail_send
from cards.sagemaker import client as sagemaker
from cards.sagemaker import drift
from cards.sagemaker.lifecycle import package_stage_set
from cards.sagemaker.sync import publication_sync
from cards.services.publishing import (
    newer_publish_waits,
    publication_supersede,
    publications_recover,
    recover_stalled_job,
)

logger = logging.getLogger(__name__)


@app.task(name=PUBLISH_TASK, retry=PUBLISH_RETRY, pass_context=True)
def publish_card(context: JobContext, publication_id: int) -> None:
    job = context.job
    final = job is None or job.attempts >= (PUBLISH_RETRY.max_attempts or 0)
    try:
        publication_sync(publication_id=publication_id, final_attempt=final)
    except sagemaker.AwsUnavailable:
        if job is not None and newer_publish_waits(publication_id, job_id=job.id):
            # procrastinate cannot put this job back in the queue beside the waiting one
            # (same queueing lock: the retry fails and the job stays "doing" for good); the
            # waiting one re-reads the card and publishes its current content.
            publication_supersede(publication_id)
            return
        raise


@app.task(name=PACKAGE_STAGE_TASK, retry=PUBLISH_RETRY, pass_context=True)
def set_package_stage(
    context: JobContext, card_id: int, arn: str, stage: str, stage_status: str, actor_id: int
) -> None:
    """Deferred by an approval whose review policy sets the package's stage (governance)."""
    job = context.job
    final = job is None or job.attempts >= (PUBLISH_RETRY.max_attempts or 0)
    package_stage_set(
        card_id=card_id,
        arn=arn,
        stage=stage,
        stage_status=stage_status,
        actor_id=actor_id,
        final_attempt=final,
    )


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


@app.periodic(cron="*/15 * * * *")
@app.task(name="cards.check_sagemaker_drift", queueing_lock="check_sagemaker_drift")
def check_sagemaker_drift(timestamp: int) -> None:
    """Mark the cards whose SageMaker copy someone changed since we last wrote or read it."""
    linked = ModelCard.objects.exclude(sagemaker_version=None).select_related("aws_target__team")
    linked = linked.order_by("pk")
    for card in linked.iterator(chunk_size=100):
        try:
            drift.drift_check(card)
        except sagemaker.AwsError as error:
            logger.warning("Could not check %s in SageMaker: %s", card.name, error)


@app.task(name=MAIL_TASK, retry=MAIL_RETRY)
def send_mail(subject: str, body: str, recipients: list[str]) -> None:
    """E-mails queued before they became a subscriber of the events (an upgrade's leftovers)."""
    mail_send(subject, body, recipients)


@app.task(name=FAN_OUT_TASK, retry=SUBSCRIBER_RETRY)
def fan_out(event_id: int, subscriber: str) -> None:
    """One recorded event for one subscriber (cards/events.py), retried as it declares."""
    event_deliver(event_id=event_id, subscriber=subscriber)
