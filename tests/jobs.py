"""Running queued jobs in the test's own process, as the worker would run them."""

from __future__ import annotations

import json

from django.db import connection
from procrastinate.contrib.django import app

from operations.logs import JOB_ARGUMENT


def queued(task_name: str) -> list[dict]:
    """The arguments of the jobs of ``task_name`` waiting in the queue (oldest first)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT args FROM procrastinate_jobs WHERE task_name = %s AND status = 'todo' "
            "ORDER BY id",
            [task_name],
        )
        return [_arguments(row[0]) for row in cursor.fetchall()]


def _arguments(value) -> dict:
    """The task's arguments, without the request id the worker takes out before running it
    (operations/logs.py)."""
    arguments = json.loads(value) if isinstance(value, str) else dict(value)
    arguments.pop(JOB_ARGUMENT, None)
    return arguments


def run_jobs(task_name: str) -> int:
    """Run the waiting jobs of a task (one without a job context) and take them off the
    queue; returns how many ran."""
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM procrastinate_jobs WHERE task_name = %s AND status = 'todo' "
            "RETURNING id, args",
            [task_name],
        )
        jobs = sorted(cursor.fetchall())
    for _, args in jobs:
        app.tasks[task_name](**_arguments(args))
    return len(jobs)


def clear_jobs() -> None:
    """Empty the queue (flushing the test database leaves procrastinate's tables alone)."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procrastinate_jobs")
