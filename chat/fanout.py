"""From one recorded card event to a message per channel of the card's team that wants it.

Runs in the worker, in each subscriber's own job (chat.slack.handle, chat.teams.handle): it
writes the messages and defers one ``chat.deliver`` job (CHAT_TASK) each, by task name, in one
transaction. Nothing here touches the network: a slow channel holds up only its own job.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from cards.events import Kind, RecordedEvent
from cards.jobs import CHAT_TASK, job
from cards.models import CardStatus
from chat.models import ChatChannel, ChatEvent, ChatMessage
from chat.notice import Notice, notice_for


def event_messages(
    event: RecordedEvent, *, service: str, render: Callable[[Notice], dict]
) -> list[ChatMessage]:
    """The messages of ``event`` for ``service``'s channels (none for an event no chat
    channel speaks of). One query when no channel wants it."""
    if event.public_name not in ChatEvent.values or event.team_id is None:
        return []
    if event.kind == Kind.APPROVE and event.status != CardStatus.APPROVED:
        return []  # an approval that still waits for others is recorded, not announced
    channels = list(
        ChatChannel.objects.filter(
            team_id=event.team_id,
            service=service,
            active=True,
            events__contains=[event.public_name],
        ).select_related("team")
    )
    if not channels:
        return []
    notice = notice_for(
        event=event.public_name,
        card_name=event.card_name,
        team_name=channels[0].team.name,
        revision=event.revision,
        actor=event.actor or "",
        details=event.public_details,
    )
    return channel_messages(channels, notice=notice, render=render, source=f"event-{event.id}")


def channel_messages(
    channels: list[ChatChannel],
    *,
    notice: Notice,
    render: Callable[[Notice], dict],
    source: str,
) -> list[ChatMessage]:
    """Write and queue one message per channel; ``source`` (the event) makes a rerun of the
    subscriber's job send none twice."""
    body = render(notice)
    with transaction.atomic():
        done = set(
            ChatMessage.objects.filter(channel__in=channels, source=source).values_list(
                "channel_id", flat=True
            )
        )
        messages = ChatMessage.objects.bulk_create(
            [
                ChatMessage(
                    channel=channel,
                    event=notice.event,
                    source=source,
                    card_name=notice.card,
                    body=body,
                )
                for channel in channels
                if channel.pk not in done
            ]
        )
        if messages:
            # One insert for all the jobs.
            job(CHAT_TASK).batch_defer(*({"message_id": message.pk} for message in messages))
    return messages
