"""The teams' webhooks: a subscriber of the card's events (``settings.EVENT_SUBSCRIBERS``).

For an event with a public name (``cards.events.PUBLIC_NAMES``), it writes a Delivery per
active endpoint of the card's team subscribed to that name and defers one ``webhooks.deliver``
job per delivery, in one transaction; each delivery then retries on its own (WEBHOOK_RETRY),
so one dead receiver never holds up another. The payload is docs/webhooks.md's contract.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from cards.events import PUBLIC_NAMES, RecordedEvent, subscriber
from cards.jobs import DATABASE_RETRY, DELIVER_TASK, job
from cards.models import Team
from webhooks.models import Delivery, Endpoint


def _link(name: str, *args) -> str:
    return settings.STUDIO_URL + reverse(name, args=args)


def event_payload(event: RecordedEvent, *, team: str) -> dict:
    """What the receiver gets (docs/webhooks.md)."""
    return {
        "event": event.public_name,
        "occurred_at": event.at.isoformat(),
        "card": {
            "name": event.card_name,
            "team": team,
            "status": event.status,
            "revision": event.revision,
        },
        "revision": event.revision,
        "status": event.status,
        "actor": None if event.actor is None else {"username": event.actor},
        "links": {
            "card": _link("cards:detail", event.card_name),
            "revision": _link("cards:revision", event.card_name, event.revision),
            "history": _link("cards:history", event.card_name),
            "audit": _link("cards:card_audit", event.card_name),
        },
        "details": event.public_details,
    }


@subscriber(kinds=PUBLIC_NAMES, retry=DATABASE_RETRY)
def handle(event: RecordedEvent) -> None:
    """One query when no endpoint wants the event; four when some do (the team's name, the
    deliveries, their jobs)."""
    if event.public_name is None or event.card_id is None:
        return
    endpoints = list(
        Endpoint.objects.filter(
            team_id=event.team_id, active=True, events__contains=[event.public_name]
        )
    )
    if not endpoints:
        return
    team = Team.objects.values_list("name", flat=True).get(pk=event.team_id)
    payload = event_payload(event, team=team)
    with transaction.atomic():
        deliveries = Delivery.objects.bulk_create(
            [
                Delivery(
                    endpoint=endpoint,
                    event=event.public_name,
                    card_name=event.card_name,
                    payload=payload,
                )
                for endpoint in endpoints
            ]
        )
        # One insert for all the jobs.
        job(DELIVER_TASK).batch_defer(*({"delivery_id": delivery.pk} for delivery in deliveries))
