"""Time to export a full card as PDF against the time to render its HTML card page.

Both go through the test client in this process (full middleware: session, auth, CSRF...),
same card, same run, same machine. The card has every section filled (tests/data's SDK card),
three charts, an approval, a later edit and a comment thread; the PDF includes the changes since
approval and the comments. The budget (ARCHITECTURE.md): the PDF takes at most 3x the card page.

    uv run python benchmarks/export.py [--requests 100]

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

import django  # noqa: E402

from config.embedded_postgres import ensure_embedded_database  # noqa: E402

ensure_embedded_database()  # without DATABASE_URL; settings only compute its URL
django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

from cards.models import Role  # noqa: E402
from cards.services import card_save_content, comment_add  # noqa: E402
from tests.factories import approve, load_json, make_card, make_team, make_user  # noqa: E402

BUDGET = 3.0


def seed():
    team = make_team("Bench")
    author = make_user("author", team=team)
    reviewer = make_user("reviewer", team=team, role=Role.REVIEWER)
    card = make_card(user=author, content=load_json("sdk_v2_model_package_card.json"))
    card = approve(card, author=author, reviewer=reviewer)
    content = {**card.content, "business_details": {"business_problem": "Churn is rising"}}
    card = card_save_content(card=card, user=author, content=content, base_revision=card.revision)
    comment_add(card=card, user=reviewer, body="Please explain the lift chart.")
    return author, card


def measure(client: Client, url: str, requests: int) -> list[float]:
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=100, help="requests per page")
    args = parser.parse_args()

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        user, card = seed()
        staticfiles = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
        with override_settings(
            STORAGES={**settings.STORAGES, "staticfiles": staticfiles},
            ALLOWED_HOSTS=["testserver"],
            SECURE_SSL_REDIRECT=False,
        ):
            client = Client()
            client.force_login(user)
            export = f"/cards/{card.name}/export/?revision={card.revision}&changes=on&comments=on"
            pages = {
                "card page (HTML)": f"/cards/{card.name}/",
                "PDF export": f"{export}&format=pdf",
                "HTML export": f"{export}&format=html",
            }
            for url in pages.values():
                measure(client, url, 5)
            results: dict[str, list[float]] = {name: [] for name in pages}
            # Interleave rounds so drift on a shared machine hits every page alike.
            for _ in range(4):
                for name, url in pages.items():
                    results[name] += measure(client, url, max(args.requests // 4, 1))
            pdf_bytes = len(client.get(pages["PDF export"]).content)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    print(f"{args.requests} requests per page, in-process, full middleware")
    medians = {}
    for name, timings in results.items():
        medians[name] = statistics.median(timings)
        print(
            f"  {name:18} p50 {medians[name] * 1000:7.2f} ms"
            f"  p99 {sorted(timings)[int(len(timings) * 0.99) - 1] * 1000:7.2f} ms"
        )
    ratio = medians["PDF export"] / medians["card page (HTML)"]
    print(f"  PDF size {pdf_bytes:,} bytes")
    verdict = "within" if ratio <= BUDGET else "OVER"
    print(f"PDF / card page: {ratio:.2f}x ({verdict} the {BUDGET:g}x budget)")


if __name__ == "__main__":
    main()
