"""The one way a card event leaves the app: ``card_event``.

It writes a Delivery per endpoint of the card's team subscribed to the event, and defers one
job per delivery, in the caller's transaction: a rolled-back change sends nothing, and
nothing is sent before the change commits (the worker only sees committed jobs).
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cards.models import ModelCard
from operations.logs import job_origin
from webhooks.models import Delivery, Endpoint, Event


def _link(name: str, *args) -> str:
    return settings.STUDIO_URL + reverse(name, args=args)


def event_payload(card: ModelCard, event: Event, *, actor=None, **extra) -> dict:
    """What the receiver gets (docs/webhooks.md); ``extra`` goes under ``details``."""
    return {
        "event": str(event),
        "occurred_at": timezone.now().isoformat(),
        "card": {
            "name": card.name,
            "team": card.team.name,
            "status": card.status,
            "revision": card.revision,
        },
        "revision": card.revision,
        "status": card.status,
        "actor": None if actor is None else {"username": actor.get_username()},
        "links": {
            "card": _link("cards:detail", card.name),
            "revision": _link("cards:revision", card.name, card.revision),
            "history": _link("cards:history", card.name),
            "audit": _link("cards:card_audit", card.name),
        },
        "details": extra,
    }


def card_event(card: ModelCard, event: Event, *, actor=None, **extra) -> list[Delivery]:
    """Send ``event`` about ``card`` to its team's endpoints that subscribed to it.

    One query when no endpoint wants it, four when some do (the team's name, the deliveries,
    their jobs); the deliveries themselves happen in the worker."""
    from webhooks.tasks import deliver

    endpoints = list(
        Endpoint.objects.filter(team_id=card.team_id, active=True, events__contains=[event])
    )
    if not endpoints:
        return []
    payload = event_payload(card, event, actor=actor, **extra)
    with transaction.atomic():
        deliveries = Delivery.objects.bulk_create(
            [
                Delivery(endpoint=endpoint, event=event, card_name=card.name, payload=payload)
                for endpoint in endpoints
            ]
        )
        # One insert for all the jobs.
        deliver.configure(task_kwargs=job_origin()).batch_defer(
            *({"delivery_id": delivery.pk} for delivery in deliveries)
        )
    return deliveries
