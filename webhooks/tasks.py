"""The delivery job (procrastinate finds this module: ``tasks.py`` of an installed app)."""

from __future__ import annotations

from procrastinate import JobContext
from procrastinate.contrib.django import app

from cards.jobs import DELIVER_TASK, WEBHOOK_RETRY
from webhooks.delivery import attempt_flags, delivery_attempt


@app.task(name=DELIVER_TASK, retry=WEBHOOK_RETRY, pass_context=True)
def deliver(context: JobContext, delivery_id: int, redelivery: bool = False) -> None:
    delivery_attempt(delivery_id, **attempt_flags(context, WEBHOOK_RETRY, redelivery))
