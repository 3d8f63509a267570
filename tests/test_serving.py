"""The web server's settings (config/gunicorn.py): ASGI workers sized from the cores, request
deadlines longer than the longest long poll, and quiet unless asked."""

from __future__ import annotations

import os
import runpy
import types
from pathlib import Path

import pytest
from gunicorn.config import Config

from api.workflow import MAX_WAIT_SECONDS
from config.serving import StudioUvicornWorker

CONFIG = Path(__file__).resolve().parent.parent / "config" / "gunicorn.py"
VARIABLES = (
    "WEB_CONCURRENCY",
    "WEB_TIMEOUT",
    "WEB_ACCESS_LOG",
    "WEB_LOG_LEVEL",
    "DATABASE_POOL",
    "DATABASE_APPLICATION_NAME",
)


@pytest.fixture
def served(monkeypatch):
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)

    def load(**env: str) -> dict:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(CONFIG))

    return load


def test_it_serves_asgi_with_one_worker_per_core_and_no_lifespan_probe(served):
    config = served()
    assert config["worker_class"] == "config.serving.StudioUvicornWorker"
    assert config["workers"] == max(2, len(os.sched_getaffinity(0)))
    assert StudioUvicornWorker.CONFIG_KWARGS["lifespan"] == "off"
    # Every name is one gunicorn knows (a typo would be ignored silently).
    known = set(Config().settings)
    names = {
        name
        for name, value in config.items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert names <= known, names - known


def test_the_worker_count_and_timeout_can_be_set_and_outlast_the_longest_long_poll(served):
    assert served()["timeout"] > MAX_WAIT_SECONDS
    config = served(WEB_CONCURRENCY="7", WEB_TIMEOUT="300")
    assert (config["workers"], config["timeout"]) == (7, 300)


def test_access_log_only_when_asked_and_pooled_named_connections_by_default(served):
    assert served()["accesslog"] is None
    assert served()["raw_env"] == ["DATABASE_POOL=true", "DATABASE_APPLICATION_NAME=studio-web"]
    assert served(WEB_ACCESS_LOG="true")["accesslog"] == "-"
    assert served(DATABASE_POOL="false", DATABASE_APPLICATION_NAME="studio-a")["raw_env"] == []
