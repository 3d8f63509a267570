"""A publish request writes its Publication and its job in one transaction."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from cards.errors import StudioError
from cards.models import CardStatus, ModelCard, Publication, PublicationState
from cards.services import card_publication, publication_request
from tests.factories import make_approved_card, make_card


def jobs() -> list[tuple[str, str, str]]:
    # Publish jobs only: approving the card also queued its review e-mails.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT task_name, lock, queueing_lock FROM procrastinate_jobs "
            "WHERE task_name = 'cards.publish_card'"
        )
        return cursor.fetchall()


@pytest.fixture(autouse=True)
def _no_jobs_left():
    # Flushing the test database leaves procrastinate's (unmanaged) tables alone.
    yield
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procrastinate_jobs")


@pytest.fixture
def card(alice):
    return make_approved_card(user=alice)


@pytest.mark.django_db(transaction=True)
def test_a_request_whose_transaction_rolls_back_leaves_nothing(card, alice):
    with pytest.raises(RuntimeError), transaction.atomic():
        publication_request(card=card, user=alice)
        raise RuntimeError("the surrounding work failed")

    assert not Publication.objects.exists()
    assert jobs() == []


@pytest.mark.django_db(transaction=True)
def test_a_request_queues_one_job_under_the_card_lock(card, alice):
    publication = publication_request(card=card, user=alice)

    assert publication.state == PublicationState.QUEUED
    assert publication.revision == card.revision
    assert publication.target_status == CardStatus.APPROVED
    assert jobs() == [("cards.publish_card", f"card-{card.pk}", f"publish-card-{card.pk}")]
    assert card_publication(card) == publication


@pytest.mark.django_db(transaction=True)
def test_a_second_request_while_queued_returns_the_waiting_one(card, alice, bob):
    first = publication_request(card=card, user=alice)

    second = publication_request(card=card, user=bob)

    assert second == first
    assert Publication.objects.count() == 1
    assert len(jobs()) == 1


@pytest.mark.django_db
def test_a_draft_is_refused_unless_drafts_may_be_published(alice, settings):
    card = make_card(user=alice)
    settings.PUBLISH_DRAFTS = False

    with pytest.raises(StudioError, match="approved"):
        publication_request(card=card, user=alice)

    settings.PUBLISH_DRAFTS = True
    assert publication_request(card=card, user=alice).target_status == CardStatus.DRAFT


@pytest.mark.django_db
def test_an_archived_card_never_published_is_refused(card, alice):
    ModelCard.objects.filter(pk=card.pk).update(status=CardStatus.ARCHIVED)
    card.refresh_from_db()

    with pytest.raises(StudioError, match="before it was ever published"):
        publication_request(card=card, user=alice)


@pytest.mark.django_db
def test_invalid_content_is_refused_and_names_the_field(card, alice):
    ModelCard.objects.filter(pk=card.pk).update(content={"model_overview": {"nope": 1}})
    card.refresh_from_db()

    with pytest.raises(StudioError, match="model_overview"):
        publication_request(card=card, user=alice)
    assert not Publication.objects.exists()
