"""Time and queries of a single sign-on through a real OIDC provider on loopback.

The provider is the tests' (tests/oidc_provider/, django-oauth-toolkit, its own process). Each
round is one full sign-in by the Django test client: our start view, the provider's login form
and authorization, then our callback, which exchanges the code, fetches the JWKS and userinfo,
verifies the ID token and applies the role mapping. The callback is timed on its own too (the
part a person waits for after the provider). A user in one mapped group is compared with one in
50 (the mapping's writes are a few statements whatever the number of teams).

    uv run python benchmarks/sso.py [--rounds 20]

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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

from config.embedded_postgres import ensure_embedded_database  # noqa: E402

ensure_embedded_database()  # without DATABASE_URL; settings only compute its URL
django.setup()

from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from cards.models import Role, Team  # noqa: E402
from sso.models import RoleMapping  # noqa: E402
from tests.sso.provider import (  # noqa: E402
    CLIENT_ID,
    PROVIDER_PASSWORD,
    provider_login,
    start_provider,
)
from tests.worker_fixtures import stop  # noqa: E402


def one_sign_in(username: str) -> tuple[float, float, int]:
    client = Client()
    start = time.perf_counter()
    response = client.get("/oidc/start/")
    back = provider_login(response["Location"], username, PROVIDER_PASSWORD)
    callback_start = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        done = client.get(back.removeprefix("http://testserver"))
    end = time.perf_counter()
    assert done.status_code == 302, done.content
    return end - start, end - callback_start, len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    process = None
    results = {}
    try:
        with tempfile.TemporaryDirectory() as directory:
            process, provider = start_provider(Path(directory))
            teams = [Team.objects.create(name=f"Team {n:02d}") for n in range(50)]
            for team in teams:
                RoleMapping.objects.create(claim_value=team.name, team=team, role=Role.EDITOR)
            provider.person("one", [teams[0].name])
            provider.person("fifty", [team.name for team in teams])
            with override_settings(
                OIDC_ISSUER_URL=provider.issuer,
                OIDC_RP_CLIENT_ID=CLIENT_ID,
                OIDC_RP_CLIENT_SECRET=provider.client_secret,
                OIDC_RP_SCOPES="openid email profile groups",
                ALLOWED_HOSTS=["testserver"],
                SECURE_SSL_REDIRECT=False,
                PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            ):
                one_sign_in("one")  # discovery, connections, first user
                one_sign_in("fifty")
                results = {"one": [], "fifty": []}
                # Interleaved, so drift on a shared machine hits both alike.
                for _ in range(args.rounds):
                    for username, rounds in results.items():
                        rounds.append(one_sign_in(username))
    finally:
        if process is not None:
            stop(process)
        connection.creation.destroy_test_db(old_name, verbosity=0)

    print(f"{args.rounds} sign-ins each, provider and app on loopback, test client in-process")
    for username, label in (("one", "1 mapped group"), ("fifty", "50 mapped groups")):
        rounds = results[username]
        whole = sorted(r[0] for r in rounds)
        callback = sorted(r[1] for r in rounds)
        p95 = int(len(rounds) * 0.95) - 1
        print(
            f"  {label:17} whole flow p50 {statistics.median(whole) * 1000:6.1f} ms "
            f"p95 {whole[p95] * 1000:6.1f} ms | callback p50 "
            f"{statistics.median(callback) * 1000:6.1f} ms p95 {callback[p95] * 1000:6.1f} ms"
            f" | {rounds[-1][2]} queries per callback"
        )


if __name__ == "__main__":
    main()
