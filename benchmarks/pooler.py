"""Page loads through PgBouncer (transaction mode) against straight to PostgreSQL.

Two gunicorn servers of the same size on the same database, one through Debian's PgBouncer
(configured as deploy/pgbouncer/pgbouncer.ini pools), one direct; a signed-in session loads the
card list and a card page from each in turn, same run, same machine.

    uv run python benchmarks/pooler.py [--cards 200] [--requests 200] [--processes 2]

It creates (and afterwards drops) its own database on the configured server.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

from config.embedded_postgres import ensure_embedded_database  # noqa: E402

ensure_embedded_database()  # without DATABASE_URL; settings only compute its URL
django.setup()

import httpx  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from tests.factories import make_card, make_team, make_user  # noqa: E402
from tests.pooler_fixtures import pooler_url, start_pgbouncer  # noqa: E402
from tests.web_fixtures import start_web  # noqa: E402
from tests.worker_fixtures import database_url_for_subprocesses, free_port, stop  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cards", type=int, default=200)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    processes = []
    work = Path(tempfile.mkdtemp(prefix="pooler-bench-"))
    try:
        user = make_user("bench", team=make_team("Bench"))
        names = [f"bench-{number:04d}" for number in range(args.cards)]
        for name in names:
            make_card(user=user, name=name)
        browser = Client()
        browser.force_login(user)
        cookies = {"sessionid": browser.cookies["sessionid"].value}
        connection.close()

        bouncer_port = free_port()
        processes.append(start_pgbouncer(work / "pgbouncer", bouncer_port))
        common = {
            "SECRET_KEY": settings.SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_HSTS_SECONDS": "0",
            "SECURE_COOKIES": "false",
            "CONN_MAX_AGE": "60",
        }
        targets = {
            "direct": {"DATABASE_URL": database_url_for_subprocesses()},
            "pgbouncer": {
                "DATABASE_URL": pooler_url(bouncer_port),
                "DATABASE_POOLER": "transaction",
            },
        }
        bases = {}
        for label, env in targets.items():
            port = free_port()
            processes.append(
                start_web(port, common | env, work / f"{label}.log", processes=args.processes)
            )
            bases[label] = f"http://127.0.0.1:{port}"

        pages = {"card list": "/", "card page": "/cards/{name}/"}
        timings = {(label, page): [] for label in bases for page in pages}
        with httpx.Client(cookies=cookies, timeout=30) as session:
            for number in range(args.requests + 20):  # the first 20 warm up
                name = names[number % len(names)]
                for page, path in pages.items():
                    for label, base in bases.items():
                        start = time.perf_counter()
                        response = session.get(base + path.format(name=name))
                        elapsed = time.perf_counter() - start
                        if response.status_code != 200:
                            raise SystemExit(f"{label} {path}: {response.status_code}")
                        if number >= 20:
                            timings[label, page].append(elapsed)
    finally:
        for process in reversed(processes):
            stop(process)
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)

    print(
        f"{args.requests} sequential loads of each page, {args.cards} cards, gunicorn with "
        f"{args.processes} processes per server, CONN_MAX_AGE=60"
    )
    for page in pages:
        direct = timings["direct", page]
        pooled = timings["pgbouncer", page]
        line = []
        for label, values in (("direct", direct), ("pgbouncer", pooled)):
            median = statistics.median(values) * 1000
            p95 = statistics.quantiles(values, n=20)[-1] * 1000
            line.append(f"{label} median {median:6.1f} ms p95 {p95:6.1f} ms")
        ratio = statistics.median(pooled) / statistics.median(direct)
        print(f"  {page:9}: {'; '.join(line)}; pgbouncer/direct {ratio:.2f}x")


if __name__ == "__main__":
    main()
