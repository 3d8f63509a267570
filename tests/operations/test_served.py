"""The probes and /metrics on a real server with several processes (as deployed)."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.web_fixtures import start_web
from tests.worker_fixtures import database_url_for_subprocesses, free_port, stop

pytestmark = pytest.mark.worker

TOKEN = "metrics-test-token-0123456789"


def server_env(**overrides: str) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url_for_subprocesses(),
        "SECRET_KEY": "served-test",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "CONN_MAX_AGE": "0",
        "METRICS_TOKEN": TOKEN,
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
        **overrides,
    }


def sample_total(text: str, name: str, labels: str) -> float:
    pattern = re.compile(rf"^{name}\{{([^}}]*)\}} (\S+)$", re.MULTILINE)
    return sum(float(value) for found, value in pattern.findall(text) if labels in found)


@pytest.mark.django_db(transaction=True)
def test_metrics_add_up_the_requests_of_every_web_process(tmp_path):
    metrics_dir = tmp_path / "metrics"
    port = free_port()
    # An earlier run of the server left its files: config/gunicorn.py starts from empty.
    earlier = start_web(
        port, server_env(PROMETHEUS_MULTIPROC_DIR=str(metrics_dir)), tmp_path / "earlier.log"
    )
    for _ in range(5):
        httpx.get(f"http://127.0.0.1:{port}/login/", timeout=10)
    stop(earlier)
    assert list(metrics_dir.glob("histogram_*.db"))
    server = start_web(
        port,
        server_env(PROMETHEUS_MULTIPROC_DIR=str(metrics_dir)),
        tmp_path / "web.log",
        processes=2,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(40):
            # A new connection each time, so both processes take some.
            assert httpx.get(f"{base}/login/", timeout=10).status_code == 200
        answered = {path.name for path in metrics_dir.glob("histogram_*.db")}

        refused = httpx.get(f"{base}/metrics", timeout=10)
        metrics = httpx.get(f"{base}/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    finally:
        stop(server)

    assert len(answered) == 2, answered  # both processes served and wrote their samples
    assert refused.status_code == 401
    assert metrics.status_code == 200
    assert metrics.headers["content-type"].startswith("text/plain")
    count = sample_total(
        metrics.text, "studio_request_duration_seconds_count", 'method="GET",view="login"'
    )
    assert count == 40
    assert 'studio_jobs_waiting{queue="default"} 0.0' in metrics.text
    assert "studio_worker_heartbeat_age_seconds +Inf" in metrics.text


@pytest.mark.django_db(transaction=True)
def test_probes_stay_out_of_the_access_log(tmp_path):
    port = free_port()
    log = tmp_path / "web.log"
    server = start_web(port, server_env(), log, processes=1)
    try:
        base = f"http://127.0.0.1:{port}"
        for path in ("/healthz", "/readyz", "/login/", "/healthz", "/metrics"):
            httpx.get(f"{base}{path}", timeout=10)
    finally:
        stop(server)

    lines = log.read_text()
    assert "GET /login/ " in lines
    assert "/healthz" not in lines
    assert "/readyz" not in lines
    assert "/metrics" not in lines  # nor Django's "Unauthorized: /metrics"


def test_readyz_says_why_when_the_database_is_down_while_healthz_answers(tmp_path):
    port, nowhere = free_port(), free_port()
    env = server_env(
        DATABASE_URL=f"postgres://studio@127.0.0.1:{nowhere}/studio", DATABASE_CONNECT_TIMEOUT="2"
    )
    server = start_web(port, env, tmp_path / "web.log", processes=1)
    try:
        base = f"http://127.0.0.1:{port}"
        health = httpx.get(f"{base}/healthz", timeout=10)
        ready = httpx.get(f"{base}/readyz", timeout=10)
    finally:
        stop(server)

    assert health.status_code == 200
    assert ready.status_code == 503
    assert ready.text.startswith("not ready: database unavailable: ")
    assert ready.text.count("\n") == 1
    # Probed every few seconds: the reason is in the answer, not once more per probe in the log.
    assert "/readyz" not in (tmp_path / "web.log").read_text()
