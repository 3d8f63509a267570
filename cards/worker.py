"""The worker process (`manage.py worker`): procrastinate's worker, kept publishing through
database restarts, with its database work bounded in time and stalled work recovered quickly.

procrastinate's own `procrastinate worker` stops (exit code 0) when its notification listener
loses the database, and leaves recovery of a killed worker's jobs to a periodic job that a
hung job can hold up. Here:

- the worker reconnects when it loses PostgreSQL (a restart, a reset connection) and goes on;
  if the database stays away longer than WORKER_DATABASE_WAIT it exits with code 1, so that a
  supervisor (compose's restart policy, systemd, `manage.py studio`) starts it again;
- every connection has a connect timeout, TCP keepalives and a server-side statement timeout,
  and every query of a job a client-side deadline: a connection that went silent fails within
  seconds and the job is retried (PUBLISH_RETRY) instead of hanging for good;
- every WORKER_RECOVERY_SECONDS, outside the job queue (so a running job cannot hold it up),
  the worker checks its database, retries the jobs of workers whose heartbeat is older than
  WORKER_STALLED_SECONDS and queues again the publications nothing moves on any more.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import threading
from collections.abc import Callable
from typing import Any

import dj_database_url
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections, connection
from procrastinate import App

from cards.jobs import DATABASE_UNAVAILABLE
from cards.sagemaker.events import events_poll
from cards.services.publishing import publications_recover, recover_stalled_job
from operations.logs import request_context, request_context_async

logger = logging.getLogger(__name__)

# Set by a job that lost its database connection: procrastinate's own connections (which
# record the job's outcome and the worker's heartbeat) are likely broken too, and a job whose
# outcome could not be recorded stays "doing" under this live worker, where no stalled-job
# sweep would ever look. So the worker reconnects: a fresh worker is registered and the old
# one's jobs become stalled, and are retried.
database_trouble = threading.Event()


def worker_database(database: dict[str, Any]) -> dict[str, Any]:
    """The worker's connection settings: WORKER_DATABASE_URL's server and credentials when set
    (straight to the writer, past any pooler), without the pooler-only options."""
    if not settings.WORKER_DATABASE_URL:
        return database
    direct = dj_database_url.parse(settings.WORKER_DATABASE_URL)
    options = {
        key: value
        for key, value in database.get("OPTIONS", {}).items()
        if key != "prepare_threshold"
    }
    options.update(direct.get("OPTIONS", {}))
    return {
        **database,
        **{key: direct[key] for key in ("NAME", "USER", "PASSWORD", "HOST", "PORT")},
        "OPTIONS": options,
        "DISABLE_SERVER_SIDE_CURSORS": False,
    }


def database_options(options: dict[str, Any]) -> dict[str, Any]:
    """The worker's libpq options: ``options`` with a statement timeout added."""
    timeout_ms = settings.WORKER_STATEMENT_TIMEOUT * 1000
    server = (
        f"-c statement_timeout={timeout_ms} -c idle_in_transaction_session_timeout={timeout_ms}"
    )
    existing = options.get("options", "")
    return {**options, "options": f"{existing} {server}".strip()}


def sever(wrapper) -> None:
    """Shut the socket of a Django connection from another thread: the query blocked on it
    fails at once with a connection error (psycopg cannot be interrupted otherwise)."""
    raw = wrapper.connection
    if raw is None:
        return
    with contextlib.suppress(OSError, ValueError, AttributeError):
        duplicate = socket.socket(fileno=os.dup(raw.pgconn.socket))
        try:
            duplicate.shutdown(socket.SHUT_RDWR)
        finally:
            duplicate.close()


def query_deadline(seconds: float) -> Callable:
    """A Django execute wrapper: a query that has no answer after ``seconds`` is cut off.

    The server's statement timeout covers a slow query; this covers a connection that
    accepts bytes and never answers, where only the client can notice."""

    def wrapper(execute, sql, params, many, context):
        timer = threading.Timer(seconds, sever, args=(context["connection"],))
        timer.daemon = True
        timer.start()
        try:
            return execute(sql, params, many, context)
        finally:
            timer.cancel()

    return wrapper


def bounded_queries(call_next, context, worker) -> Any:
    """Sync task middleware: every query of the job under query_deadline."""
    deadline = settings.WORKER_STATEMENT_TIMEOUT + settings.WORKER_QUERY_GRACE
    try:
        with connection.execute_wrapper(query_deadline(deadline)):
            return call_next()
    except DATABASE_UNAVAILABLE:
        database_trouble.set()
        raise


def _recover_publications() -> list[int]:
    close_old_connections()
    try:
        return publications_recover()
    finally:
        close_old_connections()


async def watch(app: App) -> None:
    """Returns when the database stops answering; meanwhile recovers stalled work."""
    # The probe is one trivial query: an answer slower than the grace means a connection
    # gone silent (half-open), not a busy server. The recovery work gets the jobs' bound.
    probe_timeout = settings.WORKER_QUERY_GRACE
    work_timeout = settings.WORKER_STATEMENT_TIMEOUT + settings.WORKER_QUERY_GRACE
    loop = asyncio.get_running_loop()
    while True:
        next_round = loop.time() + settings.WORKER_RECOVERY_SECONDS
        while loop.time() < next_round:
            if database_trouble.is_set():
                logger.warning("A job lost its database connection; reconnecting")
                return
            await asyncio.sleep(0.2)
        try:
            await asyncio.wait_for(app.check_connection_async(), probe_timeout)
        except Exception as error:  # noqa: BLE001 - any failure here means "reconnect"
            logger.warning("The worker lost its database (%r)", error)
            return
        try:
            await asyncio.wait_for(_recover(app), work_timeout * 2)
        except Exception:
            logger.exception("Recovering stalled work failed; trying again shortly")


def _events_poll(queue_url: str) -> int:
    try:
        return events_poll(queue_url, wait=settings.SAGEMAKER_EVENTS_WAIT)
    finally:
        close_old_connections()


# After a failed read of the queue (SQS unreachable, access denied), wait this long.
EVENTS_BACKOFF_SECONDS = 10


async def listen_for_events(queue_url: str) -> None:
    """Read SageMaker's card events from SQS until cancelled; a failure is logged and tried
    again later, never the end of the worker."""
    logger.info("Reading SageMaker model card events from %s", queue_url)
    while True:
        try:
            await sync_to_async(_events_poll, thread_sensitive=False)(queue_url)
        except Exception as error:  # noqa: BLE001 - the worker's jobs go on whatever SQS does
            logger.warning("Reading SageMaker events failed (%s); trying again shortly", error)
            await asyncio.sleep(EVENTS_BACKOFF_SECONDS)


async def _recover(app: App) -> None:
    manager = app.job_manager
    stalled = await manager.get_stalled_jobs(
        seconds_since_heartbeat=settings.WORKER_STALLED_SECONDS
    )
    for job in stalled:
        try:
            await recover_stalled_job(manager, job)
        except Exception as error:  # noqa: BLE001 - another worker's sweep took it first
            logger.info("Stalled job %s was not retried here: %r", job.id, error)
    await sync_to_async(_recover_publications, thread_sensitive=False)()


async def run_once(app: App, stop: asyncio.Event, options: dict[str, Any]) -> bool:
    """Run the worker until it is asked to stop (True) or loses its database (False)."""
    worker = asyncio.create_task(app.run_worker_async(**options), name="worker")
    watcher = asyncio.create_task(watch(app), name="watch")
    stopping = asyncio.create_task(stop.wait(), name="stop")
    queue_url = settings.SAGEMAKER_EVENTS_QUEUE_URL
    events = asyncio.create_task(listen_for_events(queue_url), name="events") if queue_url else None
    done, _ = await asyncio.wait({worker, watcher, stopping}, return_when=asyncio.FIRST_COMPLETED)
    watcher.cancel()
    stopping.cancel()
    if events is not None:
        events.cancel()
    if worker in done:
        if error := worker.exception():
            logger.warning("The worker stopped on %r", error)
        return stop.is_set()
    # Cancelling run_worker_async is procrastinate's graceful stop: running jobs finish.
    worker.cancel()
    # Asked to stop, jobs get all the time they need. The database lost, they get a short
    # grace: their outcome cannot be recorded over connections that went silent anyway, and
    # each wait here delays every publish behind them (issue 29: 30 s per step added up to
    # 100 s after a half-open database came back). Their jobs are recovered as stalled ones.
    grace = settings.WORKER_QUERY_GRACE
    finished, _ = await asyncio.wait({worker}, timeout=None if stop.is_set() else grace)
    if not finished:
        # Recording a job's outcome can wait on the pool for a connection that will not come:
        # closing the pool ends that wait with an error (the job becomes a stalled one).
        with contextlib.suppress(Exception):
            await asyncio.wait_for(app.close_async(), grace)
        finished, _ = await asyncio.wait({worker}, timeout=grace)
    if not finished:
        # A job blocked on a dead connection: leave like a killed worker (its jobs are
        # recovered as stalled ones); a supervisor starts a fresh process.
        logger.error("The worker could not stop its jobs without its database; exiting")
        logging.shutdown()
        os._exit(1)
    return stop.is_set()


async def database_back(app: App, stop: asyncio.Event) -> bool:
    """Wait (at most WORKER_DATABASE_WAIT seconds) until the database answers again."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + settings.WORKER_DATABASE_WAIT
    database_trouble.clear()
    while not stop.is_set() and loop.time() < deadline:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(app.close_async(), settings.WORKER_STATEMENT_TIMEOUT)
        try:
            await asyncio.wait_for(app.open_async(), settings.WORKER_STATEMENT_TIMEOUT)
            await asyncio.wait_for(app.check_connection_async(), settings.WORKER_STATEMENT_TIMEOUT)
        except Exception as error:  # noqa: BLE001
            logger.info("Waiting for the database: %r", error)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), 1.0)
        else:
            return True
    return stop.is_set()


async def serve(app: App, *, concurrency: int) -> int:
    """Run the worker until SIGTERM or SIGINT (returns 0) or until the database stays away
    longer than WORKER_DATABASE_WAIT (returns 1)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    options = {
        "concurrency": concurrency,
        "install_signal_handlers": False,
        "update_heartbeat_interval": settings.WORKER_HEARTBEAT_SECONDS,
        "stalled_worker_timeout": settings.WORKER_STALLED_SECONDS,
        # procrastinate's Django connection clean-up stays outermost.
        # A job's log lines carry the id of the request that queued it.
        "task_middleware": [
            *app.worker_defaults.get("task_middleware", []),
            bounded_queries,
            request_context,
            request_context_async,
        ],
    }
    if not await database_back(app, stop):
        logger.error("No database after %s s; exiting", settings.WORKER_DATABASE_WAIT)
        return 1
    while not stop.is_set():
        if await run_once(app, stop, options):
            break
        logger.warning("Reconnecting to the database")
        if not await database_back(app, stop):
            logger.error("No database after %s s; exiting", settings.WORKER_DATABASE_WAIT)
            return 1
    with contextlib.suppress(Exception):
        await asyncio.wait_for(app.close_async(), settings.WORKER_STATEMENT_TIMEOUT)
    return 0
