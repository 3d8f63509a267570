"""Publishing N cards through the worker against bare create_model_card calls.

Both go to the same local SageMaker sandbox (moto in server mode, cards/sagemaker/sandbox.py),
same run,
same machine. The budget (ARCHITECTURE.md): the worker takes at most 1.3x the bare time.

    uv run python benchmarks/publish.py [--cards 200] [--concurrency 2] [--latency-ms 0]
                                        [--workers 1 2 4]

``--workers`` runs the publishing once per number given, with that many worker processes
sharing the database (as on several machines), each running ``--concurrency`` jobs at once,
and prints the cards per second of each against the bare calls'.

It creates (and afterwards drops) its own database on the configured server, and starts its own
sandbox and worker. The sandbox answers in a few milliseconds on loopback, much faster than
SageMaker across a network; ``--latency-ms`` puts a relay in front of it that holds each request
for that long (both the bare calls and the worker go through it), to see the ratio at a
realistic round trip.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

from config.embedded_postgres import ensure_embedded_database  # noqa: E402

ensure_embedded_database()  # without DATABASE_URL; settings only compute its URL
django.setup()

import boto3  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402

from cards.content.validation import serialize_content  # noqa: E402
from cards.models import (  # noqa: E402
    CardRevision,
    CardStatus,
    Membership,
    ModelCard,
    Publication,
    PublicationState,
    Team,
)
from cards.services import publication_request  # noqa: E402
from tests.worker_fixtures import database_url_for_subprocesses  # noqa: E402

CONTENT = {
    "model_overview": {"model_description": "Benchmark card", "model_owner": "bench"},
    "intended_uses": {"purpose_of_model": "Benchmarking", "risk_rating": "Low"},
    "additional_information": {"custom_details": {"run": "benchmark"}},
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_relay(target_port: int, latency: float) -> int:
    """A TCP relay on loopback that holds each request burst for ``latency`` seconds."""
    port = free_port()

    async def pipe(reader, writer, delay: float) -> None:
        loop = asyncio.get_running_loop()
        last, release = 0.0, 0.0
        try:
            while data := await reader.read(65536):
                now = loop.time()
                if now - last > 0.002:  # a new request, not the rest of the same one
                    release = now + delay
                last = now
                await asyncio.sleep(max(0.0, release - loop.time()))
                writer.write(data)
                await writer.drain()
        finally:
            writer.close()

    async def handle(client_reader, client_writer) -> None:
        server_reader, server_writer = await asyncio.open_connection("127.0.0.1", target_port)
        await asyncio.gather(
            pipe(client_reader, server_writer, latency),
            pipe(server_reader, client_writer, 0.0),
            return_exceptions=True,
        )

    async def serve() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", port)
        async with server:
            await server.serve_forever()

    threading.Thread(target=asyncio.run, args=(serve(),), daemon=True).start()
    wait_for_port(port)
    return port


def wait_for_port(port: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the sandbox did not start")


def seed(count: int, prefix: str = "worker"):
    user, _ = get_user_model().objects.get_or_create(username="bench")
    team, _ = Team.objects.get_or_create(name="Bench")
    Membership.objects.get_or_create(team=team, user=user)
    cards = ModelCard.objects.bulk_create(
        ModelCard(
            name=f"{prefix}-{number:04d}",
            team=team,
            status=CardStatus.APPROVED,
            content=CONTENT,
            risk_rating="Low",
            created_by=user,
            updated_by=user,
        )
        for number in range(count + 1)
    )
    CardRevision.objects.bulk_create(
        CardRevision(card=card, number=1, content=CONTENT, status=card.status, author=user)
        for card in cards
    )
    return user, cards


def wait_workers(count: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM procrastinate_workers")
            if cursor.fetchone()[0] >= count:
                return
        time.sleep(0.1)
    raise SystemExit(f"{count} workers did not start in time")


def wait_published(count: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        finished = Publication.objects.filter(
            state__in=[PublicationState.PUBLISHED, PublicationState.FAILED]
        ).count()
        if finished >= count:
            failed = Publication.objects.filter(state=PublicationState.FAILED).first()
            if failed:
                raise SystemExit(f"a publish failed: {failed.last_error}")
            return
        time.sleep(0.02)
    raise SystemExit("the worker did not finish in time")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cards", type=int, default=200)
    parser.add_argument(
        "--concurrency",
        type=int,
        default=int(os.environ.get("WORKER_CONCURRENCY") or 2),
        help="Jobs the worker runs at once (as WORKER_CONCURRENCY does for manage.py studio).",
    )
    parser.add_argument(
        "--latency-ms",
        type=float,
        default=0,
        help="Hold each AWS request this long, as a network to SageMaker would (default 0).",
    )
    parser.add_argument(
        "--workers",
        type=int,
        nargs="+",
        default=[1],
        help="Worker processes sharing the database; one run per number given (1 2 4).",
    )
    args = parser.parse_args()
    # One "Deferred 1 job" line per request is not part of what is measured.
    logging.getLogger("procrastinate").setLevel(logging.WARNING)

    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    aws_env = {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_REGION": "us-east-1",
    }
    sandbox = subprocess.Popen(  # noqa: S603 - our own fixed command
        [sys.executable, "-m", "cards.sagemaker.sandbox", "-H", "127.0.0.1", "-p", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers: list[subprocess.Popen] = []
    results: dict[int, tuple[float, float]] = {}
    parallel: dict[int, float] = {}
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        wait_for_port(port)
        if args.latency_ms:
            endpoint = f"http://127.0.0.1:{start_relay(port, args.latency_ms / 1000)}"
            aws_env["AWS_ENDPOINT_URL"] = endpoint
        content = serialize_content(CONTENT)

        def bare_calls(names: list[str]) -> None:
            sagemaker = boto3.client(
                "sagemaker",
                endpoint_url=endpoint,
                region_name="us-east-1",
                aws_access_key_id="bench",
                aws_secret_access_key="bench",  # noqa: S106 - the sandbox accepts anything
            )
            for name in names:
                sagemaker.create_model_card(
                    ModelCardName=name, Content=content, ModelCardStatus="Approved"
                )

        start = time.perf_counter()
        bare_calls([f"bare-{number:04d}" for number in range(args.cards)])
        bare = time.perf_counter() - start
        # The API's own limit: the same calls from as many threads as there will be workers.
        for count in args.workers:
            names = [f"bare{count}-{number:04d}" for number in range(args.cards)]
            threads = [
                threading.Thread(target=bare_calls, args=(names[part::count],))
                for part in range(count)
            ]
            start = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            parallel[count] = time.perf_counter() - start

        finished = 0
        for count in args.workers:
            user, cards = seed(args.cards + count - 1, prefix=f"workers{count}")
            connection.close()
            workers = [
                subprocess.Popen(  # noqa: S603 - our own fixed command
                    [sys.executable, "manage.py", "worker", f"--concurrency={args.concurrency}"],
                    cwd=ROOT,
                    env={**os.environ, **aws_env, "DATABASE_URL": database_url_for_subprocesses()},
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                for _ in range(count)
            ]
            # Warm-up: every worker has registered (procrastinate_workers), and cards get
            # published.
            wait_workers(count, timeout=120)
            for card in cards[-count:]:
                publication_request(card=card, user=user)
            finished += count
            wait_published(finished, timeout=120)
            start = time.perf_counter()
            for card in cards[: args.cards]:
                publication_request(card=card, user=user)
            requested = time.perf_counter() - start
            finished += args.cards
            wait_published(finished, timeout=900)
            results[count] = (time.perf_counter() - start, requested)
            for worker in workers:
                worker.terminate()
            for worker in workers:
                worker.wait(timeout=20)
            workers = []
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait(timeout=20)
        sandbox.terminate()
        sandbox.wait(timeout=20)
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)

    print(
        f"{args.cards} cards against the local sandbox ({settings.AWS_REGION}), "
        f"{args.latency_ms:g} ms added per request, each worker running {args.concurrency} "
        "job(s) at once"
    )
    print(f"  bare create_model_card calls   {bare:7.2f} s  ({args.cards / bare:6.1f} cards/s)")
    for count, (through_workers, requested) in results.items():
        print(
            f"  {count} worker(s): requested, published {through_workers:6.2f} s  "
            f"({args.cards / through_workers:6.1f} cards/s, {bare / through_workers:4.2f}x the "
            f"bare rate; requesting {requested:5.2f} s); the API from {count} thread(s): "
            f"{args.cards / parallel[count]:6.1f} cards/s"
        )
    one = results.get(1)
    if one:
        print(f"one worker / bare = {one[0] / bare:.2f}x (budget: at most 1.3x)")


if __name__ == "__main__":
    main()
