"""Prometheus metrics (prometheus-client).

Request latency is measured in each web process. With several processes (gunicorn's workers)
each writes its samples to files under PROMETHEUS_MULTIPROC_DIR and ``/metrics`` adds them up
(prometheus-client's multiprocess mode); without the variable a scrape sees only the process
that answered it. Everything else is read from PostgreSQL when scraped, so it is the same
whichever web process, pod or machine answers, and counts the work of every worker.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from django.db import connection
from django.db.models import Count, QuerySet
from prometheus_client import (
    CollectorRegistry,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from cards.models import CardStatus, ModelCard, Publication, PublicationState
from webhooks.models import Delivery, DeliveryState

REQUEST_LATENCY = Histogram(
    "studio_request_duration_seconds",
    "Time from the request reaching Django to its response, per view",
    ["view", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)

# Publications and deliveries that ended; the ones still moving are not outcomes yet.
_PUBLICATION_OUTCOMES = (PublicationState.PUBLISHED, PublicationState.FAILED)

_QUEUE_SQL = """
SELECT j.queue_name, count(*),
       coalesce(max(extract(epoch FROM now() - greatest(e.at, j.scheduled_at))), 0)
FROM procrastinate_jobs j
LEFT JOIN procrastinate_events e ON e.job_id = j.id AND e.type = 'deferred'
WHERE j.status = 'todo' AND (j.scheduled_at IS NULL OR j.scheduled_at <= now())
GROUP BY j.queue_name
"""
_HEARTBEAT_SQL = """
SELECT count(*), extract(epoch FROM now() - max(last_heartbeat)) FROM procrastinate_workers
"""


class DatabaseCollector(Collector):
    """The queue, the workers' heartbeats and the work done, as PostgreSQL has them now."""

    def collect(self) -> Iterator:
        waiting = GaugeMetricFamily(
            "studio_jobs_waiting", "Jobs due to run that no worker has taken yet", labels=["queue"]
        )
        oldest = GaugeMetricFamily(
            "studio_oldest_job_seconds",
            "How long the longest-waiting due job has waited (0 when none waits)",
            labels=["queue"],
        )
        with connection.cursor() as cursor:
            cursor.execute(_QUEUE_SQL)
            rows = cursor.fetchall()
            cursor.execute(_HEARTBEAT_SQL)
            workers, heartbeat_age = cursor.fetchone()
        # The default queue is always reported, so that an alert on it has a series to read.
        by_queue = {"default": (0, 0.0)} | {queue: (n, float(age)) for queue, n, age in rows}
        for queue, (count, age) in sorted(by_queue.items()):
            waiting.add_metric([queue], count)
            oldest.add_metric([queue], age)
        yield waiting
        yield oldest

        yield GaugeMetricFamily(
            "studio_workers", "Workers registered in the database (alive or not yet swept)", workers
        )
        yield GaugeMetricFamily(
            "studio_worker_heartbeat_age_seconds",
            "Seconds since the most recent heartbeat of any worker (+Inf when there is none)",
            float("inf") if heartbeat_age is None else float(heartbeat_age),
        )

        publications = CounterMetricFamily(
            "studio_publications",
            "Publications to SageMaker that ended, by outcome",
            labels=["outcome"],
        )
        ended = _counts(Publication.objects.filter(state__in=_PUBLICATION_OUTCOMES), "state")
        for outcome in _PUBLICATION_OUTCOMES:
            publications.add_metric([outcome.value], ended.get(outcome.value, 0))
        yield publications

        deliveries = CounterMetricFamily(
            "studio_webhook_deliveries",
            "Webhook deliveries that ended, by outcome",
            labels=["outcome"],
        )
        outcomes = (DeliveryState.DELIVERED, DeliveryState.FAILED)
        delivered = _counts(Delivery.objects.filter(state__in=outcomes), "state")
        for outcome in outcomes:
            deliveries.add_metric([outcome.value], delivered.get(outcome.value, 0))
        yield deliveries

        cards = GaugeMetricFamily("studio_cards", "Model cards by status", labels=["status"])
        by_status = _counts(ModelCard.objects.all(), "status")
        for status in CardStatus:
            cards.add_metric([status.value], by_status.get(status.value, 0))
        yield cards


def _counts(queryset: QuerySet, field: str) -> dict[str, int]:
    """``{value: rows}`` of ``field`` (the models' default ordering would split the groups)."""
    rows = queryset.order_by().values(field).annotate(n=Count("pk"))
    return {row[field]: row["n"] for row in rows}


def exposition() -> bytes:
    """The text exposition of every metric, added up over this machine's web processes."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    registry.register(DatabaseCollector())
    return generate_latest(registry)


class _ThisProcess(Collector):
    def collect(self) -> Iterator:
        yield from REQUEST_LATENCY.collect()
