"""Requests per second of GET /api/v1/cards with many cards, against a bare JsonResponse of
the same rows (same columns, same page size), in the same run.

Both go through the full middleware stack in this process; the API adds its token check,
the list's filters and keyset pagination. The budget (ARCHITECTURE.md): at least 70% of the
bare view's requests per second with 10,000 cards.

    uv run python benchmarks/api.py [--cards 10000] [--requests 400]

It creates (and afterwards drops) its own database on the configured server.
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
os.environ.setdefault("CONN_MAX_AGE", "60")
# Plain HTTP in process, as in the tests.
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

import django  # noqa: E402

from config.embedded_postgres import ensure_embedded_database  # noqa: E402

ensure_embedded_database()  # without DATABASE_URL; settings only compute its URL
django.setup()

from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

from api.tokens import token_create  # noqa: E402
from benchmarks.list_page import seed  # noqa: E402


def measure(client: Client, url: str, requests: int, headers: dict) -> list[float]:
    timings = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(url, headers=headers)
        timings.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=400)
    args = parser.parse_args()

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        user = seed(args.cards)
        _, secret = token_create(user=user, name="bench", scopes=["read"], expires_in_days=1)
        auth = {"Authorization": f"Bearer {secret}"}
        with override_settings(ROOT_URLCONF="benchmarks.api_urls", ALLOWED_HOSTS=["testserver"]):
            client = Client()
            first = client.get("/api/v1/cards", headers=auth).json()
            cursor_url = first["next"]
            pages = {
                "GET /api/v1/cards": ("/api/v1/cards", auth),
                "bare JsonResponse": ("/bare/cards", {}),
            }
            for url, headers in pages.values():
                measure(client, url, 30, headers)
            results: dict[str, list[float]] = {name: [] for name in pages}
            # Interleave rounds so drift on a shared machine hits both alike.
            for _ in range(4):
                for name, (url, headers) in pages.items():
                    results[name] += measure(client, url, args.requests // 4, headers)
            filtered = measure(client, "/api/v1/cards?status=Approved&risk_rating=High", 100, auth)
            # Fewer cards than a page (the suite's tiny run): no second page to read.
            paged = measure(client, cursor_url, 100, auth) if cursor_url else []
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    print(f"{args.cards} cards, {args.requests} requests each, in-process, full middleware")
    rates = {}
    for name, timings in results.items():
        rates[name] = len(timings) / sum(timings)
        print(
            f"  {name:22} {rates[name]:7.1f} req/s  p50 {statistics.median(timings) * 1000:6.2f} ms"
            f"  p99 {sorted(timings)[int(len(timings) * 0.99) - 1] * 1000:6.2f} ms"
        )
    print(f"  filtered               {len(filtered) / sum(filtered):7.1f} req/s")
    if paged:
        print(f"  second page (cursor)   {len(paged) / sum(paged):7.1f} req/s")
    ratio = rates["GET /api/v1/cards"] / rates["bare JsonResponse"]
    print(f"API list / bare = {ratio:.0%} (budget: at least 70%)")


if __name__ == "__main__":
    main()
