"""The real thing: a worker process publishing to a moto server."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest
from django.conf import settings
from django.db import connection

from cards.models import CardStatus, ModelCard, Publication, PublicationState
from cards.services import publication_request
from cards.tasks import PAUSE_FILE_VARIABLE, retry_stalled_jobs
from tests.factories import make_card

ROOT = Path(__file__).resolve().parent.parent


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


@pytest.fixture
def moto_url():
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "tests" / "moto_sagemaker.py"),
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


@pytest.fixture
def start_worker(moto_url, tmp_path):
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
            f"/{db['NAME']}"
        ),
        "AWS_ENDPOINT_URL": moto_url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
        "SECRET_KEY": "worker-test",
        "CONN_MAX_AGE": "0",
        PAUSE_FILE_VARIABLE: str(tmp_path / "pause"),
    }
    processes: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        log = (tmp_path / f"worker{len(processes)}.log").open("w")
        process = subprocess.Popen(
            [sys.executable, "manage.py", "procrastinate", "worker"],
            cwd=ROOT,
            env=env,
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


def remote_client(moto_url: str):
    return boto3.client(
        "sagemaker",
        endpoint_url=moto_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture
def card(alice):
    card = make_card(user=alice)
    ModelCard.objects.filter(pk=card.pk).update(status=CardStatus.APPROVED)
    card.refresh_from_db()
    return card


def wait_for(publication: Publication, timeout: float = 30) -> Publication:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        publication.refresh_from_db()
        if publication.is_finished:
            return publication
        time.sleep(0.2)
    raise AssertionError(f"Still {publication.state} after {timeout} s")


@pytest.mark.django_db(transaction=True)
def test_a_worker_publishes_a_requested_card(worker, moto_url, card, alice):
    publication = wait_for(publication_request(card=card, user=alice))

    assert publication.state == PublicationState.PUBLISHED, publication.last_error
    remote = remote_client(moto_url).describe_model_card(ModelCardName=card.name)
    assert remote["ModelCardStatus"] == "Approved"
    assert remote["ModelCardArn"] == publication.arn
    assert publication.remote_version == 1


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_publish_is_recovered_and_publishes_once(
    start_worker, moto_url, card, alice, tmp_path
):
    pause = tmp_path / "pause"
    pause.touch()
    first = start_worker()
    publication = publication_request(card=card, user=alice)
    sagemaker_client = remote_client(moto_url)
    deadline = time.monotonic() + 30
    while not sagemaker_client.list_model_cards()["ModelCardSummaries"]:
        assert time.monotonic() < deadline, "the first worker never reached SageMaker"
        time.sleep(0.2)

    # Killed after its remote write, before recording it.
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    publication.refresh_from_db()
    assert publication.state == PublicationState.RUNNING
    with connection.cursor() as cursor:
        # As procrastinate's own tests do: the dead worker's heartbeat is long past.
        cursor.execute(
            "UPDATE procrastinate_workers"
            " SET last_heartbeat = last_heartbeat - interval '5 minutes'"
        )
    pause.unlink()
    start_worker()
    retry_stalled_jobs.defer(timestamp=int(time.time()))

    publication = wait_for(publication)

    assert publication.state == PublicationState.PUBLISHED, publication.last_error
    assert publication.attempts == 2
    versions = sagemaker_client.list_model_card_versions(ModelCardName=card.name)
    assert len(versions["ModelCardVersionSummaryList"]) == 1
