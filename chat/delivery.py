"""One attempt at a chat message: check the address, POST the body, log the answer.

Runs in the worker (the job ``chat.deliver``), never in a request. The address rules, the
pinned connection and the deadline are the webhooks' own (webhooks/addresses.py,
webhooks/delivery.py), applied to the channel's URL at every attempt.
"""

from __future__ import annotations

import json
import time

import httpx
from django.db import transaction

from cards.jobs import SendAgain
from chat.models import ChatAttempt, ChatChannel, ChatMessage, MessageState, mask
from webhooks.delivery import attempt_state, checked_post

RESPONSE_EXCERPT = 1024  # characters of the service's answer kept in the log
USER_AGENT = "ModelCardStudio-Chat/1"
RETRY_AFTER_LIMIT = 900  # seconds: a longer Retry-After waits for the usual schedule instead


class MessageRetry(SendAgain):
    """The service failed in a way a later attempt may not (5xx, 429, timeout, no connection).

    ``retry_after``: the seconds the service asked for (Slack and Teams throttle with 429
    and Retry-After); cards.jobs.CHAT_RETRY waits at least that long."""

    def __init__(self, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def body_bytes(body: dict) -> bytes:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def _retry_after(headers: httpx.Headers) -> int | None:
    value = headers.get("Retry-After", "").strip()
    if value.isdigit() and 0 < int(value) <= RETRY_AFTER_LIMIT:
        return int(value)
    return None


def _scrubbed(text: str, channel: ChatChannel) -> str:
    """An error message without the URL's path and query: they are the channel's secret."""
    path = channel.url.split("://", 1)[-1].partition("/")[2]
    if path:
        text = text.replace("/" + path, "/…").replace(path, "…")
    return text.replace(channel.url, mask(channel.url))


def _send(channel: ChatChannel, body: bytes) -> tuple[int | None, str, str, bool, int | None]:
    """(status code, answer excerpt, error, whether to retry, Retry-After) of one POST."""
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT}
    status_code, excerpt, error, retry, answered = checked_post(
        channel.url,
        headers,
        body,
        allow_private_network=channel.allow_private_network,
        excerpt_size=RESPONSE_EXCERPT,
        scrub=lambda text: _scrubbed(text, channel),
    )
    return status_code, excerpt, error, retry, _retry_after(answered) if answered else None


def message_attempt(
    message_id: int, *, final: bool, redelivery: bool = False
) -> ChatAttempt | None:
    """Make one attempt and log it; raises MessageRetry when another attempt should follow."""
    message = ChatMessage.objects.select_related("channel").filter(pk=message_id).first()
    if message is None:
        return None  # its channel was removed meanwhile
    if message.state == MessageState.DELIVERED and not redelivery:
        return None  # a job run again after its worker died: it got there already
    channel = message.channel
    started = time.monotonic()
    status_code, excerpt, error, retry, retry_after = None, "", "", False, None
    if channel.active:
        status_code, excerpt, error, retry, retry_after = _send(channel, body_bytes(message.body))
    else:
        error = "Not sent: the channel is paused (Redeliver once it is active again)."
    if status_code is not None:
        if 300 <= status_code < 400:
            error = "Redirects are not followed: use the address the service gave you."
        # 429: too many messages (Slack allows about one a second per channel, a Teams
        # workflow four); other 4xx answers are the same next time (a removed webhook, a
        # channel that no longer exists, a body the service refuses).
        retry = status_code >= 500 or status_code == 429
    state = attempt_state(status_code, retry=retry, final=final)
    with transaction.atomic():
        attempt = ChatAttempt.objects.create(
            message=message,
            status_code=status_code,
            duration_ms=round((time.monotonic() - started) * 1000),
            response_excerpt=excerpt,
            error=error,
            redelivery=redelivery,
        )
        ChatMessage.objects.filter(pk=message.pk).update(state=state)
    if state == MessageState.RETRYING:
        raise MessageRetry(
            error or f"The service answered {status_code}.",
            retry_after=retry_after if status_code == 429 else None,
        )
    return attempt
