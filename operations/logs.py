"""Log lines that can be followed: a request id on every line a request causes, in the web
process and in the worker that runs the jobs it queued; JSON lines when LOG_FORMAT=json.

The id lives in structlog's context variables, so every standard-library log record (Django,
procrastinate, ours) gets it through structlog's ProcessorFormatter (config/settings.py).
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from typing import Any

import structlog
from django.conf import settings

logger = logging.getLogger(__name__)

REQUEST_ID_HEADER = "X-Request-ID"
# The job argument that carries the request id; taken out before the task runs.
JOB_ARGUMENT = "request_id"
# An id a proxy or a client sent is kept when it looks like one (no spaces, no log injection).
_GIVEN_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
PROBE_PATHS = ("/healthz", "/readyz", "/metrics")


def request_id_for(given: str) -> str:
    return given if _GIVEN_ID.match(given) else uuid.uuid4().hex


def current_request_id() -> str:
    return structlog.contextvars.get_contextvars().get("request_id", "")


def job_origin() -> dict[str, str]:
    """Job arguments that let a job's log lines name the request that queued it (none
    outside a request)."""
    request_id = current_request_id()
    return {JOB_ARGUMENT: request_id} if request_id else {}


def request_context(call_next: Callable[[], Any], context: Any, worker: Any) -> Any:
    """Sync procrastinate task middleware: the job runs with its request's id bound."""
    with structlog.contextvars.bound_contextvars(**_job_fields(context.job)):
        _log_origin()
        return call_next()


async def request_context_async(call_next: Callable, context: Any, worker: Any) -> Any:
    """The same, for async tasks."""
    with structlog.contextvars.bound_contextvars(**_job_fields(context.job)):
        _log_origin()
        return await call_next()


def _log_origin() -> None:
    # procrastinate logs a job's start and end outside the task middleware: this line ties
    # the job to its request (in JSON, every line the job logs carries both ids).
    fields = structlog.contextvars.get_contextvars()
    if fields.get("request_id"):
        logger.info("Job %s runs for request %s", fields["job_id"], fields["request_id"])


def _job_fields(job: Any) -> dict[str, Any]:
    if job is None:
        return {}
    request_id = job.task_kwargs.pop(JOB_ARGUMENT, "")
    return {"job_id": job.id, **({"request_id": request_id} if request_id else {})}


class QuietProbes(logging.Filter):
    """Drops the log lines of the probes and of /metrics unless LOG_LEVEL is DEBUG: access-log
    lines, and Django's own line for a 401 or 503 answer (they come every few seconds)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if settings.LOG_LEVEL == "DEBUG":
            return True
        request = getattr(record, "request", None)
        if request is not None and getattr(request, "path", "") in PROBE_PATHS:
            return False
        message = record.getMessage()
        return not any(f" {path} " in message or f" {path}?" in message for path in PROBE_PATHS)
