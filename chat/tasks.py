"""The chat message job (procrastinate finds this module: ``tasks.py`` of an installed app)."""

from __future__ import annotations

from procrastinate import JobContext
from procrastinate.contrib.django import app

from cards.jobs import CHAT_RETRY, CHAT_TASK
from chat.delivery import message_attempt
from webhooks.delivery import attempt_flags


@app.task(name=CHAT_TASK, retry=CHAT_RETRY, pass_context=True)
def deliver(context: JobContext, message_id: int, redelivery: bool = False) -> None:
    message_attempt(message_id, **attempt_flags(context, CHAT_RETRY, redelivery))
