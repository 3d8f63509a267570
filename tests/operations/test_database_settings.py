"""Web processes behind a transaction pooler; workers past it (WORKER_DATABASE_URL)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from cards.worker import worker_database

ROOT = Path(__file__).resolve().parent.parent.parent
SHOW = (
    "import json; from django.conf import settings as s; d = s.DATABASES['default']; "
    "print(json.dumps({'cursors': d.get('DISABLE_SERVER_SIDE_CURSORS', False), "
    "'prepare': d['OPTIONS'].get('prepare_threshold', 'unset')}))"
)


def settings_with(**env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SHOW],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "SECRET_KEY": "x", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_transaction_pooler_turns_off_server_side_cursors_and_prepared_statements():
    url = "postgres://studio@pgbouncer.invalid:6432/studio"
    pooled = settings_with(DATABASE_URL=url, DATABASE_POOLER="transaction")
    direct = settings_with(DATABASE_URL=url)

    assert json.loads(pooled.stdout.splitlines()[-1]) == {"cursors": True, "prepare": None}
    assert json.loads(direct.stdout.splitlines()[-1]) == {"cursors": False, "prepare": "unset"}


def test_an_unknown_pooler_mode_is_refused_by_name():
    result = settings_with(
        DATABASE_URL="postgres://studio@db.invalid/studio", DATABASE_POOLER="statement"
    )

    assert result.returncode != 0
    assert "DATABASE_POOLER must be transaction or empty: 'statement'" in result.stderr


def test_the_worker_takes_its_own_url_and_drops_the_pooler_options(settings):
    settings.WORKER_DATABASE_URL = "postgres://writer:pw@db-writer.internal:5433/studio"
    web = {
        "NAME": "studio",
        "USER": "web",
        "PASSWORD": "webpw",
        "HOST": "pgbouncer.internal",
        "PORT": 6432,
        "DISABLE_SERVER_SIDE_CURSORS": True,
        "OPTIONS": {"prepare_threshold": None, "connect_timeout": 10},
    }

    worker = worker_database(web)

    assert (worker["HOST"], worker["PORT"], worker["USER"]) == (
        "db-writer.internal",
        5433,
        "writer",
    )
    assert worker["DISABLE_SERVER_SIDE_CURSORS"] is False
    assert worker["OPTIONS"] == {"connect_timeout": 10}


def test_without_a_worker_url_the_worker_uses_the_database_url(settings):
    settings.WORKER_DATABASE_URL = ""
    web = {"HOST": "db.internal", "OPTIONS": {}}

    assert worker_database(web) == web
