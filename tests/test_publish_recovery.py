"""Recovering jobs whose worker died, when a newer publish of the same card already waits."""

import pytest
from asgiref.sync import async_to_sync
from django.db import connection
from procrastinate.contrib.django import app

from cards.models import Publication, PublicationState
from cards.services import card_archive, publication_request
from cards.services.publishing import recover_stalled_job
from tests.factories import make_approved_card

pytestmark = pytest.mark.django_db(transaction=True)


def jobs() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        # Publish jobs only: approving the card also queued its review e-mails.
        cursor.execute(
            "SELECT status, lock FROM procrastinate_jobs "
            "WHERE task_name = 'cards.publish_card' ORDER BY id"
        )
        return cursor.fetchall()


@pytest.fixture(autouse=True)
def _no_jobs_left():
    yield
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procrastinate_jobs")


def test_a_stalled_publish_superseded_by_a_waiting_one_does_not_block_it(alice, rita):
    card = make_approved_card(user=alice)
    first = publication_request(card=card, user=alice)
    # The worker took the job and died with it.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE procrastinate_jobs SET status = 'doing' "
            "WHERE task_name = 'cards.publish_card' RETURNING id"
        )
        (stalled_id,) = cursor.fetchone()
    Publication.objects.filter(pk=first.pk).update(state=PublicationState.RUNNING)
    # Meanwhile the card is archived: a second publish waits behind the first.
    second = card_archive(card=card, user=rita)
    assert second is not None and second.pk != first.pk

    (stalled,) = app.job_manager.list_jobs(id=stalled_id)
    async_to_sync(recover_stalled_job)(app.job_manager, stalled)

    assert jobs() == [("failed", f"card-{card.pk}"), ("todo", f"card-{card.pk}")]
    first.refresh_from_db()
    assert first.state == PublicationState.FAILED
    assert "superseded" in first.last_error


def test_a_stalled_publish_with_nothing_waiting_is_retried(alice):
    card = make_approved_card(user=alice)
    publication_request(card=card, user=alice)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE procrastinate_jobs SET status = 'doing' "
            "WHERE task_name = 'cards.publish_card' RETURNING id"
        )
        (stalled_id,) = cursor.fetchone()
    (stalled,) = app.job_manager.list_jobs(id=stalled_id)
    async_to_sync(recover_stalled_job)(app.job_manager, stalled)
    assert jobs() == [("todo", f"card-{card.pk}")]


def test_archiving_during_a_first_publish_queues_the_archive_behind_it(alice, rita):
    card = make_approved_card(user=alice)
    first = publication_request(card=card, user=alice)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE procrastinate_jobs SET status = 'doing' WHERE task_name = 'cards.publish_card'"
        )
    Publication.objects.filter(pk=first.pk).update(state=PublicationState.RUNNING)
    archived = card_archive(card=card, user=rita)
    assert archived is not None and archived.pk != first.pk
    assert jobs() == [("doing", f"card-{card.pk}"), ("todo", f"card-{card.pk}")]
