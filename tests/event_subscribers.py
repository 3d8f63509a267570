"""Subscribers the events tests name in ``settings.EVENT_SUBSCRIBERS``: one whose service is
down, one that notes what it heard (in the database, where a worker thread can write it)."""

from __future__ import annotations

from procrastinate import RetryStrategy

from cards.events import Kind, RecordedEvent, subscriber
from cards.jobs import SendAgain
from cards.models import Comment, ModelCard

# Far enough ahead that no test waits for the retry.
OUTAGE_RETRY = RetryStrategy(max_attempts=3, wait=600, retry_exceptions={SendAgain})


@subscriber(kinds={Kind.SUBMIT, Kind.APPROVE}, retry=OUTAGE_RETRY)
def down(event: RecordedEvent) -> None:
    raise SendAgain("The chat service answered 503.")


@subscriber(kinds={Kind.SUBMIT})
def noting(event: RecordedEvent) -> None:
    card = ModelCard.objects.get(pk=event.card_id)
    Comment.objects.create(
        card=card,
        author_id=event.actor_id,
        body=f"heard {event.public_name} at revision {event.revision} ({event.status})",
        revision=event.revision,
    )


@subscriber(kinds={Kind.ARCHIVE})
def archive_only(event: RecordedEvent) -> None:
    """Wants what the tests' events are not: it must cost no job."""
