"""The delivery job (procrastinate finds this module: ``tasks.py`` of an installed app)."""

from __future__ import annotations

from procrastinate import JobContext, RetryStrategy
from procrastinate.contrib.django import app

from cards.sagemaker.sync import DATABASE_UNAVAILABLE
from webhooks.delivery import DeliveryRetry, delivery_attempt

# Waits 3, 9, 27, 81, 243, 729 s: seven attempts over about eighteen minutes. A 4xx answer,
# a redirect or a refused address is final at once.
WEBHOOK_RETRY = RetryStrategy(
    max_attempts=6,
    exponential_wait=3,
    retry_exceptions={DeliveryRetry, *DATABASE_UNAVAILABLE},
)


@app.task(name="webhooks.deliver", retry=WEBHOOK_RETRY, pass_context=True)
def deliver(context: JobContext, delivery_id: int, redelivery: bool = False) -> None:
    job = context.job
    attempts = job.attempts if job is not None else 0
    delivery_attempt(
        delivery_id,
        final=attempts >= (WEBHOOK_RETRY.max_attempts or 0),
        redelivery=redelivery and attempts == 0,
    )
