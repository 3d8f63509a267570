"""Response times of the portfolio page and the list's re-review filters with many cards.

    uv run python benchmarks/portfolio_page.py [--cards 10000] [--requests 40]

It creates (and afterwards drops) its own database on the configured server, seeds the cards
as benchmarks/list_page.py does, approves every Approved one (an Approval row each, half of
them a year ago), sets a 6-month review interval and marks every tenth approved card for
re-review, then prints the query count and timings of each page.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from benchmarks.list_page import measure, seed  # noqa: E402 - sets Django up first
from cards.models import Approval, Membership, ModelCard, Role, Team  # noqa: E402
from governance.models import RereviewFlag, ReviewPolicy  # noqa: E402


def seed_governance(user) -> Team:
    team = Team.objects.get(name="Bench")
    Membership.objects.filter(user=user).update(role=Role.REVIEWER)
    approved = list(ModelCard.objects.filter(status="Approved").values_list("pk", flat=True))
    ModelCard.objects.filter(pk__in=approved).update(approved_revision=1)
    Approval.objects.bulk_create(
        [Approval(card_id=pk, revision=1, approved_by=user) for pk in approved], batch_size=1000
    )
    year_ago = timezone.now() - timedelta(days=365)
    Approval.objects.filter(card_id__in=approved[::2]).update(approved_at=year_ago)
    for rating in ("Low", "Medium", "High", "Unknown"):
        ReviewPolicy.objects.create(
            team=team, risk_rating=rating, review_interval_months=6, updated_by=user
        )
    RereviewFlag.objects.bulk_create(
        [RereviewFlag(card_id=pk, reason="drift", approved_revision=1) for pk in approved[::10]]
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return team


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--queries", action="store_true", help="print each page's queries")
    args = parser.parse_args()

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    results = {}
    try:
        user = seed(args.cards)
        team = seed_governance(user)
        staticfiles = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
        with override_settings(
            STORAGES={**settings.STORAGES, "staticfiles": staticfiles},
            ALLOWED_HOSTS=["testserver"],
            SECURE_SSL_REDIRECT=False,
        ):
            client = Client()
            client.force_login(user)
            pages = {
                "team portfolio": f"/teams/{team.pk}/portfolio/",
                "list ?review=overdue": "/?review=overdue",
                "list ?review=rereview": "/?review=rereview",
            }
            for name, url in pages.items():
                measure(client, url, 3)
                with CaptureQueriesContext(connection) as queries:
                    client.get(url)
                if args.queries:  # before the next requests reset the connection's log
                    print(name)
                    for query in queries.captured_queries:
                        print(f"{float(query['time']) * 1000:7.1f} ms  {query['sql'][:150]}")
                results[name] = (len(queries), measure(client, url, args.requests))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    print(f"{args.cards} cards, {args.requests} requests per page, in-process, full middleware")
    for name, (count, timings) in results.items():
        print(
            f"  {name:24} {count:3d} queries  p50 {statistics.median(timings) * 1000:7.2f} ms"
            f"  max {max(timings) * 1000:7.2f} ms"
        )


if __name__ == "__main__":
    main()
