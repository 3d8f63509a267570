"""The audit log: who did what to which card, and when (append-only)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

from cards.models import (
    AuditAction,
    AuditEvent,
    ModelCard,
)

# The API token a request acts through ({"token": (id, name)}), so every event it causes
# says so. Each API request gets a fresh holder (``token_channel``), filled once the token is
# known; outside the API there is none, and nothing leaks from one request to the next.
_channel: ContextVar[dict | None] = ContextVar("audit_channel", default=None)


@contextlib.contextmanager
def token_channel() -> Iterator[None]:
    """Around one API request: the events written inside name the token it came through."""
    reset = _channel.set({})
    try:
        yield
    finally:
        _channel.reset(reset)


def acting_through_token(token_id: int, name: str) -> None:
    """The current API request acts through this token (see ``token_channel``)."""
    channel = _channel.get()
    if channel is not None:
        channel["token"] = (token_id, name)


def audit_record(
    *,
    actor,
    action: AuditAction,
    card: ModelCard | None = None,
    detail: str = "",
    team_id: int | None = None,
) -> AuditEvent:
    """Append one event to the audit log (rows are never updated or deleted).

    ``team_id``: the team an event without a card is about (a webhook, a review policy or
    a template of the team), so the team's members see it in their log."""
    token = (_channel.get() or {}).get("token")
    if token is not None:
        via = f"via API token “{token[1]}”"
        detail = f"{detail} ({via})" if detail else via.capitalize()
    return AuditEvent.objects.create(
        actor=actor,
        action=action,
        card_id=card.pk if card else None,
        card_name=card.name if card else "",
        team_id=card.team_id if card else team_id,
        revision=card.revision if card else None,
        detail=detail,  # made storable and cut to its length by the field
        token_id=token[0] if token else None,
    )
