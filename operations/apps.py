import logging
import os

from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """What platform teams plug in: probes, Prometheus metrics, request ids in the logs."""

    name = "operations"
    verbose_name = "Operations"

    def ready(self) -> None:
        from operations.logs import QuietProbes

        # prometheus-client's multiprocess mode writes one file per process there.
        if directory := os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            os.makedirs(directory, exist_ok=True)

        # The probes are fetched every few seconds by compose, the kubelet and load balancers;
        # their access-log lines would drown everything else (shown again at LOG_LEVEL=DEBUG).
        for name in ("gunicorn.access", "uvicorn.access", "django.server", "django.request"):
            logging.getLogger(name).addFilter(QuietProbes())
