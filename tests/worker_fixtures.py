"""A moto server and real worker processes, for the tests that need them (a pytest plugin)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from cards.sagemaker.sync import PAUSE_FILE_VARIABLE

ROOT = Path(__file__).resolve().parent.parent


def database_url_for_subprocesses() -> str:
    """The test database, as a URL a subprocess can use (TCP or the embedded server's socket)."""
    db = settings.DATABASES["default"]
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    if host.startswith("/"):
        return f"postgres://{db['USER']}{password}@/{db['NAME']}?host={quote(host, safe='/')}"
    return f"postgres://{db['USER']}{password}@{host}:{db.get('PORT') or 5432}/{db['NAME']}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def other_sessions(timeout: float = 10) -> list[tuple[str, str, str]]:
    """The sessions on the test database besides this connection (name, state, last query),
    once they have had ``timeout`` seconds to end: one left behind keeps pytest-django from
    dropping the test database at the end of the run."""
    deadline = time.monotonic() + timeout
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT application_name, state, left(query, 80) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            found = cursor.fetchall()
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


@pytest.fixture
def moto_url():
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cards.sagemaker.sandbox",
            "-H",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


# Test-sized worker timings (seconds); set them in the environment to measure with others.
WORKER_TIMINGS = {
    "WORKER_HEARTBEAT_SECONDS": "1",
    "WORKER_STALLED_SECONDS": "4",
    "WORKER_RECOVERY_SECONDS": "1",
    "WORKER_STATEMENT_TIMEOUT": "3",
    # The database probe waits this long (cards/worker.py): 1 s was shorter than a trivial
    # query takes on the 2-core CI machine under the full suite, and a worker then took its
    # database for lost (seen once in four runs).
    "WORKER_QUERY_GRACE": "2",
    "WORKER_DATABASE_WAIT": "30",
}


@pytest.fixture
def start_worker(moto_url, tmp_path):
    env = {
        **WORKER_TIMINGS,
        **os.environ,
        "DATABASE_URL": database_url_for_subprocesses(),
        "AWS_ENDPOINT_URL": moto_url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
        "SECRET_KEY": "worker-test",
        "CONN_MAX_AGE": "0",
        PAUSE_FILE_VARIABLE: str(tmp_path / "pause"),
    }
    processes: list[subprocess.Popen] = []

    def start(**overrides: str) -> subprocess.Popen:
        """`manage.py worker`; ``overrides`` replace environment variables (DATABASE_URL...)."""
        log = (tmp_path / f"worker{len(processes)}.log").open("w")
        process = subprocess.Popen(
            [sys.executable, "manage.py", "worker"],
            cwd=ROOT,
            env=env | overrides,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        processes.append(process)
        return process

    try:
        yield start
    finally:
        for process in processes:
            stop(process)
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM procrastinate_jobs")


@pytest.fixture
def worker(start_worker):
    return start_worker()
