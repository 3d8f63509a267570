"""What webhooks cost a request, and how fast the worker's attempts go.

    uv run python benchmarks/webhooks.py [--requests 100] [--endpoints 5]

Submits cards for review through the page (POST, full middleware, in-process) in a team with
no webhook and in a team with ``--endpoints`` webhooks subscribed to "submitted" whose receiver
never answers: the request only writes the deliveries and their jobs, so the receiver's
silence costs it nothing. Then times delivery attempts (what the worker runs per job) against
a local receiver that answers at once. It creates (and afterwards drops) its own database.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

from cards.models import Role  # noqa: E402
from tests.factories import make_card, make_team, make_user  # noqa: E402
from tests.jobs import run_jobs  # noqa: E402
from tests.webhooks.receiver import start_receiver  # noqa: E402
from webhooks.delivery import delivery_attempt  # noqa: E402
from webhooks.models import Delivery  # noqa: E402
from webhooks.services import endpoint_create  # noqa: E402


def submit_timings(client: Client, names: list[str]) -> list[float]:
    timings = []
    for name in names:
        started = time.perf_counter()
        response = client.post(f"/cards/{name}/submit/", {"revision": "1"})
        timings.append(time.perf_counter() - started)
        assert response.status_code == 302, response.status_code
    return timings


def line(label: str, timings: list[float]) -> str:
    p50 = statistics.median(timings) * 1000
    ordered = sorted(timings)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] * 1000
    return f"  {label:44} p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  ({len(timings)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--endpoints", type=int, default=5)
    args = parser.parse_args()

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    silent, silent_server = start_receiver()
    silent.answers = [("hang", 3600)] * 10**6
    fast, fast_server = start_receiver()
    try:
        plain, hooked = make_team("Plain"), make_team("Hooked")
        author = make_user("author", team=plain)
        author.memberships.create(team=hooked, role=Role.EDITOR)
        for team in (plain, hooked):
            reviewer = make_user(f"reviewer-{team.pk}", team=team, role=Role.REVIEWER)
        admin = make_user("admin", is_superuser=True)
        for _ in range(args.endpoints):
            endpoint_create(
                user=admin,
                team=hooked,
                url=silent.url,
                events=["card.submitted"],
                allow_private_network=True,
            )
        names = {}
        for team in (plain, hooked):
            names[team.name] = [
                make_card(user=author, team=team, name=f"{team.name.lower()}-{number}").name
                for number in range(args.requests)
            ]
        with override_settings(ALLOWED_HOSTS=["testserver"], SECURE_SSL_REDIRECT=False):
            client = Client()
            client.force_login(author)
            results = {"Plain": [], "Hooked": []}
            half = args.requests // 2
            # Interleaved halves, so drift on a shared machine hits both alike.
            for part in (slice(0, half), slice(half, None)):
                for team_name in results:
                    results[team_name] += submit_timings(client, names[team_name][part])
        # The worker hands each submission's event to the webhooks (one job per event).
        run_jobs("events.fan_out")
        deliveries = list(Delivery.objects.values_list("pk", flat=True))
        Delivery.objects.update(payload={"event": "card.submitted"})
        from webhooks.models import Endpoint

        Endpoint.objects.update(url=fast.url)
        attempts = []
        for pk in deliveries[: args.requests]:
            started = time.perf_counter()
            delivery_attempt(pk, final=True)
            attempts.append(time.perf_counter() - started)
        del reviewer
    finally:
        for server in (silent_server, fast_server):
            server.shutdown()
            server.server_close()
        connection.creation.destroy_test_db(old_name, verbosity=0)

    print("Submitting a card for review (POST, in-process, full middleware):")
    print(line("team without webhooks", results["Plain"]))
    print(line(f"team with {args.endpoints} webhooks to a silent receiver", results["Hooked"]))
    print(f"  deliveries written: {len(deliveries)}, requests sent during them: 0")
    print("Delivery attempts against a local receiver (one job's work):")
    print(line("check address, sign, POST, log", attempts))
    print(f"  {len(attempts) / sum(attempts):.0f} attempts per second, one at a time")


if __name__ == "__main__":
    main()
