"""Each page's time with 1,000 cards against its time with 100,000, realistic cards both.

Every card carries about 30 KB of content (the same realistic document, its name substituted),
an attached evaluation report, a revision and a publication; there are ten audit events per
card (1,000,000 at 100,000 cards), and one card has 1,000 revisions (its history page). The
pages run in this process through the full middleware, signed in as a reviewer of every team;
each page's median of ``--requests`` requests is printed at both sizes with the ratio, and the
worst ratio last (the goal: at most 1.2x).

    uv run python benchmarks/growth.py [--sizes 1000 100000] [--requests 40] [--reuse]

The databases (``<DATABASE_URL's name>_growth_<size>``) are seeded with set-based SQL (a few
minutes for 100,000 cards) and kept: ``--reuse`` measures them again without seeding
(migrations are applied either way). ``--drop`` removes them afterwards. ``--explain`` prints
the plan of each list query at the largest size.
"""

from __future__ import annotations

import argparse
import copy
import html
import json
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("CONN_MAX_AGE", "60")

import django  # noqa: E402

from config.embedded_postgres import ensure_embedded_database  # noqa: E402

ensure_embedded_database()  # without DATABASE_URL; settings only compute its URL
django.setup()

import psycopg  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.db.utils import load_backend  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

NEXT_LINK = re.compile(r'<a href="([^"]+)" rel="next">')
HISTORY_CARD = "card-00001"
NAMED_CARD = "card-00042"
TEAMS = 10
EVENTS_PER_CARD = 10
REVISIONS = 1000
WORDS = [
    "model",
    "predicts",
    "churn",
    "customer",
    "subscription",
    "retention",
    "offer",
    "training",
    "validation",
    "dataset",
    "feature",
    "importance",
    "bias",
    "fairness",
    "region",
    "segment",
    "threshold",
    "precision",
    "recall",
    "accuracy",
    "calibration",
    "drift",
    "monitoring",
    "deployment",
    "endpoint",
    "latency",
    "batch",
    "inference",
    "holdout",
    "quarter",
    "evaluation",
    "metric",
    "group",
    "description",
    "owner",
    "review",
    "approval",
    "risk",
    "mitigation",
    "limitation",
    "population",
    "sampling",
    "label",
    "noise",
    "imbalance",
    "gradient",
    "boosting",
    "trees",
    "depth",
    "learning",
    "rate",
    "regularisation",
    "explanation",
    "shapley",
    "value",
    "baseline",
    "outcome",
    "decision",
    "human",
    "oversight",
    "marketing",
    "pricing",
    "eligibility",
    "consent",
    "privacy",
    "retention",
    "period",
    "audit",
    "lineage",
    "artifact",
    "container",
    "image",
    "version",
    "release",
    "change",
    "rollback",
    "incident",
    "alert",
    "dashboard",
    "stakeholder",
]


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def realistic_content() -> dict:
    """About 30 KB: the SDK's example card with longer prose and three evaluation jobs."""
    rng = random.Random(14)  # noqa: S311 - not for security: the same document every run
    content = json.loads((ROOT / "tests/data/sdk_v2_standalone_card.json").read_text())
    overview = content["model_overview"]
    overview["model_name"] = "__MODEL__"
    overview["model_id"] = ""
    overview["model_description"] = "__CARD__: " + " ".join(sentence(rng, 14) for _ in range(12))
    content["intended_uses"]["risk_rating"] = "__RISK__"
    for key in ("purpose_of_model", "intended_uses", "factors_affecting_model_efficiency"):
        content["intended_uses"][key] = " ".join(sentence(rng, 12) for _ in range(8))
    content["training_details"]["training_observations"] = " ".join(
        sentence(rng, 12) for _ in range(10)
    )
    job = content["evaluation_details"][0]
    content["evaluation_details"] = []
    for number in range(3):
        evaluation = copy.deepcopy(job)
        evaluation["name"] = f"evaluation-{number}"
        evaluation["evaluation_observation"] = " ".join(sentence(rng, 12) for _ in range(6))
        evaluation["metric_groups"] = [
            {
                "name": f"segment {group}",
                "metric_data": [
                    {
                        "name": f"{rng.choice(WORDS)}_{metric}",
                        "type": "number",
                        "value": round(rng.random(), 4),
                        "notes": sentence(rng, 8),
                    }
                    for metric in range(12)
                ],
            }
            for group in range(4)
        ]
        content["evaluation_details"].append(evaluation)
    content["additional_information"] = {
        "ethical_considerations": " ".join(sentence(rng, 12) for _ in range(10)),
        "caveats_and_recommendations": " ".join(sentence(rng, 12) for _ in range(10)),
        "custom_details": {f"{rng.choice(WORDS)}_{i}": sentence(rng, 5) for i in range(20)},
    }
    return content


BASE_NAME = connection.settings_dict["NAME"]  # use_database() changes the settings' dict


class SecureClient(Client):
    """Requests over HTTPS, as the app answers them (SECURE_SSL_REDIRECT)."""

    def get(self, *args, **kwargs):
        return super().get(*args, secure=True, **kwargs)


def database_name(size: int) -> str:
    return f"{BASE_NAME}_growth_{size}"


def use_database(name: str) -> None:
    connection.close()
    connection.settings_dict["NAME"] = name


def connected_to(name: str):
    """A connection of its own to ``name``, to put in place as the default one."""
    settings_dict = {**connections.settings["default"], "NAME": name}
    return load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, "default")


def admin_connection() -> psycopg.Connection:
    params = connection.get_connection_params()
    params["dbname"] = "postgres"
    return psycopg.connect(**params, autocommit=True)


def prepare(size: int, reuse: bool) -> bool:
    """Creates (or with reuse keeps) the size's database; True when it must be seeded."""
    name = database_name(size)
    with admin_connection() as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and not reuse:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        if not exists or not reuse:
            admin.execute(f'CREATE DATABASE "{name}"')
    use_database(name)
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM cards_modelcard)")
        return not cursor.fetchone()[0]


def seed(size: int) -> None:
    from django.contrib.auth import get_user_model

    from cards.models import Membership, Role, Team

    started = time.perf_counter()
    users = get_user_model().objects
    bench = users.create_user("bench", password="bench-password-1")  # noqa: S106
    author = users.create_user("author", password="bench-password-1")  # noqa: S106
    teams = [Team.objects.create(name=f"Team {number}") for number in range(TEAMS)]
    for team in teams:
        Membership.objects.create(team=team, user=bench, role=Role.REVIEWER)
        Membership.objects.create(team=team, user=author, role=Role.EDITOR)
    content = realistic_content()
    document = json.dumps(content)
    raw_report = (
        ROOT / "tests/data/reports/clarify_bias_analysis.fraud_detection.json"
    ).read_text()
    produced = json.dumps({"metric_groups": content["evaluation_details"][0]["metric_groups"][:2]})
    name = "'card-' || lpad(n::text, 5, '0')"
    risk = "(ARRAY['High','Medium','Low','Unknown'])[1 + (n / 4) %% 4]"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO cards_modelcard (name, team_id, status, content, risk_rating, model_id,
                model_name, revision, sagemaker_arn, provenance, created_by_id, updated_by_id,
                created_at, updated_at)
            SELECT {name}, (%(teams)s::bigint[])[1 + n %% {TEAMS}],
                (ARRAY['Draft','PendingReview','Approved','Archived'])[1 + n %% 4],
                replace(replace(replace(%(doc)s, '__CARD__', {name}), '__MODEL__', 'model-' || n),
                    '__RISK__', {risk})::jsonb,
                {risk}, '', 'model-' || n, 1, '', '{{}}', %(author)s, %(author)s,
                now() - n * interval '1 minute', now() - n * interval '1 minute'
            FROM generate_series(0, %(size)s - 1) n
            """,  # noqa: S608 - the script's own constants
            {"teams": [t.pk for t in teams], "doc": document, "author": author.pk, "size": size},
        )
        cursor.execute(
            """
            INSERT INTO cards_cardrevision (card_id, number, content, status, author_id,
                created_at, note, content_changed)
            SELECT id, 1, content, status, created_by_id, created_at, '', true
            FROM cards_modelcard
            """
        )
        cursor.execute(
            """
            INSERT INTO cards_cardrevision (card_id, number, content, status, author_id,
                created_at, note, content_changed)
            SELECT c.id, r, c.content, 'Draft', c.created_by_id,
                c.created_at + r * interval '1 second', 'Edited', true
            FROM cards_modelcard c, generate_series(2, %s) r WHERE c.name = %s
            """,
            [REVISIONS, HISTORY_CARD],
        )
        cursor.execute(
            "UPDATE cards_modelcard SET revision = %s, status = 'Draft' WHERE name = %s",
            [REVISIONS, HISTORY_CARD],
        )
        cursor.execute(
            """
            INSERT INTO cards_evaluationreport (card_id, source, etag, version_id, report_type,
                sha256, raw, produced, problems, evaluation_job, state, created_by_id,
                created_at, attached_at)
            SELECT id, 's3://bench/analysis.json', '', '', 'clarify_bias', repeat('0', 64),
                %s::jsonb, %s::jsonb, '[]', 'bias-job', 'attached', created_by_id, created_at,
                created_at
            FROM cards_modelcard
            """,
            [raw_report, produced],
        )
        cursor.execute(
            """
            INSERT INTO cards_publication (card_id, revision, target_status, state, attempts,
                last_error, arn, remote_version, content_sha256, requested_by_id, created_at,
                updated_at, finished_at)
            SELECT id, 1, status, 'published', 1, '', 'arn:aws:sagemaker:us-east-1:1:model-card/'
                || name, 1, '', created_by_id, created_at, created_at, created_at
            FROM cards_modelcard
            """
        )
        cursor.execute(
            f"""
            INSERT INTO cards_auditevent (at, actor_id, action, card_id, card_name, team_id,
                revision, detail)
            SELECT c.created_at + k * interval '1 second', c.created_by_id,
                (ARRAY['create','edit','submit','approve','export'])[1 + k % 5], c.id, c.name,
                c.team_id, 1, ''
            FROM cards_modelcard c, generate_series(1, {EVENTS_PER_CARD}) k
            """  # noqa: S608 - the script's own constants
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(
        f"  seeded {size} cards ({len(document) / 1000:.0f} KB of content each) in "
        f"{time.perf_counter() - started:.0f} s",
        flush=True,
    )


def middle_of_the_list() -> str:
    """The link to the page that starts halfway down the list (newest change first), as
    Next would give it after some 2,000 pages (OFFSET here, once, to find the row)."""
    from cards.listing import encode_cursor
    from cards.models import ModelCard

    cards = ModelCard.objects.order_by("-updated_at", "-pk")
    position = cards.count() // 2
    row = cards.values("updated_at", "pk")[position]
    return "/?cursor=" + encode_cursor("after", [row["updated_at"], row["pk"]], position)


def pages(client: Client) -> dict[str, str]:
    """The measured URLs; the deep pages are reached as a user would, by the Next links."""

    def following(url: str, times: int) -> str:
        path = url.split("?")[0]
        for _ in range(times):
            found = NEXT_LINK.search(client.get(url).content.decode())
            if not found:
                break
            url = path + html.unescape(found.group(1))
        return url

    return {
        "card list /": "/",
        "filtered, page 20": following("/?status=Approved&risk_rating=High", 19),
        "search by name": f"/?q={NAMED_CARD}",
        "search by words": "/?q=model+description",
        "sorted by status": "/?sort=status",
        "sorted by risk, page 5": following("/?sort=-risk", 4),
        "middle of the list": middle_of_the_list(),
        "card page": f"/cards/{NAMED_CARD}/",
        "history (1,000 revisions)": f"/cards/{HISTORY_CARD}/history/",
        "audit log": "/audit/",
        "audit log, page 20": following("/audit/", 19),
        "card's audit": f"/cards/{NAMED_CARD}/audit/",
        "publications": "/publications/",
        "publications, page 5": following("/publications/", 4),
    }


def explain(client: Client, urls: dict) -> None:
    """EXPLAIN ANALYZE of each list query the list pages make (their summary: the plan's
    nodes and the time)."""
    from django.test.utils import CaptureQueriesContext

    for name, (url, headers) in urls.items():
        if not (url.startswith("/?") or url == "/" or url.startswith("/api/")):
            continue
        with CaptureQueriesContext(connection) as queries:
            client.get(url, headers=headers)
        print(f"-- {name}: {url[:80]}")
        for query in queries:
            sql = query["sql"]
            if "cards_modelcard" not in sql or 'FROM "cards_modelcard"' not in sql:
                continue
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                plan = [row[0] for row in cursor.fetchall()]
            kind = "count" if "COUNT(*)" in sql else "rows"
            print(f"   {kind}:")
            for line in plan:
                text = line.strip().removeprefix("->  ")
                if any(word in text for word in ("Scan", "Bitmap", "Sort ", "Limit")):
                    print(f"     {text[:150]}")
            print(f"     {plan[-1].strip()}")


def measure(client: Client, url: str, requests: int, **headers) -> list[float]:
    timings = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(url, headers=headers)
        timings.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 100_000])
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--reuse", action="store_true", help="keep the seeded databases")
    parser.add_argument("--drop", action="store_true", help="drop the databases afterwards")
    parser.add_argument("--explain", action="store_true", help="print the list queries' plans")
    args = parser.parse_args()

    from django.contrib.auth import get_user_model

    from api.tokens import token_create

    old_name = connection.settings_dict["NAME"]
    for size in args.sizes:
        if prepare(size, args.reuse):
            seed(size)
    templates = [
        {
            **settings.TEMPLATES[0],
            "DIRS": [*settings.TEMPLATES[0]["DIRS"], Path(__file__).parent / "templates"],
        }
    ]
    staticfiles = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    results: dict[str, dict[int, list[float]]] = {}
    clients = {}
    wrappers = {}
    default_connection = connections["default"]
    try:
        with override_settings(
            ROOT_URLCONF="config.urls",
            TEMPLATES=templates,
            STORAGES={**settings.STORAGES, "staticfiles": staticfiles},
            ALLOWED_HOSTS=["testserver"],
        ):
            for size in args.sizes:
                wrappers[size] = connected_to(database_name(size))
                connections["default"] = wrappers[size]
                client = SecureClient()
                user = get_user_model().objects.get(username="bench")
                client.force_login(user)
                _, secret = token_create(
                    user=user, name="bench", scopes=["read"], expires_in_days=1
                )
                auth = {"Authorization": f"Bearer {secret}"}
                urls = {name: (url, {}) for name, url in pages(client).items()}
                first = client.get("/api/v1/cards?status=Approved", headers=auth).json()
                urls["API list"] = ("/api/v1/cards", auth)
                urls["API search by words"] = ("/api/v1/cards?q=model+description", auth)
                if first["next"]:  # not at the suite's tiny sizes
                    urls["API next page"] = (first["next"], auth)
                clients[size] = (client, urls)
                for url, headers in urls.values():  # warm-up
                    measure(client, url, 3, **headers)
            # One request at a time to each size in turn (each its own open connection), so
            # that the shared machine's load hits both sizes alike.
            for name in clients[args.sizes[0]][1]:
                for _ in range(args.requests):
                    for size, (client, urls) in clients.items():
                        connections["default"] = wrappers[size]
                        url, headers = urls[name]
                        timings = measure(client, url, 1, **headers)
                        results.setdefault(name, {}).setdefault(size, []).extend(timings)
            if args.explain:
                size = max(args.sizes)
                connections["default"] = wrappers[size]
                explain(clients[size][0], clients[size][1])
    finally:
        for wrapper in wrappers.values():
            wrapper.close()
        connections["default"] = default_connection
        use_database(old_name)
        if args.drop:
            with admin_connection() as admin:
                for size in args.sizes:
                    admin.execute(f'DROP DATABASE IF EXISTS "{database_name(size)}" WITH (FORCE)')

    small, large = min(args.sizes), max(args.sizes)
    print(
        f"median of {args.requests} requests per page, in-process, full middleware "
        f"({small:,} and {large:,} cards)"
    )
    print(f"  {'page':28} {small:>10,} {large:>10,}   ratio")
    worst = ("", 0.0)
    for name, timings in results.items():
        low, high = (statistics.median(timings[size]) * 1000 for size in (small, large))
        ratio = high / low
        worst = max(worst, (name, ratio), key=lambda item: item[1])
        print(f"  {name:28} {low:8.1f}ms {high:8.1f}ms   {ratio:4.2f}x")
    print(f"worst ratio: {worst[1]:.2f}x ({worst[0]}; goal: at most 1.2x)")


if __name__ == "__main__":
    main()
