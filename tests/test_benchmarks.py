"""Every benchmark runs here at a tiny size and prints its figures, so none can rot unseen.

The figures themselves are not asserted (the machine's load decides them); that the script
ran to the end and printed them is. A new script in benchmarks/ must be added here.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings

pytestmark = pytest.mark.worker  # each starts processes and databases of its own

ROOT = Path(__file__).resolve().parent.parent

TINY = {
    "api.py": (["--cards", "120", "--requests", "8"], r"API list / bare = \d+%"),
    "export.py": (["--requests", "2"], r"PDF / card page: [\d.]+x"),
    "growth.py": (
        ["--sizes", "100", "120", "--requests", "2", "--drop"],
        r"worst ratio: [\d.]+x",
    ),
    "list_page.py": (["--cards", "30", "--requests", "8"], r"card list / bare = \d+%"),
    "pooler.py": (["--cards", "5", "--requests", "4"], r"pgbouncer/direct [\d.]+x"),
    "portfolio_page.py": (["--cards", "10", "--requests", "2"], r"team portfolio\s+\d+ queries"),
    "publish.py": (["--cards", "3"], r"one worker / bare = [\d.]+x"),
    "sso.py": (["--rounds", "1"], r"callback p50\s+[\d.]+ ms"),
    "webhooks.py": (["--requests", "2", "--endpoints", "1"], r"\d+ attempts per second"),
    "load.py": (
        ["--start", "--seconds", "2", "--browsers", "1", "--pipelines", "2", "--cards", "2"],
        r"p95 ratio \(beside / alone\): [\d.]+x",
    ),
}


def test_every_script_is_run_here():
    scripts = {path.name for path in (ROOT / "benchmarks").glob("*.py")}
    helpers = {"__init__.py", "urls.py", "api_urls.py"}
    assert scripts - helpers == set(TINY)


@pytest.mark.parametrize("script", sorted(TINY))
def test_it_runs_at_a_tiny_size_and_prints_its_figures(script):
    arguments, figures = TINY[script]
    # The server the tests use, under a database name of the script's own: the scripts make
    # test_<name> databases, which must not be the suite's own test database.
    own = urlsplit(settings.DATABASE_URL)._replace(path="/bench_" + script.removesuffix(".py"))
    env = {**os.environ, "DATABASE_URL": urlunsplit(own), "PYTHONUNBUFFERED": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    if script == "load.py":
        del env["DATABASE_URL"]  # its own first run, on an embedded PostgreSQL of its own
    ran = subprocess.run(  # noqa: S603
        [sys.executable, f"benchmarks/{script}", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    printed = ran.stdout + ran.stderr
    assert ran.returncode == 0, printed
    assert "Traceback" not in printed, printed
    assert re.search(figures, ran.stdout), printed
