"""The long poll's signal: a committed status change NOTIFYs, a rolled-back one does not, and a
waiter wakes on the notification (not on its periodic re-read)."""

from __future__ import annotations

import asyncio
import threading
import time

import psycopg
import pytest
from django.db import connection, transaction

from cards.models import CardStatus, ModelCard
from cards.services.waiting import (
    CHANNEL,
    RECHECK_SECONDS,
    _connection_parameters,
    card_status_wait,
)
from tests.factories import make_card

pytestmark = pytest.mark.django_db(transaction=True)


def listening() -> psycopg.Connection:
    listener = psycopg.connect(**_connection_parameters(), autocommit=True)
    listener.execute(f"LISTEN {CHANNEL}")
    return listener


def received(listener: psycopg.Connection) -> list[str]:
    return [notice.payload for notice in listener.notifies(timeout=1.0)]


def test_a_committed_status_change_notifies_with_the_card_id_and_a_rolled_back_one_does_not(
    alice,
):
    card = make_card(user=alice)
    with listening() as listener:
        with pytest.raises(RuntimeError), transaction.atomic():
            ModelCard.objects.filter(pk=card.pk).update(status=CardStatus.PENDING_REVIEW)
            raise RuntimeError("rolled back")
        assert received(listener) == []

        ModelCard.objects.filter(pk=card.pk).update(revision=card.revision + 1)
        assert received(listener) == []  # not a status change

        ModelCard.objects.filter(pk=card.pk).update(status=CardStatus.PENDING_REVIEW)
        assert received(listener) == [str(card.pk)]


def test_a_waiter_wakes_when_the_change_commits(alice):
    card = make_card(user=alice)
    connection.close()  # the waiter's thread uses connections of its own
    answer: dict = {}

    def wait() -> None:
        answer["value"] = asyncio.run(card_status_wait(card.pk, since="Draft", wait=30))
        answer["at"] = time.monotonic()

    waiter = threading.Thread(target=wait)
    waiter.start()
    time.sleep(1.0)
    assert "value" not in answer  # still waiting: nothing changed
    ModelCard.objects.filter(pk=card.pk).update(status=CardStatus.PENDING_REVIEW)
    committed_at = time.monotonic()
    waiter.join(timeout=30)

    assert answer["value"][0] == "PendingReview"
    # Woken by the notification: the re-read would have found it only about 4 s later.
    assert answer["at"] - committed_at < RECHECK_SECONDS / 2
