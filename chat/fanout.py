"""From one card event to a message per channel of the card's team that wants it.

Runs in the worker, in the subscriber's own job (chat.slack.handle, chat.teams.handle): it
writes the messages and defers one ``chat.deliver`` job each, by task name, in one
transaction. Nothing here touches the network: a slow channel holds up only its own job.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from procrastinate.contrib.django import app

from chat.models import ChatChannel, ChatMessage
from chat.notice import Notice
from operations.logs import job_origin

DELIVER = "chat.deliver"  # chat/tasks.py's job, deferred by name


def channel_messages(
    *,
    service: str,
    team_id: int,
    event: str,
    notice: Notice,
    render: Callable[[Notice], dict],
    source: str = "",
) -> list[ChatMessage]:
    """Write and queue the messages; ``source`` (the event's id) makes a rerun send none
    twice. One query when no channel wants the event."""
    channels = list(
        ChatChannel.objects.filter(
            team_id=team_id, service=service, active=True, events__contains=[event]
        )
    )
    if not channels:
        return []
    body = render(notice)
    with transaction.atomic():
        if source:
            done = set(
                ChatMessage.objects.filter(channel__in=channels, source=source).values_list(
                    "channel_id", flat=True
                )
            )
            channels = [channel for channel in channels if channel.pk not in done]
        messages = ChatMessage.objects.bulk_create(
            [
                ChatMessage(
                    channel=channel,
                    event=event,
                    source=source,
                    card_name=notice.card,
                    body=body,
                )
                for channel in channels
            ]
        )
        if messages:
            app.configure_task(DELIVER, task_kwargs=job_origin()).batch_defer(
                *({"message_id": message.pk} for message in messages)
            )
    return messages
