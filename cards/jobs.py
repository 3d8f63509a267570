"""Retry strategies of the background jobs, and the errors that mean "the database is away".

Imports no task: services defer jobs by task name (``app.configure_task(NAME)``), and only
the worker's autodiscovery imports the ``tasks`` modules that register them.
"""

from __future__ import annotations

import datetime
import smtplib

from django.db import InterfaceError, OperationalError
from django.utils import timezone
from django.utils.module_loading import import_string
from procrastinate import BaseRetryStrategy, RetryDecision, RetryStrategy
from procrastinate.contrib.django import app
from procrastinate.jobs import Job, JobDeferrer

from cards.sagemaker.client import AwsUnavailable
from operations.logs import job_origin

# A lost or reset database connection, a restart of PostgreSQL, a statement or query timeout
# (cards/worker.py): the job's next attempt re-reads everything and compares before sending.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)

# Task names: what services defer, and what the ``tasks`` modules register.
PUBLISH_TASK = "cards.publish_card"
PACKAGE_STAGE_TASK = "cards.set_package_stage"
FAN_OUT_TASK = "events.fan_out"
DELIVER_TASK = "webhooks.deliver"
CHAT_TASK = "chat.deliver"  # one Slack or Teams message (chat/tasks.py)
MAIL_TASK = "cards.send_mail"  # only jobs queued before the e-mails became a subscriber


def job(task_name: str, **options) -> JobDeferrer:
    """A job of ``task_name`` to defer, carrying the id of the request that queues it."""
    return app.configure_task(task_name, task_kwargs=job_origin(), **options)


def publish_job(card_pk: int) -> JobDeferrer:
    """The publish job of a card: one runs at a time per card, one waits."""
    return job(PUBLISH_TASK, lock=f"card-{card_pk}", queueing_lock=f"publish-card-{card_pk}")


class SendAgain(Exception):  # noqa: N818 - a request, not a failure
    """An outside receiver (a webhook's, a chat service's) failed in a way that may pass: a
    5xx answer, a timeout, no connection. The job is retried; anything else is final."""


# Waits 2, 4, 8, 16, 32, 64 s: seven runs in all over about two minutes (botocore's standard
# retries already back off inside each attempt).
PUBLISH_RETRY = RetryStrategy(
    max_attempts=6,
    exponential_wait=2,
    retry_exceptions={AwsUnavailable, *DATABASE_UNAVAILABLE},
)

# A mail server that is down or slow delays e-mails, never a review: waits 5, 25, 125, 625 s.
MAIL_RETRY = RetryStrategy(
    max_attempts=4,
    exponential_wait=5,
    retry_exceptions={smtplib.SMTPException, OSError, *DATABASE_UNAVAILABLE},
)

# Waits 3, 9, 27, 81, 243, 729 s: seven attempts over about eighteen minutes. A 4xx answer,
# a redirect or a refused address is final at once.
WEBHOOK_RETRY = RetryStrategy(
    max_attempts=6,
    exponential_wait=3,
    retry_exceptions={SendAgain, *DATABASE_UNAVAILABLE},
)


class PacedRetry(RetryStrategy):
    """A schedule that never retries sooner than the ``retry_after`` seconds the exception
    carries (a service's 429 with Retry-After)."""

    def get_retry_decision(self, *, exception: BaseException, job: Job) -> RetryDecision | None:
        decision = super().get_retry_decision(exception=exception, job=job)
        wait = getattr(exception, "retry_after", None)
        if decision is None or not wait:
            return decision
        asked = timezone.now() + datetime.timedelta(seconds=wait)
        return RetryDecision(retry_at=max(decision.retry_at or asked, asked))


# Slack and Teams messages: the webhooks' schedule (3, 9, ... 729 s), and a 429 (about one
# message a second per Slack channel, four a second per Teams workflow) waits its Retry-After.
CHAT_RETRY = PacedRetry(
    max_attempts=6,
    exponential_wait=3,
    retry_exceptions={SendAgain, *DATABASE_UNAVAILABLE},
)

# A subscriber that only writes rows (and defers its own jobs) retries a lost database:
# waits 2, 4, 8, 16, 32 s.
DATABASE_RETRY = RetryStrategy(
    max_attempts=5, exponential_wait=2, retry_exceptions=set(DATABASE_UNAVAILABLE)
)


class SubscriberRetry(BaseRetryStrategy):
    """The retry strategy of the ``events.fan_out`` job: the one its subscriber declares
    (``cards.events.subscriber(retry=...)``), so each subscriber retries on its own terms."""

    def get_retry_decision(self, *, exception: BaseException, job: Job) -> RetryDecision | None:
        path = (job.task_kwargs or {}).get("subscriber", "")
        try:
            strategy = getattr(import_string(path), "retry", None) or DATABASE_RETRY
        except ImportError:
            return None
        return strategy.get_retry_decision(exception=exception, job=job)


SUBSCRIBER_RETRY = SubscriberRetry()
