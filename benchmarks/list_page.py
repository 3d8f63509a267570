"""Requests per second of the card list with many cards, against a bare Django list page.

Both pages run in this process over the same table, same run, same machine, through the full
middleware stack (session, auth, CSRF...). The budget (ARCHITECTURE.md): the card list serves at
least 65% of the bare page's requests per second with 10,000 cards.

    uv run python benchmarks/list_page.py [--cards 10000] [--requests 400]

It creates (and afterwards drops) its own database on the configured server. `--profile`
prints where the card list spends its time.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from html import unescape
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("CONN_MAX_AGE", "60")

import django  # noqa: E402

from config.embedded_postgres import ensure_embedded_database  # noqa: E402

ensure_embedded_database()  # without DATABASE_URL; settings only compute its URL
django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

from cards.models import CardRevision, Membership, ModelCard, Team  # noqa: E402


def seed(count: int):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("bench", password="bench-password-1")  # noqa: S106
    team = Team.objects.create(name="Bench")
    Membership.objects.create(team=team, user=user)
    ratings = ["Low", "Medium", "High", "Unknown"]
    statuses = ["Draft", "PendingReview", "Approved", "Archived"]
    batch = []
    for number in range(count):
        content = {
            "model_overview": {"model_name": f"model-{number}", "model_description": "x" * 400},
            "intended_uses": {"risk_rating": ratings[number % 4], "purpose_of_model": "y" * 400},
        }
        batch.append(
            ModelCard(
                name=f"card-{number:05d}",
                team=team,
                status=statuses[number % 4],
                content=content,
                risk_rating=ratings[number % 4],
                model_name=f"model-{number}",
                created_by=user,
                updated_by=user,
            )
        )
    ModelCard.objects.bulk_create(batch, batch_size=1000)
    CardRevision.objects.bulk_create(
        [
            CardRevision(card=card, number=1, content=card.content, status=card.status, author=user)
            for card in ModelCard.objects.all()
        ],
        batch_size=1000,
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return user


def measure(client: Client, url: str, requests: int) -> list[float]:
    timings = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(url)
        timings.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument(
        "--profile", action="store_true", help="print where the card list spends its time"
    )
    args = parser.parse_args()

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        user = seed(args.cards)
        templates = [
            {
                **settings.TEMPLATES[0],
                "DIRS": [*settings.TEMPLATES[0]["DIRS"], Path(__file__).parent / "templates"],
            }
        ]
        staticfiles = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
        with override_settings(
            ROOT_URLCONF="benchmarks.urls",
            TEMPLATES=templates,
            STORAGES={**settings.STORAGES, "staticfiles": staticfiles},
            ALLOWED_HOSTS=["testserver"],
            SECURE_SSL_REDIRECT=False,
        ):
            client = Client()
            client.force_login(user)
            pages = {"card list (/)": "/", "bare ListView (/bare/)": "/bare/"}
            measure(client, "/", 30)
            measure(client, "/bare/", 30)
            results: dict[str, list[float]] = {name: [] for name in pages}
            # Interleave rounds so drift on a shared machine hits both pages alike.
            for _ in range(4):
                for name, url in pages.items():
                    results[name] += measure(client, url, args.requests // 4)
            # Page 20 of a filter: reached as a person reaches it, through 19 "Next" links.
            deep = "/?status=Approved&risk_rating=High"
            for _ in range(19):
                html = client.get(deep).content.decode()
                found = re.search(r'<a href="([^"]+)" rel="next">', html)
                if not found:
                    break
                deep = "/" + unescape(found.group(1))
            filtered = measure(client, deep, 100)
            if args.profile:
                import cProfile
                import pstats

                profiler = cProfile.Profile()
                profiler.runcall(measure, client, "/", 200)
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    print(f"{args.cards} cards, {args.requests} requests per page, in-process, full middleware")
    rates = {}
    for name, timings in results.items():
        rates[name] = len(timings) / sum(timings)
        print(
            f"  {name:24} {rates[name]:7.1f} req/s  p50 {statistics.median(timings) * 1000:6.2f} ms"
            f"  p99 {sorted(timings)[int(len(timings) * 0.99) - 1] * 1000:6.2f} ms"
        )
    print(f"  filtered, page 20        {len(filtered) / sum(filtered):7.1f} req/s")
    ratio = rates["card list (/)"] / rates["bare ListView (/bare/)"]
    print(f"card list / bare = {ratio:.0%} (budget: at least 65%)")


if __name__ == "__main__":
    main()
