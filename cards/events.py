"""What happens to a card (and around it), recorded once; the other apps subscribe.

The contract (docs/architecture.md, "Events"):

- ``Kind`` is the one vocabulary: every audit action. ``PUBLIC_NAMES`` is the documented
  subset that leaves the app under a public name (``card.approved``...): what webhook
  endpoints store and receivers see (docs/webhooks.md), and what chat notifications speak of.
- ``event_record(card=..., kind=..., actor=..., detail=..., **details)`` is the one call a
  service makes when something happened. It appends the audit row (append-only: a trigger
  refuses UPDATE and DELETE) and, in the same transaction, defers one ``events.fan_out`` job
  per subscriber that wants the kind, in one insert. The job table is the outbox: a
  rolled-back change sends nothing, and nothing is sent before it commits. A kind no
  subscriber wants costs no job.
- ``detail`` is the audit log's text; ``details`` are the event's structured facts, stored on
  the row and handed to subscribers (the webhook payload's ``details``), except the keys in
  ``INTERNAL_DETAILS``, which only subscribers inside the app read.
- Subscribers are dotted paths in ``settings.EVENT_SUBSCRIBERS`` to callables
  ``handle(event: RecordedEvent) -> None``, marked with ``@subscriber(kinds=..., retry=...)``.
  Each runs in its own job with its own retry strategy (``cards.jobs.SubscriberRetry``), so
  one subscriber's outage never blocks another, nor the card. A handler runs after the
  commit, maybe more than once (a retry): it must be safe to repeat or say why not.
- Events without a card (tokens, sign-ins, team settings) go through ``event_record`` too,
  with ``card=None`` and the ``team_id`` they concern: one writer, one vocabulary. No
  subscriber asks for them today, so they cost the audit row only.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string
from procrastinate import BaseRetryStrategy

# The vocabulary lives a layer lower, in cards/event_kinds.py (models and chat's models read
# it); it is re-exported here, where services and subscribers look for it.
from cards.event_kinds import (  # noqa: F401
    KIND_OF_PUBLIC_NAME,
    PUBLIC,
    PUBLIC_CHOICES,
    PUBLIC_NAMES,
    Kind,
    kind_label,
)
from cards.jobs import DATABASE_RETRY, FAN_OUT_TASK, job
from cards.models import AuditEvent, ModelCard
from cards.outside_text import storable

# Details that subscribers inside the app read but no receiver outside gets: the card's
# approved revision before this event (whose changes since then make someone an author).
INTERNAL_DETAILS = frozenset({"since_revision"})


@dataclass(frozen=True)
class RecordedEvent:
    """One event as its subscribers get it: the audit row, loaded after the commit."""

    id: int
    kind: Kind
    public_name: str | None
    card_id: int | None
    card_name: str
    team_id: int | None
    revision: int | None  # the card's, right after the event
    status: str  # the card's status right after the event ("" without a card)
    actor: str | None  # the username; None for the system (the periodic checks)
    actor_id: int | None
    at: datetime
    detail: str  # the audit log's text
    details: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_row(cls, row: AuditEvent) -> RecordedEvent:
        kind = Kind(row.action)
        return cls(
            id=row.pk,
            kind=kind,
            public_name=PUBLIC_NAMES.get(kind),
            card_id=row.card_id,
            card_name=row.card_name,
            team_id=row.team_id,
            revision=row.revision,
            status=row.status,
            actor=row.actor.get_username() if row.actor is not None else None,
            actor_id=row.actor_id,
            at=row.at,
            detail=row.detail,
            details=dict(row.details or {}),
        )

    @property
    def public_details(self) -> dict[str, Any]:
        """What a receiver outside the app gets as ``details``."""
        return {k: v for k, v in self.details.items() if k not in INTERNAL_DETAILS}


Handler = Callable[[RecordedEvent], None]


def subscriber(
    *, kinds: Iterable[Kind], retry: BaseRetryStrategy | None = None
) -> Callable[[Handler], Handler]:
    """Mark ``handle(event)`` as a subscriber of ``kinds``, retried by ``retry`` (by default:
    when the database is away). Name it in ``settings.EVENT_SUBSCRIBERS`` to switch it on."""

    def mark(handle: Handler) -> Handler:
        handle.kinds = frozenset(Kind(kind) for kind in kinds)  # type: ignore[attr-defined]
        handle.retry = retry or DATABASE_RETRY  # type: ignore[attr-defined]
        return handle

    return mark


@cache
def _handlers(paths: tuple[str, ...]) -> tuple[tuple[str, frozenset[Kind]], ...]:
    # The settings name the subscribers (as healthchecks names its transports): imported by
    # path, so this module imports none of them.
    return tuple((path, import_string(path).kinds) for path in paths)


def subscribers_of(kind: Kind) -> list[str]:
    """The dotted paths of the subscribers that want ``kind``."""
    return [path for path, kinds in _handlers(tuple(settings.EVENT_SUBSCRIBERS)) if kind in kinds]


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


def _storable(value: Any) -> Any:
    """JSON as PostgreSQL's jsonb holds it: no NUL or lone surrogate in any string."""
    if isinstance(value, str):
        return storable(value)
    if isinstance(value, dict):
        return {storable(str(k)): _storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_storable(v) for v in value]
    return value


def event_record(
    *,
    card: ModelCard | None,
    kind: Kind,
    actor,
    detail: str = "",
    team_id: int | None = None,
    announce: bool = True,
    facts: Mapping[str, Any] | None = None,
    **details: Any,
) -> AuditEvent:
    """Record that ``kind`` happened (to ``card``, by ``actor``: None for the system) and
    queue its subscribers, in the caller's transaction (one of its own otherwise).

    ``detail``: the audit log's text. ``details``: the event's facts for subscribers (JSON).
    ``facts``: more details, for those named like a parameter here (a re-review's
    ``detail``). ``team_id``: the team an event without a card is about (a webhook, a review
    policy or a template of the team), so the team's members see it in their log.
    ``announce=False`` records without telling any subscriber (an approval still waiting for
    others).
    """
    kind = Kind(kind)
    token = (_channel.get() or {}).get("token")
    if token is not None:
        via = f"via API token “{token[1]}”"
        detail = f"{detail} ({via})" if detail else via.capitalize()
    wanted = subscribers_of(kind) if announce else []
    # The row and its jobs commit together; inside the caller's transaction, no savepoint.
    with transaction.atomic(savepoint=False):
        row = AuditEvent.objects.create(
            actor=actor,
            action=kind,
            card_id=card.pk if card else None,
            card_name=card.name if card else "",
            team_id=card.team_id if card else team_id,
            revision=card.revision if card else None,
            status=card.status if card else "",
            detail=detail,  # made storable and cut to its length by the field
            details=_storable({**(facts or {}), **details}),
            token_id=token[0] if token else None,
        )
        if wanted:
            # One insert for all the jobs; each names its subscriber (its retry strategy).
            job(FAN_OUT_TASK).batch_defer(
                *({"event_id": row.pk, "subscriber": path} for path in wanted)
            )
    return row


def event_deliver(*, event_id: int, subscriber: str) -> None:
    """Hand one recorded event to one subscriber (the ``events.fan_out`` job)."""
    row = AuditEvent.objects.select_related("actor").get(pk=event_id)
    import_string(subscriber)(RecordedEvent.from_row(row))
