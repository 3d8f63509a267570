"""Several web servers and workers on one PostgreSQL, the web servers through PgBouncer in
transaction mode (Debian's pgbouncer, installed by .ci/run), the workers straight to it, as
docs/operations.md describes: every card published through the API reaches SageMaker exactly
once, and pages keep loading without an error meanwhile."""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
import httpx
import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from api.tokens import token_create
from cards.models import Publication, PublicationState
from tests.pooler_fixtures import pooler_show, pooler_transactions, pooler_url, start_pgbouncer
from tests.web_fixtures import start_web
from tests.worker_fixtures import database_url_for_subprocesses, free_port, stop

pytestmark = pytest.mark.worker

# How many cards the test publishes (300 in CI; set it lower for a quick look).
CARDS = int(os.environ.get("STUDIO_SCALE_CARDS", "300"))
POOL_SIZE = 2


def connected_backends() -> dict[str, set[int]]:
    """The server processes serving the test database, by their connection's name."""
    found: dict[str, set[int]] = {"studio-web": set(), "studio-worker": set()}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, application_name FROM pg_stat_activity WHERE datname = current_database()"
        )
        for pid, name in cursor.fetchall():
            found.setdefault(name, set()).add(pid)
    return found


@pytest.fixture
def pgbouncer(tmp_path):
    port = free_port()
    process = start_pgbouncer(tmp_path / "pgbouncer", port)
    try:
        yield port
    finally:
        stop(process)


CONTENT = {
    "model_overview": {"model_description": "Scale-out test model"},
    "intended_uses": {"risk_rating": "Low"},
}


@pytest.mark.django_db(transaction=True)
def test_two_web_servers_through_pgbouncer_and_three_workers_publish_each_card_once(
    pgbouncer, start_worker, moto_url, alice, tmp_path
):
    web_env = {
        "DATABASE_URL": pooler_url(pgbouncer),
        "DATABASE_POOLER": "transaction",
        # Each web process pools at most this many connections (Django's pool, ASGI).
        "DATABASE_POOL_SIZE": str(POOL_SIZE),
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "SECURE_COOKIES": "false",
        "PUBLISH_DRAFTS": "true",
        "AWS_ENDPOINT_URL": moto_url,
    }
    ports = [free_port(), free_port()]
    servers = [start_web(port, web_env, tmp_path / f"web{i}.log") for i, port in enumerate(ports)]
    for _ in range(3):
        # Configured as the manifests configure them: DATABASE_URL is the pooler's, and
        # WORKER_DATABASE_URL takes them past it.
        start_worker(
            DATABASE_URL=pooler_url(pgbouncer),
            DATABASE_POOLER="transaction",
            WORKER_DATABASE_URL=database_url_for_subprocesses(),
        )
    try:
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        _, secret = token_create(
            user=alice, name="scale", scopes=["read", "write", "publish"], expires_in_days=1
        )
        api = {"Authorization": f"Bearer {secret}"}
        browser = Client()
        browser.force_login(alice)
        cookies = {"sessionid": browser.cookies["sessionid"].value}
        names = [f"scale-{i:04d}" for i in range(CARDS)]
        before = pooler_transactions(pgbouncer)

        pages: list[int] = []
        done = threading.Event()

        def load_pages() -> None:
            with httpx.Client(cookies=cookies, timeout=30) as session:
                turn = 0
                while not done.is_set():
                    base = bases[turn % 2]
                    path = "/" if turn % 3 == 0 else f"/cards/{names[turn % len(names)]}/"
                    response = session.get(f"{base}{path}")
                    # A card not created yet is a 404, a page that failed a 500.
                    pages.append(response.status_code)
                    turn += 1

        def publish(index: int) -> int:
            base, name = bases[index % 2], names[index]
            with httpx.Client(headers=api, timeout=30) as session:
                created = session.post(
                    f"{base}/api/v1/cards",
                    json={"name": name, "team": "Growth", "content": CONTENT},
                )
                assert created.status_code == 201, created.text
                # Published through the other server than the one that created it.
                other = bases[(index + 1) % 2]
                published = session.post(f"{other}/api/v1/cards/{name}/publications")
                assert published.status_code == 202, published.text
                return published.json()["id"]

        loader = threading.Thread(target=load_pages)
        loader.start()
        started = time.monotonic()
        try:
            with ThreadPoolExecutor(max_workers=6) as pool:
                publication_ids = list(pool.map(publish, range(CARDS)))
            requested = time.monotonic() - started
            # Who is connected how, while the workers are busy publishing.
            clients = pooler_show(pgbouncer, "CLIENTS")
            through_pooler = {int(row["remote_pid"]) for row in pooler_show(pgbouncer, "SERVERS")}
            backends = connected_backends()
            deadline = time.monotonic() + max(120, CARDS)
            while Publication.objects.filter(state=PublicationState.PUBLISHED).count() < CARDS:
                stuck = Publication.objects.filter(state=PublicationState.FAILED).first()
                assert stuck is None, stuck.last_error
                assert time.monotonic() < deadline, "not every card was published in time"
                time.sleep(0.5)
            elapsed = time.monotonic() - started
        finally:
            done.set()
            loader.join()
        after = pooler_transactions(pgbouncer)
    finally:
        for server in servers:
            stop(server)

    print(
        f"\n{CARDS} cards created and publish requested in {requested:.1f} s, all published "
        f"after {elapsed:.1f} s; {len(pages)} pages loaded meanwhile"
    )
    assert len(set(publication_ids)) == CARDS
    sagemaker = boto3.client(
        "sagemaker",
        endpoint_url=moto_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    remote = [
        summary["ModelCardName"]
        for page in sagemaker.get_paginator("list_model_cards").paginate()
        for summary in page["ModelCardSummaries"]
    ]
    assert sorted(remote) == names  # every card, and each one once
    for name in names:
        versions = sagemaker.list_model_card_versions(ModelCardName=name)
        assert len(versions["ModelCardVersionSummaryList"]) == 1, name
    assert len(pages) >= 10
    assert set(pages) <= {200, 404}, sorted(set(pages))
    assert pages.count(200) >= len(pages) // 2
    # The web processes go through PgBouncer (2 servers x 2 processes, each pooling at most
    # POOL_SIZE connections); the workers never do: they LISTEN and hold session locks.
    named = {row["application_name"] for row in clients}
    assert named == {"studio-web"}, clients
    assert len(clients) <= 4 * POOL_SIZE
    assert backends["studio-web"], backends
    assert backends["studio-web"] <= through_pooler, (backends, through_pooler)
    assert len(backends["studio-worker"]) >= 3, backends  # a connection of each, at least
    assert not backends["studio-worker"] & through_pooler, (backends, through_pooler)
    # The web servers' work went through PgBouncer: at least a transaction a request.
    assert after - before >= 2 * CARDS
