"""Waiting for a card's status to change without holding a thread, a process or a connection.

A long poll (``GET /api/v1/cards/{name}/status?since=...&wait=...``) awaits an ``asyncio.Event``
in the server's event loop. One connection per web process LISTENs on ``studio_card_status``
while the process has waiters,
which a trigger on the card table NOTIFYs from the transaction that changes a status
(migration cards.0012; delivered on commit), and wakes the waiters of that card. Each waiter
also reads the card again every ``RECHECK_SECONDS``, so a notification lost while the listener
reconnects (or behind a transaction pooler, where LISTEN does not work) costs at most that
long, never a missed change.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import weakref
from collections import defaultdict

import psycopg
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connections

from cards.errors import NotFound
from cards.models import ModelCard

CHANNEL = "studio_card_status"
RECHECK_SECONDS = 5.0
RECONNECT_SECONDS = 1.0
LISTEN_READY_SECONDS = 2.0

logger = logging.getLogger(__name__)


class _Listener:
    """The process's one LISTEN connection, open while its event loop has waiters."""

    def __init__(self) -> None:
        self.waiters: defaultdict[int, set[asyncio.Event]] = defaultdict(set)
        self.task: asyncio.Task[None] | None = None
        self.listening = asyncio.Event()

    def start(self) -> None:
        if self.task is None or self.task.done():
            self.listening = asyncio.Event()
            self.task = asyncio.get_running_loop().create_task(self._listen())

    def stop_if_idle(self) -> None:
        if not self.waiters and self.task is not None:
            self.task.cancel()  # closes its connection
            self.task = None

    def wake(self, card_id: int | None = None) -> None:
        if card_id is None:
            targets = [event for events in self.waiters.values() for event in events]
        else:
            targets = list(self.waiters.get(card_id, ()))
        for event in targets:
            event.set()

    async def _listen(self) -> None:
        while True:
            try:
                async with await _listen_connection() as connection:
                    await connection.execute(f"LISTEN {CHANNEL}")
                    self.listening.set()
                    # Anything that changed while no one listened: every waiter looks again.
                    self.wake()
                    async for notice in connection.notifies():
                        with contextlib.suppress(ValueError):
                            self.wake(int(notice.payload))
            except (psycopg.Error, OSError) as error:
                self.listening.clear()
                logger.warning("Status listener lost its database connection: %s", error)
                await asyncio.sleep(RECONNECT_SECONDS)


# One per event loop (under WSGI each request has a loop of its own, which then goes away).
_listeners: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Listener] = (
    weakref.WeakKeyDictionary()
)


def _listener() -> _Listener:
    loop = asyncio.get_running_loop()
    listener = _listeners.get(loop)
    if listener is None:
        listener = _listeners[loop] = _Listener()
    return listener


async def _listen_connection() -> psycopg.AsyncConnection:
    """Straight to PostgreSQL: behind a transaction pooler (the web servers' DATABASE_URL may
    point at PgBouncer) LISTEN hears nothing, so the worker's direct URL is used when set."""
    if settings.WORKER_DATABASE_URL:
        return await psycopg.AsyncConnection.connect(
            settings.WORKER_DATABASE_URL, autocommit=True, connect_timeout=10
        )
    return await psycopg.AsyncConnection.connect(**_connection_parameters(), autocommit=True)


def _connection_parameters() -> dict:
    """libpq keywords for the default database, as Django connects to it."""
    params = connections["default"].get_connection_params()
    # Django's own additions (cursor factory, adapters context, its pool) are not libpq's.
    for key in ("cursor_factory", "context", "pool", "server_side_binding", "assume_role"):
        params.pop(key, None)
    return params


def _read(card_id: int) -> tuple[str, int]:
    try:
        row = ModelCard.objects.filter(pk=card_id).values_list("status", "revision").first()
    finally:
        # Give the connection back (to the pool, or closed) before the next wait; inside a
        # transaction (a test's) it stays.
        if not connections["default"].in_atomic_block:
            connections["default"].close()
    if row is None:
        raise NotFound("No such model card.")
    return row


async def card_status_wait(card_id: int, *, since: str, wait: float) -> tuple[str, int]:
    """The card's (status, revision) once its status is not ``since``, or after ``wait`` s."""
    read = sync_to_async(_read)
    deadline = time.monotonic() + wait
    listener = _listener()
    event = asyncio.Event()
    listener.waiters[card_id].add(event)
    listener.start()
    try:
        # Listening before the first read, so that no change falls between the two (if the
        # database does not let us listen, the re-reads still find the change).
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(listener.listening.wait(), timeout=LISTEN_READY_SECONDS)
        while True:
            event.clear()  # before the read: a change committed after it sets the event again
            status, revision = await read(card_id)
            left = deadline - time.monotonic()
            if status != since or left <= 0:
                return status, revision
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), timeout=min(left, RECHECK_SECONDS))
    finally:
        listener.waiters[card_id].discard(event)
        if not listener.waiters[card_id]:
            del listener.waiters[card_id]
        listener.stop_if_idle()
