"""The delivery job (procrastinate finds this module: ``tasks.py`` of an installed app)."""

from __future__ import annotations

from procrastinate import JobContext
from procrastinate.contrib.django import app

from cards.jobs import DELIVER_TASK, WEBHOOK_RETRY
from webhooks.delivery import delivery_attempt


@app.task(name=DELIVER_TASK, retry=WEBHOOK_RETRY, pass_context=True)
def deliver(context: JobContext, delivery_id: int, redelivery: bool = False) -> None:
    job = context.job
    attempts = job.attempts if job is not None else 0
    delivery_attempt(
        delivery_id,
        final=attempts >= (WEBHOOK_RETRY.max_attempts or 0),
        redelivery=redelivery and attempts == 0,
    )
