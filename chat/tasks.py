"""The chat message job (procrastinate finds this module: ``tasks.py`` of an installed app)."""

from __future__ import annotations

from procrastinate import JobContext
from procrastinate.contrib.django import app

from cards.jobs import CHAT_RETRY, CHAT_TASK
from chat.delivery import message_attempt


@app.task(name=CHAT_TASK, retry=CHAT_RETRY, pass_context=True)
def deliver(context: JobContext, message_id: int, redelivery: bool = False) -> None:
    job = context.job
    attempts = job.attempts if job is not None else 0
    message_attempt(
        message_id,
        final=attempts >= (CHAT_RETRY.max_attempts or 0),
        redelivery=redelivery and attempts == 0,
    )
