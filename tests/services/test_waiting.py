"""The long poll's signal: a committed status change NOTIFYs, a rolled-back one does not, and a
waiter wakes on the notification (not on its periodic re-read)."""

from __future__ import annotations

import asyncio
import threading
import time

import psycopg
import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.db import connection, transaction

from cards.models import CardStatus, ModelCard
from cards.services.waiting import (
    CHANNEL,
    RECHECK_SECONDS,
    _connection_parameters,
    card_status_wait,
)
from tests.factories import make_card
from tests.worker_fixtures import other_sessions

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


def test_long_polls_leave_no_database_session_behind(alice):
    card = make_card(user=alice)
    connection.close()

    # As under WSGI: each request waits in an event loop of its own, which then goes away.
    for _ in range(2):
        assert async_to_sync(card_status_wait)(card.pk, since="Draft", wait=0.3)[0] == "Draft"
    assert other_sessions() == []
    connection.close()

    # As under ASGI: the loop lives on, and the listener's connection closes once no one waits.
    def look() -> list:
        try:
            return other_sessions()
        finally:
            connection.close()  # the connection of the thread sync_to_async runs this in

    async def poll_then_look() -> list:
        await card_status_wait(card.pk, since="Draft", wait=0.3)
        return await sync_to_async(look)()

    assert asyncio.run(poll_then_look()) == []
